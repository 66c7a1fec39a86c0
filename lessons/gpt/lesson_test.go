package gpt

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
	if !(out.BigramPerplexity < out.UnigramPerplexity) {
		t.Errorf("bigram perplexity %.1f not below the unigram's %.1f", out.BigramPerplexity, out.UnigramPerplexity)
	}
	for _, tr := range []*Trained{out.GPT, out.ICL} {
		if h := tr.History; len(h.Loss) != len(h.Step) || len(h.Probe) == 0 || !(h.Loss[len(h.Loss)-1] < h.Loss[0]) {
			t.Errorf("%d steps, %d probes, loss %.3f → %.3f; want a falling loss", len(h.Step), len(h.Probe), h.Loss[0], h.Loss[len(h.Loss)-1])
		}
	}
	if len(out.Shots) != len(cfg.ICL.Shots) || len(out.Samples) != len(cfg.Samplers) {
		t.Fatalf("%d shot results, %d samples; want %d, %d", len(out.Shots), len(out.Samples), len(cfg.ICL.Shots), len(cfg.Samplers))
	}
	// The same prompt with no examples can only be guessed: its accuracy is near chance whatever
	// the model learned (1/Values ± 4 standard errors).
	chance := 1 / float64(cfg.ICL.Values)
	if se := math.Sqrt(chance * (1 - chance) / float64(cfg.ICL.TestTasks)); math.Abs(out.Shots[0].Accuracy-chance) > 4*se {
		t.Errorf("0-shot accuracy %.3f, want chance %.2f ± %.3f: the test prompts leak the answer", out.Shots[0].Accuracy, chance, 4*se)
	}
	for _, s := range out.Samples {
		if s.Text == "" {
			t.Errorf("%s: empty continuation", s.Sampler)
		}
	}
	charts := map[string]func() (*plotting.Chart, error){
		"learning": out.LearningChart, "loss": out.LossChart, "perplexity": out.PerplexityChart,
		"shots": out.ShotsChart, "icl learning": out.ICLLearningChart,
		"sampler":     func() (*plotting.Chart, error) { return out.SamplerChart(cfg.Prompt, Sampler{TopK: 10}) },
		"mass":        func() (*plotting.Chart, error) { return out.MassChart(cfg.Prompt, 10, 0.9) },
		"temperature": func() (*plotting.Chart, error) { return out.TemperatureChart(cfg.Prompt, 0.5) },
	}
	for name, f := range charts {
		c, err := f()
		if err != nil {
			t.Errorf("%s chart: %v", name, err)
			continue
		}
		if _, err := c.HTML(); err != nil {
			t.Errorf("%s chart: %v", name, err)
		}
	}
	if s, err := out.Prompts(4, 3); err != nil || s == "" {
		t.Errorf("Prompts: %q, %v", s, err)
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
	cfg.Vocab, cfg.LM = 300, Model{Vocab: 300, SeqLen: 16, Dim: 16, Heads: 2, FFN: 32, Layers: 1}
	cfg.LMTrain.Steps, cfg.LMTrain.Warmup, cfg.LMTrain.ProbeEvery = 12, 2, 4
	cfg.ProbeWindows, cfg.Generate = 2, 3
	cfg.ICL.Model.Dim, cfg.ICL.Model.FFN, cfg.ICL.Model.Layers = 16, 32, 1
	cfg.ICL.Train.Steps, cfg.ICL.Train.Warmup, cfg.ICL.Train.ProbeEvery = 6, 1, 3
	cfg.ICL.TestTasks, cfg.ICL.ProbeTasks = 20, 20
	cfg.PlainICL = true          // the plain learner trains in its own part
	cfg.MaxPerplexityRatio = 1e9 // a tiny model: only resuming is tested
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
	h := out.GPT.History
	if out.GPT.StartStep != 8 || len(h.Step) != 12 || h.Step[0] != 1 || h.Step[11] != 12 || len(h.ProbeStep) != 3 {
		t.Errorf("resumed at %d with %d steps recorded (%v), %d probes; want 8, 12 steps 1…12, 3 probes",
			out.GPT.StartStep, len(h.Step), h.Step, len(h.ProbeStep))
	}
	for i := 1; i < len(h.Seconds); i++ {
		if h.Seconds[i] < h.Seconds[i-1] {
			t.Fatalf("training seconds go back at step %v: %v", h.Step[i], h.Seconds)
		}
	}
	if len(out.ICL.History.Step) != 6 || out.Plain == nil || len(out.Plain.History.Step) != 6 || len(out.PlainShots) != len(cfg.ICL.Shots) {
		t.Errorf("in-context learners: %d steps recorded, plain %v with %d shot results; want 6 steps each and %d results",
			len(out.ICL.History.Step), out.Plain != nil, len(out.PlainShots), len(cfg.ICL.Shots))
	}
}
