package dcgan

import (
	"math"
	"testing"

	"github.com/dl4go/dl4go/gomlxext"
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// TestLearningRates checks each player's learning rate (DLearningRate, the decay of DecaySteps)
// through Adam's first step, which moves every weight by its rate times g/(|g| + ε): after one
// iteration from the same initial weights (those of a run at rate 0), the largest move of D's
// weights must be D's rate and that of G's weights G's rate, to 1%.
func TestLearningRates(t *testing.T) {
	backend := gomlxext.MustBackend()
	weights := func(cfg Config) (d, g []float32) {
		t.Helper()
		cfg.Steps, cfg.ProbeSteps, cfg.ProbeEvery = 1, 0, 0
		gan, _, _, err := trainRun(backend, cfg, "", nil, true)
		if err != nil {
			t.Fatal(err)
		}
		get := func(scope string) []float32 {
			v := gan.ctx.GetVariableByScopeAndName(scope, "weights")
			if v == nil {
				t.Fatalf("no weights in %s", scope)
			}
			return tensors.MustCopyFlatData[float32](v.MustValue())
		}
		return get("/" + DiscriminatorScope + "/conv1"), get("/" + GeneratorScope + "/conv")
	}
	maxMove := func(a, b []float32) float64 {
		m := 0.0
		for i := range a {
			m = max(m, math.Abs(float64(a[i])-float64(b[i])))
		}
		return m
	}
	base := tiny()
	base.Condition = ProjectedLabels
	frozen := base
	frozen.LearningRate = 0
	d0, g0 := weights(frozen)
	for _, c := range []struct {
		name         string
		lr, dlr      float64
		decay        int
		wantD, wantG float64
	}{
		{"one rate", 2e-4, 0, 0, 2e-4, 2e-4},
		{"TTUR", 1e-4, 4e-4, 0, 4e-4, 1e-4},
		{"TTUR, decay over 4 iterations", 1e-4, 4e-4, 4, 1e-4, 0.25e-4}, // iteration 0 of 1: (1 − 0)/4
	} {
		cfg := base
		cfg.LearningRate, cfg.DLearningRate, cfg.DecaySteps = c.lr, c.dlr, c.decay
		d, g := weights(cfg)
		if got := maxMove(d, d0); math.Abs(got/c.wantD-1) > 0.01 {
			t.Errorf("%s: D's weights moved by at most %.4g, want its rate %.4g", c.name, got, c.wantD)
		}
		if got := maxMove(g, g0); math.Abs(got/c.wantG-1) > 0.01 {
			t.Errorf("%s: G's weights moved by at most %.4g, want its rate %.4g", c.name, got, c.wantG)
		}
	}
}
