package backend

// Exp, Logistic and Erf loops (exp_amd64.s), bit-identical to unaryLoop's Go
// loops: n/8*8 elements; the caller does the tail.

//go:noescape
func vExp(o, a *float32, n int)

//go:noescape
func vLogistic(o, a *float32, n int)

//go:noescape
func vErf(o, a *float32, n int)
