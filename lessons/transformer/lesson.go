package transformer

import (
	"fmt"
	"strings"
	"time"

	"github.com/dl4go/dl4go/gomlxext"
	"github.com/dl4go/dl4go/lessons"
)

// Lesson describes lesson 10 to the lesson kit.
var Lesson = lessons.Lesson{ID: "10", Name: "transformer"}

// Config sizes the lesson: the split of the numbers, the two models and their training, the
// test, and the thresholds.
type Config struct {
	lessons.Options `json:"-"`

	// Split holds out a share of all numbers 1 … 999,999: no training batch contains one.
	Split Split
	// Transformer and GRU are the two models; TransformerTrain and GRUTrain their training. A GRU
	// step costs about 1.4 Transformer steps of CPU time (measured: its 12 time steps run one
	// after the other), so the GRU gets Steps/1.4: the comparison is at equal training time, and
	// the seconds each model trained are measured and reported (Trained.TrainSeconds).
	Transformer                TransformerModel
	GRU                        GRUModel
	TransformerTrain, GRUTrain TrainConfig
	// TestSize distinct held-out numbers (drawn with TestSeed) are translated by greedy decoding;
	// the first BeamSize of them also by beam search of width BeamWidth.
	TestSize            int
	TestSeed            uint64
	BeamSize, BeamWidth int
	// MinExactMatch is the Transformer's held-out exact-match rate required; with
	// MustBeatBaseline it must also be above the GRU Seq2Seq's.
	MinExactMatch    float64
	MustBeatBaseline bool
}

// Full is the notebook's experiment.
func Full() Config {
	return Config{
		Split:            Split{Seed: 10, HeldOut: 0.1},
		Transformer:      TransformerModel{Dim: 64, Heads: 4, FFN: 128, Layers: 2, PreNorm: true},
		GRU:              GRUModel{Embed: 32, Units: 128},
		TransformerTrain: TrainConfig{Steps: 500, Batch: 64, LR: 2e-3, Warmup: 25, Seed: 1, ProbeEvery: 25, ProbeSize: 256},
		GRUTrain:         TrainConfig{Steps: 360, Batch: 64, LR: 3e-3, Warmup: 18, Seed: 1, ProbeEvery: 18, ProbeSize: 256},
		TestSize:         1000, TestSeed: 7, BeamSize: 200, BeamWidth: 4,
		MinExactMatch: 0.95, MustBeatBaseline: true,
	}
}

// Quick is the same lesson with fewer steps, a smaller test and a weaker bar, for tests and CI.
func Quick() Config {
	c := Full()
	c.TransformerTrain.Steps, c.TransformerTrain.Warmup, c.TransformerTrain.ProbeEvery = 150, 8, 15
	c.GRUTrain.Steps, c.GRUTrain.Warmup, c.GRUTrain.ProbeEvery = 110, 6, 11
	c.TestSize, c.BeamSize = 300, 50
	c.MinExactMatch, c.MustBeatBaseline = 0.5, false
	return c
}

// Size returns Quick when lessons.Quick() (DL4GO_QUICK=1), else Full.
func Size() Config {
	if lessons.Quick() {
		return Quick()
	}
	return Full()
}

// Eval is what one model reached on the held-out test.
type Eval struct {
	// ExactMatch is the share of test numbers translated exactly right by greedy decoding;
	// TokenAccuracy the share of target kanji (and [EOS]) predicted right from the true prefix
	// (teacher forcing); BeamExactMatch the exact-match rate of beam search on the first
	// BeamSize numbers, GreedyOnBeamSet greedy decoding's on the same numbers.
	ExactMatch, TokenAccuracy       float64
	BeamExactMatch, GreedyOnBeamSet float64
	// ByDigits[d-1] is the exact-match rate on the test numbers of d digits (NaN: none).
	ByDigits []float64
	// Greedy holds each test number's translation by greedy decoding.
	Greedy []string
}

// Outcome is what Run measured.
type Outcome struct {
	Config Config
	// Test is the held-out test, in order.
	Test []Example
	// Transformer and GRU are the trained models; TransformerEval and GRUEval what they reached.
	Transformer, GRU         *Trained
	TransformerEval, GRUEval Eval
	// Wall is the time Run took.
	Wall time.Duration
}

// Result is the lesson's RESULT line: the Transformer's greedy exact-match rate on the held-out
// numbers. When that passes but MustBeatBaseline and it is not above the GRU Seq2Seq's, the line
// reports the lead over the baseline instead (ok=false).
func (o *Outcome) Result() lessons.Result {
	r := lessons.Result{Lesson: Lesson.ID, Metric: "transformer_heldout_exact_match", Value: o.TransformerEval.ExactMatch,
		Threshold: o.Config.MinExactMatch}
	if r.OK() && o.Config.MustBeatBaseline {
		if lead := o.TransformerEval.ExactMatch - o.GRUEval.ExactMatch; !(lead > 0) {
			return lessons.Result{Lesson: Lesson.ID, Metric: "transformer_minus_gru_seq2seq_heldout_exact_match", Value: lead, Threshold: 1e-9}
		}
	}
	return r
}

