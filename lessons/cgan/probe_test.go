package cgan

import (
	"path/filepath"
	"testing"

	"github.com/dl4go/dl4go/lessons"
)

// TestProbe runs a variant of the full experiment, given as JSON applied over Full() in
// $DL4GO_CGAN_PROBE (e.g. DL4GO_CGAN_PROBE='{"Seed":17,"Conditions":[2],"Steps":2400}'), and logs
// every GAN's verdict. The run is saved in a folder of its own under $DL4GO_CGAN_PROBE_DIR when set
// (the judge is then trained once for all probes), else in a throw-away folder. Designs are compared on the probe
// seeds 15 and 17, never on Full's evaluated seed 16 (docs/experiments/cgan.md).
func TestProbe(t *testing.T) {
	cfg := Full()
	spec := lessons.ApplyProbe(t, "DL4GO_CGAN_PROBE", &cfg)
	dir, root := lessons.ProbeDir(t, "DL4GO_CGAN_PROBE_DIR", spec)
	cfg.Quiet, cfg.CacheDir = true, dir
	if root != "" {
		cfg.Judge.CacheDir = filepath.Join(root, "judge") // one judge for every probe.
	}
	out, err := Run(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Log(spec)
	logOutcome(t, out)
}
