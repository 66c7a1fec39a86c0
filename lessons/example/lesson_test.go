package example

import (
	"io/fs"
	"testing"
	"testing/fstest"

	"github.com/dl4go/dl4go"
	"github.com/dl4go/dl4go/gomlxext"
	"github.com/dl4go/dl4go/lessons"
)

func TestQuickOutcome(t *testing.T) {
	out, err := Run(Quick())
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s (test MSE %.4f, baseline %.4f)", out.Result(), out.TestMSE, out.BaselineMSE)
	if !out.Result().OK() {
		t.Errorf("quick outcome not reached: %s", out.Result())
	}
}

func TestFullOutcome(t *testing.T) {
	lessons.SkipUnlessFull(t)
	out, err := Run(Full())
	if err != nil {
		t.Fatal(err)
	}
	t.Log(out.Result())
	if !out.Result().OK() {
		t.Errorf("full outcome not reached: %s", out.Result())
	}
}

// TestRunsNeverAnswerForEachOther checks the kit's promise on a real run: a rerun restores the
// finished run; a run with another setting that changes training, or after the lesson's code
// changed, trains from scratch instead of resuming or replaying the other one.
func TestRunsNeverAnswerForEachOther(t *testing.T) {
	t.Setenv(gomlxext.CacheDirEnv, t.TempDir()) // not the cache the other tests of this process share
	cfg := Quick()
	cfg.Quiet = true
	first, err := Run(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if first.StartStep != 0 || len(first.Loss) != cfg.Steps {
		t.Fatalf("first run started at %d and ran %d steps; want a fresh run of %d", first.StartStep, len(first.Loss), cfg.Steps)
	}
	again, err := Run(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if again.StartStep != cfg.Steps || len(again.Loss) != 0 || again.TestMSE != first.TestMSE || again.Dir != first.Dir {
		t.Errorf("rerun: start %d, %d steps, MSE %g (first %g), dir %s (first %s); want the finished run restored",
			again.StartStep, len(again.Loss), again.TestMSE, first.TestMSE, again.Dir, first.Dir)
	}

	longer := cfg
	longer.Steps += 20
	l, err := Run(longer)
	if err != nil {
		t.Fatal(err)
	}
	if l.StartStep != 0 || len(l.Loss) != longer.Steps || l.Dir == first.Dir {
		t.Errorf("with Steps %d → %d: start %d, %d steps, same folder %v; want a fresh run in its own folder",
			cfg.Steps, longer.Steps, l.StartStep, len(l.Loss), l.Dir == first.Dir)
	}

	// The same configuration after an edit of the lesson's code: a new revision, a fresh run.
	edited := fstest.MapFS{}
	err = fs.WalkDir(dl4go.Sources, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(dl4go.Sources, name)
		if name == "lessons/example/example.go" {
			data = append(data, []byte("\n// an edit\n")...)
		}
		edited[name] = &fstest.MapFile{Data: data}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	lessons.Sources = edited
	defer func() { lessons.Sources = dl4go.Sources }()
	e, err := Run(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if e.StartStep != 0 || len(e.Loss) != cfg.Steps || e.Dir == first.Dir {
		t.Errorf("after a code edit: start %d, %d steps, same folder %v; want a fresh run in its own folder",
			e.StartStep, len(e.Loss), e.Dir == first.Dir)
	}
}
