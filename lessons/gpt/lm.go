package gpt

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strings"

	"github.com/gomlx/gomlx/pkg/core/tensors"

	"github.com/dl4go/dl4go/data/text"
	"github.com/dl4go/dl4go/gomlxext"
)

// Corpus is the language model's text: Opticks cut into a training part and the held-out end of
// the book, and both encoded with a BPE learned from the training part only.
type Corpus struct {
	BPE         *BPE
	Train, Test []int  // token ids
	TrainText   string // the training part, paragraphs separated by newlines
	TestText    string
}

// joinCorpus writes a corpus back as text: its sentences separated by spaces, its documents
// (paragraphs) by newlines.
func joinCorpus(c *text.Corpus) string {
	var b strings.Builder
	for _, d := range c.Documents {
		b.WriteString(strings.Join(d.Sentences, " "))
		b.WriteByte('\n')
	}
	return b.String()
}

// LoadCorpus reads Opticks, holds out the last heldOut of its paragraphs (the end of the book:
// text the model never reads, not sentences scattered among the ones it trains on) and learns a
// BPE of vocab tokens from the rest.
func LoadCorpus(heldOut float64, vocab int) (*Corpus, error) {
	book, err := text.Opticks()
	if err != nil {
		return nil, fmt.Errorf("gpt: %w", err)
	}
	tr, te := book.Split(heldOut)
	c := &Corpus{TrainText: joinCorpus(tr), TestText: joinCorpus(te)}
	if c.BPE, err = LearnBPE(c.TrainText, vocab); err != nil {
		return nil, err
	}
	c.Train, c.Test = c.BPE.Encode(c.TrainText), c.BPE.Encode(c.TestText)
	if len(c.Test) < 2 {
		return nil, fmt.Errorf("gpt: held-out share %g leaves no held-out text", heldOut)
	}
	return c, nil
}

// windows is the language model's training stream: random windows of SeqLen+1 (l+1) tokens of the
// training text (the input and, shifted by one, the next tokens); the batch of step s depends
// only on s (a gomlxext.Seeker), so a resumed run sees the batches an uninterrupted one would.
func windows(ids []int, l, batch int, seed uint64) *gomlxext.StepBatches {
	return gomlxext.NewStepBatches("opticks", func(step int64) ([]*tensors.Tensor, []*tensors.Tensor, error) {
		rng := rand.New(rand.NewPCG(seed, uint64(step)))
		in, next := make([]int32, batch*l), make([]int32, batch*l)
		for b := range batch {
			s := rng.IntN(len(ids) - l)
			for j := range l {
				in[b*l+j], next[b*l+j] = int32(ids[s+j]), int32(ids[s+j+1])
			}
		}
		return []*tensors.Tensor{tensors.FromFlatDataAndDimensions(in, batch, l)},
			[]*tensors.Tensor{tensors.FromFlatDataAndDimensions(next, batch, l, 1)}, nil
	})
}

// Perplexity returns the model's perplexity on ids[1:], exp of the mean of −log p(token | the
// tokens before it): the text is cut into windows of SeqLen+1 tokens that overlap by one, and
// each token is predicted from the ones before it in its window (at least one), as the bigram
// baseline predicts it from the one before. limit > 0 scores only the first limit windows (the
// probe while training).
func (t *Trained) Perplexity(ids []int, limit int) (float64, error) {
	l, v := t.Model.SeqLen, t.Model.Vocab
	var starts []int
	for s := 0; s+1 < len(ids); s += l {
		starts = append(starts, s)
	}
	if limit > 0 && len(starts) > limit {
		starts = starts[:limit]
	}
	const batch = 32
	sum, n := 0.0, 0
	for b0 := 0; b0 < len(starts); b0 += batch {
		in := make([]int32, batch*l)
		rows := starts[b0:min(b0+batch, len(starts))]
		for r, s := range rows {
			for j := 0; j < l && s+j < len(ids); j++ {
				in[r*l+j] = int32(ids[s+j])
			}
		}
		lp, err := t.logProbs(batch, in)
		if err != nil {
			return 0, err
		}
		for r, s := range rows {
			for j := 0; j < l && s+j+1 < len(ids); j++ {
				sum -= float64(lp[(r*l+j)*v+ids[s+j+1]])
				n++
			}
		}
	}
	return math.Exp(sum / float64(n)), nil
}

