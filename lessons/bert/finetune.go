package bert

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/layers"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"

	"github.com/dl4go/dl4go/gomlxext"
	"github.com/dl4go/dl4go/plotting"
)

// The downstream task (下流タスク): intruder-word detection. Each input is the start of one
// sentence of the corpus; in half of them, TaskConfig.Intruders words were replaced by words drawn at random
// from the training text (by frequency: "the", "of", "light", …). The classifier says whether the sentence
// is intact (1) or has intruders (0). It is a small cousin of GLUE's CoLA (is this sentence
// acceptable English?): telling which words fit their context is exactly what masked-LM
// pre-training practised, and no single word gives the answer away.

// TaskExample is one input of the downstream task.
type TaskExample struct {
	Text   string // the (possibly corrupted) sentence start, words separated by spaces.
	Tokens []int  // [L]: [CLS] sentence [SEP] [PAD]….
	Label  int    // 1 intact, 0 corrupted.
}

// taskWords returns the first maxWords words of s (see Words).
func taskWords(s string, maxWords int) []string {
	w := Words(s)
	return w[:min(len(w), maxWords)]
}

// makeTask builds a balanced task set from sentences: every sentence (of at least 6 words) gives
// its intact start and a corrupted copy; wordPool is what intruders are drawn from.
func makeTask(rng *rand.Rand, sentences []string, wordPool []string, v *Vocab, seqLen, maxWords, intruders int) []TaskExample {
	var out []TaskExample
	for _, s := range sentences {
		ws := taskWords(s, maxWords)
		if len(ws) < 6 {
			continue
		}
		bad := append([]string(nil), ws...)
		for _, i := range rng.Perm(len(ws))[:intruders] {
			for {
				w := wordPool[rng.IntN(len(wordPool))]
				if w != ws[i] {
					bad[i] = w
					break
				}
			}
		}
		for label, words := range [][]string{bad, ws} {
			t := strings.Join(words, " ")
			ids := v.Encode(t)
			if len(ids) > seqLen-2 {
				ids = ids[:seqLen-2]
			}
			toks, _ := pack(ids, nil, seqLen)
			out = append(out, TaskExample{Text: t, Tokens: toks, Label: label})
		}
	}
	return out
}

// wordPool returns every word occurrence of sentences (so that drawing from it follows word
// frequencies), punctuation excluded.
func wordPool(sentences []string) []string {
	var pool []string
	for _, s := range sentences {
		for _, w := range Words(s) {
			if r := []rune(w); len(r) > 1 || r[0] >= 'a' && r[0] <= 'z' {
				pool = append(pool, w)
			}
		}
	}
	return pool
}

// Method is a way of using (or not using) pre-training for the downstream task.
type Method int

const (
	// FineTuned starts from the pre-trained encoder and trains everything (BERT's approach).
	FineTuned Method = iota
	// FeatureBased freezes the pre-trained encoder and trains only the head on its features
	// (the ELMo / word2vec approach).
	FeatureBased
	// Scratch trains the same network from random weights: no pre-training.
	Scratch
)

// Methods lists the three ways, in chart order.
var Methods = []Method{FineTuned, FeatureBased, Scratch}

func (m Method) String() string {
	switch m {
	case FineTuned:
		return "fine-tuned BERT"
	case FeatureBased:
		return "frozen BERT + head"
	case Scratch:
		return "from scratch"
	}
	return fmt.Sprintf("Method(%d)", int(m))
}

// TaskConfig sizes the downstream experiment.
type TaskConfig struct {
	TrainSentences int     // training sentences (each gives 2 examples); the test set is all held-out sentences.
	MaxWords       int     // words kept from the start of each sentence.
	Intruders      int     // words replaced in a corrupted sentence.
	SeqLen         int     // input length ([CLS] words [SEP] [PAD]…), at most the model's SeqLen (0: the model's).
	Steps          int     // training steps of each method.
	Batch          int     // examples per step.
	LR             float64 // Adam's learning rate.
	EvalEvery      int     // steps between test-accuracy measurements (the learning curves).
	// TestSentences caps the held-out sentences tested (0: all of them).
	TestSentences int `json:",omitempty"`
}

