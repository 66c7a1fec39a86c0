package dcgan

import (
	"os"
	"testing"
)

// TestFullOutcome runs the notebook's full experiment (about 12 minutes on 2 cores) and asserts the
// full outcome. It runs only with DL4GO_FULL=1. Like every test it trains in a fresh cache
// directory, unless $DL4GO_CACHE_DIR names one: then it resumes from its checkpoint there.
func TestFullOutcome(t *testing.T) {
	if os.Getenv("DL4GO_FULL") != "1" {
		t.Skip("set DL4GO_FULL=1 to run the full-size experiment")
	}
	out, err := RunDCGAN(DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("judge accuracy %.4f, confident on %.3f of real digits and %.3f of noise; confident %.3f; shares %.3f; min share %.3f; %v/iteration; wall %v (resumed at %d)",
		out.JudgeAccuracy, out.JudgeRealConfident, out.JudgeNoiseConfident, out.Score.Confident, out.Score.Share, out.Score.MinShare(), out.StepTime, out.Wall, out.StartStep)
	if out.JudgeAccuracy < 0.98 {
		t.Errorf("judge accuracy %.4f < 0.98", out.JudgeAccuracy)
	}
	if out.Score.Confident < FullConfident || out.Score.MinShare() < MinClassShare {
		t.Errorf("confident %.3f (want ≥ %.2f), min class share %.3f (want ≥ %.2f)",
			out.Score.Confident, FullConfident, out.Score.MinShare(), MinClassShare)
	}
}
