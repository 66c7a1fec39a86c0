package bert

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"

	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"

	"github.com/dl4go/dl4go/gomlxext"
)

// PretrainEval is how well pre-training went, measured on the held-out end of the book.
type PretrainEval struct {
	MLMAcc     float64 // top-1 accuracy at the masked positions of held-out sequences.
	Unigram    float64 // accuracy of always guessing the most frequent training token there.
	UnigramTok string  // that token.
	// NSP is the next-sentence accuracy on held-out pairs, about half of them real, with the random
	// B's drawn from four places (see Pretrained.Evaluate); NSPAcc and NSPWithinAcc pick the last and
	// the first.
	NSP    NSPSources
	Masked int // masked positions evaluated.
	Pairs  int // sentence pairs evaluated for each source of random B's.
}

// NSPAcc returns the next-sentence accuracy on held-out pairs drawn as pre-training draws them: A
// and its real continuation from the held-out text, a random B from any other section of the book.
func (e PretrainEval) NSPAcc() float64 { return e.NSP[len(e.NSP)-1].Accuracy }

// NSPWithinAcc returns the next-sentence accuracy with every random B drawn from the held-out text
// too. On Opticks that is the Queries, one kind of text on related subjects, so a random B is
// rarely off-topic: only whether the words run on across the cut and whether B repeats A's words
// tell it apart.
func (e PretrainEval) NSPWithinAcc() float64 { return e.NSP[0].Accuracy }

// NSPSource is how NSP does on held-out pairs when every random B comes from one part of the book.
type NSPSource struct {
	From     string  // where the random B's come from.
	Accuracy float64 // NSP accuracy, about half of the pairs real.
	// RealAccepted is the share of the real pairs judged "B follows A"; RandomRejected the share
	// of the pairs with a random B judged "B does not follow A".
	RealAccepted, RandomRejected float64
}

// NSPSources are NSP's results for several sources of random B's.
type NSPSources []NSPSource

// String returns one line per source: its accuracy, random B's rejected and real B's accepted.
func (ss NSPSources) String() string {
	var b strings.Builder
	for _, s := range ss {
		fmt.Fprintf(&b, "random B from %-27s NSP %.3f: random B rejected %.3f, real B accepted %.3f\n",
			s.From, s.Accuracy, s.RandomRejected, s.RealAccepted)
	}
	return b.String()
}

// Ratio returns MLMAcc / Unigram: how many times better than the frequency baseline.
func (e PretrainEval) Ratio() float64 { return e.MLMAcc / e.Unigram }

// predictExec compiles the pre-trained model for inference: inputs tokens, segments [B, L] and
// positions [B, P] (int32); outputs MLM logits [B, P, V], NSP logits [B, 2] and the attention
// weights of every layer [B, L, heads, L].
func (p *Pretrained) predictExec() (*context.Exec, error) {
	backend, err := gomlxext.Backend()
	if err != nil {
		return nil, err
	}
	m := p.Config.Model
	return context.NewExec(backend, p.ctx.Reuse(), func(ctx *context.Context, toks, segs, pos *graph.Node) []*graph.Node {
		hidden, att := m.Encode(ctx, toks, segs)
		return append([]*graph.Node{m.MLMLogits(ctx, hidden, pos), m.NSPLogits(ctx, hidden)}, att...)
	})
}

// materialize makes sure the model's variables exist in the context: a run restored from a
// checkpoint only holds their saved values until a graph uses them, so it runs the model once on
// a dummy input.
func (p *Pretrained) materialize() error {
	for v := range p.ctx.IterVariables() {
		if strings.HasPrefix(v.Scope(), "/"+scopeEncoder) {
			return nil
		}
	}
	exec, err := p.predictExec()
	if err != nil {
		return err
	}
	defer exec.Finalize()
	m := p.Config.Model
	toks, segs := pack([]int{MASK}, nil, m.SeqLen)
	out, err := exec.Exec(
		tensors.FromFlatDataAndDimensions(appendInt32(nil, toks), 1, m.SeqLen),
		tensors.FromFlatDataAndDimensions(appendInt32(nil, segs), 1, m.SeqLen),
		tensors.FromFlatDataAndDimensions(make([]int32, p.Config.MaxPred), 1, p.Config.MaxPred))
	if err != nil {
		return fmt.Errorf("bert: restore the model: %w", err)
	}
	for _, t := range out {
		t.FinalizeAll()
	}
	return nil
}

