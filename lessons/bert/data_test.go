package bert

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"

	"github.com/dl4go/dl4go/data/text"
	"github.com/dl4go/dl4go/gomlxext"
)

// toyCorpus has 20 documents of 5 sentences, each sentence 12 distinct tokens.
func toyCorpus() *encodedCorpus {
	var docs [][][]int
	next := MASK + 1
	for range 20 {
		var doc [][]int
		for range 5 {
			var sent []int
			for range 12 {
				sent = append(sent, next)
				next++
			}
			doc = append(doc, sent)
		}
		docs = append(docs, doc)
	}
	return newEncodedCorpus(docs, nil, nil)
}

// TestPretrainExample checks the masking recipe and NSP sampling over many examples: 15% of the
// real tokens chosen, of which 80% [MASK], 10% random, 10% unchanged; half the pairs real.
func TestPretrainExample(t *testing.T) {
	e := toyCorpus()
	m := Model{Vocab: 1300, SeqLen: 32}
	rng := rand.New(rand.NewPCG(1, 2))
	var chosen, real, masked, random, same, next, n int
	for range 4000 {
		ex := e.pretrainExample(rng, m, 5, evalMaskRate, nil)
		n++
		next += ex.IsNext
		if ex.Tokens[0] != CLS || ex.Segments[0] != 0 || ex.Segments[len(ex.Segments)-1] != 1 && ex.Tokens[len(ex.Tokens)-1] != PAD {
			t.Fatalf("bad layout: %v / %v", ex.Tokens, ex.Segments)
		}
		for k, w := range ex.Weights {
			if w == 0 {
				continue
			}
			chosen++
			switch tok := ex.Tokens[ex.Positions[k]]; {
			case tok == MASK:
				masked++
			case tok == ex.Targets[k]:
				same++
			default:
				random++
			}
		}
		for _, tok := range ex.Tokens {
			if tok > MASK {
				real++
			}
		}
	}
	real += masked // the real tokens now hidden behind [MASK].
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"chosen fraction", float64(chosen) / float64(real), 0.15},
		{"[MASK] share", float64(masked) / float64(chosen), 0.8},
		{"random share", float64(random) / float64(chosen), 0.1},
		{"unchanged share", float64(same) / float64(chosen), 0.1},
		{"real next share", float64(next) / float64(n), 0.5},
	} {
		if math.Abs(c.got-c.want) > 0.03 {
			t.Errorf("%s = %.3f, want %.2f", c.name, c.got, c.want)
		}
	}
}

// TestSpanPair checks the pairs pre-training uses: A ends at the split point, a real B starts
// right after it in the same document, a random B comes from another document, and both fit.
func TestSpanPair(t *testing.T) {
	e := toyCorpus()
	rng := rand.New(rand.NewPCG(5, 6))
	reals := 0
	for range 400 {
		i := rng.IntN(len(e.splits))
		a, b, isNext := e.spanPair(rng, i, 32)
		sp := e.splits[i]
		if len(a)+len(b) > 29 || len(a) < minSpan || len(b) == 0 {
			t.Fatalf("lengths %d + %d", len(a), len(b))
		}
		if a[len(a)-1] != e.flat[sp[0]][sp[1]-1] {
			t.Fatalf("A does not end at the split point")
		}
		sameDoc := (b[0]-MASK-1)/60 == sp[0]
		if isNext == 1 && b[0] != a[len(a)-1]+1 || isNext == 0 && sameDoc {
			t.Fatalf("isNext=%d but A ends %d, B starts %d", isNext, a[len(a)-1], b[0])
		}
		reals += isNext
	}
	if reals < 160 || reals > 240 {
		t.Errorf("%d of 400 pairs real, want about half", reals)
	}
}

// TestSpanPairRandomFrom checks held-out pairs drawn as in pre-training: A and a real B from the
// held-out documents, a random B from any other document of the book, held-out or not; and, with a
// narrower pool, random B's from that pool only.
func TestSpanPairRandomFrom(t *testing.T) {
	all := toyCorpus()
	held := newEncodedCorpus(toyCorpus().docs[:2], nil, nil)
	book := held.withRandomFrom(append(append([][]int(nil), held.flat...), all.flat[2:]...))
	firstThree := held.withRandomFrom(all.flat[2:5])
	rng := rand.New(rand.NewPCG(7, 8))
	fromHeld, fromRest := 0, 0
	for range 1000 {
		i := rng.IntN(len(held.splits))
		a, b, isNext := book.spanPair(rng, i, 32)
		docA, docB := (a[0]-MASK-1)/60, (b[0]-MASK-1)/60
		switch {
		case docA >= 2:
			t.Fatalf("A comes from document %d, not from the held-out ones", docA)
		case isNext == 1 && b[0] != a[len(a)-1]+1:
			t.Fatalf("a real B does not continue A")
		case isNext == 0 && docB == docA:
			t.Fatalf("a random B comes from A's own document %d", docA)
		case isNext == 0 && docB < 2:
			fromHeld++
		case isNext == 0:
			fromRest++
		}
		if _, b, isNext := firstThree.spanPair(rng, i, 32); isNext == 0 {
			if d := (b[0] - MASK - 1) / 60; d < 2 || d > 4 {
				t.Fatalf("a random B from document %d, outside the pool 2…4", d)
			}
		}
	}
	// 19 documents besides A's: 1 held out, 18 others.
	if fromHeld == 0 || fromRest < 10*fromHeld {
		t.Errorf("random B's: %d from the other held-out document, %d from the rest; want about 1 in 19 held out", fromHeld, fromRest)
	}
	if held.randomFrom != nil || len(book.flat) != 2 {
		t.Errorf("withRandomFrom changed its receiver or the held-out documents")
	}
}

