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

// PretrainEval is how well pre-training went, measured on held-out text (the end of every
// document of the corpus), against baselines that see exactly what the model sees.
type PretrainEval struct {
	// MLM is the model's top-1 and top-5 accuracy at the chosen positions of held-out sequences,
	// every one of them replaced by [MASK] (the standard protocol: no scored position shows its
	// answer). Unigram always guesses the most frequent tokens of the training text (UnigramTok
	// first); Bigram guesses from the neighbours of the gap in the same input, like a two-sided
	// bigram model (see bigramModel).
	MLM, Unigram, Bigram TopK
	UnigramTok           string
	Masked               int // masked positions evaluated.
	// ByKind is MLM top-1 at the same positions when the input is corrupted as in training
	// (80% [MASK], 10% a random token, 10% unchanged), by kind of position, and over all of them:
	// what scoring with the training-time corruption would have measured.
	ByKind []KindAccuracy
	// NSP is the next-sentence accuracy on held-out pairs, about half of them real, with the random
	// B's drawn from several places (see Pretrained.Evaluate); the first, both halves held out, is
	// the asserted one (NSPHeldOut).
	NSP   NSPSources
	Pairs int // sentence pairs evaluated for each source of random B's.
}

// TopK is an accuracy at the masked positions: the answer is the first guess (Top1) or among the
// first five (Top5).
type TopK struct{ Top1, Top5 float64 }

// KindAccuracy is MLM top-1 accuracy at one kind of position of the training-time corruption.
type KindAccuracy struct {
	Kind     string // "[MASK]", "random token", "unchanged", "all".
	Count    int
	Accuracy float64
}

// Ratio returns MLM top-1 over the unigram baseline's at held-out [MASK] positions: the asserted
// MLM number.
func (e PretrainEval) Ratio() float64 { return e.MLM.Top1 / e.Unigram.Top1 }

// BigramRatio returns MLM top-1 over the bigram-context baseline's.
func (e PretrainEval) BigramRatio() float64 { return e.MLM.Top1 / e.Bigram.Top1 }

// NSPHeldOut returns the next-sentence accuracy on held-out pairs whose A and B (real or random)
// both come from held-out text: the asserted NSP number.
func (e PretrainEval) NSPHeldOut() float64 { return e.NSP[0].Accuracy }

// NSPSource is how NSP does on held-out pairs when every random B comes from one part of the corpus.
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
		fmt.Fprintf(&b, "random B from %-40s NSP %.3f: random B rejected %.3f, real B accepted %.3f\n",
			s.From, s.Accuracy, s.RandomRejected, s.RealAccepted)
	}
	return b.String()
}

// String returns the MLM table: model and baselines, top-1 and top-5.
func (e PretrainEval) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "held-out MLM, every chosen position [MASK] (%d positions):  top-1   top-5\n", e.Masked)
	for _, r := range []struct {
		name string
		k    TopK
	}{{"BERT-mini", e.MLM}, {fmt.Sprintf("unigram baseline (%q first)", e.UnigramTok), e.Unigram}, {"bigram-context baseline", e.Bigram}} {
		fmt.Fprintf(&b, "  %-56s %.3f   %.3f\n", r.name, r.k.Top1, r.k.Top5)
	}
	fmt.Fprintf(&b, "  top-1 %.2f× the unigram baseline's, %.2f× the bigram baseline's\n", e.Ratio(), e.BigramRatio())
	return b.String()
}

// KindTable returns MLM top-1 at the same held-out positions with the training-time corruption
// kept, by kind of position (ByKind).
func (e PretrainEval) KindTable() string {
	var b strings.Builder
	b.WriteString("the same positions corrupted as in training (80/10/10), top-1 by kind of position:\n")
	for _, k := range e.ByKind {
		fmt.Fprintf(&b, "  %-14s %5d positions  %.3f\n", k.Kind, k.Count, k.Accuracy)
	}
	return b.String()
}

// predictExec compiles the pre-trained model for inference: inputs tokens, segments [B, L] and
// positions [B, P] (int32); outputs MLM logits [B, P, V], NSP logits [B, 2] and the attention
// weights of every layer [B, heads, L, L].
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

