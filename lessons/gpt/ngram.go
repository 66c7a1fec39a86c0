package gpt

import (
	"fmt"
	"math"
)

// Unigram is the baseline that ignores context: p(w) = (count(w) + 1) / (N + V), the token
// frequencies of the training text with add-one (Laplace) smoothing, so that a token never seen
// still gets a little probability.
type Unigram struct {
	logp []float64
}

// NewUnigram counts the tokens of train (ids < vocab).
func NewUnigram(train []int, vocab int) (*Unigram, error) {
	counts := make([]float64, vocab)
	for _, id := range train {
		if id < 0 || id >= vocab {
			return nil, fmt.Errorf("gpt: unigram: token id %d outside the vocabulary of %d", id, vocab)
		}
		counts[id]++
	}
	u := &Unigram{logp: make([]float64, vocab)}
	for i, c := range counts {
		u.logp[i] = math.Log((c + 1) / (float64(len(train)) + float64(vocab)))
	}
	return u, nil
}

// LogProb is log p(w).
func (u *Unigram) LogProb(w int) float64 { return u.logp[w] }

// Bigram is the baseline with one token of context: an interpolated Kneser–Ney bigram model
// (Chen & Goodman's formulation, with the discount D = n₁/(n₁ + 2n₂) from the counts of
// bigrams seen once and twice):
//
//	p(w | v) = max(c(v,w) − D, 0)/c(v) + D·N₁₊(v•)/c(v) · p_cont(w)
//	p_cont(w) = max(N₁₊(•w) − D, 0)/N₁₊(••) + D·|{w : N₁₊(•w) > 0}|/N₁₊(••) · 1/V
//
// where N₁₊(v•) is the number of different tokens seen after v and N₁₊(•w) the number seen
// before w: a token that follows many different tokens is a likely continuation of a new
// context ("Francisco" is frequent but follows only "San"). A context never seen uses p_cont.
// Every setting comes from the training text; nothing is tuned on held-out data.
type Bigram struct {
	vocab     int
	d         float64
	pairs     map[[2]int]float64 // c(v, w)
	context   []float64          // c(v) as a context
	follow    []float64          // N₁₊(v•)
	pcont     []float64          // p_cont(w)
	Discount  float64            // D
	SeenPairs int                // distinct bigrams in the training text
}

// NewBigram counts the bigrams of train (ids < vocab).
func NewBigram(train []int, vocab int) (*Bigram, error) {
	b := &Bigram{vocab: vocab, pairs: map[[2]int]float64{}, context: make([]float64, vocab), follow: make([]float64, vocab), pcont: make([]float64, vocab)}
	for i, id := range train {
		if id < 0 || id >= vocab {
			return nil, fmt.Errorf("gpt: bigram: token id %d outside the vocabulary of %d", id, vocab)
		}
		if i > 0 {
			b.pairs[[2]int{train[i-1], id}]++
		}
	}
	if len(b.pairs) == 0 {
		return nil, fmt.Errorf("gpt: bigram: the training text has fewer than 2 tokens")
	}
	n1, n2 := 0.0, 0.0
	precede := make([]float64, vocab) // N₁₊(•w)
	for p, c := range b.pairs {
		b.context[p[0]] += c
		b.follow[p[0]]++
		precede[p[1]]++
		switch c {
		case 1:
			n1++
		case 2:
			n2++
		}
	}
	b.d = 0.75
	if n1+2*n2 > 0 {
		b.d = n1 / (n1 + 2*n2)
	}
	b.Discount, b.SeenPairs = b.d, len(b.pairs)
	total, types := float64(len(b.pairs)), 0.0 // N₁₊(••) and |{w : N₁₊(•w) > 0}|
	for _, n := range precede {
		if n > 0 {
			types++
		}
	}
	for w, n := range precede {
		b.pcont[w] = math.Max(n-b.d, 0)/total + b.d*types/total/float64(vocab)
	}
	return b, nil
}

// LogProb is log p(w | v).
func (b *Bigram) LogProb(v, w int) float64 {
	cv := b.context[v]
	if cv == 0 {
		return math.Log(b.pcont[w])
	}
	return math.Log(math.Max(b.pairs[[2]int{v, w}]-b.d, 0)/cv + b.d*b.follow[v]/cv*b.pcont[w])
}

// Perplexity returns exp of the mean negative log-probability of ids[from:] (each given the
// token before it, for the bigram): the held-out measure of a language model, the number of
// equally likely tokens it is as unsure as.
func (b *Bigram) Perplexity(ids []int, from int) float64 {
	s, n := 0.0, 0
	for i := max(from, 1); i < len(ids); i++ {
		s -= b.LogProb(ids[i-1], ids[i])
		n++
	}
	return math.Exp(s / float64(n))
}

// Perplexity returns exp of the mean negative log-probability of ids[from:].
func (u *Unigram) Perplexity(ids []int, from int) float64 {
	s, n := 0.0, 0
	for i := from; i < len(ids); i++ {
		s -= u.LogProb(ids[i])
		n++
	}
	return math.Exp(s / float64(n))
}
