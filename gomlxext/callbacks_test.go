package gomlxext

import (
	"errors"
	"math"
	"strings"
	"testing"
)

// TestEarlyStoppingRule checks the rule against hand-worked sequences (Keras' EarlyStopping with
// restore_best_weights=False): the epoch it stops after, or 0 if it never does.
func TestEarlyStoppingRule(t *testing.T) {
	for _, c := range []struct {
		name     string
		mode     string
		patience int
		delta    float64
		values   []float64
		stop     int
		best     float64
	}{
		{"report: val_acc, patience 2", "max", 2, 0, []float64{0.5, 0.6, 0.6, 0.55, 0.7}, 4, 0.6},
		{"a tie is no improvement", "max", 2, 0, []float64{0.5, 0.5, 0.5}, 3, 0.5},
		{"improving every epoch never stops", "max", 2, 0, []float64{0.1, 0.2, 0.3, 0.4, 0.5}, 0, 0.5},
		{"one bad epoch is tolerated", "max", 2, 0, []float64{0.5, 0.4, 0.6, 0.5, 0.7}, 0, 0.7},
		{"patience 1", "max", 1, 0, []float64{0.5, 0.6, 0.59}, 3, 0.6},
		{"patience 3", "max", 3, 0, []float64{0.9, 0.8, 0.8, 0.85, 0.95}, 4, 0.9},
		{"min mode: val_loss", "min", 2, 0, []float64{1.0, 0.8, 0.9, 0.85}, 4, 0.8},
		{"min_delta: small gains do not count", "max", 2, 0.05, []float64{0.5, 0.52, 0.54, 0.6}, 3, 0.5},
		{"patience 0 never stops after the first epoch", "max", 0, 0, []float64{0.5}, 0, 0.5},
		{"patience 0 stops at the first epoch without a gain", "max", 0, 0, []float64{0.5, 0.6, 0.6}, 3, 0.6},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := &EarlyStopping{Monitor: "val_acc", Patience: c.patience, Mode: c.mode, MinDelta: c.delta}
			stopped := 0
			for i, v := range c.values {
				stop, err := e.EpochEnd(i+1, map[string]float64{"val_acc": v})
				if err != nil {
					t.Fatal(err)
				}
				if stop {
					stopped = i + 1
					break
				}
			}
			if stopped != c.stop || e.StoppedEpoch != c.stop || e.Best != c.best {
				t.Errorf("stopped after epoch %d (StoppedEpoch %d), best %g; want epoch %d, best %g", stopped, e.StoppedEpoch, e.Best, c.stop, c.best)
			}
		})
	}
}

func TestEarlyStoppingErrors(t *testing.T) {
	e := &EarlyStopping{Monitor: "val_acc", Patience: 2, Mode: "maximum"}
	if _, err := e.EpochEnd(1, map[string]float64{"val_acc": 1}); err == nil || !strings.Contains(err.Error(), `"max"`) {
		t.Errorf("bad mode: %v", err)
	}
	e.Mode = "max"
	if _, err := e.EpochEnd(1, map[string]float64{"loss": 1}); err == nil || !strings.Contains(err.Error(), "Validate") {
		t.Errorf("missing value: %v", err)
	}
}

// scriptedValidation returns val_acc = accs[epoch-1] for the trainer's epoch, counting calls.
type scriptedValidation struct {
	accs     []float64
	perEpoch int
	step     func() int
	calls    int
}

func (s *scriptedValidation) validate() (map[string]float64, error) {
	s.calls++
	epoch := s.step() / s.perEpoch
	return map[string]float64{"val_acc": s.accs[epoch-1]}, nil
}

