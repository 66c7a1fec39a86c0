package xai

import (
	"math"
	"testing"

	"github.com/dl4go/dl4go/data/shapes"
	"github.com/dl4go/dl4go/lessons"
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
	// A second run restores the models and what was measured (the same numbers).
	again, err := Run(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if again.Summary() != out.Summary() || again.Result() != out.Result() {
		t.Errorf("restored run differs:\n%s%s\nvs\n%s%s", again.Summary(), again.Result(), out.Summary(), out.Result())
	}
	t.Logf("restored in %.1fs", again.Wall.Seconds())
	// The explanations beat their baselines, not only the bars.
	if out.PeakInBox <= out.CentrePeakInBox {
		t.Errorf("Grad-CAM's peak in the box on %.3f of the images, the image centre on %.3f", out.PeakInBox, out.CentrePeakInBox)
	}
	if out.CueModel.CueFreeAcc >= out.GAPModel.TestAcc || out.CuePeakInBox >= out.CuePeakOnCue {
		t.Errorf("the cue model does not rely on the cue: cue-free accuracy %.3f (shape model %.3f), peak in box %.3f, on cue %.3f",
			out.CueModel.CueFreeAcc, out.GAPModel.TestAcc, out.CuePeakInBox, out.CuePeakOnCue)
	}
	if out.CAMGradCAMDiff > 1e-4 {
		t.Errorf("CAM and Grad-CAM of the GAP model differ by %g", out.CAMGradCAMDiff)
	}
	steps, err := out.GAPModel.GradCAMSteps(out.Set.Test[0], cfg.Data.Shapes.Size)
	if err != nil {
		t.Fatal(err)
	}
	if gap, err := steps.GAPIdentityGap(); err != nil || gap > 1e-4 {
		t.Errorf("α_k·h·w vs w_k^c: relative gap %g (%v)", gap, err)
	}
	if d := MaxMapDiff([]Heat{{Map: steps.Heat}}, out.GradCAM[:1]); d > 1e-5 {
		t.Errorf("GradCAMSteps' map differs from GradCAM's by %g", d)
	}
	// Every picture and chart draws.
	for name, f := range map[string]func() error{
		"GradCAMPicture":  func() error { _, err := out.GradCAMPicture(3); return err },
		"CuePicture":      func() error { _, err := out.CuePicture(2); return err },
		"PeakChart":       func() error { _, err := out.PeakChart(); return err },
		"AccuracyChart":   func() error { _, err := out.AccuracyChart(); return err },
		"LIMEPicture":     func() error { _, err := out.LIMEPicture(5); return err },
		"ShapleyChart":    func() error { _, err := out.ShapleyChart(0); return err },
		"ShapleyPicture":  func() error { _, err := out.ShapleyPicture(0); return err },
		"FeaturesPicture": func() error { _, err := steps.FeaturesPicture(6); return err },
		"AlphaChart":      func() error { _, err := steps.AlphaChart(); return err },
		"MapsPicture":     func() error { _, err := steps.MapsPicture(out.Set.Test[0], cfg.Data.Shapes.Size); return err },
	} {
		if err := f(); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := out.FlattenModel.CAM(out.Set.Test[:1], cfg.Data.Shapes.Size); err == nil {
		t.Error("CAM of the model without GAP: no error")
	}
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

func TestMakeSetNeedsOneObject(t *testing.T) {
	cfg := Quick().Data
	cfg.Shapes.MaxObjects = 2
	if _, err := MakeSet(cfg); err == nil {
		t.Error("two objects per image: no error")
	}
}

func TestCueIsPainted(t *testing.T) {
	cfg := Quick().Data
	cfg.TrainSize, cfg.TestSize = 6, 3
	s, err := MakeSet(cfg)
	if err != nil {
		t.Fatal(err)
	}
	size := cfg.Shapes.Size
	for i, im := range s.CueTest {
		c := CueBox(im.Class, size, cfg.CueSide)
		if im.Cue != c || im.Pixels[(int(c.Y0)*size+int(c.X0))*3] != 1 {
			t.Errorf("image %d (%s): cue %v, want %v painted white", i, shapes.ClassNames[im.Class], im.Cue, c)
		}
		if s.Test[i].Cue != (shapes.Box{}) {
			t.Errorf("image %d: the cue-free copy has a cue at %v", i, s.Test[i].Cue)
		}
	}
}

func TestUpsampleAndPeak(t *testing.T) {
	m := [][]float64{{0, 0, 0}, {0, 0, 1}, {0, 0, 0}}
	up := Upsample(m, 12)
	if len(up) != 12 || len(up[0]) != 12 {
		t.Fatalf("Upsample 3×3 to 12: %d×%d", len(up), len(up[0]))
	}
	if x, y := Peak(m, 12); x < 8 || y < 4 || y >= 8 {
		t.Errorf("peak of a map hot in cell (row 1, col 2) at pixel (%d, %d), want x ≥ 8, 4 ≤ y < 8", x, y)
	}
	if v, corner := up[5][10], up[0][0]; v < 0.8 || corner != 0 {
		t.Errorf("Upsample: %g near the hot cell's centre (want ≥ 0.8), %g in the far corner (want 0)", v, corner)
	}
}

func TestLIMERecoversALinearModel(t *testing.T) {
	p := Patches{Size: 6, Grid: 3}
	w := []float64{0.5, -0.2, 0, 0.1, 0.9, 0, 0, -0.4, 0.3}
	f := func(images [][]float32) ([]float64, error) {
		y := make([]float64, len(images))
		for i, im := range images {
			for py := range p.Size {
				for px := range p.Size {
					y[i] += w[p.Of(px, py)] * float64(im[(py*p.Size+px)*3]) / 4
				}
			}
		}
		return y, nil
	}
	x := make([]float32, 6*6*3)
	for i := range x {
		x[i] = 1
	}
	res, err := LIME(f, p, x, make([]float32, len(x)), 300, 0.25, 1)
	if err != nil {
		t.Fatal(err)
	}
	for j := range w {
		if math.Abs(res.Weights[j]-w[j]) > 0.01 {
			t.Errorf("LIME weight %d: %.4f, want %.4f", j, res.Weights[j], w[j])
		}
	}
	if res.Fidelity < 0.999 {
		t.Errorf("fidelity on a linear model: %.4f", res.Fidelity)
	}
	if top := res.Top(2); top[0] != 4 || top[1] != 0 {
		t.Errorf("top patches %v, want [4 0]", top)
	}
}
