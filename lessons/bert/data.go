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

// encodedCorpus is a corpus as WordPiece ids: docs[d][s] is sentence s of document (section) d.
type encodedCorpus struct {
	docs [][][]int
	// source[d] is the index in sources of the document section d comes from.
	source  []int
	sources []string
	// flat[d] is section d as one token stream; splits lists (section, position) of every point
	// where a section can be cut into a span A before and a span B after.
	flat   [][]int
	splits [][2]int
	// randomFrom are the sections a random B comes from, never A's own; nil means flat's. For
	// the held-out text's comparison passes it is another part of the corpus (see withRandomFrom).
	randomFrom [][]int
	// sameSource draws a random B from the sections of A's own document only.
	sameSource bool
}

// withRandomFrom returns e with docs as the sections random B's come from (e is unchanged).
func (e *encodedCorpus) withRandomFrom(docs [][]int) *encodedCorpus {
	c := *e
	c.randomFrom = docs
	return &c
}

// withinSource returns e restricted to the documents that have at least two sections, each random
// B drawn from A's own document (e is unchanged).
func (e *encodedCorpus) withinSource() *encodedCorpus {
	count := map[int]int{}
	for _, s := range e.source {
		count[s]++
	}
	var docs [][][]int
	var src []int
	for d, doc := range e.docs {
		if count[e.source[d]] >= 2 {
			docs, src = append(docs, doc), append(src, e.source[d])
		}
	}
	c := newEncodedCorpus(docs, src, e.sources)
	c.sameSource = true
	return c
}

// sameDoc reports whether a and b are the same document (the same backing array).
func sameDoc(a, b []int) bool { return len(a) > 0 && len(b) > 0 && &a[0] == &b[0] }

// minSpan is the fewest tokens of A and of B around a split point.
const minSpan = 4

// encodeCorpus encodes sections with v, remembering each section's document.
func encodeCorpus(sections []Section, v *Vocab) *encodedCorpus {
	var docs [][][]int
	var src []int
	var names []string
	index := map[string]int{}
	for _, sec := range sections {
		var doc [][]int
		for _, s := range sec.Sentences {
			if ids := v.Encode(s); len(ids) > 0 {
				doc = append(doc, ids)
			}
		}
		i, ok := index[sec.Doc]
		if !ok {
			i = len(names)
			index[sec.Doc], names = i, append(names, sec.Doc)
		}
		docs, src = append(docs, doc), append(src, i)
	}
	return newEncodedCorpus(docs, src, names)
}

// newEncodedCorpus indexes docs (sections of sentences of token ids; source[d] the index in
// sources of section d's document, or nil for one document) for sampling.
func newEncodedCorpus(docs [][][]int, source []int, sources []string) *encodedCorpus {
	e := &encodedCorpus{sources: sources}
	for d, doc := range docs {
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
		if source != nil {
			e.source = append(e.source, source[d])
		} else {
			e.source = append(e.source, 0)
		}
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
// random position of another section (of randomFrom; of A's document only with sameSource),
// chosen in proportion to its length, so that a random B is a random passage of the text, as in
// BERT ("a random sentence from the corpus"). As in BERT, A and B are spans of text ("sentences" in
// the paper's loose sense): both may start or end mid-sentence, so only the content tells whether
// B continues A.
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
	if e.sameSource {
		var own [][]int
		for d, f := range e.flat {
			if e.source[d] == e.source[sp[0]] {
				own = append(own, f)
			}
		}
		pool = own
	}
	total := 0
	for _, f := range pool {
		if !sameDoc(f, doc) && len(f) >= minSpan {
			total += len(f)
		}
	}
	var other []int
	if total == 0 { // no other section: a passage of A's own section, as far from A as it goes.
		other = doc[:max(0, sp[1]-len(a))]
		if len(other) < minSpan {
			other = doc[min(len(doc), sp[1]+len(b)):]
		}
	} else {
		r := rng.IntN(total)
		for _, f := range pool {
			if sameDoc(f, doc) || len(f) < minSpan {
				continue
			}
			if r < len(f) {
				other = f
				break
			}
			r -= len(f)
		}
	}
	// The random B is as long as the real one: its length tells nothing.
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

// evalMaskRate is the share of the tokens chosen for MLM at evaluation, and in pre-training
// unless Config.MaskRate says otherwise: BERT's 15%.
const evalMaskRate = 0.15

// maskTokens chooses a share rate of the real tokens (at most maxPred, at least 1) for MLM and replaces
// each by [MASK] 80% of the time, by a random token 10%, and leaves it unchanged 10% (decided
// token by token). With cont (cont[id]: the token continues a word, "##…"), whole words are chosen
// (whole-word masking, as the report's cl-tohoku/bert-base-japanese-whole-word-masking): every
// piece of a chosen word, until that share of the tokens is chosen; a word that no longer fits is skipped.
func maskTokens(rng *rand.Rand, ex *Example, vocab, maxPred int, rate float64, cont []bool) {
	var words [][]int // positions of each word's pieces (one piece each without cont).
	for i, t := range ex.Tokens {
		if t <= MASK {
			continue
		}
		if cont != nil && t < len(cont) && cont[t] && len(words) > 0 && words[len(words)-1][len(words[len(words)-1])-1] == i-1 {
			words[len(words)-1] = append(words[len(words)-1], i)
			continue
		}
		words = append(words, []int{i})
	}
	real := 0
	for _, w := range words {
		real += len(w)
	}
	rng.Shuffle(len(words), func(i, j int) { words[i], words[j] = words[j], words[i] })
	n := min(maxPred, max(1, int(rate*float64(real)+0.5)), real)
	ex.Positions = make([]int, maxPred)
	ex.Targets = make([]int, maxPred)
	ex.Weights = make([]float32, maxPred)
	k := 0
	for _, w := range words {
		if k >= n {
			break
		}
		if k+len(w) > n {
			continue
		}
		for _, pos := range w {
			ex.Positions[k], ex.Targets[k], ex.Weights[k] = pos, ex.Tokens[pos], 1
			k++
			switch r := rng.Float64(); {
			case r < 0.8:
				ex.Tokens[pos] = MASK
			case r < 0.9:
				ex.Tokens[pos] = MASK + 1 + rng.IntN(vocab-MASK-1)
			}
		}
	}
}

// allMasked returns a copy of ex with every chosen position replaced by [MASK]: the evaluation
// input, where no scored position shows its answer (the 80/10/10 rule is a training-time trick).
func (ex Example) allMasked() Example {
	c := ex
	c.Tokens = append([]int(nil), ex.Tokens...)
	for k, w := range ex.Weights {
		if w != 0 {
			c.Tokens[ex.Positions[k]] = MASK
		}
	}
	return c
}

// pretrainExample draws one MLM+NSP example; maxPred, rate and cont as in maskTokens.
func (e *encodedCorpus) pretrainExample(rng *rand.Rand, m Model, maxPred int, rate float64, cont []bool) Example {
	a, b, isNext := e.spanPair(rng, rng.IntN(len(e.splits)), m.SeqLen)
	var ex Example
	ex.Tokens, ex.Segments = pack(a, b, m.SeqLen)
	ex.IsNext = isNext
	maskTokens(rng, &ex, m.Vocab, maxPred, rate, cont)
	return ex
}

func exp(x float64) float64 { return math.Exp(x) }
