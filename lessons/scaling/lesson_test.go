package scaling

import (
	"math"
	"slices"
	"strings"
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
	// A point whose runs were all restored has no step time: the table says so, not NaN.
	restored := *out
	restored.Baseline.Runs = append([]SeedRun(nil), out.Baseline.Runs...)
	for i := range restored.Baseline.Runs {
		restored.Baseline.Runs[i].TrainStep = 0
	}
	if tab := restored.Table(); strings.Contains(tab, "NaN") || !strings.Contains(tab, "ms/step —: not timed") {
		t.Errorf("the table of an outcome with an untimed point:\n%s", tab)
	}
	if tab := out.Table(); strings.Contains(tab, "not timed") != slices.ContainsFunc(out.Points(), func(p Point) bool { return math.IsNaN(ms(p, true)) }) {
		t.Errorf("the table's footnote does not match its untimed points:\n%s", tab)
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
