package backend_test

import (
	"math"
	"math/cmplx"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"

	"github.com/dl4go/dl4go/gomlxext/backend"
)

// naiveDFT is the textbook O(n²) DFT.
func naiveDFT(x []complex128, inverse bool) []complex128 {
	n := len(x)
	out := make([]complex128, n)
	sign := -1.0
	if inverse {
		sign = 1
	}
	for k := range n {
		for j := range n {
			out[k] += x[j] * cmplx.Exp(complex(0, sign*2*math.Pi*float64(j*k)/float64(n)))
		}
		if inverse {
			out[k] /= complex(float64(n), 0)
		}
	}
	return out
}

func TestFourier(t *testing.T) {
	b := newBackend(t, "dl4go")
	for _, n := range []int{8, 9} {
		x := make([]float64, 2*n)
		for i := range x {
			x[i] = math.Sin(float64(i*i)) + 0.1*float64(i%3)
		}
		xt := func() *tensors.Tensor { return tensors.FromFlatDataAndDimensions(x, 2, n) }
		// RFFT and back.
		outs, err := graph.MustNewExec(b, func(x *graph.Node) []*graph.Node {
			re, im := backend.RFFT(x)
			return []*graph.Node{re, im, backend.IRFFT(re, im, n)}
		}).Exec(xt())
		if err != nil {
			t.Fatal(err)
		}
		re, im, back := flat(outs[0]), flat(outs[1]), flat(outs[2])
		m := n/2 + 1
		for row := range 2 {
			c := make([]complex128, n)
			for j := range n {
				c[j] = complex(x[row*n+j], 0)
			}
			want := naiveDFT(c, false)
			for k := range m {
				if got := complex(re[row*m+k], im[row*m+k]); cmplx.Abs(got-want[k]) > 1e-9 {
					t.Fatalf("n=%d RFFT[%d][%d] = %v, want %v", n, row, k, got, want[k])
				}
			}
		}
		for i := range x {
			if math.Abs(back[i]-x[i]) > 1e-9 {
				t.Fatalf("n=%d IRFFT(RFFT(x))[%d] = %g, want %g", n, i, back[i], x[i])
			}
		}
		// Complex DFT vs naive, and inverse round trip.
		outs, err = graph.MustNewExec(b, func(x *graph.Node) []*graph.Node {
			re, im := graph.Cos(x), graph.Sin(x)
			fr, fi := backend.DFT(re, im, false)
			br, bi := backend.DFT(fr, fi, true)
			return []*graph.Node{fr, fi, graph.Sub(br, re), graph.Sub(bi, im)}
		}).Exec(xt())
		if err != nil {
			t.Fatal(err)
		}
		fr, fi := flat(outs[0]), flat(outs[1])
		c := make([]complex128, n)
		for j := range n {
			c[j] = complex(math.Cos(x[j]), math.Sin(x[j]))
		}
		want := naiveDFT(c, false)
		for k := range n {
			if got := complex(fr[k], fi[k]); cmplx.Abs(got-want[k]) > 1e-9 {
				t.Fatalf("n=%d DFT[%d] = %v, want %v", n, k, got, want[k])
			}
		}
		for _, d := range append(flat(outs[2]), flat(outs[3])...) {
			if math.Abs(d) > 1e-9 {
				t.Fatalf("n=%d inverse DFT round trip off by %g", n, d)
			}
		}
	}
}
