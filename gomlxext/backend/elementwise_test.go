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
