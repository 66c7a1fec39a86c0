package metric

import (
	"strings"
	"testing"

	"github.com/dl4go/dl4go/lessons"
	"github.com/dl4go/dl4go/plotting"
)

func TestQuickOutcome(t *testing.T) {
	cfg := Quick()
	cfg.Quiet = true
	out, err := Run(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s\n%s(%.1fs)", out.Result(), out.Summary(), out.Wall.Seconds())
	if !out.Result().OK() {
		t.Errorf("quick outcome not reached: %s", out.Result())
	}
	_, main := out.Main()
	if raw := out.Baselines[0]; main.SeenOverlap >= raw.SeenOverlap {
		t.Errorf("semi-hard triplet embedding: seen-digit overlap %.3f not below raw pixels' %.3f", main.SeenOverlap, raw.SeenOverlap)
	}
	// The contrastive loss pulls same-digit pairs closer than the triplet loss, which stops at the margin.
	c, err := out.MedianSameDistance(ContrastiveLoss)
	if err != nil {
		t.Fatal(err)
	}
	tr, _ := out.MedianSameDistance(TripletAll)
	t.Logf("median same-digit distance: contrastive %.3f, triplet %.3f", c, tr)
	charts := map[string]func() (any, error){
		"loss":     func() (any, error) { return out.LossChart() },
		"active":   func() (any, error) { return out.ActiveChart() },
		"scores":   func() (any, error) { return out.ScoresChart() },
		"overlap":  func() (any, error) { return out.OverlapChart() },
		"hist":     func() (any, error) { return out.DistanceHistogramChart(ContrastiveLoss) },
		"scatter":  func() (any, error) { return out.ScatterChart(QuadrupletLoss) },
		"retrieve": func() (any, error) { return out.RetrievalPicture(TripletSemiHard, true, 4) },
	}
	for name, f := range charts {
		c, err := f()
		if err == nil {
			err = plotting.Display(c)
		}
		if err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := out.ScatterChart("siamese"); err == nil || !strings.Contains(err.Error(), "no model") {
		t.Errorf("unknown loss: %v", err)
	}
	// A rerun restores the saved outcome: the same numbers and curves, and charts still draw.
	again, err := Run(cfg)
	if err != nil {
		t.Fatal(err)
	}
	_, s := again.Main()
	if !again.Restored || s.KNNAccuracy != main.KNNAccuracy || s.UnseenRecall1 != main.UnseenRecall1 || len(again.Models[2].Curve.Active) != cfg.Steps {
		t.Errorf("rerun: restored %v, k-NN %.4f recall %.4f (first %.4f, %.4f)", again.Restored, s.KNNAccuracy, s.UnseenRecall1, main.KNNAccuracy, main.UnseenRecall1)
	}
	if _, err := again.RetrievalPicture(TripletSemiHard, false, 3); err != nil {
		t.Errorf("retrieval picture of the restored run: %v", err)
	}
}

func TestFullOutcome(t *testing.T) {
	lessons.SkipUnlessFull(t)
	out, err := Run(Full())
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s\n%s(%.1fs)", out.Result(), out.Summary(), out.Wall.Seconds())
	for _, m := range out.Models {
		t.Logf("%s: %.1fs training", m.Loss, m.TrainSeconds)
	}
	if !out.Result().OK() {
		t.Errorf("full outcome not reached: %s", out.Result())
	}
}

func TestConfigErrors(t *testing.T) {
	c := Quick()
	c.SeenDigits, c.Gallery = 10, 3
	_, err := Run(c)
	if err == nil || !strings.Contains(err.Error(), "SeenDigits 10") || !strings.Contains(err.Error(), "Gallery 3") {
		t.Errorf("bad config: %v", err)
	}
}

// TestKNN checks the k-NN pieces on tiny hand-made data.
func TestKNN(t *testing.T) {
	row := []float32{5, 1, 4, 0, 3, 2}
	if got := kSmallest(row, 3, 3); len(got) != 3 || got[0] != 1 || got[1] != 5 || got[2] != 4 {
		t.Errorf("kSmallest skipping index 3: %v, want [1 5 4]", got)
	}
	digits := []int{7, 8, 8, 7, 9}
	if v := vote([]int{0, 1, 2, 3, 4}, digits); v != 7 { // 7 and 8 tie at two; 7 is nearest
		t.Errorf("vote = %d, want 7", v)
	}
	// Perfectly separated classes overlap 0; identical points 0.5.
	sep := [][]float32{{0}, {0.1}, {5}, {5.1}}
	if o := overlap(sep, []int{0, 0, 1, 1}); o != 0 {
		t.Errorf("separated overlap %g", o)
	}
	if o := overlap([][]float32{{1}, {1}, {1}, {1}}, []int{0, 0, 1, 1}); o != 0.5 {
		t.Errorf("identical overlap %g", o)
	}
	p, err := FitPCA([][]float32{{1, 1}, {2, 2}, {3, 3.01}}, 1)
	if err != nil || len(p.Components) != 1 || absf(absf(p.Components[0][0])-0.7071) > 0.01 {
		t.Errorf("PCA of points on the diagonal: %v, %v", p, err)
	}
}

func absf(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}
