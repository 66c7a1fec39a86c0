package dcgan

import (
	"path/filepath"
	"testing"

	"github.com/dl4go/dl4go/lessons"
)

// TestProbe runs a variant of the full experiment, given as JSON applied over Full() in
// $DL4GO_DCGAN_PROBE (e.g. DL4GO_DCGAN_PROBE='{"Seed":16,"EMA":0.999,"Steps":9000}'), and logs its
// score. The run is saved in a folder of its own under $DL4GO_DCGAN_PROBE_DIR when set
// (lessons.ProbeDir; the judge is then trained once for all probes), else in a throw-away folder. Designs are compared on probe seeds, never on the
// evaluated seed of Full (docs/experiments/dcgan.md).
func TestProbe(t *testing.T) {
	cfg := Full()
	spec := lessons.ApplyProbe(t, "DL4GO_DCGAN_PROBE", &cfg)
	dir, root := lessons.ProbeDir(t, "DL4GO_DCGAN_PROBE_DIR", spec)
	cfg.Quiet, cfg.CacheDir = true, dir
	if root != "" {
		cfg.Judge.CacheDir = filepath.Join(root, "judge") // one judge for every probe.
	}
	out, err := Run(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s: confident %.3f, min share %.3f, judge %.4f; %v/iteration; wall %v",
		spec, out.Score.Confident, out.Score.MinShare(), out.JudgeAccuracy, out.StepTime, out.Wall)
}
