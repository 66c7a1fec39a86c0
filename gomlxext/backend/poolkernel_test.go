package backend

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestSelect4 checks the 2×2 select-and-scatter window (8 channels at a time on SIMD, then the
// Go tail) against the rule written plainly (the first maximum, or minimum, of the four positions
// gets the source value, a NaN counting as the extreme), bit for bit, on values with ties, NaNs,
// infinities and signed zeros, and on channel runs with and without a tail.
func TestSelect4(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	pick := []float32{-1, 0, 1, 2, float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.Copysign(0, -1))}
	for _, n := range []int{4000, 4003, 13, 3} {
		x := make([]float32, 4*n+5)
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
			if i%7 == 0 {
				src[i] = pick[rng.IntN(len(pick))] // the value scattered is copied as it is
			}
		}
		const o = 5                        // the window's first position, in x and dst
		delta := []int{3 * n, 0, 2 * n, n} // the window's four positions, each a run of n channels
		for _, isMin := range []bool{false, true} {
			dst := make([]float32, 4*n+5)
			for i := range dst {
				dst[i] = 99 // every position is written
			}
			select4(x, src, dst, o, delta, isMin)
			for c := range n {
				best, at := x[o+delta[0]+c], 0
				for p := 1; p < 4; p++ {
					v := x[o+delta[p]+c]
					if (isMin && v < best) || (!isMin && v > best) || (v != v && best == best) {
						best, at = v, p
					}
				}
				for p := range 4 {
					want := float32(0)
					if p == at {
						want = src[c]
					}
					if got := dst[o+delta[p]+c]; math.Float32bits(got) != math.Float32bits(want) {
						t.Fatalf("n=%d isMin=%v channel %d (window %v %v %v %v): position %d got %g, want %g", n, isMin, c,
							x[o+delta[0]+c], x[o+delta[1]+c], x[o+delta[2]+c], x[o+delta[3]+c], p, got, want)
					}
				}
			}
		}
	}
}
