package bert

import (
	"math"
	"math/rand/v2"

	"github.com/dl4go/dl4go/data/text"
)

// splitSections groups the book's paragraphs, in order, into sections of at least n sentences
// (a few pages each): the "documents" of BERT's NSP, from which a random B is drawn. The last
// heldOut fraction of the sections (the end of the book) is held out for evaluation. With n 0
// every paragraph is a document (text.Corpus.Split).
func splitSections(book *text.Corpus, n int, heldOut float64) (train, test *text.Corpus) {
	if n <= 0 {
		return book.Split(heldOut)
	}
	var sections []text.Document
	var cur text.Document
	for _, d := range book.Documents {
		cur.Sentences = append(cur.Sentences, d.Sentences...)
		if len(cur.Sentences) >= n {
			sections, cur = append(sections, cur), text.Document{}
		}
	}
	if len(cur.Sentences) > 0 {
		sections = append(sections, cur)
	}
	return (&text.Corpus{Name: book.Name, Documents: sections}).Split(heldOut)
}

// encodedCorpus is a corpus as WordPiece ids: docs[d][s] is sentence s of document d.
type encodedCorpus struct {
	docs [][][]int
	// flat[d] is document d as one token stream; splits lists (document, position) of every
	// point where a document can be cut into a span A before and a span B after.
	flat   [][]int
	splits [][2]int
	// randomFrom are the documents a random B comes from, never A's own; nil means flat's. For
	// the held-out text it is the whole book, so that held-out pairs are drawn as pre-training
	// draws them (see withRandomFrom).
	randomFrom [][]int
}

// withRandomFrom returns e with docs as the documents random B's come from (e is unchanged).
func (e *encodedCorpus) withRandomFrom(docs [][]int) *encodedCorpus {
	c := *e
	c.randomFrom = docs
	return &c
}

// sameDoc reports whether a and b are the same document (the same backing array).
func sameDoc(a, b []int) bool { return len(a) > 0 && len(b) > 0 && &a[0] == &b[0] }

// minSpan is the fewest tokens of A and of B around a split point.
const minSpan = 4

func encodeCorpus(c *text.Corpus, v *Vocab) *encodedCorpus {
	var docs [][][]int
	for _, d := range c.Documents {
		var doc [][]int
		for _, s := range d.Sentences {
			if ids := v.Encode(s); len(ids) > 0 {
				doc = append(doc, ids)
			}
		}
		docs = append(docs, doc)
	}
	return newEncodedCorpus(docs)
}

// newEncodedCorpus indexes docs (documents of sentences of token ids) for sampling.
func newEncodedCorpus(docs [][][]int) *encodedCorpus {
	e := &encodedCorpus{}
	for _, doc := range docs {
		if len(doc) == 0 {
			continue
		}
		var flat []int
		for _, s := range doc {
			flat = append(flat, s...)
		}
		for p := minSpan; p+minSpan <= len(flat); p++ {
			e.splits = append(e.splits, [2]int{len(e.docs), p})
		}
		e.docs = append(e.docs, doc)
		e.flat = append(e.flat, flat)
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

// spanPair builds an NSP pair from split point i: A is the text just before it (up to half of
// the L−3 token budget); with probability ½ B is the text just after it, otherwise text from a
// random position of another document (of randomFrom). As in BERT, A and B are spans of text
// ("sentences" in the paper's loose sense): both may start or end mid-sentence, so only the
// content tells whether B continues A.
func (e *encodedCorpus) spanPair(rng *rand.Rand, i, seqLen int) (a, b []int, isNext int) {
	sp := e.splits[i]
	doc := e.flat[sp[0]]
	budget := seqLen - 3
	a = doc[max(0, sp[1]-budget/2):sp[1]]
	b = doc[sp[1]:min(len(doc), sp[1]+budget-len(a))]
	if rng.IntN(2) == 0 {
		return a, b, 1
	}
	pool := e.randomFrom
	if pool == nil {
		pool = e.flat
	}
	d := rng.IntN(len(pool))
	for (sameDoc(pool[d], doc) || len(pool[d]) < minSpan) && len(pool) > 1 {
		d = rng.IntN(len(pool))
	}
	// The random B is as long as the real one: its length tells nothing.
	other := pool[d]
	start := rng.IntN(max(1, len(other)-len(b)+1))
	return a, other[start:min(len(other), start+len(b))], 0
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
	a, b, isNext := e.spanPair(rng, rng.IntN(len(e.splits)), m.SeqLen)
	var ex Example
	ex.Tokens, ex.Segments = pack(a, b, m.SeqLen)
	ex.IsNext = isNext
	maskTokens(rng, &ex, m.Vocab, maxPred)
	return ex
}

func exp(x float64) float64 { return math.Exp(x) }
