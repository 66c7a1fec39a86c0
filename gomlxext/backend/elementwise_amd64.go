package backend

// SIMD elementwise loops (elementwise_amd64.s): n/32*32 elements; the
// caller does the tail.

//go:noescape
func vvAdd(o, a, b *float32, n int)

//go:noescape
func vsAdd(o, a *float32, s float32, n int)

//go:noescape
func vvSub(o, a, b *float32, n int)

//go:noescape
func vsSub(o, a *float32, s float32, n int)

//go:noescape
func svSub(o *float32, s float32, b *float32, n int)

//go:noescape
func vvMul(o, a, b *float32, n int)

//go:noescape
func vsMul(o, a *float32, s float32, n int)

//go:noescape
func vvDiv(o, a, b *float32, n int)

//go:noescape
func vsDiv(o, a *float32, s float32, n int)

//go:noescape
func svDiv(o *float32, s float32, b *float32, n int)

// Unary loops and Max/Min with Go's semantics (elementwise_amd64.s): n/8*8
// elements; the caller does the tail.

//go:noescape
func vSign(o, a *float32, n int)

//go:noescape
func vNeg(o, a *float32, n int)

//go:noescape
func vAbs(o, a *float32, n int)

//go:noescape
func vvMax(o, a, b *float32, n int)

//go:noescape
func vvMin(o, a, b *float32, n int)

//go:noescape
func vsMax(o, a *float32, s float32, n int)

//go:noescape
func vsMin(o, a *float32, s float32, n int)

// vSelect4 is select4's 2×2 window on n/8*8 channels (elementwise_amd64.s):
// x0..x3 the window's four runs, d0..d3 the same positions of the output,
// src the values to scatter; the caller does the tail.
//
//go:noescape
func vSelect4(x0, x1, x2, x3, src, d0, d1, d2, d3 *float32, n int, isMin bool)

// vWhere is Where's loop on n/8*8 elements (elementwise_amd64.s): o[i] = c[i] ?
// t : f, t and f advancing tStep and fStep bytes per 8 elements (32, or 0 for
// 8 copies of a scalar); the caller does the tail.
//
//go:noescape
func vWhere(o *float32, c *bool, t *float32, tStep int, f *float32, fStep int, n int)

// vFill sets o[0 : n/8*8] to s (elementwise_amd64.s); the caller does the
// tail.
//
//go:noescape
func vFill(o *float32, s float32, n int)
