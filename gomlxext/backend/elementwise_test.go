package backend

import (
	"fmt"
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

// TestExpLogisticSIMD checks the SIMD Exp, Logistic and Erf loops bit for bit
// against the Go loops (math.Exp, erf32), on a sweep across float32's whole range
// (every 2^13th bit pattern, both signs: the boundaries of the lanes that are
// set rather than computed included), on special values and on lengths
// around the 8-element blocks.
func TestExpLogisticSIMD(t *testing.T) {
	if !simdElementwise {
		t.Skip("no SIMD elementwise loops")
	}
	s := []float32{0, float32(math.Copysign(0, -1)), 1, -1, float32(math.Inf(1)), float32(math.Inf(-1)),
		float32(math.NaN()), math.Float32frombits(0x7f800001), math.Float32frombits(0xffc00123), 1e-40, -1e-40,
		3.4e38, -3.4e38, 10.488088, -10.488088, 10.488089, -10.488089, -110, -110.00001, -109.99999, 89, 89.00001, 88.72284, 88.72283, -103.97208, -87.33655,
		-103.27893, -103.2789, 0.5, -0.5, 1e-8, -1e-8, 20, -20}
	for b := uint32(0); b < 1<<31; b += 1 << 13 {
		s = append(s, math.Float32frombits(b), math.Float32frombits(b|1<<31))
	}
	for x := float32(-120); x <= 95; x += 0.0137 {
		s = append(s, x)
	}
	for _, fn := range []unaryFn{fnExp, fnLogistic, fnErf} {
		for _, n := range []int{0, 7, 8, 9, 17, len(s)} {
			in := s[:n]
			got, want := make([]float32, n), make([]float32, n)
			unaryLoop(fn, got, in)
			simdElementwise = false
			unaryLoop(fn, want, in)
			simdElementwise = true
			for i := range want {
				if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
					t.Fatalf("fn %d n=%d [%d] of %g (%#x): SIMD %g (%#x), Go %g (%#x)", fn, n, i, in[i],
						math.Float32bits(in[i]), got[i], math.Float32bits(got[i]), want[i], math.Float32bits(want[i]))
				}
			}
		}
	}
}

// BenchmarkUnaryLoop times the Exp, Logistic and Erf loops (SIMD, then Go) on 8192
// elements in [−8, 8].
func BenchmarkUnaryLoop(b *testing.B) {
	s, d := make([]float32, 8192), make([]float32, 8192)
	for i := range s {
		s[i] = float32(i%1601)/100 - 8
	}
	for _, simd := range []bool{true, false} {
		for name, fn := range map[string]unaryFn{"exp": fnExp, "logistic": fnLogistic, "erf": fnErf} {
			b.Run(fmt.Sprintf("%s/simd=%v", name, simd), func(b *testing.B) {
				old := simdElementwise
				simdElementwise = simd && old
				defer func() { simdElementwise = old }()
				for b.Loop() {
					unaryLoop(fn, d, s)
				}
			})
		}
	}
}

// TestFillFloats checks fillFloats (vFill on AVX2) bit for bit, at every
// length to 80 and at offsets that leave the SIMD stores unaligned, without
// writing past the slice.
func TestFillFloats(t *testing.T) {
	for _, v := range []float32{1.5, 0, float32(math.Copysign(0, -1)), float32(math.NaN()), float32(math.Inf(-1))} {
		for off := 0; off < 3; off++ {
			for n := 0; n <= 80; n++ {
				buf := make([]float32, off+n+3)
				for i := range buf {
					buf[i] = 7
				}
				fillFloats(buf[off:off+n], v)
				for i, x := range buf {
					want := float32(7)
					if i >= off && i < off+n {
						want = v
					}
					if math.Float32bits(x) != math.Float32bits(want) {
						t.Fatalf("fillFloats(%g), offset %d, length %d: element %d = %g, want %g", v, off, n, i, x, want)
					}
				}
			}
		}
	}
}
