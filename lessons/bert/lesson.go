package bert

import (
	"fmt"
	"time"

	"github.com/gomlx/gomlx/pkg/ml/context"

	"github.com/dl4go/dl4go/data/text"
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

	Model Model // BERT-mini's sizes (Model.Vocab is the WordPiece vocabulary size to learn).
	// Section is the sentences per "document" (consecutive paragraphs; see splitSections); 0 makes
	// every paragraph a document.
	Section int
	HeldOut float64 // fraction of the documents (the end of the book) kept for evaluation.
	MaxPred int     // masked positions per sequence (15% of SeqLen).
	Batch   int     // sequences per pre-training step.
	Steps   int     // pre-training steps.
	LR      float64 // Adam's peak learning rate (linear warm-up, then cosine decay to LR/10).
	Warmup  int     // warm-up steps.

	EvalBatches int // held-out batches for the MLM/NSP evaluation.

	Seed uint64 // fixes vocabulary order, weights and every batch.

	Task TaskConfig      // the downstream task (intruder-word detection).
	Next NextTokenConfig // the report's next-word experiment.
	// AssertTask requires fine-tuning to beat training from scratch on the task (full size).
	AssertTask bool

	// MLMRatio is the held-out MLM top-1 accuracy the lesson asserts, as a multiple of the
	// unigram-frequency baseline's; NSPThreshold is the NSP accuracy asserted (0: not asserted).
	MLMRatio, NSPThreshold float64
}

// Full is the lesson's real experiment (the notebook default): BERT-mini with 128 positions
// pre-trained for 2000 steps of 16 sequences (about 30 passes over the training text), about 6
// minutes on 2 cores for the whole lesson. The measurements, and what else was tried, are in
// docs/experiments/bert.md.
func Full() Config {
	return Config{
		Model:   Model{Vocab: 1500, SeqLen: 128, Layers: 2, Dim: 128, Heads: 4, FFN: 256, PreNorm: true},
		Section: 40, HeldOut: 0.1, MaxPred: 19, Batch: 16, Steps: 2000, LR: 2e-3, Warmup: 40,
		EvalBatches: 32, Seed: 11, MLMRatio: 3, NSPThreshold: 0.75, AssertTask: true,
		Task: TaskConfig{TrainSentences: 300, MaxWords: 20, Intruders: 3, SeqLen: 32, Steps: 200, Batch: 32, LR: 5e-4, EvalEvery: 50},
		Next: NextTokenConfig{Steps: 100, Batch: 32, LR: 2e-3, Frozen: true, Prompt: "the rays of light", Generate: 20, SeqLen: 64},
	}
}

// Quick is the same lesson with fewer steps, for tests and CI (DL4GO_QUICK=1): 200 pre-training
// steps (under a minute for the whole lesson), asserting held-out MLM top-1 ≥ 1.5× the unigram
// baseline.
func Quick() Config {
	c := Full()
	c.Steps, c.Warmup, c.EvalBatches, c.MLMRatio, c.NSPThreshold, c.AssertTask = 200, 20, 8, 1.5, 0, false
	c.Task.Steps, c.Task.EvalEvery, c.Task.TestSentences, c.Next.Steps = 6, 6, 96, 6
	return c
}

// Size returns Quick when lessons.Quick() (DL4GO_QUICK=1), else Full.
func Size() Config {
	if lessons.Quick() {
		return Quick()
	}
	return Full()
}

// Split cuts the book into the training text and the held-out text, as RunPretrain does: into
// documents of c.Section sentences, the last c.HeldOut of them held out (see splitSections).
func (c Config) Split(book *text.Corpus) (train, test *text.Corpus) {
	return splitSections(book, c.Section, c.HeldOut)
}

// Pretrained is BERT-mini after pre-training on Opticks, with the data it learned from.
type Pretrained struct {
	Config  Config
	Vocab   *Vocab
	Corpus  *text.Corpus // the whole book; Train and Test are its two parts.
	Train   *text.Corpus
	Test    *text.Corpus
	ctx     *context.Context
	train   *encodedCorpus
	test    *encodedCorpus
	History *History
	// StartStep is the step pre-training resumed from in this call (0: a fresh run; Steps: a
	// finished run restored).
	StartStep int
	// TrainTime is the wall time of the pre-training done in this call (0 when all was restored).
	TrainTime time.Duration
	// Dir is the folder of pre-training's checkpoints ("" when the run saves nothing).
	Dir string
}

// RunPretrain learns the WordPiece vocabulary from the training part of Opticks and pre-trains
// BERT-mini on it with masked LM and next-sentence prediction, in the run's folder (see
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
	book, err := text.Opticks()
	if err != nil {
		return nil, fmt.Errorf("bert: %w", err)
	}
	p := &Pretrained{Config: cfg, Corpus: book, Dir: dir}
	p.Train, p.Test = cfg.Split(book)
	if p.Vocab, err = LearnWordPiece(p.Train.Sentences(), cfg.Model.Vocab); err != nil {
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
