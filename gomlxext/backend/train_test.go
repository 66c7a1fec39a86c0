package backend_test

import (
	"math/rand/v2"
	"testing"
)

// TestCNNTrains checks that the CNN trains on "dl4go" through GoMLX autodiff
// (convolution, max-pool and their gradients) and that its loss falls.
func TestCNNTrains(t *testing.T) {
	b := newBackend(t, "dl4go")
	rng := rand.New(rand.NewPCG(1, 2))
	x, y := syntheticImages(rng, 32)
	tr := newTrainer(b, cnnModel, 1e-3)
	first, last := trainSteps(t, tr, x, y, 15)
	t.Logf("CNN loss %.4f -> %.4f", first, last)
	if !(last < 0.5*first) {
		t.Errorf("CNN loss did not fall by half: %.4f -> %.4f", first, last)
	}
}
