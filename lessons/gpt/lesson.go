package gpt

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/gomlx/gomlx/backends"

	"github.com/dl4go/dl4go/gomlxext"
	"github.com/dl4go/dl4go/lessons"
)

// Lesson describes lesson 12 to the lesson kit.
var Lesson = lessons.Lesson{ID: "12", Name: "gpt"}

// Config sizes the lesson: the language model on Opticks, the sampling demonstration, the
// in-context learner, and the thresholds.
type Config struct {
	lessons.Options `json:"-"`

	// HeldOut is the share of Opticks' paragraphs held out (the end of the book); Vocab the
	// size of the byte-level BPE learned from the rest.
	HeldOut float64
	Vocab   int
	// LM is the language model (LM.Vocab must be Vocab) and LMTrain its training; ProbeWindows
	// the held-out windows of the perplexity probe while training.
	LM           Model
	LMTrain      TrainConfig
	ProbeWindows int
	// Prompt is continued by Generate tokens with each sampler of Samplers (seeded by SampleSeed).
	Prompt     string
	Generate   int
	Samplers   []Sampler
	SampleSeed uint64
	// ICL is the in-context learning experiment. With PlainICL the same learner is also trained
	// without smeared keys (ICL.Model.SmearKeys off, the same data and steps), as its baseline.
	ICL      ICLConfig
	PlainICL bool
	// MaxPerplexityRatio is the largest held-out perplexity of the GPT over the bigram's that
	// passes; MinFewShot the 8-shot (the largest of ICL.Shots) accuracy required on held-out
	// mappings and MinFewShotGain its ratio to the zero-shot accuracy (0: not asserted).
	MaxPerplexityRatio         float64
	MinFewShot, MinFewShotGain float64
}

// Full is the notebook's experiment.
func Full() Config {
	return Config{
		// Byte-level: the BPE's 256 byte tokens and no merges. Measured while writing the lesson:
		// over a 512-token BPE the Kneser–Ney bigram is so strong (its tokens are pieces of
		// words, so it sees about a word back) that this GPT was still at 1.05 × its perplexity
		// after 400 steps; on bytes it was at 1.03 after 150 and still falling.
		HeldOut: 0.1, Vocab: 256,
		LM:           Model{Vocab: 256, SeqLen: 64, Dim: 64, Heads: 4, FFN: 256, Layers: 2},
		LMTrain:      TrainConfig{Steps: 1000, Batch: 32, LR: 3e-3, Warmup: 50, WeightDecay: 0.01, Seed: 12, ProbeEvery: 50},
		ProbeWindows: 32,
		Prompt:       "The Rays of Light", Generate: 40, SampleSeed: 1,
		Samplers: []Sampler{{Greedy: true}, {Temperature: 0.7}, {Temperature: 1}, {Temperature: 1.5}, {TopK: 10}, {TopP: 0.9}},
		// The in-context learner's blocks smear their keys (Model.SmearKeys): measured while
		// writing the lesson, the plain GPT stayed on the plateau of "guess from the digits seen"
		// (training loss ≈ 2.05, held-out 8-shot probe ≤ 0.37) for 800 steps at LR 3e-3 or 1e-2,
		// for 2000 steps of 32 sequences, and with tasks of 1–8 keys; with smeared keys the
		// validation probe (other held-out prompts than the test's) reached 1.0 by step 100.
		ICL: ICLConfig{Keys: 26, Values: 10, TaskKeys: 8, Pairs: 16, HeldOut: 0.1,
			Model: Model{Vocab: ICLVocab(26, 10), SeqLen: 32, Dim: 64, Heads: 4, FFN: 256, Layers: 2, SmearKeys: true},
			Train: TrainConfig{Steps: 300, Batch: 64, LR: 3e-3, Warmup: 20, WeightDecay: 0.01, Seed: 13, ProbeEvery: 25},
			Shots: []int{0, 1, 2, 4, 8}, TestTasks: 1000, ProbeTasks: 256, Seed: 14},
		PlainICL:           true,
		MaxPerplexityRatio: 0.7, MinFewShot: 0.5, MinFewShotGain: 2,
	}
}

// Quick is the same lesson with fewer steps, without the plain in-context learner, and with
// weaker bars, for tests and CI: the GPT's held-out perplexity must be below the bigram's, and
// the in-context learner's 8-shot accuracy on held-out mappings at least 0.4 and twice its
// zero-shot accuracy (measured: 1.000 against 0.117).
func Quick() Config {
	c := Full()
	c.PlainICL = false
	c.LMTrain.Steps, c.LMTrain.Warmup, c.LMTrain.ProbeEvery = 300, 15, 30
	c.ICL.Train.Steps, c.ICL.Train.Warmup, c.ICL.Train.ProbeEvery = 150, 8, 15
	c.ICL.TestTasks = 300
	c.MaxPerplexityRatio, c.MinFewShot, c.MinFewShotGain = 0.999, 0.4, 2
	return c
}