// MethodResult is one method's learning curve on the downstream task.
type MethodResult struct {
	Method  Method
	Steps   []float64 // steps at which the test accuracy was measured.
	TestAcc []float64 // test accuracy there.
	Loss    []float64 // training loss of every step.
	Final   float64   // test accuracy after the last step.
}

// TaskOutcome is the result of RunTask.
type TaskOutcome struct {
	Config      TaskConfig
	Train, Test int // examples.
	Samples     []TaskExample
	Methods     []MethodResult
	Seconds     float64
}

// Result returns the outcome of method m.
func (o *TaskOutcome) Result(m Method) MethodResult {
	for _, r := range o.Methods {
		if r.Method == m {
			return r
		}
	}
	return MethodResult{}
}

// RunTask trains the three methods on the intruder-word task and measures their test accuracy on
// sentences from the held-out end of the book. Run does it with the Config's TaskConfig and
// saves the outcome; RunTask itself trains every time (a cell that tries other settings).
func (p *Pretrained) RunTask(tc TaskConfig) (*TaskOutcome, error) {
	start := time.Now()
	m := p.Config.Model
	rng := rand.New(rand.NewPCG(p.Config.Seed, 7))
	trainSents := Sentences(p.Train)
	rng.Shuffle(len(trainSents), func(i, j int) { trainSents[i], trainSents[j] = trainSents[j], trainSents[i] })
	pool := wordPool(Sentences(p.Train))
	if tc.SeqLen <= 0 || tc.SeqLen > m.SeqLen {
		tc.SeqLen = m.SeqLen
	}
	tc.Intruders = max(1, tc.Intruders)
	trainSet := makeTask(rng, trainSents[:min(tc.TrainSentences, len(trainSents))], pool, p.Vocab, tc.SeqLen, tc.MaxWords, tc.Intruders)
	testSents := Sentences(p.Test)
	if tc.TestSentences > 0 {
		testSents = testSents[:min(tc.TestSentences, len(testSents))]
	}
	testSet := makeTask(rng, testSents, pool, p.Vocab, tc.SeqLen, tc.MaxWords, tc.Intruders)
	out := &TaskOutcome{Config: tc, Train: len(trainSet), Test: len(testSet)}
	out.Samples = testSet[:min(4, len(testSet))]
	var live *plotting.Live
	if !p.Config.Quiet {
		live = plotting.NewLive("Downstream task: training loss", tc.Steps*len(Methods), "loss")
	}
	for i, meth := range Methods {
		var ctx *context.Context
		var err error
		switch meth {
		case Scratch:
			ctx = newContext(p.Config.Seed + 100)
		default:
			if ctx, err = transferEncoder(p.ctx, p.Config.Seed+100, meth == FeatureBased); err != nil {
				return nil, err
			}
		}
		r, err := trainClassifier(ctx, m, tc, trainSet, testSet, p.Config.Seed, func(step int, loss float64) {
			if live != nil {
				live.Update(i*tc.Steps+step, map[string]float64{"loss": loss})
			}
		})
		if err != nil {
			return nil, fmt.Errorf("bert: task with %s: %w", meth, err)
		}
		r.Method = meth
		out.Methods = append(out.Methods, r)
	}
	if live != nil {
		live.Done()
	}
	out.Seconds = time.Since(start).Seconds()
	return out, nil
}

// classifierLogits returns [B, 2] logits from the encoder's vectors: a tanh layer over the [CLS]
// vector and the mean of the token vectors, then a Dense layer.
func classifierLogits(ctx *context.Context, m Model, toks *graph.Node) *graph.Node {
	hidden, _ := m.Encode(ctx, toks, graph.ZerosLike(toks))
	keep := graph.ConvertDType(graph.NotEqual(toks, graph.ScalarZero(toks.Graph(), dtypes.Int32)), dtypes.Float32)
	mean := graph.Div(graph.ReduceSum(graph.Mul(hidden, graph.ExpandAxes(keep, -1)), 1), graph.ExpandAxes(graph.ReduceSum(keep, 1), -1))
	cls := graph.Squeeze(graph.Slice(hidden, graph.AxisRange(), graph.AxisElem(0)), 1)
	c := ctx.In(scopeTask)
	h := graph.Tanh(layers.Dense(c.In("hidden"), graph.Concatenate([]*graph.Node{cls, mean}, -1), true, m.Dim))
	return layers.Dense(c.In("out"), h, true, 2)
}

