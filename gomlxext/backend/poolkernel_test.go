package backend

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestSelect4 checks the branchless 2×2 select-and-scatter window against the rule written
// plainly (the first maximum, or minimum, of the four positions gets the source value, a NaN
// counting as the extreme), on values with ties, NaNs and infinities.
func TestSelect4(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	pick := []float32{-1, 0, 1, 2, float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.Copysign(0, -1))}
	const n = 4000
	x := make([]float32, 4*n)
	for i := range x {
		if rng.IntN(2) == 0 {
			x[i] = pick[rng.IntN(len(pick))]
		} else {
			x[i] = rng.Float32()*4 - 2
		}
	}
	src := make([]float32, n)
	for i := range src {
		src[i] = rng.Float32() + 0.5
	}
	delta := []int{0, n, 2 * n, 3 * n} // the window's four positions, each a run of n channels
	for _, isMin := range []bool{false, true} {
		dst := make([]float32, 4*n)
		for i := range dst {
			dst[i] = 99 // every position is written
		}
		select4(x, src, dst, 0, delta, isMin)
		for c := range n {
			best, at := x[c], 0
			for p := 1; p < 4; p++ {
				v := x[p*n+c]
				if (isMin && v < best) || (!isMin && v > best) || (v != v && best == best) {
					best, at = v, p
				}
			}
			for p := range 4 {
				want := float32(0)
				if p == at {
					want = src[c]
				}
				if got := dst[p*n+c]; got != want {
					t.Fatalf("isMin=%v channel %d (window %v %v %v %v): position %d got %g, want %g",
						isMin, c, x[c], x[n+c], x[2*n+c], x[3*n+c], p, got, want)
				}
			}
		}
	}
}