// Size returns Quick when lessons.Quick() (DL4GO_QUICK=1), else Full.
func Size() Config {
	if lessons.Quick() {
		return Quick()
	}
	return Full()
}

// Sample is one continuation of the prompt.
type Sample struct {
	Sampler Sampler
	Text    string
}

// Outcome is what Run measured.
type Outcome struct {
	Config Config
	Corpus *Corpus
	// GPT is the language model; Unigram and Bigram the baselines; the perplexities are on the
	// held-out text (the same tokens, each predicted from what comes before it).
	GPT                                             *Trained
	Unigram                                         *Unigram
	Bigram                                          *Bigram
	Perplexity, UnigramPerplexity, BigramPerplexity float64
	// Samples continue the prompt, one per sampler.
	Samples []Sample
	// ICL is the in-context learner and Shots its held-out accuracy at each number of examples;
	// Plain and PlainShots the same without smeared keys (nil when not Config.PlainICL).
	ICL, Plain        *Trained
	Shots, PlainShots []ShotResult
	// Wall is the time Run took.
	Wall time.Duration
}

// Ratio is the GPT's held-out perplexity over the bigram's.
func (o *Outcome) Ratio() float64 { return o.Perplexity / o.BigramPerplexity }

// shot returns the result with k examples (NaN accuracy if it was not measured).
func (o *Outcome) shot(k int) ShotResult {
	for _, s := range o.Shots {
		if s.Shots == k {
			return s
		}
	}
	return ShotResult{Shots: k, Accuracy: math.NaN()}
}

// maxShots is the largest number of examples measured.
func (o *Outcome) maxShots() int {
	m := 0
	for _, s := range o.Shots {
		m = max(m, s.Shots)
	}
	return m
}

// Result is the lesson's RESULT line: the GPT's held-out perplexity over the smoothed bigram's.
// When that passes but a few-shot threshold is set and missed, the line reports that measure
// instead (ok=false): the accuracy with the most examples on held-out mappings, then its ratio
// to the zero-shot accuracy.
func (o *Outcome) Result() lessons.Result {
	c := o.Config
	r := lessons.Result{Lesson: Lesson.ID, Metric: "gpt_heldout_perplexity_over_kneser_ney_bigram", Value: o.Ratio(),
		Threshold: c.MaxPerplexityRatio, LowerIsBetter: true}
	if !r.OK() {
		return r
	}
	k := o.maxShots()
	if c.MinFewShot > 0 {
		if a := o.shot(k).Accuracy; !(a >= c.MinFewShot) {
			return lessons.Result{Lesson: Lesson.ID, Metric: fmt.Sprintf("heldout_mapping_%dshot_accuracy", k), Value: a, Threshold: c.MinFewShot}
		}
	}
	if c.MinFewShotGain > 0 {
		if g := o.shot(k).Accuracy / o.shot(0).Accuracy; !(g >= c.MinFewShotGain) {
			return lessons.Result{Lesson: Lesson.ID, Metric: fmt.Sprintf("heldout_mapping_%dshot_over_0shot_accuracy", k), Value: g, Threshold: c.MinFewShotGain}
		}
	}
	return r
}

