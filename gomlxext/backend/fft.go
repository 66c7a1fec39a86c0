package backend

import (
	"fmt"
	"math"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/graph"
)

// The functions below compute discrete Fourier transforms on real/imaginary
// pairs of float tensors as one DotGeneral with a constant cos/sin matrix:
// exact, differentiable through GoMLX autodiff, on any backend, including
// those without complex dtypes (plain simplego), at O(n²) per frame. On
// dl4go (and XLA) prefer GoMLX's own graph.RealFFT, FFT and their inverses:
// O(n log n), on complex tensors.

// dftMatrix returns the [n, m] matrices cos(2πjk/n) and -sin(2πjk/n) for
// j < n, k < m, as constants of dtype.
func dftMatrix(g *graph.Graph, dtype dtypes.DType, n, m int, sign float64) (cos, sin *graph.Node) {
	c, s := make([]float64, n*m), make([]float64, n*m)
	for j := range n {
		for k := range m {
			a := 2 * math.Pi * float64((j*k)%n) / float64(n)
			c[j*m+k] = math.Cos(a)
			s[j*m+k] = sign * math.Sin(a)
		}
	}
	cn := graph.ConvertDType(graph.Reshape(graph.Const(g, c), n, m), dtype)
	sn := graph.ConvertDType(graph.Reshape(graph.Const(g, s), n, m), dtype)
	return cn, sn
}

// lastAxisDot contracts the last axis of x [..., n] with mat [n, m] → [..., m].
func lastAxisDot(x, mat *graph.Node) *graph.Node {
	return graph.DotGeneral(x, []int{x.Rank() - 1}, nil, mat, []int{0}, nil)
}

func checkFloat(what string, xs ...*graph.Node) {
	for _, x := range xs {
		if !x.DType().IsFloat() {
			panic(fmt.Sprintf("%s: needs float input, got %s", what, x.Shape()))
		}
	}
}

// RFFT is the discrete Fourier transform of real x [..., n] along its last
// axis: it returns the real and imaginary parts [..., n/2+1] (like numpy's
// rfft). It panics (GoMLX style) if x is not a float tensor.
func RFFT(x *graph.Node) (re, im *graph.Node) {
	checkFloat("RFFT", x)
	n := x.Shape().Dimensions[x.Rank()-1]
	c, s := dftMatrix(x.Graph(), x.DType(), n, n/2+1, -1)
	return lastAxisDot(x, c), lastAxisDot(x, s)
}

// IRFFT inverts RFFT: re and im [..., n/2+1] → real [..., n] (like numpy's
// irfft with the given n).
func IRFFT(re, im *graph.Node, n int) *graph.Node {
	checkFloat("IRFFT", re, im)
	m := n/2 + 1
	if d := re.Shape().Dimensions[re.Rank()-1]; d != m || !im.Shape().Equal(re.Shape()) {
		panic(fmt.Sprintf("IRFFT: re %s and im %s must end in n/2+1 = %d", re.Shape(), im.Shape(), m))
	}
	// Hermitian weights: bins 1..(n-1)/2 count twice.
	w := make([]float64, m)
	for k := range m {
		w[k] = 2
		if k == 0 || (n%2 == 0 && k == n/2) {
			w[k] = 1
		}
		w[k] /= float64(n)
	}
	a, bm := make([]float64, m*n), make([]float64, m*n)
	for k := range m {
		for j := range n {
			ang := 2 * math.Pi * float64((j*k)%n) / float64(n)
			a[k*n+j] = w[k] * math.Cos(ang)
			bm[k*n+j] = w[k] * math.Sin(ang)
		}
	}
	g := re.Graph()
	an := graph.ConvertDType(graph.Reshape(graph.Const(g, a), m, n), re.DType())
	bn := graph.ConvertDType(graph.Reshape(graph.Const(g, bm), m, n), re.DType())
	// x[j] = Σ_k w_k (re_k cos(2πjk/n) - im_k sin(2πjk/n)).
	return graph.Sub(lastAxisDot(re, an), lastAxisDot(im, bn))
}

// DFT is the complex discrete Fourier transform along the last axis of
// (re, im) [..., n]; inverse selects the inverse transform (scaled by 1/n).
func DFT(re, im *graph.Node, inverse bool) (outRe, outIm *graph.Node) {
	checkFloat("DFT", re, im)
	if !re.Shape().Equal(im.Shape()) {
		panic(fmt.Sprintf("DFT: re %s and im %s differ", re.Shape(), im.Shape()))
	}
	n := re.Shape().Dimensions[re.Rank()-1]
	sign := -1.0
	if inverse {
		sign = 1
	}
	c, s := dftMatrix(re.Graph(), re.DType(), n, n, sign)
	// (a+ib)(c+is) = (ac - bs) + i(as + bc).
	outRe = graph.Sub(lastAxisDot(re, c), lastAxisDot(im, s))
	outIm = graph.Add(lastAxisDot(re, s), lastAxisDot(im, c))
	if inverse {
		outRe = graph.DivScalar(outRe, float64(n))
		outIm = graph.DivScalar(outIm, float64(n))
	}
	return
}