func taskTensors(exs []TaskExample) (toks, labels *tensors.Tensor) {
	l := len(exs[0].Tokens)
	t := make([]int32, 0, len(exs)*l)
	y := make([]int32, 0, len(exs))
	for _, e := range exs {
		t = appendInt32(t, e.Tokens)
		y = append(y, int32(e.Label))
	}
	return tensors.FromFlatDataAndDimensions(t, len(exs), l), tensors.FromFlatDataAndDimensions(y, len(exs))
}

// trainClassifier trains ctx's classifier (and, where trainable, its encoder) for tc.Steps steps
// on shuffled batches of trainSet, measuring test accuracy every tc.EvalEvery steps.
func trainClassifier(ctx *context.Context, m Model, tc TaskConfig, trainSet, testSet []TaskExample, seed uint64,
	report func(step int, loss float64)) (MethodResult, error) {
	var r MethodResult
	backend, err := gomlxext.Backend()
	if err != nil {
		return r, err
	}
	opt := optimizers.Adam().LearningRate(tc.LR).Done()
	step, err := context.NewExec(backend, ctx, func(ctx *context.Context, toks, labels *graph.Node) *graph.Node {
		g := toks.Graph()
		ctx.SetTraining(g, true)
		logits := classifierLogits(ctx, m, toks)
		loss, _ := maskedCrossEntropy(logits, labels, graph.OnesLike(graph.ConvertDType(labels, dtypes.Float32)))
		opt.UpdateGraph(ctx, g, loss)
		return loss
	})
	if err != nil {
		return r, err
	}
	defer step.Finalize()
	eval, err := context.NewExec(backend, ctx.Reuse(), func(ctx *context.Context, toks *graph.Node) *graph.Node {
		return graph.ArgMax(classifierLogits(ctx, m, toks), -1)
	})
	if err != nil {
		return r, err
	}
	defer eval.Finalize()
	accuracy := func() (float64, error) {
		hits, n := 0, 0
		for lo := 0; lo+tc.Batch <= len(testSet); lo += tc.Batch { // fixed batch shape: one compilation.
			toks, _ := taskTensors(testSet[lo : lo+tc.Batch])
			out, err := eval.Exec(toks)
			if err != nil {
				return 0, err
			}
			for i, v := range tensors.MustCopyFlatData[int32](out[0]) {
				if int(v) == testSet[lo+i].Label {
					hits++
				}
				n++
			}
			out[0].FinalizeAll()
		}
		return float64(hits) / float64(max(n, 1)), nil
	}
	rng := rand.New(rand.NewPCG(seed, 99))
	order := rng.Perm(len(trainSet))
	next := 0
	for s := 1; s <= tc.Steps; s++ {
		batch := make([]TaskExample, tc.Batch)
		for i := range batch {
			if next == len(order) {
				rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
				next = 0
			}
			batch[i] = trainSet[order[next]]
			next++
		}
		toks, labels := taskTensors(batch)
		out, err := step.Exec(toks, labels)
		if err != nil {
			return r, fmt.Errorf("step %d: %w", s, err)
		}
		loss := float64(tensors.ToScalar[float32](out[0]))
		r.Loss = append(r.Loss, loss)
		report(s, loss)
		if s%tc.EvalEvery == 0 || s == tc.Steps {
			acc, err := accuracy()
			if err != nil {
				return r, fmt.Errorf("evaluate at step %d: %w", s, err)
			}
			r.Steps, r.TestAcc = append(r.Steps, float64(s)), append(r.TestAcc, acc)
		}
	}
	r.Final = r.TestAcc[len(r.TestAcc)-1]
	return r, nil
}
