package bert

import (
	"errors"
	"math"
	"reflect"
	"testing"

	"github.com/dl4go/dl4go/gomlxext"
)

// TestQuickOutcome runs the whole lesson at its quick size, from scratch, and checks what it
// measured (see below); then a second Run of the same configuration returns the saved outcome.
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
		func() error { _, err := out.HeldOutChart(); return err },
	} {
		if err := chart(); err != nil {
			t.Error(err)
		}
	}
	// The held-out curve: a point every CurveEvery steps, the last one the evaluation's own numbers
	// (the same pairs, the same model).
	if h := out.History; len(h.HeldOutStep) != cfg.Steps/cfg.CurveEvery || len(h.HeldOutNSP) != len(h.HeldOutStep) ||
		len(h.HeldOutMLM) != len(h.HeldOutStep) || h.HeldOutStep[len(h.HeldOutStep)-1] != float64(cfg.Steps) {
		t.Errorf("held-out curve at steps %v (NSP %v, MLM %v); want one point every %d steps to %d", h.HeldOutStep, h.HeldOutNSP, h.HeldOutMLM, cfg.CurveEvery, cfg.Steps)
	} else if n := len(h.HeldOutStep) - 1; h.HeldOutNSP[n] != out.Eval.NSPHeldOut() || h.HeldOutMLM[n] != out.Eval.MLM.Top1 {
		t.Errorf("held-out curve ends at NSP %.4f, MLM top-1 %.4f; the evaluation measured %.4f, %.4f", h.HeldOutNSP[n], h.HeldOutMLM[n], out.Eval.NSPHeldOut(), out.Eval.MLM.Top1)
	}
	// The quick bar is Config.MLMRatio (1.5× the unigram baseline at held-out [MASK] positions),
	// which the RESULT line reports. The test asserts what 250 steps reliably reach: the loss fell
	// from its start, and the model has left the unigram plateau — at least 1.2× the unigram
	// baseline at held-out [MASK] positions (1.61× on the validation split; without the locally
	// started relative-position bias, 100–500 steps stayed at 1.00–1.07× here; see
	// docs/experiments/bert.md).
	h := out.History
	first, last := mean(h.MLMLoss[:10]), mean(h.MLMLoss[len(h.MLMLoss)-20:])
	if last > first-1 {
		t.Errorf("MLM loss: %.3f over the first 10 steps, %.3f over the last 20; want a drop of at least 1", first, last)
	}
	if e := out.Eval; e.Ratio() < 1.2 {
		t.Errorf("held-out [MASK] top-1 %.3f is %.2f× the unigram baseline's %.3f; want at least 1.2× (off the unigram plateau)", e.MLM.Top1, e.Ratio(), e.Unigram.Top1)
	}
	r := out.Result()
	if r.Metric != "heldout_mask_top1_over_unigram" || r.Value != out.Eval.Ratio() || r.Threshold != cfg.MLMRatio {
		t.Errorf("RESULT line %s; want heldout_mask_top1_over_unigram = %.4g against %.4g", r, out.Eval.Ratio(), cfg.MLMRatio)
	}
	t.Logf("%s", r)
	again, err := Run(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if !again.Restored || again.Result() != out.Result() || again.Dir != out.Dir || len(again.History.Step) != cfg.Steps {
		t.Errorf("rerun: restored %v, %s (first %s), dir %s (first %s); want the saved outcome", again.Restored, again.Result(), out.Result(), again.Dir, out.Dir)
	}
}

func mean(xs []float64) float64 {
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return s / float64(max(1, len(xs)))
}

// tiny is a configuration small enough to pre-train in seconds.
func tiny(t *testing.T) Config {
	cfg := Quick()
	cfg.Steps, cfg.EvalBatches, cfg.CurveEvery, cfg.Quiet, cfg.CacheDir = 4, 1, 2, true, t.TempDir()
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
	if !reflect.DeepEqual(got.History.HeldOutStep, []float64{2, 4}) || !reflect.DeepEqual(got.History.HeldOutNSP, whole.History.HeldOutNSP) ||
		!reflect.DeepEqual(got.History.HeldOutMLM, whole.History.HeldOutMLM) {
		t.Errorf("held-out curve after a resume: steps %v, NSP %v, MLM %v; uninterrupted: %v, %v, %v", got.History.HeldOutStep,
			got.History.HeldOutNSP, got.History.HeldOutMLM, whole.History.HeldOutStep, whole.History.HeldOutNSP, whole.History.HeldOutMLM)
	}
	for i, w := range whole.History.MLMLoss {
		if g := got.History.MLMLoss[i]; math.Abs(g-w) > 1e-4*math.Abs(w) {
			t.Errorf("MLM loss at step %d: %g after an interrupt and a resume, %g uninterrupted", i+1, g, w)
		}
	}
}
