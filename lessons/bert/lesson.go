package bert

import (
	"fmt"
	"math"
	"time"

	"github.com/gomlx/gomlx/pkg/ml/context"

	"github.com/dl4go/dl4go/lessons"
)

// Lesson describes lesson 11 to the lesson kit: its id in RESULT lines, its cache folder and the
// source folder hashed into its code revision.
var Lesson = lessons.Lesson{ID: "11", Name: "bert"}

// Config sizes the lesson. Full and Quick give the two standard sizes. Every field but the
// embedded Options is part of the run's key (lessons.Lesson.Key): change one and the run trains
// anew instead of resuming or replaying another configuration's.
type Config struct {
	lessons.Options `json:"-"`

	// Aozora, when set, is the folder holding the report's Aozora Bunko novels (AozoraFiles): the
	// lesson pre-trains on them (AozoraCorpus) instead of the offline English corpus
	// (EnglishCorpus). Its sentences are words separated by spaces: set Next.Prompt the same way
	// (the report's 「私は」 is "私 は").
	Aozora string

	Model Model // BERT-mini's sizes (Model.Vocab is the WordPiece vocabulary size to learn).
	// Section is the sentences per section, BERT's "documents" (consecutive paragraphs of one
	// document of the corpus; see Corpus.Split); 0 makes every paragraph a section.
	Section int
	HeldOut float64 // fraction of each document's sections (its end) kept for evaluation.
	MaxPred int     // masked positions per sequence (15% of SeqLen).
	// MaskRate is the share of the tokens chosen for MLM in pre-training (0: BERT's 15%; Wettig et
	// al. 2022 find 40% better for large models), up to MaskRate·SeqLen positions a sequence. The
	// held-out evaluation always chooses 15% (at most MaxPred), so its numbers stay comparable.
	MaskRate float64
	// UnigramBias starts the MLM output bias at the log-frequencies of the training text's tokens
	// instead of 0 (the model starts at the unigram distribution).
	UnigramBias bool
	// WholeWord masks whole words (every WordPiece of a chosen word) in pre-training and evaluation
	// alike, instead of single WordPieces.
	WholeWord bool
	Batch     int     // sequences per pre-training step.
	Steps     int     // pre-training steps.
	LR        float64 // Adam's peak learning rate (linear warm-up, then cosine decay to LR/10).
	Warmup    int     // warm-up steps.

	EvalBatches int // held-out batches for the MLM/NSP evaluation.
	// CurveEvery is the period, in pre-training steps, of the held-out curve (History.HeldOutNSP):
	// the evaluation's [MASK]-only MLM top-1 and NSP on the same held-out pairs, every CurveEvery
	// steps (0: no curve). It measures, it does not change the training.
	CurveEvery int

	Seed uint64 // fixes vocabulary order, weights and every batch.

	Task TaskConfig      // the downstream task (intruder-word detection).
	Next NextTokenConfig // the report's next-word experiment.
	// AssertTask requires fine-tuning to beat training from scratch on the task (full size).
	AssertTask bool

	// MLMRatio is the held-out MLM top-1 accuracy the lesson asserts, as a multiple of the
	// unigram-frequency baseline's; NSPThreshold is the NSP accuracy asserted (0: not asserted).
	MLMRatio, NSPThreshold float64
}

// Full is the lesson's real experiment (the notebook default): BERT-mini with 3 blocks and 128
// positions pre-trained on EnglishCorpus for 2000 steps of 16 sequences, a locally started
// relative-position bias in the first block's attention (Model.RelPos 8, RelDecay 4, RelLayers 1;
// the bias and the third block chosen on a validation split of the training text); about 8
// minutes on 2 cores for the whole lesson (7 min 46 s through `dl4go run` on a fresh cache and
// idle cores; pre-training 5 min 50 s). It asserts held-out [MASK]-only MLM top-1 ≥ 3× the
// unigram baseline's, held-out NSP ≥ 0.75 and fine-tuning beating training from scratch.
// Measured: MLM 5.82× (0.238 against 0.041; the bigram-context baseline 0.272) and the task
// (fine-tuned 0.632, scratch 0.500) reach their bars; NSP with A and B held out is 0.709, the
// 0.75 bar missed, and the RESULT line reports that miss (History.HeldOutNSP has its curve). The
// measurements, and what was tried, are in docs/experiments/bert.md.
func Full() Config {
	return Config{
		Model: Model{Vocab: 1500, SeqLen: 128, Layers: 3, Dim: 128, Heads: 4, FFN: 256, PreNorm: true,
			RelPos: 8, RelDecay: 4, RelLayers: 1},
		Section: 40, HeldOut: 0.1, MaxPred: 19, Batch: 16, Steps: 2000, LR: 2e-3, Warmup: 40,
		EvalBatches: 32, CurveEvery: 200, Seed: 11, MLMRatio: 3, NSPThreshold: 0.75, AssertTask: true,
		Task: TaskConfig{TrainSentences: 300, MaxWords: 20, Intruders: 3, SeqLen: 32, Steps: 200, Batch: 32, LR: 5e-4, EvalEvery: 50},
		Next: NextTokenConfig{Steps: 100, Batch: 32, LR: 2e-3, Frozen: true, Prompt: "the rays of light", Generate: 20, SeqLen: 64},
	}
}