// Sampler says how the next token is chosen from the model's distribution p (logits z):
//   - Greedy: the most probable token;
//   - Temperature T: p_T(w) ∝ exp(z_w / T) — below 1 sharper (towards greedy), above 1 flatter;
//   - TopK k > 0: only the k most probable tokens, renormalised;
//   - TopP p in (0, 1): nucleus sampling, only the smallest set of most probable tokens whose
//     probability adds up to at least p, renormalised.
//
// Temperature is applied first, then the cuts; 0 or 1 leave them out.
type Sampler struct {
	Greedy      bool
	Temperature float64
	TopK        int
	TopP        float64
}

// String names the sampler, e.g. "T=0.8, top-p 0.9".
func (s Sampler) String() string {
	if s.Greedy {
		return "greedy"
	}
	parts := []string{fmt.Sprintf("T=%g", s.temperature())}
	if s.TopK > 0 {
		parts = append(parts, fmt.Sprintf("top-k %d", s.TopK))
	}
	if s.TopP > 0 && s.TopP < 1 {
		parts = append(parts, fmt.Sprintf("top-p %g", s.TopP))
	}
	return strings.Join(parts, ", ")
}

func (s Sampler) temperature() float64 {
	if s.Temperature <= 0 {
		return 1
	}
	return s.Temperature
}

// Distribution returns the probabilities the sampler draws from, given the model's
// log-probabilities logp: after temperature, top-k and top-p, renormalised; kept is the number of
// tokens left and mass the model's own probability (at T=1) of those tokens.
func (s Sampler) Distribution(logp []float64) (p []float64, kept int, mass float64) {
	p = make([]float64, len(logp))
	order := make([]int, len(logp))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return logp[order[a]] > logp[order[b]] })
	if s.Greedy {
		p[order[0]] = 1
		return p, 1, math.Exp(logp[order[0]])
	}
	t := s.temperature()
	hi := logp[order[0]] / t
	sum := 0.0
	for i, l := range logp {
		p[i] = math.Exp(l/t - hi)
		sum += p[i]
	}
	for i := range p {
		p[i] /= sum
	}
	keep := len(p)
	if s.TopK > 0 && s.TopK < keep {
		keep = s.TopK
	}
	if s.TopP > 0 && s.TopP < 1 {
		acc := 0.0
		for i, id := range order[:keep] {
			acc += p[id]
			if acc >= s.TopP {
				keep = i + 1
				break
			}
		}
	}
	sum = 0
	for _, id := range order[:keep] {
		sum += p[id]
		mass += math.Exp(logp[id])
	}
	for _, id := range order[keep:] {
		p[id] = 0
	}
	for _, id := range order[:keep] {
		p[id] /= sum
	}
	return p, keep, mass
}

// draw picks a token from p with rng.
func draw(p []float64, rng *rand.Rand) int {
	u, acc := rng.Float64(), 0.0
	for i, x := range p {
		acc += x
		if u < acc {
			return i
		}
	}
	for i := len(p) - 1; i >= 0; i-- {
		if p[i] > 0 {
			return i
		}
	}
	return 0
}

// Generate continues prompt by n tokens chosen by s (seeded), one at a time: each new token is
// appended and the model reads the (last SeqLen tokens of the) text again.
func (t *Trained) Generate(bpe *BPE, prompt string, n int, s Sampler, seed uint64) (string, error) {
	ids := bpe.Encode(prompt)
	if len(ids) == 0 {
		return "", fmt.Errorf("gpt: an empty prompt: give the model a few words to continue")
	}
	rng := rand.New(rand.NewPCG(seed, 0x6e7))
	start := len(ids)
	for range n {
		lp, err := t.NextLogProbs([][]int{ids})
		if err != nil {
			return "", err
		}
		p, _, _ := s.Distribution(lp[0])
		ids = append(ids, draw(p, rng))
	}
	return bpe.Decode(ids[start:])
}
