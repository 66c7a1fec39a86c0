package bert

import (
	"math"
	"math/rand/v2"

	"github.com/dl4go/dl4go/data/text"
)

// encodedCorpus is a corpus as WordPiece ids: docs[d][s] is sentence s of document d.
type encodedCorpus struct {
	docs [][][]int
	// pairs lists (document, sentence) indices of every sentence that has a next sentence.
	pairs [][2]int
}

func encodeCorpus(c *text.Corpus, v *Vocab) *encodedCorpus {
	e := &encodedCorpus{}
	for _, d := range c.Documents {
		var doc [][]int
		for _, s := range d.Sentences {
			if ids := v.Encode(s); len(ids) > 0 {
				doc = append(doc, ids)
			}
		}
		if len(doc) == 0 {
			continue
		}
		for s := 0; s+1 < len(doc); s++ {
			e.pairs = append(e.pairs, [2]int{len(e.docs), s})
		}
		e.docs = append(e.docs, doc)
	}
	return e
}

// Example is one pre-training input: tokens "[CLS] A [SEP] B [SEP] [PAD]…" with some tokens
// masked, and what MLM and NSP must predict.
type Example struct {
	Tokens    []int // [L]: the input, after masking.
	Segments  []int // [L]: 0 for [CLS], A and its [SEP]; 1 for B and its [SEP].
	Positions []int // [P]: positions chosen for MLM (padded with 0).
	Targets   []int // [P]: the original tokens there.
	Weights   []float32
	IsNext    int // 1 when B is the sentence that follows A in the book, 0 when random.
}

// pairExample builds an NSP pair starting at pair index i: with probability ½ B is the sentence
// after A, otherwise a sentence from another document. A keeps its end and B its start, so that
// both fit in seqLen (L−3 tokens together).
func (e *encodedCorpus) pairExample(rng *rand.Rand, i, seqLen int) (a, b []int, isNext int) {
	p := e.pairs[i]
	a = e.docs[p[0]][p[1]]
	if rng.IntN(2) == 0 {
		b, isNext = e.docs[p[0]][p[1]+1], 1
	} else {
		d := rng.IntN(len(e.docs))
		for d == p[0] && len(e.docs) > 1 {
			d = rng.IntN(len(e.docs))
		}
		b = e.docs[d][rng.IntN(len(e.docs[d]))]
	}
	budget := seqLen - 3
	na := min(len(a), max(budget/2, budget-len(b)))
	nb := min(len(b), budget-na)
	return a[len(a)-na:], b[:nb], isNext
}

// pack lays out [CLS] a [SEP] b [SEP] and pads to seqLen; b may be nil (a single segment).
func pack(a, b []int, seqLen int) (tokens, segments []int) {
	tokens = make([]int, seqLen)
	segments = make([]int, seqLen)
	i := 0
	put := func(t, s int) {
		if i < seqLen {
			tokens[i], segments[i] = t, s
			i++
		}
	}
	put(CLS, 0)
	for _, t := range a {
		put(t, 0)
	}
	put(SEP, 0)
	if b != nil {
		for _, t := range b {
			put(t, 1)
		}
		put(SEP, 1)
	}
	return tokens, segments
}

// maskTokens chooses 15% of the real tokens (at most maxPred, at least 1) for MLM and replaces
// each by [MASK] 80% of the time, by a random token 10%, and leaves it unchanged 10%.
func maskTokens(rng *rand.Rand, ex *Example, vocab, maxPred int) {
	var cand []int
	for i, t := range ex.Tokens {
		if t > MASK {
			cand = append(cand, i)
		}
	}
	rng.Shuffle(len(cand), func(i, j int) { cand[i], cand[j] = cand[j], cand[i] })
	n := min(maxPred, max(1, int(0.15*float64(len(cand))+0.5)), len(cand))
	ex.Positions = make([]int, maxPred)
	ex.Targets = make([]int, maxPred)
	ex.Weights = make([]float32, maxPred)
	for k := range n {
		pos := cand[k]
		ex.Positions[k], ex.Targets[k], ex.Weights[k] = pos, ex.Tokens[pos], 1
		switch r := rng.Float64(); {
		case r < 0.8:
			ex.Tokens[pos] = MASK
		case r < 0.9:
			ex.Tokens[pos] = MASK + 1 + rng.IntN(vocab-MASK-1)
		}
	}
}

// pretrainExample draws one MLM+NSP example.
func (e *encodedCorpus) pretrainExample(rng *rand.Rand, m Model, maxPred int) Example {
	a, b, isNext := e.pairExample(rng, rng.IntN(len(e.pairs)), m.SeqLen)
	var ex Example
	ex.Tokens, ex.Segments = pack(a, b, m.SeqLen)
	ex.IsNext = isNext
	maskTokens(rng, &ex, m.Vocab, maxPred)
	return ex
}

func exp(x float64) float64 { return math.Exp(x) }
