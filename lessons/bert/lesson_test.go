package bert

import (
	"math"
	"reflect"
	"testing"
)

// TestQuickOutcome runs the whole lesson at its quick size, from scratch, and asserts the quick
// outcome: held-out MLM top-1 accuracy at least 1.5× the unigram-frequency baseline.
func TestQuickOutcome(t *testing.T) {
	cfg := Quick()
	cfg.CheckpointDir = t.TempDir() // train from scratch, not from the user's cache.
	cfg.Live = false
	out, err := Run(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("pre-training %s, whole lesson %.1fs\n%s", out.PretrainTime, out.Seconds, out.Summary())
	if len(out.Task.Methods) != len(Methods) || out.Next == nil || out.NextTune == nil || out.Next.Generated == "" {
		t.Errorf("incomplete outcome: %+v", out)
	}
	if n := len(out.Eval.NSP); n != 4 || out.Eval.NSP[n-1].From != "anywhere in the book" {
		t.Errorf("NSP by source of the random B's: %+v", out.Eval.NSP)
	}
	if _, err := out.Eval.NSP.Chart(); err != nil {
		t.Error(err)
	}
	if r := out.Result(); !r.OK() {
		t.Errorf("quick outcome not reached: %s", r)
	}
}

// TestResume interrupts nothing but checks what a rerun relies on: a second RunPretrain with the
// same config restores the finished model from its checkpoint (no step is run again, the
// history is kept) and gives the same held-out evaluation.
func TestResume(t *testing.T) {
	cfg := Quick()
	cfg.Steps, cfg.SaveEvery, cfg.EvalBatches, cfg.Live = 4, 2, 1, false
	cfg.CheckpointDir = t.TempDir()
	first, err := RunPretrain(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ev1, err := first.evaluate()
	if err != nil {
		t.Fatal(err)
	}
	second, err := RunPretrain(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(second.History.Step); n != cfg.Steps {
		t.Errorf("restored history has %d steps, want %d", n, cfg.Steps)
	}
	// The restored encoder can be transferred to a task model at once (its variables exist).
	if _, err := transferEncoder(second.ctx, 1, true); err != nil {
		t.Errorf("transfer after restore: %v", err)
	}
	ev2, err := second.evaluate()
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(ev1.MLMAcc-ev2.MLMAcc) > 1e-9 || !reflect.DeepEqual(ev1.NSP, ev2.NSP) {
		t.Errorf("restored model evaluates differently: %+v vs %+v", ev1, ev2)
	}
	// Training further resumes at step 4, not 0.
	cfg.Steps = 6
	third, err := RunPretrain(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if got := third.History.Step; len(got) != 6 || got[4] != 5 {
		t.Errorf("resumed history steps = %v, want 1…6", got)
	}
}

// TestCached checks that a result computed once is saved and then loaded, not recomputed.
func TestCached(t *testing.T) {
	p := &Pretrained{Checkpoint: t.TempDir()}
	runs := 0
	get := func() *NextTokenOutcome {
		out, err := cached(p, "x.json", func() (*NextTokenOutcome, error) {
			runs++
			return &NextTokenOutcome{Generated: "the rays", InnerAcc: 0.5}, nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	a, b := get(), get()
	if runs != 1 || a.Generated != "the rays" || b.Generated != "the rays" || b.InnerAcc != 0.5 {
		t.Errorf("runs=%d, first %+v, second %+v", runs, a, b)
	}
}