// Evaluate measures, on cfg.EvalBatches batches of held-out pairs (A and B, real or random, both
// from the held-out text), MLM top-1 and top-5 with every chosen position [MASK]ed against the
// unigram and bigram-context baselines, MLM top-1 by kind of position under the training-time
// corruption, and NSP (NSPHeldOut). For comparison it measures NSP again with the random B's
// drawn from the held-out text of A's own document only (where the subject rarely gives a random
// B away) and from anywhere in the corpus, training text included, as pre-training draws them.
// Each pass draws its own fixed random stream, so the numbers are the same on every call.
func (p *Pretrained) Evaluate() (PretrainEval, error) {
	var ev PretrainEval
	exec, err := p.predictExec()
	if err != nil {
		return ev, err
	}
	defer exec.Finalize()
	counts := p.trainCounts()
	uni := counts.unigramTop(5)
	ev.UnigramTok = p.Vocab.Tokens[uni[0]]
	v := p.Config.Model.Vocab
	var mlm, unigram, bigram TopK
	kinds := map[string]*KindAccuracy{}
	order := []string{"[MASK]", "random token", "unchanged", "all"}
	for _, k := range order {
		kinds[k] = &KindAccuracy{Kind: k}
	}
	score := func(k *TopK, guesses []int, target int) {
		for i, g := range guesses {
			if g == target {
				if i == 0 {
					k.Top1++
				}
				k.Top5++
				return
			}
		}
	}
	held, err := p.evalPass(exec, p.test, 0, func(e, masked Example, corrupted, clean []float32) {
		for k, w := range e.Weights {
			if w == 0 {
				continue
			}
			ev.Masked++
			t := e.Targets[k]
			score(&mlm, topK(clean[k*v:(k+1)*v], 5), t)
			score(&unigram, uni, t)
			score(&bigram, counts.bigramTop(masked.Tokens, e.Positions[k], 5), t)
			kind := "[MASK]"
			switch tok := e.Tokens[e.Positions[k]]; {
			case tok == t:
				kind = "unchanged"
			case tok != MASK:
				kind = "random token"
			}
			hit := argmax(corrupted[k*v:(k+1)*v]) == t
			for _, kk := range []string{kind, "all"} {
				kinds[kk].Count++
				if hit {
					kinds[kk].Accuracy++
				}
			}
		}
	})
	if err != nil {
		return ev, err
	}
	n := float64(max(1, ev.Masked))
	for _, k := range []*TopK{&mlm, &unigram, &bigram} {
		k.Top1, k.Top5 = k.Top1/n, k.Top5/n
	}
	ev.MLM, ev.Unigram, ev.Bigram = mlm, unigram, bigram
	for _, k := range order {
		ka := *kinds[k]
		ka.Accuracy /= float64(max(1, ka.Count))
		ev.ByKind = append(ev.ByKind, ka)
	}
	ev.NSP = NSPSources{held.source("the held-out text (asserted)")}
	within := p.test.withinSource()
	if len(within.splits) > 0 {
		c, err := p.evalPass(exec, within, 2, nil)
		if err != nil {
			return ev, err
		}
		ev.NSP = append(ev.NSP, c.source("the held-out text of A's own document"))
	}
	anywhere := p.test.withRandomFrom(append(append([][]int(nil), p.test.flat...), p.train.flat...))
	c, err := p.evalPass(exec, anywhere, 1, nil)
	if err != nil {
		return ev, err
	}
	ev.NSP = append(ev.NSP, c.source("anywhere in the corpus (as in pre-training)"))
	ev.Pairs = p.Config.EvalBatches * p.Config.Batch
	return ev, nil
}

// heldOutPoint measures the model as it stands, as Evaluate does on the held-out text (the same
// pairs, the same random stream): the top-1 accuracy at [MASK]-only positions and NSP with A and B
// held out. One point of the held-out curve (Config.CurveEvery).
func (p *Pretrained) heldOutPoint(exec *context.Exec) (mlmTop1, nsp float64, err error) {
	v := p.Config.Model.Vocab
	hits, n := 0, 0
	c, err := p.evalPass(exec, p.test, 0, func(e, _ Example, _, clean []float32) {
		for k, w := range e.Weights {
			if w == 0 {
				continue
			}
			n++
			if topK(clean[k*v:(k+1)*v], 5)[0] == e.Targets[k] { // as Evaluate scores top-1.
				hits++
			}
		}
	})
	if err != nil {
		return 0, 0, err
	}
	return float64(hits) / float64(max(1, n)), c.source("").Accuracy, nil
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
// the model on them as pre-training corrupts them and counts its NSP decisions there; see, if not
// nil, also gets the model run on the same examples with every chosen position [MASK]ed: each
// example, corrupted and all-masked, with the MLM logits [P·V] of both inputs.
func (p *Pretrained) evalPass(exec *context.Exec, corpus *encodedCorpus, stream uint64, see func(e, masked Example, corrupted, clean []float32)) (nspCounts, error) {
	var c nspCounts
	m := p.Config.Model
	cont := p.cont()
	rng := rand.New(rand.NewPCG(p.Config.Seed, 1<<40+stream))
	run := func(exs []Example) (mlm, nsp []float32, err error) {
		in, _ := batchTensors(exs)
		out, err := exec.Exec(in[0], in[1], in[2])
		if err != nil {
			return nil, nil, fmt.Errorf("bert: evaluate: %w", err)
		}
		mlm, nsp = tensors.MustCopyFlatData[float32](out[0]), tensors.MustCopyFlatData[float32](out[1])
		for _, t := range out {
			t.FinalizeAll()
		}
		return mlm, nsp, nil
	}
	for range p.Config.EvalBatches {
		exs := make([]Example, p.Config.Batch)
		for i := range exs {
			exs[i] = corpus.pretrainExample(rng, m, p.Config.MaxPred, evalMaskRate, cont)
		}
		mlm, ns, err := run(exs)
		if err != nil {
			return c, err
		}
		if see != nil {
			masked := make([]Example, len(exs))
			for i, e := range exs {
				masked[i] = e.allMasked()
			}
			clean, _, err := run(masked)
			if err != nil {
				return c, err
			}
			w := p.Config.MaxPred * m.Vocab
			for i, e := range exs {
				see(e, masked[i], mlm[i*w:(i+1)*w], clean[i*w:(i+1)*w])
			}
		}
		for i, e := range exs {
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
func (p *Pretrained) mostFrequentToken() int { return p.trainCounts().unigramTop(1)[0] }

// topK returns the indices of the k largest of xs, largest first.
func topK(xs []float32, k int) []int {
	best := make([]int, 0, k+1)
	for i, x := range xs {
		j := len(best)
		for j > 0 && x > xs[best[j-1]] {
			j--
		}
		if j < k {
			best = append(best, 0)
			copy(best[j+1:], best[j:])
			best[j] = i
			if len(best) > k {
				best = best[:k]
			}
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
		flat := tensors.MustCopyFlatData[float32](a) // [1, heads, L, L]
		layer := make([][][]float64, m.Heads)
		for h := range m.Heads {
			layer[h] = make([][]float64, n)
			for q := range n {
				layer[h][q] = make([]float64, n)
				for kk := range n {
					layer[h][q][kk] = float64(flat[(h*m.SeqLen+q)*m.SeqLen+kk])
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
