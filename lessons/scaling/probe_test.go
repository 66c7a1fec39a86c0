package scaling

import (
	"testing"

	"github.com/dl4go/dl4go/lessons"
)

// TestProbe runs a variant of the full experiment, given as JSON applied over Full() in
// $DL4GO_SCALING_PROBE (e.g. DL4GO_SCALING_PROBE='{"Task":{"MinSide":24,"MaxSide":32}}'), in a
// throw-away folder, and logs its table. Designs are compared on the table's validation column,
// never on the test accuracy the lesson's bar is scored on (docs/experiments/scaling.md).
func TestProbe(t *testing.T) {
	cfg := Full()
	lessons.ApplyProbe(t, "DL4GO_SCALING_PROBE", &cfg)
	cfg.Quiet, cfg.CacheDir = true, t.TempDir()
	out, err := Run(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("\n%s", out.Table())
	t.Logf("trained in %.1f s", out.Seconds)
}
