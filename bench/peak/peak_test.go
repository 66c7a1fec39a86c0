package peak

import (
	"testing"
	"time"
)

// TestKernelsDoTheWork runs each kernel once and checks its checksum (the sum of its
// accumulators' first lanes, n·iters·a·b), which Measure also checks on every call.
func TestKernelsDoTheWork(t *testing.T) {
	for _, k := range kernels() {
		var got float32
		k.run(1000, 2, 0.25, &got)
		if want := float32(k.accumulators) * 1000 * 0.5; got != want {
			t.Fatalf("%s: checksum %g, want %g", k.isa, got, want)
		}
	}
	r, err := Measure(50*time.Millisecond, 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range r {
		if x.GFLOPS <= 0 || x.Cores != 1 {
			t.Fatalf("result %v", x)
		}
	}
}