// Quick is the same lesson with fewer steps, for tests and CI (DL4GO_QUICK=1): 250 pre-training
// steps; its bar is held-out [MASK]-only MLM top-1 ≥ 1.5× the unigram baseline's (NSP and the
// task are measured, not asserted). 250 steps gave 1.61× on the validation split
// (docs/experiments/bert.md).
func Quick() Config {
	c := Full()
	c.Steps, c.Warmup, c.EvalBatches, c.CurveEvery, c.MLMRatio, c.NSPThreshold, c.AssertTask = 250, 10, 8, 25, 1.5, 0, false
	c.Task.Steps, c.Task.EvalEvery, c.Task.TestSentences, c.Next.Steps = 6, 6, 96, 6
	c.Model.Layers = 2 // the third block would take the quick size past its 45 s (59 s for 1.52×).
	return c
}

// trainMasking returns the share of the tokens pre-training chooses for MLM and the most
// positions a sequence (see Config.MaskRate).
func (c Config) trainMasking() (rate float64, maxPred int) {
	if c.MaskRate <= 0 {
		return evalMaskRate, c.MaxPred
	}
	return c.MaskRate, max(c.MaxPred, int(math.Ceil(c.MaskRate*float64(c.Model.SeqLen))))
}

// Size returns Quick when lessons.Quick() (DL4GO_QUICK=1), else Full.
func Size() Config {
	if lessons.Quick() {
		return Quick()
	}
	return Full()
}

// Corpus loads the corpus c pre-trains on: AozoraCorpus(c.Aozora) when c.Aozora is set, else
// EnglishCorpus.
func (c Config) Corpus() (*Corpus, error) {
	if c.Aozora != "" {
		return AozoraCorpus(c.Aozora)
	}
	return EnglishCorpus()
}

// Split cuts corpus into the training text and the held-out text, as RunPretrain does: every
// document into sections of c.Section sentences, the last c.HeldOut of each held out (see
// Corpus.Split).
func (c Config) Split(corpus *Corpus) (train, test []Section) {
	return corpus.Split(c.Section, c.HeldOut)
}

// Pretrained is BERT-mini after pre-training, with the data it learned from.
type Pretrained struct {
	Config  Config
	Vocab   *Vocab
	Corpus  *Corpus   // the whole corpus; Train and Test are its two parts.
	Train   []Section // the training sections of every document.
	Test    []Section // the held-out sections (the end of every document).
	ctx     *context.Context
	train   *encodedCorpus
	test    *encodedCorpus
	counts  *bigramModel // the training text's counts, for the MLM baselines (trainCounts).
	History *History
	// StartStep is the step pre-training resumed from in this call (0: a fresh run; Steps: a
	// finished run restored).
	StartStep int
	// TrainTime is the wall time of the pre-training done in this call (0 when all was restored).
	TrainTime time.Duration
	// Dir is the folder of pre-training's checkpoints ("" when the run saves nothing).
	Dir string
}

// RunPretrain learns the WordPiece vocabulary from the training part of the corpus (see
// Config.Corpus) and pre-trains BERT-mini on it with masked LM and next-sentence prediction, in the run's folder (see
// lessons.Lesson.Open): an interrupted run resumes from its checkpoint, a finished one is
// restored at once.
func RunPretrain(cfg Config) (*Pretrained, error) {
	run, err := Lesson.Open(cfg)
	if err != nil {
		return nil, err
	}
	dir, err := run.Part("pretrain")
	if err != nil {
		return nil, err
	}
	corpus, err := cfg.Corpus()
	if err != nil {
		return nil, err
	}
	p := &Pretrained{Config: cfg, Corpus: corpus, Dir: dir}
	p.Train, p.Test = cfg.Split(corpus)
	if len(p.Test) == 0 {
		return nil, fmt.Errorf("bert: %s: nothing held out (HeldOut %g, sections of %d sentences)", corpus.Name, cfg.HeldOut, cfg.Section)
	}
	if p.Vocab, err = LearnWordPiece(Sentences(p.Train), cfg.Model.Vocab); err != nil {
		return nil, err
	}
	cfg.Model.Vocab = p.Vocab.Size()
	p.Config.Model.Vocab = p.Vocab.Size()
	p.train, p.test = encodeCorpus(p.Train, p.Vocab), encodeCorpus(p.Test, p.Vocab)
	p.ctx = newContext(cfg.Seed)
	if err := p.pretrain(); err != nil {
		return nil, err
	}
	if err := p.materialize(); err != nil {
		return nil, err
	}
	return p, nil
}

// cont returns the word continuations whole-word masking needs, nil without it.
func (p *Pretrained) cont() []bool {
	if !p.Config.WholeWord {
		return nil
	}
	return p.Vocab.Continues()
}
