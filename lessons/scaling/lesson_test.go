package scaling

import (
	"testing"

	"github.com/dl4go/dl4go/lessons"
)

func logOutcome(t *testing.T, out *Outcome) {
	t.Helper()
	t.Logf("\n%s", out.Table())
	t.Logf("trained in %.1f s", out.Seconds)
	t.Log(out.Result())
	if _, err := out.AccuracyChart(); err != nil {
		t.Error(err)
	}
	if _, err := out.GridChart(); err != nil {
		t.Error(err)
	}
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
	c, b := out.Final()
	if r := c.Ratio / b.Ratio; r > 1.1 || r < 1/1.1 {
		t.Errorf("compound (%.2f×) and %s (%.2f×) are not within 10%% of each other's FLOPs", c.Ratio, b.Name, b.Ratio)
	}
	if !out.Result().OK() {
		t.Errorf("full outcome not reached: %s", out.Result())
	}
}
