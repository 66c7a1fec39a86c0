package dcgan

import (
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/dl4go/dl4go/lessons"
)

// TestProbe runs a variant of the full experiment, given as JSON applied over Full() in
// $DL4GO_DCGAN_PROBE (e.g. DL4GO_DCGAN_PROBE='{"Seed":16,"EMA":0.999,"Steps":9000}'), and logs its
// score. The run is saved in $DL4GO_DCGAN_PROBE_DIR when set (the judge is then trained once for
// all probes), else in a throw-away folder. Designs are compared on probe seeds, never on the
// evaluated seed of Full (docs/experiments/dcgan.md).
func TestProbe(t *testing.T) {
	cfg := Full()
	spec := lessons.ApplyProbe(t, "DL4GO_DCGAN_PROBE", &cfg)
	cfg.Quiet, cfg.CacheDir = true, t.TempDir()
	if dir := os.Getenv("DL4GO_DCGAN_PROBE_DIR"); dir != "" {
		// One folder per variant, the judge's shared.
		cfg.CacheDir = filepath.Join(dir, fmt.Sprintf("%x", sha256.Sum256([]byte(spec)))[:16])
		cfg.Judge.CacheDir = filepath.Join(dir, "judge")
	}
	out, err := Run(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s: confident %.3f, min share %.3f, judge %.4f; %v/iteration; wall %v",
		spec, out.Score.Confident, out.Score.MinShare(), out.JudgeAccuracy, out.StepTime, out.Wall)
}
