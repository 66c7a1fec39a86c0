package bert

import (
	"errors"
	"math"
	"reflect"
	"testing"

	"github.com/dl4go/dl4go/gomlxext"
)

// TestQuickOutcome runs the whole lesson at its quick size, from scratch, and asserts the quick
// outcome; then a second Run of the same configuration returns the saved outcome.
func TestQuickOutcome(t *testing.T) {
	cfg := Quick()
	cfg.Quiet = true
	out, err := Run(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("pre-training %s, whole lesson %.1fs\n%s", out.PretrainTime, out.Seconds, out.Summary())
	if out.Restored || out.PretrainTime == 0 || len(out.History.Step) != cfg.Steps {
		t.Errorf("a fresh run restored %v, pre-trained for %s, %d steps in its history", out.Restored, out.PretrainTime, len(out.History.Step))
	}
	if len(out.Task.Methods) != len(Methods) || out.Next == nil || out.NextTune == nil || out.Next.Generated == "" {
		t.Errorf("incomplete outcome: %+v", out)
	}
	if n := len(out.Eval.NSP); n != 3 || out.Eval.NSP[0].Accuracy != out.Eval.NSPHeldOut() {
		t.Errorf("NSP by source of the random B's: %+v", out.Eval.NSP)
	}
	if e := out.Eval; e.Masked == 0 || e.Unigram.Top1 <= 0 || e.Bigram.Top1 <= e.Unigram.Top1 || e.MLM.Top5 < e.MLM.Top1 || len(e.ByKind) != 4 || e.ByKind[3].Count != e.Masked {
		t.Errorf("MLM evaluation: %+v", e)
	}
	for _, chart := range []func() error{
		func() error { _, err := out.Eval.NSP.Chart(); return err },
		func() error { _, err := out.AccuracyChart(); return err },
		func() error { _, err := out.History.LossChart(); return err },
	} {
		if err := chart(); err != nil {
			t.Error(err)
		}
	}
	if r := out.Result(); !r.OK() {
		t.Errorf("quick outcome not reached: %s", r)
	}
	again, err := Run(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if !again.Restored || again.Result() != out.Result() || again.Dir != out.Dir || len(again.History.Step) != cfg.Steps {
		t.Errorf("rerun: restored %v, %s (first %s), dir %s (first %s); want the saved outcome", again.Restored, again.Result(), out.Result(), again.Dir, out.Dir)
	}
}

// tiny is a configuration small enough to pre-train in seconds.
func tiny(t *testing.T) Config {
	cfg := Quick()
	cfg.Steps, cfg.EvalBatches, cfg.Quiet, cfg.CacheDir = 4, 1, true, t.TempDir()
	return cfg
}

// TestResume checks what a rerun relies on: a second RunPretrain with the same config restores
// the finished model from its checkpoint (no step is run again, the history is kept) and gives the
// same held-out evaluation; its encoder can be transferred at once.
func TestResume(t *testing.T) {
	cfg := tiny(t)
	first, err := RunPretrain(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ev1, err := first.Evaluate()
	if err != nil {
		t.Fatal(err)
	}
	second, err := RunPretrain(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(second.History.Step); n != cfg.Steps || second.StartStep != cfg.Steps || second.TrainTime != 0 {
		t.Errorf("restored: history of %d steps, started at %d, trained for %s; want %d steps, all restored", n, second.StartStep, second.TrainTime, cfg.Steps)
	}
	if _, err := transferEncoder(second.ctx, 1, true); err != nil {
		t.Errorf("transfer after restore: %v", err)
	}
	ev2, err := second.Evaluate()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(ev1, ev2) {
		t.Errorf("restored model evaluates differently: %+v vs %+v", ev1, ev2)
	}
}

// TestInterruptResumes interrupts pre-training after step 2 of 4 (as a kernel interrupt would),
// then reruns it: it resumes at step 2, keeps the history of the first two steps and ends where an
// uninterrupted run ends.
func TestInterruptResumes(t *testing.T) {
	whole, err := RunPretrain(tiny(t))
	if err != nil {
		t.Fatal(err)
	}
	cfg := tiny(t)
	interruptAt = 2
	_, err = RunPretrain(cfg)
	interruptAt = 0
	if !errors.Is(err, gomlxext.ErrInterrupted) {
		t.Fatalf("interrupted pre-training returned %v, want an error wrapping gomlxext.ErrInterrupted", err)
	}
	got, err := RunPretrain(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if got.StartStep != 2 || !reflect.DeepEqual(got.History.Step, []float64{1, 2, 3, 4}) {
		t.Fatalf("resumed at step %d with the history steps %v; want 2 and 1…4", got.StartStep, got.History.Step)
	}
	for i, w := range whole.History.MLMLoss {
		if g := got.History.MLMLoss[i]; math.Abs(g-w) > 1e-4*math.Abs(w) {
			t.Errorf("MLM loss at step %d: %g after an interrupt and a resume, %g uninterrupted", i+1, g, w)
		}
	}
}