// TestAttentionIsBidirectional checks the encoder's attention weights on a padded input: each
// row sums to 1, [PAD] keys get no weight, and tokens attend to their right as well as their left.
func TestAttentionIsBidirectional(t *testing.T) {
	backend, err := gomlxext.Backend()
	if err != nil {
		t.Fatal(err)
	}
	m := Model{Vocab: 50, SeqLen: 8, Layers: 1, Dim: 16, Heads: 2, FFN: 32}
	ctx := newContext(1)
	exec, err := context.NewExec(backend, ctx, func(ctx *context.Context, toks *graph.Node) *graph.Node {
		_, att := m.Encode(ctx, toks, graph.ZerosLike(toks))
		return att[0]
	})
	if err != nil {
		t.Fatal(err)
	}
	defer exec.Finalize()
	toks := []int32{CLS, 7, 8, 9, SEP, PAD, PAD, PAD}
	out, err := exec.Exec(tensors.FromFlatDataAndDimensions(toks, 1, 8))
	if err != nil {
		t.Fatal(err)
	}
	a := tensors.MustCopyFlatData[float32](out[0]) // [1, heads, 8, 8]
	for q := range 5 {
		for h := range m.Heads {
			row := a[(h*8+q)*8 : (h*8+q+1)*8]
			sum, right := 0.0, 0.0
			for k, w := range row {
				sum += float64(w)
				if k >= 5 && w > 1e-6 {
					t.Errorf("query %d head %d attends [PAD] key %d with %g", q, h, k, w)
				}
				if k > q && k < 5 {
					right += float64(w)
				}
			}
			if math.Abs(sum-1) > 1e-4 {
				t.Errorf("query %d head %d weights sum to %g", q, h, sum)
			}
			if q < 4 && right < 0.05 {
				t.Errorf("query %d head %d gives only %g to tokens on its right", q, h, right)
			}
		}
	}
}

// TestSplitSections checks how the book is cut into documents: consecutive paragraphs grouped
// into sections of at least n sentences, the last ones held out, no sentence lost or reordered.
func TestSplitSections(t *testing.T) {
	book := &text.Corpus{Name: "toy"}
	s := 0
	for p := range 100 {
		var d text.Document
		for range 1 + p%4 { // paragraphs of 1 to 4 sentences.
			d.Sentences = append(d.Sentences, fmt.Sprintf("sentence %d.", s))
			s++
		}
		book.Documents = append(book.Documents, d)
	}
	for _, c := range []struct {
		n         int
		heldOut   float64
		wantTrain int
		wantTest  int
	}{
		{0, 0.1, 90, 10},  // paragraphs; the last 10% held out.
		{10, 0.1, 23, 2},  // 25 sections of 10 sentences; the last 2 held out.
		{10, 0.25, 19, 6}, // the last quarter.
	} {
		train, test := splitSections(book, c.n, c.heldOut)
		if len(train.Documents) != c.wantTrain || len(test.Documents) != c.wantTest {
			t.Errorf("n=%d heldOut=%g: %d train / %d held-out documents, want %d / %d",
				c.n, c.heldOut, len(train.Documents), len(test.Documents), c.wantTrain, c.wantTest)
		}
		all := append(train.Sentences(), test.Sentences()...)
		if len(all) != s {
			t.Errorf("n=%d: %d sentences, want %d", c.n, len(all), s)
		}
		for _, d := range append(train.Documents, test.Documents...) {
			if len(d.Sentences) < c.n {
				t.Errorf("n=%d: a document of %d sentences", c.n, len(d.Sentences))
			}
		}
	}
}