// Summary is a short table of the lesson's numbers.
func (o *Outcome) Summary() string {
	var b strings.Builder
	fmt.Fprintf(&b, "held-out Opticks (%d tokens, vocabulary %d): perplexity GPT %.1f, Kneser–Ney bigram %.1f, unigram %.1f (GPT/bigram %.3f)\n",
		len(o.Corpus.Test)-1, o.Corpus.BPE.Size(), o.Perplexity, o.BigramPerplexity, o.UnigramPerplexity, o.Ratio())
	fmt.Fprintf(&b, "GPT: %d parameters, %d steps in %.1f s; in-context learner: %d parameters, %d steps in %.1f s\n",
		o.GPT.Params, len(o.GPT.History.Step), o.GPT.TrainSeconds(), o.ICL.Params, len(o.ICL.History.Step), o.ICL.TrainSeconds())
	fmt.Fprintf(&b, "held-out mappings (chance %.2f):", 1/float64(o.Config.ICL.Values))
	for _, s := range o.Shots {
		fmt.Fprintf(&b, "  %d-shot %.3f", s.Shots, s.Accuracy)
	}
	b.WriteByte('\n')
	if o.Plain != nil {
		fmt.Fprintf(&b, "the plain GPT (no smeared keys, %d steps in %.1f s):", len(o.Plain.History.Step), o.Plain.TrainSeconds())
		for _, s := range o.PlainShots {
			fmt.Fprintf(&b, "  %d-shot %.3f", s.Shots, s.Accuracy)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// Run trains the language model and the in-context learner (or resumes them, or restores
// finished runs from their checkpoints), measures the held-out perplexities against the
// baselines, samples from the language model and asks the in-context learner held-out mappings
// with each number of examples. Evaluation is a few forward passes, so a finished run is
// evaluated again rather than replayed.
func Run(cfg Config) (*Outcome, error) {
	t0 := time.Now()
	if cfg.LM.Vocab != cfg.Vocab {
		return nil, fmt.Errorf("gpt: invalid config: LM.Vocab (%d) must be the BPE's Vocab (%d)", cfg.LM.Vocab, cfg.Vocab)
	}
	if cfg.ProbeWindows < 1 || cfg.Generate < 0 {
		return nil, fmt.Errorf("gpt: invalid config: ProbeWindows ≥ 1 and Generate ≥ 0, got %d, %d", cfg.ProbeWindows, cfg.Generate)
	}
	if err := cfg.ICL.check(); err != nil {
		return nil, err
	}
	backend, err := gomlxext.Backend()
	if err != nil {
		return nil, fmt.Errorf("gpt: %w", err)
	}
	run, err := Lesson.Open(cfg)
	if err != nil {
		return nil, err
	}
	out := &Outcome{Config: cfg}
	if out.Corpus, err = LoadCorpus(cfg.HeldOut, cfg.Vocab); err != nil {
		return nil, err
	}
	c := out.Corpus
	if c.BPE.Size() != cfg.Vocab {
		return nil, fmt.Errorf("gpt: the training text gives a BPE of only %d tokens, not %d: ask for fewer", c.BPE.Size(), cfg.Vocab)
	}
	if len(c.Train) <= cfg.LM.SeqLen {
		return nil, fmt.Errorf("gpt: %d training tokens do not fill one window of %d", len(c.Train), cfg.LM.SeqLen)
	}
	if out.Unigram, err = NewUnigram(c.Train, cfg.Vocab); err != nil {
		return nil, err
	}
	if out.Bigram, err = NewBigram(c.Train, cfg.Vocab); err != nil {
		return nil, err
	}
	out.UnigramPerplexity, out.BigramPerplexity = out.Unigram.Perplexity(c.Test, 1), out.Bigram.Perplexity(c.Test, 1)

	dir, err := run.Part("lm")
	if err != nil {
		return nil, err
	}
	out.GPT, err = fit(backend, cfg.LM, cfg.LMTrain, windows(c.Train, cfg.LM.SeqLen, cfg.LMTrain.Batch, cfg.LMTrain.Seed),
		dir, "GPT on Opticks", "held-out perplexity", func(t *Trained) (float64, error) { return t.Perplexity(c.Test, cfg.ProbeWindows) }, run.Quiet)
	if err != nil {
		return nil, err
	}
	if out.Perplexity, err = out.GPT.Perplexity(c.Test, 0); err != nil {
		return nil, err
	}
	for _, s := range cfg.Samplers {
		txt, err := out.GPT.Generate(c.BPE, cfg.Prompt, cfg.Generate, s, cfg.SampleSeed)
		if err != nil {
			return nil, err
		}
		out.Samples = append(out.Samples, Sample{Sampler: s, Text: txt})
	}

	ic := cfg.ICL
	if dir, err = run.Part("icl"); err != nil {
		return nil, err
	}
	if out.ICL, out.Shots, err = fitICL(backend, ic, dir, "GPT on in-context tasks", run.Quiet); err != nil {
		return nil, err
	}
	if cfg.PlainICL {
		plain := ic
		plain.Model.SmearKeys = false
		if dir, err = run.Part("icl-plain"); err != nil {
			return nil, err
		}
		if out.Plain, out.PlainShots, err = fitICL(backend, plain, dir, "plain GPT on in-context tasks", run.Quiet); err != nil {
			return nil, err
		}
	}
	out.Wall = time.Since(t0)
	return out, nil
}

// fitICL trains an in-context learner on ic's task stream (checkpoints in dir), probing it with
// full prompts on held-out validation prompts while it trains, then measures its test accuracy
// on held-out mappings with each number of examples.
func fitICL(backend backends.Backend, ic ICLConfig, dir, title string, quiet bool) (*Trained, []ShotResult, error) {
	probeSeed := ic.Seed + 1 // other held-out prompts than the test's
	t, err := fit(backend, ic.Model, ic.Train, taskStream(ic), dir, title,
		fmt.Sprintf("held-out %d-shot accuracy", ic.TaskKeys), func(t *Trained) (float64, error) {
			r, err := t.fewShot(ic, ic.TaskKeys, ic.ProbeTasks, probeSeed)
			return r.Accuracy, err
		}, quiet)
	if err != nil {
		return nil, nil, err
	}
	var shots []ShotResult
	for _, k := range ic.Shots {
		r, err := t.fewShot(ic, k, ic.TestTasks, ic.Seed)
		if err != nil {
			return nil, nil, err
		}
		shots = append(shots, r)
	}
	return t, shots, nil
}
