package alphago

import (
	"testing"
	"time"
)

// TestLeeQuick runs AlphaGo Lee's pipeline at the quick size and checks that each stage learned
// something: the rollout policy agrees with the expert more often than a uniform policy, and
// the losses of the SL PolicyNet and of the ValueNet fall.
func TestLeeQuick(t *testing.T) {
	cfg := Quick()
	cfg.Quiet = true
	t0 := time.Now()
	out, err := RunLee(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s\ntimes %v; total %v", out.Summary(), out.Times, time.Since(t0))
	if out.RolloutAccuracy <= out.RolloutBefore {
		t.Errorf("rollout policy did not learn: agreement %.2f, uniform %.2f", out.RolloutAccuracy, out.RolloutBefore)
	}
	if k := len(out.SLLoss); k < 20 || mean(out.SLLoss[k-10:]) >= mean(out.SLLoss[:10]) {
		t.Errorf("SL PolicyNet loss did not fall: %v", out.SLLoss)
	}
	n := len(out.ValueLoss)
	if n < 20 || mean(out.ValueLoss[n-10:]) >= mean(out.ValueLoss[:10]) {
		t.Errorf("ValueNet loss did not fall: %v", out.ValueLoss)
	}
}

func mean(x []float64) float64 {
	var s float64
	for _, v := range x {
		s += v
	}
	return s / float64(len(x))
}
