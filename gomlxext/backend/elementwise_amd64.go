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
