package pix2pix

import (
	"math"
	"testing"

	"github.com/dl4go/dl4go/lessons"
)

// TestQuickOutcome runs the quick size as the notebook does (fresh, in the test's own cache) and
// asserts the quick outcome; a second run returns the saved outcome and every chart draws.
func TestQuickOutcome(t *testing.T) {
	cfg := Quick()
	cfg.Quiet = true
	out, err := Run(cfg)
	if err != nil {
		t.Fatal(err)
	}
	logOutcome(t, out)
	if !out.Result().OK() {
		t.Errorf("quick outcome not reached: %s", out.Result())
	}
	checkOutcome(t, out)
	again, err := Run(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if !again.Restored || again.Models[0].HeldOutL1 != out.Models[0].HeldOutL1 {
		t.Errorf("rerun: restored %v, L1 %.4f (first %.4f); want the saved outcome", again.Restored, again.Models[0].HeldOutL1, out.Models[0].HeldOutL1)
	}
	checkCharts(t, again)
}

// TestFullOutcome runs the notebook's experiment (DL4GO_FULL=1; minutes on 2 cores) and asserts
// the full outcome: GAN + L1's held-out L1 error at least 50% below the mean-image baseline's,
// and its sharpness closer to the targets' than L1 only's.
func TestFullOutcome(t *testing.T) {
	lessons.SkipUnlessFull(t)
	cfg := Full()
	cfg.Quiet = true
	out, err := Run(cfg)
	if err != nil {
		t.Fatal(err)
	}
	logOutcome(t, out)
	checkOutcome(t, out)
	if out.L1Ratio() > cfg.Threshold {
		t.Errorf("GAN + L1 held-out L1 %.4f is %.3f of the mean-image baseline's %.4f, bar ≤ %.2f",
			out.Model(GANL1).HeldOutL1, out.L1Ratio(), out.MeanImageL1, cfg.Threshold)
	}
	if !out.SharperThanL1() {
		t.Errorf("GAN + L1 sharpness %.3f is not closer to the target's (1) than L1 only's %.3f",
			out.Model(GANL1).Sharpness, out.Model(L1Only).Sharpness)
	}
	if !out.Result().OK() {
		t.Errorf("full outcome not reached: %s", out.Result())
	}
}

func logOutcome(t *testing.T, out *Outcome) {
	t.Helper()
	t.Logf("held-out L1 baselines: mean image %.4f, median image %.4f, identity %.4f; target gradient energy %.5f; wall %v",
		out.MeanImageL1, out.MedianImageL1, out.IdentityL1, out.TargetEnergy, out.Wall)
	for _, m := range out.Models {
		t.Logf("%-20s held-out L1 %.4f (%.3f of the mean image's, %.3f of the median image's), sharpness %.3f (gap %.3f); %v/iteration, %v",
			m.Model, m.HeldOutL1, m.HeldOutL1/out.MeanImageL1, m.HeldOutL1/out.MedianImageL1, m.Sharpness, SharpnessGap(m.Sharpness), m.StepTime, m.Wall)
	}
	t.Log(out.Result())
}

// checkOutcome checks what every size must show: each model trained for Steps with its
// snapshots; the GAN-trained models played a game (D's outputs are probabilities), L1 only did
// not; the baselines are ordered as they must be (the median is the best constant image under L1).
func checkOutcome(t *testing.T, out *Outcome) {
	t.Helper()
	cfg := out.Config
	if len(out.Models) != len(cfg.Models) {
		t.Fatalf("%d models for %d in the config", len(out.Models), len(cfg.Models))
	}
	for i, m := range out.Models {
		h := m.History
		wantSnaps := (cfg.Steps + cfg.SnapshotEvery - 1) / cfg.SnapshotEvery
		if m.Model != cfg.Models[i] || len(h.L1) != cfg.Steps || len(h.Snapshots) != wantSnaps || len(m.Shown) != cfg.Show*cfg.ImageSize*cfg.ImageSize*3 {
			t.Errorf("model %d: %v, %d iterations, %d snapshots, %d shown values", i, m.Model, len(h.L1), len(h.Snapshots), len(m.Shown))
		}
		last := h.DReal[len(h.DReal)-1]
		if m.Model.Adversarial() != !math.IsNaN(last) || (m.Model.Adversarial() && (last <= 0 || last >= 1)) {
			t.Errorf("%v: last D(x, y) = %v", m.Model, last)
		}
		if !(m.HeldOutL1 > 0) || !(m.Sharpness > 0) {
			t.Errorf("%v: held-out L1 %v, sharpness %v", m.Model, m.HeldOutL1, m.Sharpness)
		}
	}
	if !(out.MedianImageL1 <= out.MeanImageL1 && out.MeanImageL1 < out.IdentityL1) {
		t.Errorf("baselines: median %.4f, mean %.4f, identity %.4f; want median ≤ mean < identity", out.MedianImageL1, out.MeanImageL1, out.IdentityL1)
	}
}

func checkCharts(t *testing.T, out *Outcome) {
	t.Helper()
	if _, err := out.L1Chart(); err != nil {
		t.Error(err)
	}
	if _, err := out.GameChart(GANL1); err != nil {
		t.Error(err)
	}
	if _, err := out.GameChart(L1Only); err == nil {
		t.Error("GameChart(L1Only): no error, but L1 only plays no game")
	}
	if _, err := out.ComparisonPicture(); err != nil {
		t.Error(err)
	}
	if _, err := out.EvolutionPicture(GANL1); err != nil {
		t.Error(err)
	}
	if _, err := out.L1Bar(); err != nil {
		t.Error(err)
	}
	if _, err := out.SharpnessBar(); err != nil {
		t.Error(err)
	}
	if _, err := out.framePicture(out.Models[0].Shown); err != nil {
		t.Error(err)
	}
}

// TestGradientEnergy checks the sharpness measure on images whose energy is known: a constant
// image has none; a vertical step edge of height h between two columns of an n×n one-channel
// image has n·h² over the n² pixels; blurring that edge over two columns halves the energy.
func TestGradientEnergy(t *testing.T) {
	const n = 8
	img := func(col func(x int) float32) []float32 {
		p := make([]float32, n*n)
		for y := range n {
			for x := range n {
				p[y*n+x] = col(x)
			}
		}
		return p
	}
	if e := GradientEnergy(img(func(int) float32 { return 0.3 }), n, 1); e != 0 {
		t.Errorf("constant image: energy %g, want 0", e)
	}
	step := img(func(x int) float32 { return map[bool]float32{true: 1, false: 0}[x >= 4] })
	if e, want := GradientEnergy(step, n, 1), float64(n)/(n*n); math.Abs(e-want) > 1e-12 {
		t.Errorf("step edge: energy %g, want %g", e, want)
	}
	ramp := img(func(x int) float32 { return []float32{0, 0, 0, 0.5, 1, 1, 1, 1}[x] })
	if e, want := GradientEnergy(ramp, n, 1), 0.5*float64(n)/(n*n); math.Abs(e-want) > 1e-12 {
		t.Errorf("blurred edge: energy %g, want %g (half the step's)", e, want)
	}
	if g := SharpnessGap(2); math.Abs(g-SharpnessGap(0.5)) > 1e-12 || math.Abs(g-math.Ln2) > 1e-12 {
		t.Errorf("SharpnessGap(2) = %g, SharpnessGap(0.5) = %g, want both log 2", g, SharpnessGap(0.5))
	}
}

// TestBaselines checks the constant-image baselines: the median image minimises the L1 error
// over constant images, the mean image does not in general.
func TestBaselines(t *testing.T) {
	imgs := []float32{0, 0, 0, 1, 0.2, 0.4} // three 2-value images
	med, mean := medianImage(imgs, 2), meanImage(imgs, 2)
	if med[0] != 0 || med[1] != 0.4 || math.Abs(float64(mean[0])-0.0666667) > 1e-6 {
		t.Errorf("median %v, mean %v", med, mean)
	}
	if MeanAbs(repeat(med, 3), imgs) > MeanAbs(repeat(mean, 3), imgs) {
		t.Error("the median image has a larger L1 error than the mean image")
	}
}

// TestPairs checks the task: outlines are the objects' borders (inside every object, never on the
// background), scenes are the background's gradient outside the objects and one of the two
// palette colours, shaded, inside; scene i is the same every time.
func TestPairs(t *testing.T) {
	cfg := Quick()
	ps, err := newPairs(cfg)
	if err != nil {
		t.Fatal(err)
	}
	n := cfg.ImageSize
	for i, p := range ps.get(HeldOutStart, 20) {
		s := ps.gen.Sample(HeldOutStart + i)
		inside := make([]int, n*n) // 1 + class, 0 background
		for _, o := range s.Objects {
			for j, in := range o.Mask {
				if in {
					inside[j] = 1 + o.Class
				}
			}
		}
		border := 0
		for j, v := range p.Outline {
			if v != 0 && inside[j] == 0 {
				t.Fatalf("pair %d: outline pixel %d on the background", i, j)
			}
			if v != 0 {
				border++
			}
			bg := background(j/n, n)
			c := p.Scene[j*3 : j*3+3]
			if inside[j] == 0 && (c[0] != bg[0] || c[1] != bg[1] || c[2] != bg[2]) {
				t.Fatalf("pair %d: background pixel %d is %v, want %v", i, j, c, bg)
			}
			if k := inside[j] - 1; k >= 0 {
				// shaded: c = b·palette colour for one of the two colours and one brightness b.
				ok := false
				for _, col := range Palette[k] {
					b := c[0] / col[0]
					ok = ok || (math.Abs(float64(c[1]-b*col[1])) < 1e-5 && math.Abs(float64(c[2]-b*col[2])) < 1e-5 && b >= 0.35-1e-5 && b <= 1+1e-5)
				}
				if !ok {
					t.Fatalf("pair %d: object pixel %d (class %d) is %v: no shaded palette colour", i, j, k, c)
				}
			}
		}
		if border == 0 {
			t.Fatalf("pair %d has no outline", i)
		}
	}
	again := ps.get(HeldOutStart+3, 1)[0]
	first := ps.get(HeldOutStart, 4)[3]
	if MeanAbs(again.Scene, first.Scene) != 0 || MeanAbs(again.Outline, first.Outline) != 0 {
		t.Error("pair HeldOutStart+3 differs between two calls")
	}
}

// TestMeasurePatch checks that the gradient of one of the lesson's discriminator's logits reaches
// exactly ReceptiveField(cfg) rows and columns of the input (16 for Full).
func TestMeasurePatch(t *testing.T) {
	cfg := Full()
	p, err := MeasurePatch(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if p.Formula != 16 || p.Rows != p.Formula || p.Cols != p.Formula {
		t.Errorf("receptive field: formula %d, gradient reaches %d rows × %d columns; want 16 × 16", p.Formula, p.Rows, p.Cols)
	}
	if p.Logits != cfg.ImageSize/2-2 {
		t.Errorf("%d×%d logits, want %d", p.Logits, p.Logits, cfg.ImageSize/2-2)
	}
	if _, err := p.Picture(cfg); err != nil {
		t.Error(err)
	}
}

// TestConfigErrors checks that settings Run cannot use are refused with a message naming them.
func TestConfigErrors(t *testing.T) {
	for name, edit := range map[string]func(*Config){
		"Models":    func(c *Config) { c.Models = []Model{L1Only} },
		"repeated":  func(c *Config) { c.Models = []Model{GANL1, GANL1} },
		"ImageSize": func(c *Config) { c.ImageSize = 36 },
		"Show":      func(c *Config) { c.Show = c.TestPairs + 1 },
	} {
		c := Quick()
		edit(&c)
		if _, err := Run(c); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
