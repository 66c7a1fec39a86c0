//go:build !amd64

package backend

func vvAdd(o, a, b *float32, n int) { panic("dl4go backend: no SIMD elementwise loops") }

func vsAdd(o, a *float32, s float32, n int) { panic("dl4go backend: no SIMD elementwise loops") }

func vvSub(o, a, b *float32, n int) { panic("dl4go backend: no SIMD elementwise loops") }

func vsSub(o, a *float32, s float32, n int) { panic("dl4go backend: no SIMD elementwise loops") }

func svSub(o *float32, s float32, b *float32, n int) {
	panic("dl4go backend: no SIMD elementwise loops")
}

func vvMul(o, a, b *float32, n int) { panic("dl4go backend: no SIMD elementwise loops") }

func vsMul(o, a *float32, s float32, n int) { panic("dl4go backend: no SIMD elementwise loops") }

func vvDiv(o, a, b *float32, n int) { panic("dl4go backend: no SIMD elementwise loops") }

func vsDiv(o, a *float32, s float32, n int) { panic("dl4go backend: no SIMD elementwise loops") }

func svDiv(o *float32, s float32, b *float32, n int) {
	panic("dl4go backend: no SIMD elementwise loops")
}

func vSign(o, a *float32, n int) { panic("dl4go backend: no SIMD elementwise loops") }

func vNeg(o, a *float32, n int) { panic("dl4go backend: no SIMD elementwise loops") }

func vAbs(o, a *float32, n int) { panic("dl4go backend: no SIMD elementwise loops") }

func vvMax(o, a, b *float32, n int) { panic("dl4go backend: no SIMD elementwise loops") }

func vvMin(o, a, b *float32, n int) { panic("dl4go backend: no SIMD elementwise loops") }

func vsMax(o, a *float32, s float32, n int) { panic("dl4go backend: no SIMD elementwise loops") }

func vsMin(o, a *float32, s float32, n int) { panic("dl4go backend: no SIMD elementwise loops") }

func vExp(o, a *float32, n int) { panic("dl4go backend: no SIMD elementwise loops") }

func vLogistic(o, a *float32, n int) { panic("dl4go backend: no SIMD elementwise loops") }

func vErf(o, a *float32, n int) { panic("dl4go backend: no SIMD elementwise loops") }

func vSelect4(x0, x1, x2, x3, src, d0, d1, d2, d3 *float32, n int, isMin bool) {
	panic("dl4go backend: no SIMD elementwise loops")
}

func vWhere(o *float32, c *bool, t *float32, tStep int, f *float32, fStep int, n int) {
	panic("dl4go backend: no SIMD elementwise loops")
}

func vFill(o *float32, s float32, n int) { panic("dl4go backend: no SIMD elementwise loops") }
