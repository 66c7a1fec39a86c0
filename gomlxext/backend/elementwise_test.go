package backend

import (
	"math"
	"testing"
)

// TestErf32 checks the float32 erf against math.Erf.
func TestErf32(t *testing.T) {
	for x := float32(-6); x <= 6; x += 0.001 {
		if got, want := erf32(x), math.Erf(float64(x)); math.Abs(float64(got)-want) > 2e-7 {
			t.Fatalf("erf32(%g) = %g, want %g", x, got, want)
		}
	}
	if got := erf32(float32(math.NaN())); got == got {
		t.Errorf("erf32(NaN) = %g, want NaN", got)
	}
	if got := erf32(float32(math.Inf(1))); got != 1 {
		t.Errorf("erf32(+Inf) = %g, want 1", got)
	}
}

// TestBinaryLoopsSIMD checks the SIMD elementwise loops bit for bit against
// the Go loops, on lengths around the 32-element blocks and on special
// values (±0, ±Inf, NaN, subnormals).
func TestBinaryLoopsSIMD(t *testing.T) {
	if !simdElementwise {
		t.Skip("no SIMD elementwise loops")
	}
	special := []float32{0, float32(math.Copysign(0, -1)), 1, -3.5, float32(math.Inf(1)), float32(math.Inf(-1)),
		float32(math.NaN()), 1e-40, 3.4e38, 0.1}
	fill := func(n int, seed int) []float32 {
		v := make([]float32, n)
		for i := range v {
			v[i] = special[(i*7+seed)%len(special)] * float32(1+i%3)
		}
		return v
	}
	same := func(x, y float32) bool { return math.Float32bits(x) == math.Float32bits(y) || (x != x && y != y) }
	for _, n := range []int{0, 1, 31, 32, 33, 64, 100, 1000} {
		a, b := fill(n, 1), fill(n, 4)
		for fn := fnAdd; fn <= fnMin; fn++ {
			for variant := range 3 {
				run := func() []float32 {
					o := make([]float32, n)
					switch variant {
					case 0:
						binaryVV(fn, o, a, b)
					case 1:
						binaryVS(fn, o, a, 0.3)
					default:
						binarySV(fn, o, -2.5, b)
					}
					return o
				}
				got := run()
				simdElementwise = false
				want := run()
				simdElementwise = true
				for i := range want {
					if !same(got[i], want[i]) {
						t.Fatalf("n=%d op %d variant %d [%d]: SIMD %g, Go %g", n, fn, variant, i, got[i], want[i])
					}
				}
			}
		}
	}
}

// TestUnaryLoopsSIMD checks Sign, Neg and Abs on SIMD against the Go loops,
// bit for bit, special values included.
func TestUnaryLoopsSIMD(t *testing.T) {
	if !simdElementwise {
		t.Skip("no SIMD elementwise loops")
	}
	special := []float32{0, float32(math.Copysign(0, -1)), 1, -3.5, float32(math.Inf(1)), float32(math.Inf(-1)),
		float32(math.NaN()), 1e-40, -1e-40, 3.4e38}
	for _, n := range []int{0, 7, 8, 9, 100} {
		s := make([]float32, n)
		for i := range s {
			s[i] = special[(i*3)%len(special)]
		}
		for name, loop := range map[string]func(d, s []float32){"sign": signLoop, "neg": negLoop, "abs": absLoop} {
			got, want := make([]float32, n), make([]float32, n)
			loop(got, s)
			simdElementwise = false
			loop(want, s)
			simdElementwise = true
			for i := range want {
				if math.Float32bits(got[i]) != math.Float32bits(want[i]) && !(got[i] != got[i] && want[i] != want[i]) {
					t.Fatalf("%s n=%d [%d] of %g: SIMD %g, Go %g", name, n, i, s[i], got[i], want[i])
				}
			}
		}
	}
}