// Evaluate measures MLM top-1 accuracy (against the unigram-frequency baseline) on cfg.EvalBatches
// batches of held-out sequences, and NSP accuracy on held-out pairs four times, drawing the random
// B's from the held-out text, from the three training sections just before it, from the first three
// sections of the book, and from anywhere in the book (as pre-training does: PretrainEval.NSPAcc).
// If NSP judged whether B continues A, where the random B comes from would not matter; if it judges
// topic, random B's are easier to reject the further their subject is from A's. Each pass draws its
// own fixed random stream, so the numbers are the same on every call.
func (p *Pretrained) Evaluate() (PretrainEval, error) {
	var ev PretrainEval
	exec, err := p.predictExec()
	if err != nil {
		return ev, err
	}
	defer exec.Finalize()
	top := p.mostFrequentToken()
	ev.UnigramTok = p.Vocab.Tokens[top]
	v := p.Config.Model.Vocab
	hits, uni := 0, 0
	within, err := p.evalPass(exec, p.test, 0, func(e Example, mlm []float32) {
		for k, w := range e.Weights {
			if w == 0 {
				continue
			}
			ev.Masked++
			if argmax(mlm[k*v:(k+1)*v]) == e.Targets[k] {
				hits++
			}
			if e.Targets[k] == top {
				uni++
			}
		}
	})
	if err != nil {
		return ev, err
	}
	k := min(3, len(p.train.flat))
	others := []struct {
		from   string
		docs   [][]int
		stream uint64
	}{ // stream 0 is the MLM pass's; the whole book keeps stream 1, as when it was the only other.
		{fmt.Sprintf("the %d sections before it", k), p.train.flat[len(p.train.flat)-k:], 2},
		{fmt.Sprintf("the book's first %d sections", k), p.train.flat[:k], 3},
		{"anywhere in the book", append(append([][]int(nil), p.test.flat...), p.train.flat...), 1},
	}
	ev.NSP = NSPSources{within.source("the held-out text")}
	for _, o := range others {
		c, err := p.evalPass(exec, p.test.withRandomFrom(o.docs), o.stream, nil)
		if err != nil {
			return ev, err
		}
		ev.NSP = append(ev.NSP, c.source(o.from))
	}
	ev.Pairs = p.Config.EvalBatches * p.Config.Batch
	ev.MLMAcc = float64(hits) / float64(ev.Masked)
	ev.Unigram = float64(uni) / float64(ev.Masked)
	return ev, nil
}

// nspCounts counts NSP decisions on real pairs and on pairs with a random B.
type nspCounts struct{ real, realHits, random, randomHits int }

// source returns the counts as the NSP result for random B's from "from".
func (c nspCounts) source(from string) NSPSource {
	return NSPSource{From: from,
		Accuracy:       float64(c.realHits+c.randomHits) / float64(max(1, c.real+c.random)),
		RealAccepted:   float64(c.realHits) / float64(max(1, c.real)),
		RandomRejected: float64(c.randomHits) / float64(max(1, c.random))}
}

// evalPass draws cfg.EvalBatches batches from corpus with the random stream number stream, runs
// the model on them and counts its NSP decisions; see, if not nil, gets each example with its MLM
// logits [P·V].
func (p *Pretrained) evalPass(exec *context.Exec, corpus *encodedCorpus, stream uint64, see func(e Example, mlm []float32)) (nspCounts, error) {
	var c nspCounts
	m := p.Config.Model
	rng := rand.New(rand.NewPCG(p.Config.Seed, 1<<40+stream))
	for range p.Config.EvalBatches {
		exs := make([]Example, p.Config.Batch)
		for i := range exs {
			exs[i] = corpus.pretrainExample(rng, m, p.Config.MaxPred)
		}
		in, _ := batchTensors(exs)
		out, err := exec.Exec(in[0], in[1], in[2])
		if err != nil {
			return c, fmt.Errorf("bert: evaluate: %w", err)
		}
		mlm := tensors.MustCopyFlatData[float32](out[0])
		ns := tensors.MustCopyFlatData[float32](out[1])
		for _, t := range out {
			t.FinalizeAll()
		}
		for i, e := range exs {
			if see != nil {
				see(e, mlm[i*len(e.Weights)*m.Vocab:(i+1)*len(e.Weights)*m.Vocab])
			}
			hit := argmax(ns[2*i:2*i+2]) == e.IsNext
			if e.IsNext == 1 {
				c.real++
				if hit {
					c.realHits++
				}
			} else {
				c.random++
				if hit {
					c.randomHits++
				}
			}
		}
	}
	return c, nil
}

