package backend

import (
	"fmt"
	"math"
	"testing"
)

// TestReduceMKN checks the reduction kernel's paths (many or few runs,
// rows split by batch or by columns, short sums) against a direct float64
// sum, the short ones against simplego's rule bit for bit, and the merging
// of axes into [M, K, N].
func TestReduceMKN(t *testing.T) {
	for _, c := range []struct{ m, k, n int }{
		{1, 100000, 1}, {3, 50000, 1}, {64, 300, 1}, {1, 7, 5000}, {1, 3000, 3}, {5, 40, 9}, {300, 2, 2}, {2, 50, 1037},
	} {
		x := make([]float32, c.m*c.k*c.n)
		for i := range x {
			x[i] = float32(math.Sin(float64(i)*0.37)) + 0.25
		}
		out := make([]float32, c.m*c.n)
		reduceMKN(x, out, c.m, c.k, c.n)
		if c.n > 1 { // rows: float32 additions in row order, bit for bit
			for i := range c.m {
				for j := range c.n {
					acc := x[i*c.k*c.n+j]
					for kk := 1; kk < c.k; kk++ {
						acc += x[(i*c.k+kk)*c.n+j]
					}
					if got := out[i*c.n+j]; math.Float32bits(got) != math.Float32bits(acc) {
						t.Fatalf("%v: out[%d, %d] = %g, want %g (row order, float32)", c, i, j, got, acc)
					}
				}
			}
		}
		for i := range c.m {
			for j := range c.n {
				want := 0.0
				for kk := range c.k {
					want += float64(x[(i*c.k+kk)*c.n+j])
				}
				if got := float64(out[i*c.n+j]); math.Abs(got-want) > 1e-5*(1+math.Abs(want))*math.Sqrt(float64(c.k)) {
					t.Fatalf("%v: out[%d, %d] = %g, want %g", c, i, j, got, want)
				}
			}
		}
	}
	// Short sums (k < 8): simplego's own rule, bit for bit — float32 from 0 in the order of k, so
	// that a run of −0 sums to +0 — with specials in some runs.
	special := []float32{float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.Copysign(0, -1)), 1e-40}
	for _, c := range []struct{ m, k, n int }{{40000, 4, 1}, {3, 2, 1}, {7, 7, 3}, {1, 5, 4099}, {600, 3, 40}} {
		x := make([]float32, c.m*c.k*c.n)
		for i := range x {
			x[i] = float32(math.Sin(float64(i)*0.37)) - 0.25
			if i%13 == 0 {
				x[i] = special[(i/13)%len(special)]
			}
		}
		for kk := range c.k { // the first output: −0 in every term
			x[kk*c.n] = float32(math.Copysign(0, -1))
		}
		out := make([]float32, c.m*c.n)
		reduceMKN(x, out, c.m, c.k, c.n)
		for i := range c.m {
			for j := range c.n {
				var want float32
				for kk := range c.k {
					want += x[(i*c.k+kk)*c.n+j]
				}
				if got := out[i*c.n+j]; math.Float32bits(got) != math.Float32bits(want) && !(got != got && want != want) {
					t.Fatalf("%v: out[%d, %d] = %g, want %g (simplego's rule)", c, i, j, got, want)
				}
			}
		}
	}
	for _, c := range []struct {
		dims    []int
		reduced []bool
		want    string
	}{
		{[]int{4, 5, 6}, []bool{false, true, false}, "4 5 6 true"},
		{[]int{4, 5, 6}, []bool{true, true, true}, "1 120 1 true"},
		{[]int{4, 1, 5, 6}, []bool{true, false, true, false}, "1 20 6 true"},
		{[]int{4, 5, 6}, []bool{true, false, true}, "0 0 0 false"},
	} {
		m, k, n, ok := mkn(c.dims, c.reduced)
		if got := fmt.Sprint(m, k, n, ok); got != c.want {
			t.Errorf("mkn(%v, %v) = %s, want %s", c.dims, c.reduced, got, c.want)
		}
	}
}

// TestReduceMaxMKN checks the max kernel bit for bit against simplego's rule (start from the
// lowest finite float32, then Go's max over the values in order) on both paths, with NaNs,
// infinities and signed zeros placed in some runs.
func TestReduceMaxMKN(t *testing.T) {
	for _, c := range []struct{ m, k, n int }{{64, 300, 1}, {3, 9, 1}, {1, 7, 5000}, {5, 40, 9}, {300, 8, 2}, {40000, 4, 1}, {9, 2, 33}} {
		x := make([]float32, c.m*c.k*c.n)
		for i := range x {
			x[i] = float32(math.Sin(float64(i)*0.37)) - 0.25
		}
		special := []float32{float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.Copysign(0, -1)), 0}
		for i := 0; i < len(x); i += 97 {
			x[i] = special[(i/97)%len(special)]
		}
		if c.m >= 2 && c.n == 1 { // a run of −Inf and −0 only: the result is −MaxFloat32, +0 over −0
			for kk := range c.k {
				x[c.k+kk] = float32(math.Inf(-1))
			}
		}
		out := make([]float32, c.m*c.n)
		reduceMaxMKN(x, out, c.m, c.k, c.n)
		for i := range c.m {
			for j := range c.n {
				want := float32(-math.MaxFloat32)
				for kk := range c.k {
					want = max(want, x[(i*c.k+kk)*c.n+j])
				}
				if got := out[i*c.n+j]; math.Float32bits(got) != math.Float32bits(want) && !(got != got && want != want) {
					t.Fatalf("%v: out[%d, %d] = %g, want %g", c, i, j, got, want)
				}
			}
		}
	}
}
