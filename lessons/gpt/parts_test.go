package gpt

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestBigramNormalised: for every context, seen or not, p(· | v) sums to 1 over the vocabulary,
// and the unigram's p(·) too.
func TestBigramNormalised(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const vocab = 50
	train := make([]int, 2000)
	for i := range train {
		train[i] = int(math.Min(vocab-1, math.Floor(rng.ExpFloat64()*8))) // skewed; some ids never seen
	}
	b, err := NewBigram(train, vocab)
	if err != nil {
		t.Fatal(err)
	}
	u, err := NewUnigram(train, vocab)
	if err != nil {
		t.Fatal(err)
	}
	for v := range vocab {
		s := 0.0
		for w := range vocab {
			s += math.Exp(b.LogProb(v, w))
		}
		if math.Abs(s-1) > 1e-9 {
			t.Errorf("Σ_w p(w | %d) = %.12f, want 1 (context count %v)", v, s, b.context[v])
		}
	}
	s := 0.0
	for w := range vocab {
		s += math.Exp(u.LogProb(w))
	}
	if math.Abs(s-1) > 1e-9 {
		t.Errorf("Σ_w p(w) = %.12f, want 1", s)
	}
	if !(b.Discount > 0 && b.Discount < 1) {
		t.Errorf("discount %g, want in (0, 1)", b.Discount)
	}
	if _, err := NewBigram([]int{1, vocab}, vocab); err == nil {
		t.Error("an id outside the vocabulary gave no error")
	}
}

// TestSamplerDistribution: temperature, top-k and top-p against the formulas.
func TestSamplerDistribution(t *testing.T) {
	logp := []float64{math.Log(0.5), math.Log(0.25), math.Log(0.15), math.Log(0.1)}
	check := func(name string, got, want []float64) {
		for i := range want {
			if math.Abs(got[i]-want[i]) > 1e-12 {
				t.Errorf("%s: p = %v, want %v", name, got, want)
				return
			}
		}
	}
	p, kept, mass := Sampler{}.Distribution(logp)
	check("T=1", p, []float64{0.5, 0.25, 0.15, 0.1})
	if kept != 4 || math.Abs(mass-1) > 1e-12 {
		t.Errorf("T=1 keeps %d tokens, mass %g; want 4, 1", kept, mass)
	}
	p, _, _ = Sampler{Temperature: 0.5}.Distribution(logp) // p_T ∝ p^(1/T) = p²
	z := 0.25 + 0.0625 + 0.0225 + 0.01
	check("T=0.5", p, []float64{0.25 / z, 0.0625 / z, 0.0225 / z, 0.01 / z})
	p, kept, mass = Sampler{TopP: 0.7}.Distribution(logp) // 0.5 < 0.7 ≤ 0.75: two tokens
	check("top-p 0.7", p, []float64{0.5 / 0.75, 0.25 / 0.75, 0, 0})
	if kept != 2 || math.Abs(mass-0.75) > 1e-12 {
		t.Errorf("top-p 0.7 keeps %d tokens, mass %g; want 2, 0.75", kept, mass)
	}
	p, kept, _ = Sampler{TopK: 3}.Distribution(logp)
	check("top-k 3", p, []float64{0.5 / 0.9, 0.25 / 0.9, 0.15 / 0.9, 0})
	p, kept, _ = Sampler{Greedy: true}.Distribution(logp)
	check("greedy", p, []float64{1, 0, 0, 0})
	if kept != 1 {
		t.Errorf("greedy keeps %d", kept)
	}
	// draw follows p.
	rng := rand.New(rand.NewPCG(3, 4))
	n := [4]int{}
	for range 20000 {
		n[draw([]float64{0.5, 0.25, 0.15, 0.1}, rng)]++
	}
	if math.Abs(float64(n[0])/20000-0.5) > 0.02 || math.Abs(float64(n[3])/20000-0.1) > 0.01 {
		t.Errorf("draw frequencies %v out of 20000", n)
	}
}

// TestBPERoundTrip: a BPE learned from part of Opticks writes the held-out part back byte for
// byte, in fewer tokens than bytes.
func TestBPERoundTrip(t *testing.T) {
	c, err := LoadCorpus(0.1, 512)
	if err != nil {
		t.Fatal(err)
	}
	back, err := c.BPE.Decode(c.Test)
	if err != nil {
		t.Fatal(err)
	}
	if back != c.TestText {
		t.Errorf("decoded held-out text differs from the text (%d vs %d bytes)", len(back), len(c.TestText))
	}
	if r := float64(len(c.TestText)) / float64(len(c.Test)); !(r > 2) {
		t.Errorf("%.2f bytes per token on held-out text, want > 2", r)
	}
	if _, err := LearnBPE("abc", 100); err == nil {
		t.Error("a BPE smaller than the 256 bytes gave no error")
	}
	for _, s := range []string{"The Rays of Light", "  two  spaces\n1704, 12.5%", "日本語"} {
		if got, _ := c.BPE.Decode(c.BPE.Encode(s)); got != s {
			t.Errorf("round trip of %q gave %q", s, got)
		}
	}
}

// TestICLPrompts: k-shot prompts hold k distinct examples of a held-out task, the same tasks and
// queries for every k; training tasks are never held out.
func TestICLPrompts(t *testing.T) {
	c := Full().ICL
	p0, p8 := c.TestPrompts(0, 200, 5), c.TestPrompts(8, 200, 5)
	for i := range p0 {
		if !c.heldOut(p8[i].Task) || p0[i].Query != p8[i].Query || p0[i].Task.String() != p8[i].Task.String() {
			t.Fatalf("prompt %d: held out %v, 0-shot %v vs 8-shot %v", i, c.heldOut(p8[i].Task), p0[i], p8[i])
		}
		seen := map[int]bool{}
		for _, e := range p8[i].Examples {
			if seen[e] {
				t.Fatalf("prompt %d repeats an example: %v", i, p8[i])
			}
			seen[e] = true
		}
		if len(p0[i].Examples) != 0 || len(c.tokens(p8[i])) != 2*8+2 {
			t.Fatalf("prompt %d: %d examples at 0 shots, %d tokens at 8", i, len(p0[i].Examples), len(c.tokens(p8[i])))
		}
	}
	rng := rand.New(rand.NewPCG(1, 1))
	for range 200 {
		if c.heldOut(c.drawTask(rng, false)) {
			t.Fatal("a training task is held out")
		}
	}
}
