package transfer

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dl4go/dl4go/lessons"
)

func TestQuickOutcome(t *testing.T) {
	cfg := Quick()
	cfg.Quiet = os.Getenv("DL4GO_TEST_VERBOSE") == ""
	out, err := Run(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s\n%s(wall %s)", out.Result(), out.Summary(), out.Wall)
	if !out.Result().OK() {
		t.Errorf("quick outcome not reached: %s", out.Result())
	}
}

func TestFullOutcome(t *testing.T) {
	lessons.SkipUnlessFull(t)
	cfg := Full()
	cfg.Quiet = os.Getenv("DL4GO_TEST_VERBOSE") == ""
	out, err := Run(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s\n%s(wall %s)", out.Result(), out.Summary(), out.Wall)
	if !out.Result().OK() {
		t.Errorf("full outcome not reached: %s", out.Result())
	}
}

// tiny is the smallest configuration that runs every part, for tests of the plumbing.
func tiny() Config {
	c := Quick()
	c.Quiet = true
	c.Pretrain.Steps = 6
	c.Depth.Blocks, c.Depth.Steps, c.Depth.GradBatch = 1, 2, 8
	c.Transfer.PerClass, c.Transfer.MaxEpochs, c.Transfer.TestSize = 6, 2, 50
	return c
}

// TestPretrainedDir checks that a rerun restores the finished run (the same numbers, no
// training), and the report's path for weights trained elsewhere: a run that loads
// its backbone from another run's checkpoint folder (PretrainedDir) trains nothing there and
// fine-tunes exactly as the run that pre-trained it; a missing folder is one clear error.
func TestPretrainedDir(t *testing.T) {
	cfg := tiny()
	first, err := Run(cfg)
	if err != nil {
		t.Fatal(err)
	}
	again, err := Run(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range first.Runs {
		a := again.Runs[i]
		if a.TestAcc != r.TestAcc || a.Trainable != r.Trainable || len(a.Epochs) != len(r.Epochs) || a.Stopped != r.Stopped {
			t.Errorf("%s restored: acc %g, %d trainable, %d epochs, stopped %v; first run: %g, %d, %d, %v",
				r.Way, a.TestAcc, a.Trainable, len(a.Epochs), a.Stopped, r.TestAcc, r.Trainable, len(r.Epochs), r.Stopped)
		}
	}
	if again.Plain.TrainedNorms[0] != first.Plain.TrainedNorms[0] || len(again.Pretrained.Loss) != cfg.Pretrain.Steps {
		t.Errorf("restored depth run or pre-training differs from the first run")
	}
	cfg.PretrainedDir = first.Pretrained.Dir
	loaded, err := Run(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if !loaded.Pretrained.FromUser {
		t.Errorf("the run did not take its backbone from PretrainedDir")
	}
	for _, w := range []Way{FineTune, Frozen} {
		if a, b := first.Run(w).TestAcc, loaded.Run(w).TestAcc; a != b {
			t.Errorf("%s: held-out accuracy %g with the lesson's own pre-training, %g with the same weights from PretrainedDir", w, a, b)
		}
	}
	cfg.PretrainedDir = filepath.Join(t.TempDir(), "resnet-weights")
	_, err = Run(cfg)
	if err == nil || !strings.Contains(err.Error(), "PretrainedDir") || !strings.Contains(err.Error(), "not a folder") {
		t.Errorf("missing PretrainedDir: %v, want one error naming it", err)
	}
	t.Log(err)
}
