//go:build !amd64

package backend

// hasFastKernel is false: the SIMD matmul kernel exists only for amd64.
var hasFastKernel = false

// hasAVX512 is false: the AVX-512 kernel exists only for amd64.
var hasAVX512 = false

func kern4x16g(a *float32, aRow, aK int, b *float32, panelStride, ldb, k int, c *float32, ldc int, acc int) {
	panic("dl4go backend: the SIMD kernels are only available on amd64")
}

func kern4x32g(a *float32, aRow, aK int, b *float32, panelStride, ldb, k int, c *float32, ldc int, acc int) {
	panic("dl4go backend: the SIMD kernels are only available on amd64")
}

func kern4x64g(a *float32, aRow, aK int, b *float32, panelStride, ldb, k int, c *float32, ldc int, acc int) {
	panic("dl4go backend: the SIMD kernels are only available on amd64")
}

func kern4x16r(a0, a1, a2, a3 *float32, runs *offsetRun, nruns int, b *float32, panelStride, ldb int, c *float32, ldc int) {
	panic("dl4go backend: the SIMD kernels are only available on amd64")
}

func kern4x32r(a0, a1, a2, a3 *float32, runs *offsetRun, nruns int, b *float32, panelStride, ldb int, c *float32, ldc int) {
	panic("dl4go backend: the SIMD kernels are only available on amd64")
}

func kern4x64r(a0, a1, a2, a3 *float32, runs *offsetRun, nruns int, b *float32, panelStride, ldb int, c *float32, ldc int) {
	panic("dl4go backend: the SIMD kernels are only available on amd64")
}

func vDot(a, b *float32, n int) float32 {
	panic("dl4go backend: the SIMD kernels are only available on amd64")
}

func matvecT64(a *float32, offs *int, v *float32, k int, o *float32) {
	panic("dl4go backend: the SIMD kernels are only available on amd64")
}
