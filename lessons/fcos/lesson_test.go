package fcos

import (
	"math"
	"slices"
	"strings"
	"testing"

	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // GoMLX graph-building style.
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"

	"github.com/dl4go/dl4go/data/shapes"
	"github.com/dl4go/dl4go/gomlxext"
	"github.com/dl4go/dl4go/lessons"
)

func logOutcome(t *testing.T, out *Outcome) {
	t.Log(out.Ambiguity)
	t.Log("\n" + out.Table())
	t.Logf("FCOS ranked by the class score alone (center-ness not multiplied in): mAP@0.5 %.3f", out.FCOS.MAP50ClassOnly)
	t.Log(out.Result())
}

// TestQuickOutcome runs Quick and asserts its bar: FCOS's held-out mAP@0.5 ≥ 0.5.
func TestQuickOutcome(t *testing.T) {
	cfg := Quick()
	cfg.Quiet = true
	out, err := Run(cfg)
	if err != nil {
		t.Fatal(err)
	}
	logOutcome(t, out)
	if r := out.Result(); !r.OK() {
		t.Errorf("quick outcome missed: %s", r)
	}
}

// TestFullOutcome runs Full (DL4GO_FULL=1) and asserts every full outcome: mAP@0.5 ≥ 0.8, FPN
// lowers the share of ambiguous samples, center-ness raises mAP@0.5.
func TestFullOutcome(t *testing.T) {
	lessons.SkipUnlessFull(t)
	cfg := Full()
	cfg.Quiet = true
	out, err := Run(cfg)
	if err != nil {
		t.Fatal(err)
	}
	logOutcome(t, out)
	if !(out.Ambiguity.FPNFraction() < out.Ambiguity.Fraction()) {
		t.Errorf("FPN did not lower the ambiguous share: %s", out.Ambiguity)
	}
	if !(out.FCOS.MAP50 > out.NoCenter.MAP50) {
		t.Errorf("center-ness did not raise mAP@0.5: %.3f with, %.3f without", out.FCOS.MAP50, out.NoCenter.MAP50)
	}
	if r := out.Result(); !r.OK() {
		t.Errorf("full outcome missed: %s", r)
	}
}

// TestTargets checks Assign on generated images: every positive location's distances give back
// its object's box exactly, fit the level's range and pick the smallest box that fits; the
// center-ness is the formula's.
func TestTargets(t *testing.T) {
	cfg := Full()
	gen, err := shapes.New(cfg.Data)
	if err != nil {
		t.Fatal(err)
	}
	positives := 0
	for _, s := range gen.Samples(0, 50) {
		ts := Assign(s.Objects, s.Size, cfg.Model.Levels, true)
		if len(ts) != NumLocations(s.Size, cfg.Model.Levels) {
			t.Fatalf("%d targets for %d locations", len(ts), NumLocations(s.Size, cfg.Model.Levels))
		}
		j := 0
		for _, lv := range cfg.Model.Levels {
			n := s.Size / lv.Stride
			for row := 0; row < n; row++ {
				for col := 0; col < n; col++ {
					tg := ts[j]
					j++
					if tg.Object < 0 {
						continue
					}
					positives++
					x, y := Location(lv.Stride, row, col)
					b := s.Objects[tg.Object].Box
					d := tg.LTRB
					if x-d[0] != b.X0 || y-d[1] != b.Y0 || x+d[2] != b.X1 || y+d[3] != b.Y1 {
						t.Fatalf("location (%g,%g) distances %v do not give box %+v", x, y, d, b)
					}
					reach := math.Max(math.Max(d[0], d[1]), math.Max(d[2], d[3]))
					if !(reach > lv.MinReach && reach <= lv.MaxReach) {
						t.Fatalf("reach %g outside level (%g, %g]", reach, lv.MinReach, lv.MaxReach)
					}
					want := math.Sqrt(math.Min(d[0], d[2]) / math.Max(d[0], d[2]) * math.Min(d[1], d[3]) / math.Max(d[1], d[3]))
					if math.Abs(tg.Center-want) > 1e-12 || !(tg.Center > 0 && tg.Center <= 1) {
						t.Fatalf("center-ness %g, want %g", tg.Center, want)
					}
					for k, o := range s.Objects { // no smaller box that fits contains the location.
						dd := LTRB(x, y, o.Box)
						r := math.Max(math.Max(dd[0], dd[1]), math.Max(dd[2], dd[3]))
						if k != tg.Object && dd[0] > 0 && dd[1] > 0 && dd[2] > 0 && dd[3] > 0 && r > lv.MinReach && r <= lv.MaxReach && o.Box.Area() < b.Area() {
							t.Fatalf("location (%g,%g) took object %d over the smaller %d", x, y, tg.Object, k)
						}
					}
				}
			}
		}
	}
	if positives < 500 {
		t.Errorf("only %d positive locations on 50 images", positives)
	}
}