// TestFitEarlyStopping runs a real training with epochs of 5 steps and a validation accuracy
// that stops improving after epoch 2: Fit must stop at the end of epoch 4 (step 20 of 50), the
// rule's answer, save there, and a rerun must restore the stopped run without training. An
// interrupted run resumed from its checkpoint must stop at the same place, with the callback's
// state (its Wait count) carried over.
func TestFitEarlyStopping(t *testing.T) {
	const perEpoch, epochs = 5, 10
	accs := []float64{0.5, 0.6, 0.6, 0.55, 0.7, 0.8, 0.9, 0.9, 0.9, 0.9}
	run := func(dir string, stopAt int) (FitResult, *EarlyStopping, *scriptedValidation, error) {
		trainer := newLinearTrainer(t)
		v := &scriptedValidation{accs: accs, perEpoch: perEpoch, step: func() int { return int(trainer.GlobalStep()) }}
		es := &EarlyStopping{Monitor: "val_acc", Patience: 2, Mode: "max"}
		opts := FitOptions{Steps: epochs * perEpoch, CheckpointDir: dir, StepsPerEpoch: perEpoch, Validate: v.validate,
			Callbacks: []Callback{es}}
		if stopAt > 0 {
			r := &recorder{stopAt: stopAt, stop: make(chan struct{})}
			opts.Progress, opts.Stop = r, r.stop
		}
		res, err := Fit(trainer, &stepData{}, opts)
		return res, es, v, err
	}

	res, es, v, err := run(t.TempDir(), 0)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Stopped || res.GlobalStep != 4*perEpoch || len(res.Epochs) != 4 || es.StoppedEpoch != 4 || v.calls != 4 {
		t.Fatalf("stopped %v at step %d after %d epochs (StoppedEpoch %d, %d validations); want stopped at step %d after 4 epochs",
			res.Stopped, res.GlobalStep, len(res.Epochs), es.StoppedEpoch, v.calls, 4*perEpoch)
	}
	for i, e := range res.Epochs {
		if e.Step != (i+1)*perEpoch || e.Values["val_acc"] != accs[i] || math.IsNaN(e.Values["loss"]) {
			t.Errorf("epoch %d: step %d, values %v; want step %d, val_acc %g and the training loss", i+1, e.Step, e.Values, (i+1)*perEpoch, accs[i])
		}
	}
	if got := res.History[len(res.History)-1].Values["val_acc"]; len(res.History) != 4*perEpoch || got != accs[3] {
		t.Errorf("history: %d steps, last val_acc %g; want %d steps ending with %g", len(res.History), got, 4*perEpoch, accs[3])
	}

	// Interrupted at step 12 (in epoch 3), then resumed: the same stop, the callback's state restored.
	dir := t.TempDir()
	if _, _, _, err := run(dir, 12); !errors.Is(err, ErrInterrupted) {
		t.Fatalf("interrupted run: %v, want ErrInterrupted", err)
	}
	res, es, v, err = run(dir, 0)
	if err != nil {
		t.Fatal(err)
	}
	if res.StartStep != 12 || !res.Stopped || res.GlobalStep != 4*perEpoch || len(res.Epochs) != 4 || es.Best != 0.6 || es.BestEpoch != 2 || v.calls != 2 {
		t.Errorf("resumed run: from %d, stopped %v at %d, %d epochs, best %g at epoch %d, %d validations; want from 12, stopped at %d, 4 epochs, best 0.6 at 2, 2 validations",
			res.StartStep, res.Stopped, res.GlobalStep, len(res.Epochs), es.Best, es.BestEpoch, v.calls, 4*perEpoch)
	}
	// A rerun of the stopped run trains nothing.
	res, es, v, err = run(dir, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Stopped || res.StartStep != 4*perEpoch || len(res.History) != 0 || len(res.Epochs) != 4 || v.calls != 0 || es.StoppedEpoch != 4 {
		t.Errorf("rerun: stopped %v, start %d, %d steps run, %d epochs, %d validations, StoppedEpoch %d; want the stopped run restored",
			res.Stopped, res.StartStep, len(res.History), len(res.Epochs), v.calls, es.StoppedEpoch)
	}

	if _, err := Fit(newLinearTrainer(t), &stepData{}, FitOptions{Steps: 10, Callbacks: []Callback{es}}); err == nil ||
		!strings.Contains(err.Error(), "StepsPerEpoch") {
		t.Errorf("callbacks without StepsPerEpoch: %v", err)
	}
}