// mostFrequentToken returns the most frequent non-special token of the training text.
func (p *Pretrained) mostFrequentToken() int {
	counts := make([]int, p.Vocab.Size())
	for _, d := range p.train.docs {
		for _, s := range d {
			for _, t := range s {
				counts[t]++
			}
		}
	}
	best := MASK + 1
	for t := MASK + 1; t < len(counts); t++ {
		if counts[t] > counts[best] {
			best = t
		}
	}
	return best
}

func argmax(xs []float32) int {
	best := 0
	for i, x := range xs {
		if x > xs[best] {
			best = i
		}
	}
	return best
}

// Prediction is one candidate for a masked word and its probability.
type Prediction struct {
	Token string
	Prob  float64
}

// Probe is the model's reading of one sentence: its tokens, the top-k candidates for the masked
// one, and the attention weights of every layer.
type Probe struct {
	Sentence  string
	Tokens    []string        // the input tokens, [CLS] … [SEP] (no padding).
	Masked    int             // index in Tokens of the [MASK].
	Answer    string          // the token that was masked.
	Top       []Prediction    // best candidates first.
	Attention [][][][]float64 // [layer][head][query][key] over Tokens.
}

// ProbeSentence masks the word-piece at index word of sentence (in Vocab.Tokenize order) and
// returns the k most probable tokens for it and the attention maps of the sentence.
func (p *Pretrained) ProbeSentence(sentence string, word, k int) (*Probe, error) {
	m := p.Config.Model
	ids := p.Vocab.Encode(sentence)
	if word < 0 || word >= len(ids) {
		return nil, fmt.Errorf("bert: probe: word %d out of range (sentence has %d tokens)", word, len(ids))
	}
	if len(ids) > m.SeqLen-2 {
		ids = ids[:m.SeqLen-2]
	}
	toks, segs := pack(ids, nil, m.SeqLen)
	pr := &Probe{Sentence: sentence, Masked: word + 1, Answer: p.Vocab.Tokens[ids[word]]}
	toks[word+1] = MASK
	n := len(ids) + 2
	for _, t := range toks[:n] {
		pr.Tokens = append(pr.Tokens, p.Vocab.Tokens[t])
	}
	pos := make([]int, p.Config.MaxPred)
	pos[0] = word + 1
	exec, err := p.predictExec()
	if err != nil {
		return nil, err
	}
	defer exec.Finalize()
	out, err := exec.Exec(
		tensors.FromFlatDataAndDimensions(appendInt32(nil, toks), 1, m.SeqLen),
		tensors.FromFlatDataAndDimensions(appendInt32(nil, segs), 1, m.SeqLen),
		tensors.FromFlatDataAndDimensions(appendInt32(nil, pos), 1, len(pos)))
	if err != nil {
		return nil, fmt.Errorf("bert: probe: %w", err)
	}
	logits := tensors.MustCopyFlatData[float32](out[0])[:m.Vocab]
	probs := softmax(logits)
	order := make([]int, len(probs))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return probs[order[a]] > probs[order[b]] })
	for _, t := range order[:k] {
		pr.Top = append(pr.Top, Prediction{p.Vocab.Tokens[t], probs[t]})
	}
	for _, a := range out[2:] {
		flat := tensors.MustCopyFlatData[float32](a) // [1, L, heads, L]
		layer := make([][][]float64, m.Heads)
		for h := range m.Heads {
			layer[h] = make([][]float64, n)
			for q := range n {
				layer[h][q] = make([]float64, n)
				for kk := range n {
					layer[h][q][kk] = float64(flat[(q*m.Heads+h)*m.SeqLen+kk])
				}
			}
		}
		pr.Attention = append(pr.Attention, layer)
	}
	for _, t := range out {
		t.FinalizeAll()
	}
	return pr, nil
}

func softmax(xs []float32) []float64 {
	mx := xs[argmax(xs)]
	out := make([]float64, len(xs))
	sum := 0.0
	for i, x := range xs {
		out[i] = exp(float64(x - mx))
		sum += out[i]
	}
	for i := range out {
		out[i] /= sum
	}
	return out
}