// TestFPNReducesAmbiguity counts the ambiguous samples on the lesson's data: the size ranges must
// lower their share, and hardly any object (≤ 1%) may be left without a positive location (a
// mid-sized object can fall between the levels: too large for the fine one's range at every
// location inside it, and holding no coarse location far enough from its sides).
func TestFPNReducesAmbiguity(t *testing.T) {
	cfg := Full()
	gen, err := shapes.New(cfg.Data)
	if err != nil {
		t.Fatal(err)
	}
	a := CountAmbiguity(gen.Samples(0, 200), cfg.Model.Levels)
	t.Log(a)
	if a.Ambiguous == 0 {
		t.Fatalf("no ambiguous sample without ranges: the data has no overlapping boxes (%s)", a)
	}
	if !(a.FPNFraction() < a.Fraction()) || !(a.FPNFraction() < a.SingleFraction()) {
		t.Errorf("size ranges did not lower the ambiguous share: %s", a)
	}
	if a.ObjectsWithoutPositive*100 > a.Objects {
		t.Errorf("%d of %d objects have no positive location with the size ranges", a.ObjectsWithoutPositive, a.Objects)
	}
}

// TestModel builds the untrained network: the output shapes, the class prior (σ ≈ 0.01) and a
// finite loss on real targets.
func TestModel(t *testing.T) {
	cfg := Quick()
	gen, err := shapes.New(cfg.Data)
	if err != nil {
		t.Fatal(err)
	}
	ss := gen.Samples(0, 2)
	m := cfg.Model
	labels := m.Targets(ss)
	ctx := context.New()
	if err := ctx.SetRNGStateFromSeed(cfg.Train.Seed); err != nil { // the lesson's own initial weights, not a random draw
		t.Fatal(err)
	}
	backend := gomlxext.MustBackend()
	exec, err := context.NewExec(backend, ctx, func(ctx *context.Context, images *Node, oh, box, ctr, pos *Node) []*Node {
		c, b, ct := m.Model(ctx, images)
		return []*Node{c, b, ct, m.Loss([]*Node{oh, box, ctr, pos}, []*Node{c, b, ct})}
	})
	if err != nil {
		t.Fatal(err)
	}
	outs, err := exec.Exec(tensors.FromFlatDataAndDimensions(shapes.Images(ss), 2, 48, 48, 3), labels[0], labels[1], labels[2], labels[3])
	if err != nil {
		t.Fatal(err)
	}
	n := NumLocations(48, m.Levels)
	for i, want := range [][]int{{2, n, shapes.NumClasses}, {2, n, 4}, {2, n}, {}} {
		if got := outs[i].Shape().Dimensions; !slices.Equal(got, want) {
			t.Errorf("output %d: shape %v, want %v", i, got, want)
		}
	}
	logits := tensors.MustCopyFlatData[float32](outs[0])
	mean := 0.0
	for _, v := range logits {
		mean += 1 / (1 + math.Exp(-float64(v)))
	}
	if mean /= float64(len(logits)); mean < 0.002 || mean > 0.05 {
		t.Errorf("untrained mean class probability %g, want ≈ 0.01 (the prior)", mean)
	}
	if l := tensors.MustCopyFlatData[float32](outs[3])[0]; math.IsNaN(float64(l)) || l <= 0 {
		t.Errorf("loss %g", l)
	}
	if got, want := m.OutputsPerImage(48), n*(shapes.NumClasses+5); got != want {
		t.Errorf("OutputsPerImage %d, want %d", got, want)
	}
}

// TestConfigErrors: a bad configuration is refused with a message naming the setting.
func TestConfigErrors(t *testing.T) {
	for name, edit := range map[string]func(*Config){
		"Model.Channels": func(c *Config) { c.Model.Channels = c.Model.Channels[:3] },
		"Stride":         func(c *Config) { c.Model.Levels[1].Stride = 16 },
		"size ranges":    func(c *Config) { c.Model.Levels[1].MinReach = 10 },
		"RequireGains":   func(c *Config) { c.Ablation = false },
		"TestImages":     func(c *Config) { c.TestImages = 0 },
	} {
		c := Full()
		c.Model.Levels = slices.Clone(c.Model.Levels)
		edit(&c)
		if _, err := Run(c); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: error %v", name, err)
		}
	}
}

// TestAssignmentPicture draws the assignment of an image with overlapping boxes.
func TestAssignmentPicture(t *testing.T) {
	cfg := Full()
	gen, err := shapes.New(cfg.Data)
	if err != nil {
		t.Fatal(err)
	}
	i := FirstAmbiguous(gen.Samples(0, 100), cfg.Model.Levels)
	if i < 0 {
		t.Fatal("no image with an ambiguous location among the first 100")
	}
	p, err := AssignmentPicture(gen.Sample(i), cfg.Model.Levels)
	if err != nil {
		t.Fatal(err)
	}
	if b := p.Image.Bounds(); b.Dx() < 400 || b.Dy() < 192 {
		t.Errorf("picture %v too small", b)
	}
}
