package transformer

import (
	"errors"
	"math"
	"testing"

	"github.com/dl4go/dl4go/gomlxext"
	"github.com/dl4go/dl4go/lessons"
	"github.com/dl4go/dl4go/plotting"
)

func TestQuickOutcome(t *testing.T) {
	cfg := Quick()
	cfg.Quiet = true
	out, err := Run(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s\n%s(%.1fs)", out.Result(), out.Summary(), out.Wall.Seconds())
	if !out.Result().OK() {
		t.Errorf("quick outcome not reached: %s", out.Result())
	}
	if len(out.Test) != cfg.TestSize || len(out.TransformerEval.Greedy) != cfg.TestSize {
		t.Fatalf("%d test numbers, %d translations; want %d", len(out.Test), len(out.TransformerEval.Greedy), cfg.TestSize)
	}
	for _, tr := range []*Trained{out.Transformer, out.GRU} {
		if h := tr.History; len(h.Loss) != len(h.Step) || len(h.ProbeAcc) == 0 || !(h.Loss[len(h.Loss)-1] < h.Loss[0]/2) {
			t.Errorf("%s: %d steps, %d probes, loss %.3f → %.3f; want a falling loss", tr.Model.Name(), len(h.Step), len(h.ProbeAcc), h.Loss[0], h.Loss[len(h.Loss)-1])
		}
	}

	// Beam search scores are log p(y|x) = Σ_t log p(y_t | y_<t, x), which one teacher-forced pass
	// gives too, and the wider search finds hypotheses at least as probable as greedy decoding's.
	ex := out.Test[:5]
	beams, err := out.Transformer.BeamSearch(ex, 3)
	if err != nil {
		t.Fatal(err)
	}
	greedy, err := out.Transformer.Greedy(ex)
	if err != nil {
		t.Fatal(err)
	}
	for i, bs := range beams {
		if len(bs) != 3 {
			t.Fatalf("%d hypotheses, want 3", len(bs))
		}
		for k, b := range bs {
			lp, err := out.Transformer.SequenceLogProb(ex[i].Source, b.IDs)
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(lp-b.LogProb) > 1e-3*(1+math.Abs(lp)) {
				t.Errorf("%d, hypothesis %d: beam score %.5f, teacher-forced log p(y|x) %.5f", ex[i].N, k, b.LogProb, lp)
			}
			if k > 0 && b.LogProb > bs[k-1].LogProb {
				t.Errorf("%d: hypotheses not best first", ex[i].N)
			}
		}
		g, err := out.Transformer.SequenceLogProb(ex[i].Source, greedy[i])
		if err != nil {
			t.Fatal(err)
		}
		if bs[0].LogProb < g-1e-4 {
			t.Errorf("%d: beam's best %.4f is less probable than greedy's %.4f", ex[i].N, bs[0].LogProb, g)
		}
	}

	// Every chart draws; the attention rows are distributions over the English words.
	padding, causal, err := MaskCharts(out.Test[0])
	for name, c := range map[string]func() (*plotting.Chart, error){
		"loss": out.LossChart, "learning": out.LearningChart, "comparison": out.ComparisonChart, "digits": out.DigitsChart,
		"positional": func() (*plotting.Chart, error) { return PositionalEncodingChart(50, 64) },
		"padding":    func() (*plotting.Chart, error) { return padding, err }, "causal": func() (*plotting.Chart, error) { return causal, err },
		"attention": func() (*plotting.Chart, error) { return out.AttentionChart(out.ReorderExamples(1)[0], 1, 3) },
	} {
		ch, err := c()
		if err == nil {
			err = plotting.Display(ch)
		}
		if err != nil {
			t.Errorf("%s chart: %v", name, err)
		}
	}
	w, err := out.Transformer.CrossAttention(out.Test[0].Source, out.Test[0].Target)
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range w[cfg.Transformer.Layers-1][0] {
		sum := 0.0
		for _, v := range row {
			sum += v
		}
		if math.Abs(sum-1) > 1e-4 {
			t.Fatalf("a cross-attention row sums to %g over the real words, want 1 (padding attended?)", sum)
		}
	}
	if _, err := out.GRU.CrossAttention(out.Test[0].Source, out.Test[0].Target); err == nil {
		t.Error("the GRU has no attention, but CrossAttention gave weights")
	}

	// A rerun restores both trained models from their checkpoints: the same numbers, no step run.
	again, err := Run(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if again.Transformer.StartStep != cfg.TransformerTrain.Steps || again.GRU.StartStep != cfg.GRUTrain.Steps ||
		again.TransformerEval.ExactMatch != out.TransformerEval.ExactMatch || again.GRUEval.ExactMatch != out.GRUEval.ExactMatch ||
		len(again.Transformer.History.Loss) != cfg.TransformerTrain.Steps {
		t.Errorf("rerun: resumed at %d/%d, exact match %.4f/%.4f (first %.4f/%.4f)", again.Transformer.StartStep, again.GRU.StartStep,
			again.TransformerEval.ExactMatch, again.GRUEval.ExactMatch, out.TransformerEval.ExactMatch, out.GRUEval.ExactMatch)
	}
	// The evaluation was read back; the restored models must still translate as evaluated.
	for _, m := range []struct {
		t    *Trained
		want []string
	}{{again.Transformer, out.TransformerEval.Greedy}, {again.GRU, out.GRUEval.Greedy}} {
		got, err := m.t.Greedy(out.Test[:20])
		if err != nil {
			t.Fatal(err)
		}
		for i, ids := range got {
			if s := TargetVocab().Decode(ids, ""); s != m.want[i] {
				t.Errorf("restored %s translates %d as %s, evaluated as %s", m.t.Model.Name(), out.Test[i].N, s, m.want[i])
			}
		}
	}
}

func TestFullOutcome(t *testing.T) {
	lessons.SkipUnlessFull(t)
	out, err := Run(Full())
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s\n%s(%.1fs)", out.Result(), out.Summary(), out.Wall.Seconds())
	if !out.Result().OK() {
		t.Errorf("full outcome not reached: %s", out.Result())
	}
}

// TestInterruptResumes stops a small run after a few steps as an interrupt does, then runs again:
// the second run resumes from the checkpoint and ends with the history of every step.
func TestInterruptResumes(t *testing.T) {
	t.Setenv(gomlxext.CacheDirEnv, t.TempDir())
	cfg := Quick()
	cfg.Quiet = true
	cfg.Transformer = TransformerModel{Dim: 16, Heads: 2, FFN: 32, Layers: 1, PreNorm: true}
	cfg.GRU = GRUModel{Embed: 8, Units: 16}
	cfg.TransformerTrain.Steps, cfg.TransformerTrain.ProbeEvery = 12, 4
	cfg.GRUTrain.Steps, cfg.GRUTrain.ProbeEvery = 6, 3
	cfg.TestSize, cfg.BeamSize, cfg.MinExactMatch = 20, 4, 0
	interruptAt = 8
	_, err := Run(cfg)
	interruptAt = 0
	if !errors.Is(err, gomlxext.ErrInterrupted) {
		t.Fatalf("interrupted run: error %v, want ErrInterrupted", err)
	}
	out, err := Run(cfg)
	if err != nil {
		t.Fatal(err)
	}
	h := out.Transformer.History
	if out.Transformer.StartStep != 8 || len(h.Step) != 12 || h.Step[0] != 1 || h.Step[11] != 12 || len(h.ProbeStep) != 3 {
		t.Errorf("resumed at %d with %d steps recorded (%v), %d probes; want 8, 12 steps 1…12, 3 probes",
			out.Transformer.StartStep, len(h.Step), h.Step, len(h.ProbeStep))
	}
	for i := 1; i < len(h.Seconds); i++ {
		if h.Seconds[i] < h.Seconds[i-1] {
			t.Fatalf("training seconds go back at step %v: %v", h.Step[i], h.Seconds)
		}
	}
}