// TestWholeWordMasking checks whole-word masking: a chosen word start comes with all its "##"
// continuations, a continuation is never chosen alone, and about 15% of the tokens are chosen.
func TestWholeWordMasking(t *testing.T) {
	// Tokens 5…: even ids start words, odd ids continue them ("##…"): words of two pieces.
	cont := make([]bool, 200)
	for id := MASK + 1; id < len(cont); id++ {
		cont[id] = id%2 == 0
	}
	rng := rand.New(rand.NewPCG(3, 4))
	chosen, total := 0, 0
	for range 500 {
		var toks []int
		for w := range 20 {
			toks = append(toks, 5+2*w, 6+2*w) // start, continuation
		}
		ex := Example{Tokens: append(append([]int{CLS}, toks...), SEP)}
		orig := append([]int(nil), ex.Tokens...)
		maskTokens(rng, &ex, 200, 10, evalMaskRate, cont)
		at := map[int]bool{}
		for k, w := range ex.Weights {
			if w != 0 {
				at[ex.Positions[k]] = true
				if ex.Targets[k] != orig[ex.Positions[k]] {
					t.Fatalf("target %d at position %d, the token was %d", ex.Targets[k], ex.Positions[k], orig[ex.Positions[k]])
				}
			}
		}
		for pos := range at {
			if cont[orig[pos]] && !at[pos-1] || !cont[orig[pos]] && !at[pos+1] {
				t.Fatalf("position %d chosen without the rest of its word: %v", pos, at)
			}
		}
		chosen += len(at)
		total += len(toks)
	}
	if f := float64(chosen) / float64(total); math.Abs(f-0.15) > 0.02 {
		t.Errorf("chose %.3f of the tokens, want 0.15", f)
	}
}

// TestAllMasked checks the evaluation input: every chosen position [MASK], nothing else changed.
func TestAllMasked(t *testing.T) {
	e := toyCorpus()
	rng := rand.New(rand.NewPCG(1, 9))
	for range 200 {
		ex := e.pretrainExample(rng, Model{Vocab: 1300, SeqLen: 32}, 5, evalMaskRate, nil)
		m := ex.allMasked()
		for i, tok := range m.Tokens {
			chosen := false
			for k, w := range ex.Weights {
				chosen = chosen || w != 0 && ex.Positions[k] == i
			}
			if chosen && tok != MASK || !chosen && tok != ex.Tokens[i] {
				t.Fatalf("position %d: %d after allMasked, %d before (chosen %v)", i, tok, ex.Tokens[i], chosen)
			}
		}
	}
}

// TestBaselines checks the MLM baselines on a text where each token has one successor: the
// bigram-context baseline fills a gap from either neighbour, the unigram one lists by frequency.
func TestBaselines(t *testing.T) {
	p := &Pretrained{Vocab: NewVocab([]string{"a", "b", "c", "d", "e"})} // ids 5…9
	p.train = newEncodedCorpus([][][]int{{{5, 6, 7, 8, 5, 6, 7, 8, 5, 6, 9}}}, nil, nil)
	m := p.trainCounts()
	if got := m.unigramTop(3); got[0] != 5 || got[1] != 6 || len(got) != 3 {
		t.Errorf("unigram order %v, want 5, 6 first", got)
	}
	for _, c := range []struct {
		toks []int
		pos  int
		want int
	}{
		{[]int{CLS, 5, MASK, 7, SEP}, 2, 6},    // both neighbours
		{[]int{CLS, 7, MASK, MASK, SEP}, 2, 8}, // the left one only
		{[]int{CLS, MASK, MASK, 8, SEP}, 2, 7}, // the right one only
		{[]int{CLS, MASK, MASK, MASK, SEP}, 2, 5},
	} {
		if got := m.bigramTop(c.toks, c.pos, 2); got[0] != c.want {
			t.Errorf("bigram guesses for %v at %d: %v, want %d first", c.toks, c.pos, got, c.want)
		}
	}
	if got := topK([]float32{0.1, 3, -1, 2, 2.5}, 3); fmt.Sprint(got) != "[1 4 3]" {
		t.Errorf("topK = %v", got)
	}
}

// TestWithinSource checks the held-out NSP comparison with random B's from A's own document: only
// documents with two or more sections take part, and a random B never leaves A's document.
func TestWithinSource(t *testing.T) {
	all := toyCorpus() // 20 sections; give them documents 0 (3 sections), 1 (1 section), 2 (the rest).
	src := make([]int, len(all.docs))
	for d := range src {
		switch {
		case d < 3:
			src[d] = 0
		case d == 3:
			src[d] = 1
		default:
			src[d] = 2
		}
	}
	e := newEncodedCorpus(all.docs, src, []string{"x", "y", "z"}).withinSource()
	if len(e.docs) != 19 {
		t.Fatalf("%d sections take part, want 19 (not the lone section of document 1)", len(e.docs))
	}
	rng := rand.New(rand.NewPCG(2, 2))
	for range 500 {
		i := rng.IntN(len(e.splits))
		a, b, isNext := e.spanPair(rng, i, 32)
		docA, docB := (a[0]-MASK-1)/60, (b[0]-MASK-1)/60
		if isNext == 0 && (docA == docB || (docA < 3) != (docB < 3)) {
			t.Fatalf("random B from section %d for A from section %d", docB, docA)
		}
	}
}
