package bert

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/layers"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"

	"github.com/dl4go/dl4go/gomlxext"
)

// The report's experiment (11-2): a pre-trained BERT, frozen (bert.trainable = False), with a
// Dense layer over the vocabulary trained to predict the next word at every position, then used
// to generate text from "私は" — which came out as garbage. RunNextToken reproduces it on the lesson's corpus.

// NextTokenConfig sizes the next-word experiment.
type NextTokenConfig struct {
	Steps    int     // training steps of the Dense head (and, unless Frozen, of the encoder).
	Batch    int     // sequences per step.
	LR       float64 // Adam's learning rate (the report used 1e-7, far too small to move anything).
	Frozen   bool    // freeze the encoder (the report's setting).
	Prompt   string  // where generation starts.
	Generate int     // tokens to generate (greedy).
	SeqLen   int     // window length, at most the model's SeqLen (0: the model's).
}

// NextTokenOutcome is what the next-word model reached.
type NextTokenOutcome struct {
	Config NextTokenConfig
	Loss   []float64 // training loss of every step.
	// InnerAcc is the held-out next-token accuracy at positions 1…L−1 of a window, where the token
	// to predict is itself part of the input one position to the right; LastAcc is the accuracy
	// at the last real position of a sequence, where it is not: the situation of generation.
	InnerAcc, LastAcc float64
	Unigram           float64 // accuracy of always guessing the most frequent token.
	Generated         string  // Prompt followed by the greedy continuation.
	Seconds           float64
}

// nextTokenLogits returns [B, L, V] logits for the token after each position.
func nextTokenLogits(ctx *context.Context, m Model, toks *graph.Node) *graph.Node {
	hidden, _ := m.Encode(ctx, toks, graph.ZerosLike(toks))
	return layers.Dense(ctx.In(scopeNext), hidden, true, m.Vocab)
}

// stream returns the corpus as one token stream (sentences in order).
func (e *encodedCorpus) stream() []int {
	var s []int
	for _, d := range e.docs {
		for _, sent := range d {
			s = append(s, sent...)
		}
	}
	return s
}

// windows draws n windows of L+1 consecutive tokens: inputs [n, L] and next tokens [n, L]; with
// cut, each window is cut at a random length ≥ 2 and padded (the last real position then has no
// right neighbour), and weights mark only that last position.
func windows(rng *rand.Rand, s []int, n, l int, cut bool) (in, next []int32, w []float32) {
	for range n {
		o := rng.IntN(len(s) - l - 1)
		k := l
		if cut {
			k = 2 + rng.IntN(l-1)
		}
		for i := range l {
			if i < k {
				in, next = append(in, int32(s[o+i])), append(next, int32(s[o+i+1]))
			} else {
				in, next = append(in, PAD), append(next, 0)
			}
			switch {
			case cut && i == k-1, !cut && i < l-1:
				w = append(w, 1)
			default:
				w = append(w, 0)
			}
		}
	}
	return
}

// RunNextToken trains a Dense next-token head on top of the pre-trained encoder (frozen or not),
// measures its held-out accuracy inside windows and at their last position, and generates text
// greedily from the prompt, one token at a time, each time reading the prediction at the last
// real position. Run does it with the Config's NextTokenConfig, frozen and not, and saves the
// outcome; RunNextToken itself trains every time (a cell that tries other settings).
func (p *Pretrained) RunNextToken(nc NextTokenConfig) (*NextTokenOutcome, error) {
	start := time.Now()
	backend, err := gomlxext.Backend()
	if err != nil {
		return nil, err
	}
	m := p.Config.Model
	ctx, err := transferEncoder(p.ctx, p.Config.Seed+200, nc.Frozen)
	if err != nil {
		return nil, err
	}
	opt := optimizers.Adam().LearningRate(nc.LR).Done()
	step, err := context.NewExec(backend, ctx, func(ctx *context.Context, toks, next, w *graph.Node) *graph.Node {
		g := toks.Graph()
		ctx.SetTraining(g, true)
		loss, _ := maskedCrossEntropy(nextTokenLogits(ctx, m, toks), next, w)
		opt.UpdateGraph(ctx, g, loss)
		return loss
	})
	if err != nil {
		return nil, err
	}
	defer step.Finalize()
	out := &NextTokenOutcome{Config: nc}
	trainS, testS := p.train.stream(), p.test.stream()
	rng := rand.New(rand.NewPCG(p.Config.Seed, 5))
	l := m.SeqLen
	if nc.SeqLen > 0 && nc.SeqLen < l {
		l = nc.SeqLen
	}
	for s := range nc.Steps {
		in, next, w := windows(rng, trainS, nc.Batch, l, s%2 == 1) // half the batches end early, like prompts.
		res, err := step.Exec(tensors.FromFlatDataAndDimensions(in, nc.Batch, l),
			tensors.FromFlatDataAndDimensions(next, nc.Batch, l), tensors.FromFlatDataAndDimensions(w, nc.Batch, l))
		if err != nil {
			return nil, fmt.Errorf("bert: next-token step %d: %w", s, err)
		}
		out.Loss = append(out.Loss, float64(tensors.ToScalar[float32](res[0])))
	}
	predict, err := context.NewExec(backend, ctx.Reuse(), func(ctx *context.Context, toks *graph.Node) *graph.Node {
		return graph.ConvertDType(graph.ArgMax(nextTokenLogits(ctx, m, toks), -1), dtypes.Int32)
	})
	if err != nil {
		return nil, err
	}
	defer predict.Finalize()
	top := int32(p.mostFrequentToken())
	erng := rand.New(rand.NewPCG(p.Config.Seed, 6))
	for _, cut := range []bool{false, true} {
		hits, uni, n := 0, 0, 0
		for range 4 {
			in, next, w := windows(erng, testS, nc.Batch, l, cut)
			res, err := predict.Exec(tensors.FromFlatDataAndDimensions(in, nc.Batch, l))
			if err != nil {
				return nil, err
			}
			for i, v := range tensors.MustCopyFlatData[int32](res[0]) {
				if w[i] == 0 {
					continue
				}
				n++
				if v == next[i] {
					hits++
				}
				if next[i] == top {
					uni++
				}
			}
		}
		if cut {
			out.LastAcc = float64(hits) / float64(n)
		} else {
			out.InnerAcc = float64(hits) / float64(n)
			out.Unigram = float64(uni) / float64(n)
		}
	}
	ids := p.Vocab.Encode(nc.Prompt)
	for len(ids) < nc.Generate+len(p.Vocab.Encode(nc.Prompt)) && len(ids) < l {
		in := make([]int32, nc.Batch*l) // one real row; the batch shape stays the compiled one.
		for i, t := range ids {
			in[i] = int32(t)
		}
		res, err := predict.Exec(tensors.FromFlatDataAndDimensions(in, nc.Batch, l))
		if err != nil {
			return nil, err
		}
		ids = append(ids, int(tensors.MustCopyFlatData[int32](res[0])[len(ids)-1]))
	}
	out.Generated = p.Vocab.Decode(ids)
	out.Seconds = time.Since(start).Seconds()
	return out, nil
}
