package ctc

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/dl4go/dl4go/plotting"

	"github.com/dl4go/dl4go/lessons"
)

func TestQuickOutcome(t *testing.T) {
	cfg := Quick()
	cfg.Quiet = true
	out, err := Run(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s\n%s(%.1fs, %d frames max)", out.Result(), out.Summary(), out.Wall.Seconds(), out.Data.MaxFrames)
	if !out.Result().OK() {
		t.Errorf("quick outcome not reached: %s", out.Result())
	}
	if out.Check.GradMaxDiff > 1e-6 || out.Trained.BeamLER >= out.BaselineLER {
		t.Errorf("gradient check %g; beam LER %.3f vs baseline %.3f", out.Check.GradMaxDiff, out.Trained.BeamLER, out.BaselineLER)
	}
	for name, f := range map[string]func() (*plotting.Chart, error){
		"trellis": out.Check.TrellisChart, "posterior": func() (*plotting.Chart, error) { return out.PosteriorChart(0) },
		"spectrogram": func() (*plotting.Chart, error) { return out.SpectrogramChart(0) }, "ler": out.LERChart,
	} {
		c, err := f()
		if err == nil {
			err = plotting.Display(c)
		}
		if err != nil {
			t.Errorf("%s chart: %v", name, err)
		}
	}
	if _, err := out.UtteranceSound(0); err != nil {
		t.Error(err)
	}
	t.Log("\n" + out.Transcripts(5))
}

func TestFullOutcome(t *testing.T) {
	lessons.SkipUnlessFull(t)
	out, err := Run(Full())
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s\n%s(%.1fs)", out.Result(), out.Summary(), out.Wall.Seconds())
	if !out.Result().OK() {
		t.Errorf("full outcome not reached: %s", out.Result())
	}
}

func TestCollapseAndExtend(t *testing.T) {
	// h=1 e=2 l=3 o=4: a blank between the two l's keeps both.
	for _, tc := range []struct{ path, want []int }{
		{[]int{1, 1, 2, 0, 3, 3, 0, 3, 4, 4}, []int{1, 2, 3, 3, 4}},
		{[]int{1, 2, 3, 3, 3, 4}, []int{1, 2, 3, 4}},
		{[]int{0, 0, 0}, nil},
	} {
		if got := Collapse(tc.path); !slices.Equal(got, tc.want) {
			t.Errorf("Collapse(%v) = %v, want %v", tc.path, got, tc.want)
		}
	}
	if e := Extend([]int{3, 3}); !slices.Equal(e, []int{0, 3, 0, 3, 0}) {
		t.Errorf("Extend(3 3) = %v", e)
	}
}

// TestForwardMatchesBruteForce on random frames and label sequences, including repeats and none.
func TestForwardMatchesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, labels := range [][]int{{1}, {1, 2}, {2, 2}, {1, 2, 1}, {}} {
		logits := make([][]float64, 5)
		for i := range logits {
			logits[i] = []float64{rng.NormFloat64(), rng.NormFloat64(), rng.NormFloat64()}
		}
		lp := logSoftmax(logits)
		brute, _, _ := BruteForce(lp, labels)
		fwd := -LogLikelihood(Forward(lp, labels))
		// The backward probabilities give the same total: Σ_s α_0(s)·β_0(s)/p_0(ext_s).
		beta := Backward(lp, labels)
		ext := Extend(labels)
		bwd := math.Inf(-1)
		for s := range min(2, len(ext)) {
			bwd = logAdd(bwd, beta[0][s])
		}
		if math.Abs(fwd-brute) > 1e-12 || math.Abs(-bwd-brute) > 1e-12 {
			t.Errorf("labels %v: forward %.15f, backward %.15f, brute force %.15f", labels, fwd, -bwd, brute)
		}
	}
}

// TestBeamSearchSumsPaths builds frames where several weaker paths of one labelling outweigh the
// single best path of another: beam search sums them, greedy decoding cannot.
func TestBeamSearchSumsPaths(t *testing.T) {
	// Two frames; classes blank, 1, 2. The most probable frame-wise path is (blank, blank) → ∅
	// (0.4·0.4 = 0.16), but "1" collects (1,1), (1,b), (b,1): 0.3·0.3 + 0.3·0.4 + 0.4·0.3 = 0.33.
	p := [][]float64{{0.4, 0.3, 0.3}, {0.4, 0.3, 0.3}}
	lp := make([][]float64, len(p))
	for t, row := range p {
		for _, v := range row {
			lp[t] = append(lp[t], math.Log(v))
		}
	}
	if g := Greedy(lp); len(g) != 0 {
		t.Errorf("greedy: %v, want ∅", g)
	}
	if b := BeamSearch(lp, 8); len(b) != 1 {
		t.Errorf("beam search: %v, want a single label (1 or 2, 0.33 each)", b)
	}
	if d := EditDistance([]int{1, 2, 3}, []int{1, 3, 3, 4}); d != 2 {
		t.Errorf("edit distance %d, want 2", d)
	}
}
