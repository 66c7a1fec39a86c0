package scaling

import (
	"testing"

	"github.com/dl4go/dl4go/lessons"
)

func logOutcome(t *testing.T, out *Outcome) {
	t.Helper()
	all := append([]Point{out.Baseline}, out.Grid...)
	for _, ps := range out.Larger {
		all = append(all, ps...)
	}
	for _, p := range all {
		t.Logf("φ=%g %-32s %6.2fx MACs (%7d) %6d params  test %.3f ± %.3f  val %.3f  step %v  %s",
			p.Phi, p.Name, p.Ratio, p.MACs, p.Params, p.Mean(), p.Std(), p.ValMean(), p.Runs[0].TrainStep, p.Net)
	}
	t.Logf("compound rule: %s; trained in %.1f s", out.Compound.Name(), out.Seconds)
	t.Log(out.Result())
}

func TestQuickOutcome(t *testing.T) {
	cfg := Quick()
	cfg.Quiet = true
	out, err := Run(cfg)
	if err != nil {
		t.Fatal(err)
	}
	logOutcome(t, out)
	if !out.Result().OK() {
		t.Errorf("quick outcome not reached: %s", out.Result())
	}
}

func TestFullOutcome(t *testing.T) {
	lessons.SkipUnlessFull(t)
	cfg := Full()
	cfg.Quiet = true
	out, err := Run(cfg)
	if err != nil {
		t.Fatal(err)
	}
	logOutcome(t, out)
	if !out.Result().OK() {
		t.Errorf("full outcome not reached: %s", out.Result())
	}
}