// Summary is a short table of the lesson's numbers.
func (o *Outcome) Summary() string {
	var b strings.Builder
	fmt.Fprintf(&b, "held-out test: %d numbers never trained on; beam search (width %d) on the first %d\n", len(o.Test), o.Config.BeamWidth, o.Config.BeamSize)
	fmt.Fprintf(&b, "%-12s %7s %6s %8s  %11s %11s %10s\n", "model", "params", "steps", "seconds", "exact match", "beam/greedy", "token acc.")
	for _, m := range []struct {
		t *Trained
		e Eval
	}{{o.Transformer, o.TransformerEval}, {o.GRU, o.GRUEval}} {
		fmt.Fprintf(&b, "%-12s %7d %6d %8.1f  %11.3f %5.3f/%5.3f %10.4f\n", m.t.Model.Name(), m.t.Params, len(m.t.History.Step),
			m.t.TrainSeconds(), m.e.ExactMatch, m.e.BeamExactMatch, m.e.GreedyOnBeamSet, m.e.TokenAccuracy)
	}
	return b.String()
}

// Run trains both models (or resumes them, or restores finished runs from their checkpoints) and
// evaluates them on the held-out numbers. Evaluation is decoding, seconds, so a finished run is
// evaluated again rather than replayed.
func Run(cfg Config) (*Outcome, error) {
	t0 := time.Now()
	if cfg.TestSize < 1 || cfg.BeamSize < 0 || cfg.BeamSize > cfg.TestSize || cfg.BeamWidth < 1 {
		return nil, fmt.Errorf("transformer: invalid config: TestSize ≥ 1, 0 ≤ BeamSize ≤ TestSize and BeamWidth ≥ 1 (got %d, %d, %d)",
			cfg.TestSize, cfg.BeamSize, cfg.BeamWidth)
	}
	if cfg.Split.HeldOut <= 0 || cfg.Split.HeldOut >= 1 {
		return nil, fmt.Errorf("transformer: invalid config: Split.HeldOut must be in (0, 1), got %g", cfg.Split.HeldOut)
	}
	backend, err := gomlxext.Backend()
	if err != nil {
		return nil, fmt.Errorf("transformer: %w", err)
	}
	run, err := Lesson.Open(cfg)
	if err != nil {
		return nil, err
	}
	out := &Outcome{Config: cfg}
	if out.Test, err = TestSet(cfg.Split, cfg.TestSize, cfg.TestSeed); err != nil {
		return nil, err
	}
	for _, m := range []struct {
		part  string
		model Model
		tc    TrainConfig
		dst   **Trained
		eval  *Eval
	}{
		{"transformer", cfg.Transformer, cfg.TransformerTrain, &out.Transformer, &out.TransformerEval},
		{"gru", cfg.GRU, cfg.GRUTrain, &out.GRU, &out.GRUEval},
	} {
		dir, err := run.Part(m.part)
		if err != nil {
			return nil, err
		}
		probe, err := TestSet(cfg.Split, m.tc.ProbeSize, cfg.TestSeed+1)
		if err != nil {
			return nil, err
		}
		if *m.dst, err = fit(backend, m.model, m.tc, cfg.Split, probe, dir, run.Quiet); err != nil {
			return nil, err
		}
	}
	// Decoding both models over the test takes a while (seconds per 1000 numbers, 12 steps each,
	// and beam search): a finished run's evaluation is saved with its key and read back by the
	// notebook's later cells.
	var saved savedEvals
	if ok, err := run.LoadOutcome(&saved); err != nil {
		return nil, err
	} else if ok {
		out.TransformerEval, out.GRUEval = saved.Transformer, saved.GRU
	} else {
		for _, m := range []struct {
			t    *Trained
			eval *Eval
		}{{out.Transformer, &out.TransformerEval}, {out.GRU, &out.GRUEval}} {
			if *m.eval, err = evaluate(m.t, out.Test, cfg.BeamSize, cfg.BeamWidth); err != nil {
				return nil, err
			}
		}
		if err := run.SaveOutcome(savedEvals{Transformer: out.TransformerEval, GRU: out.GRUEval}); err != nil {
			return nil, err
		}
	}
	out.Wall = time.Since(t0)
	return out, nil
}

// savedEvals is what a run saves of its outcome: the evaluations (the models are in their
// checkpoints).
type savedEvals struct{ Transformer, GRU Eval }

// evaluate translates the test by greedy decoding (and its first beamSize by beam search) and
// measures the teacher-forced token accuracy.
func evaluate(t *Trained, test []Example, beamSize, width int) (Eval, error) {
	var e Eval
	v := TargetVocab()
	greedy, err := t.Greedy(test)
	if err != nil {
		return e, err
	}
	hits, counts := make([]float64, 6), make([]float64, 6)
	for i, ex := range test {
		s := v.Decode(greedy[i], "")
		e.Greedy = append(e.Greedy, s)
		d := len(fmt.Sprint(ex.N)) - 1
		counts[d]++
		if s == ex.Japanese {
			e.ExactMatch++
			hits[d]++
			if i < beamSize {
				e.GreedyOnBeamSet++
			}
		}
	}
	e.ExactMatch /= float64(len(test))
	for d := range hits {
		e.ByDigits = append(e.ByDigits, hits[d]/counts[d]) // 0/0 = NaN: no test number of d+1 digits
	}
	b, err := newBatch(test)
	if err != nil {
		return e, err
	}
	if e.TokenAccuracy, err = t.tokenAccuracy(b); err != nil {
		return e, err
	}
	if beamSize > 0 {
		beams, err := t.BeamSearch(test[:beamSize], width)
		if err != nil {
			return e, err
		}
		for i, bs := range beams {
			if v.Decode(bs[0].IDs, "") == test[i].Japanese {
				e.BeamExactMatch++
			}
		}
		e.BeamExactMatch /= float64(beamSize)
		e.GreedyOnBeamSet /= float64(beamSize)
	}
	return e, nil
}
