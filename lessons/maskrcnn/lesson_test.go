package maskrcnn

import (
	"math"
	"math/rand/v2"
	"syscall"
	"testing"
	"time"

	"github.com/dl4go/dl4go/data/shapes"
	"github.com/dl4go/dl4go/lessons"
	"github.com/dl4go/dl4go/lessons/detection"
	"github.com/dl4go/dl4go/plotting"
)

// cpuSeconds is the CPU time of the test process, logged beside wall times (the machine the
// tests run on may be busy; the lesson's time budgets are for 2 idle cores).
func cpuSeconds() float64 {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return float64(ru.Utime.Sec+ru.Stime.Sec) + float64(ru.Utime.Usec+ru.Stime.Usec)/1e6
}

func runLogged(t *testing.T, cfg Config) *Outcome {
	t.Helper()
	c0, w0 := cpuSeconds(), time.Now()
	out, err := Run(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s\n%swall %.1fs, CPU %.1fs", out.Result(), out.Summary(), time.Since(w0).Seconds(), cpuSeconds()-c0)
	return out
}

func TestQuickOutcome(t *testing.T) {
	cfg := Quick()
	cfg.Quiet = true
	out := runLogged(t, cfg)
	if !out.Result().OK() {
		t.Errorf("quick outcome not reached: %s", out.Result())
	}
	if a := out.Align; !(a.MaskIoU > a.BoxMaskIoU) {
		t.Errorf("RoI Align's masks (IoU %.3f) are no better than the detected boxes filled (%.3f)", a.MaskIoU, a.BoxMaskIoU)
	}
	pics := map[string]func() (*plotting.Picture, error){
		"family": Family, "instances": func() (*plotting.Picture, error) { return InstancesPicture(out.Align.Test[:3]) },
		"anchors":   func() (*plotting.Picture, error) { return out.Align.Model.AnchorsPicture(out.Align.Test[0]) },
		"proposals": func() (*plotting.Picture, error) { return out.Align.ProposalsPicture(3, 5) },
		"found":     func() (*plotting.Picture, error) { return out.Pool.InstancesPicture(3) },
		"compare":   func() (*plotting.Picture, error) { return out.ComparePicture(4) },
		"fcn":       func() (*plotting.Picture, error) { return out.Align.FCNPicture(2) },
		"misalignment": func() (*plotting.Picture, error) {
			return MisalignmentPicture(out.Align.Test[0], out.Align.Test[0].Objects[0].Box, 7)
		},
	}
	for name, f := range pics {
		p, err := f()
		if err == nil {
			_, err = p.PNG()
		}
		if err != nil {
			t.Errorf("%s picture: %v", name, err)
		}
	}
	for name, f := range map[string]func() (*plotting.Chart, error){"loss": out.LossChart, "mask IoU": out.MaskIoUChart} {
		c, err := f()
		if err == nil {
			err = plotting.Display(c)
		}
		if err != nil {
			t.Errorf("%s chart: %v", name, err)
		}
	}
}

func TestFullOutcome(t *testing.T) {
	lessons.SkipUnlessFull(t)
	out := runLogged(t, Full())
	if !out.Result().OK() {
		t.Errorf("full outcome not reached: %s", out.Result())
	}
}

// TestRPNTargets: an anchor equal to an object's box is an object, far ones background, the
// ones in between ignored, and the sample keeps at most half objects.
func TestRPNTargets(t *testing.T) {
	obj := shapes.Object{Class: shapes.Square, Box: detection.Box{X0: 10, Y0: 10, X1: 22, Y1: 22}}
	anchors := []detection.Box{
		{X0: 10, Y0: 10, X1: 22, Y1: 22}, // IoU 1
		{X0: 12, Y0: 10, X1: 24, Y1: 22}, // IoU 10·12/(2·144−120) = 0.71: object
		{X0: 16, Y0: 10, X1: 28, Y1: 22}, // IoU 72/216 = 0.33: ignored
		{X0: 30, Y0: 30, X1: 42, Y1: 42}, // IoU 0: background
	}
	labels, deltas := RPNTargets([]shapes.Object{obj}, anchors, 10, rand.New(rand.NewPCG(1, 2)))
	if want := []float32{1, 1, -1, 0}; !equal(labels, want) {
		t.Errorf("labels %v, want %v", labels, want)
	}
	if deltas[0] != [4]float64{} || deltas[1] == [4]float64{} {
		t.Errorf("deltas %v: zero for the exact anchor, non-zero for the shifted one", deltas[:2])
	}
	labels, _ = RPNTargets([]shapes.Object{obj}, anchors, 2, rand.New(rand.NewPCG(1, 2)))
	pos, neg := 0, 0
	for _, l := range labels {
		pos, neg = pos+b2i(l == 1), neg+b2i(l == 0)
	}
	if pos != 1 || neg != 1 {
		t.Errorf("2 samples: %d objects and %d background, want 1 and 1", pos, neg)
	}
}

func equal(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestProposalsDecodeAndSuppress: with zero offsets the proposals are the anchors, the most
// object-like first, and NMS drops the one overlapping a better one.
func TestProposalsDecodeAndSuppress(t *testing.T) {
	anchors := []detection.Box{{X0: 0, Y0: 0, X1: 10, Y1: 10}, {X0: 1, Y0: 0, X1: 11, Y1: 10}, {X0: 20, Y0: 20, X1: 30, Y1: 30}}
	logits := []float32{1, 2, 0}
	p := Proposals(logits, make([]float32, 12), anchors, 48, 3, 3, 0.7)
	if len(p) != 2 || p[0].Box != anchors[1] || p[1].Box != anchors[2] || math.Abs(p[0].Score-1/(1+math.Exp(-2))) > 1e-12 {
		t.Errorf("proposals %+v: want anchors 1 then 2 (0 suppressed by 1)", p)
	}
}

// TestSampleRoIs: labels agree with the overlaps, the foreground share is capped, and every mask
// RoI is foreground with its object's mask as target.
func TestSampleRoIs(t *testing.T) {
	cfg := Full()
	gen, err := shapes.New(cfg.Data)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(5, 6))
	for i := range 50 {
		s := gen.Sample(i)
		var props []detection.Box
		for range 10 {
			x, y := rng.Float64()*30, rng.Float64()*30
			props = append(props, detection.Box{X0: x, Y0: y, X1: x + 6 + rng.Float64()*15, Y1: y + 6 + rng.Float64()*15})
		}
		r := SampleRoIs(s.Objects, props, s.Size, 16, 4, 14, 0.5, rng)
		if len(r.RoIs) != 16 || len(r.Labels) != 16 || len(r.Masks) != 4 || len(r.Targets) != 4 {
			t.Fatalf("sample %d: %d RoIs, %d labels, %d mask RoIs, %d targets", i, len(r.RoIs), len(r.Labels), len(r.Masks), len(r.Targets))
		}
		fg := 0
		for k, b := range r.RoIs {
			best, cls := 0.0, int32(0)
			for _, o := range s.Objects {
				if v := detection.IoU(b, o.Box); v > best {
					best, cls = v, int32(o.Class+1)
				}
			}
			if (best >= ForegroundIoU) != (r.Labels[k] > 0) || (r.Labels[k] > 0 && r.Labels[k] != cls) {
				t.Fatalf("sample %d RoI %d: IoU %.2f with class %d, labelled %d", i, k, best, cls, r.Labels[k])
			}
			fg += b2i(r.Labels[k] > 0)
		}
		if fg < 1 || fg > 8 {
			t.Errorf("sample %d: %d foreground RoIs of 16 (want 1..8)", i, fg)
		}
		for k, b := range r.Masks {
			var sum float32
			for _, v := range r.Targets[k] {
				sum += v
			}
			ok := false
			for _, o := range s.Objects {
				ok = ok || (detection.IoU(b, o.Box) >= ForegroundIoU && int32(o.Class) == r.Classes[k])
			}
			if !ok || sum == 0 {
				t.Errorf("sample %d mask RoI %d: not on an object of class %d, or an empty target", i, k, r.Classes[k])
			}
		}
	}
}

// TestMaskRoundTrip: a mask cut to its own box and pasted back is the mask again (squares
// exactly, the others to the sampling's resolution); an occluded object's target leaves out
// the part another object hides.
func TestMaskRoundTrip(t *testing.T) {
	cfg := Full()
	gen, _ := shapes.New(cfg.Data)
	worst := 1.0
	hidden := 0
	for i := range 100 {
		s := gen.Sample(i)
		for _, o := range s.Objects {
			target := MaskTarget(o.Mask, s.Size, o.Box, 14)
			v := MaskIoU(PasteMask(target, 14, o.Box, s.Size), o.Mask)
			worst = math.Min(worst, v)
			if o.Class == shapes.Square && o.Visible == 1 && v != 1 {
				t.Errorf("sample %d: a whole square comes back with IoU %.3f", i, v)
			}
			if o.Visible < 0.9 {
				hidden++
				if full := MaskIoU(BoxMask(o.Box, s.Size), o.Mask); full >= 1 {
					t.Errorf("sample %d: a partly hidden object fills its box", i)
				}
			}
		}
	}
	if worst < 0.8 || hidden == 0 {
		t.Errorf("worst round trip IoU %.3f (want ≥ 0.8); %d partly hidden objects", worst, hidden)
	}
}

// TestMatchInstances: detections take the best unmatched object of their class, by score.
func TestMatchInstances(t *testing.T) {
	box := func(x float64) detection.Box { return detection.Box{X0: x, Y0: 0, X1: x + 10, Y1: 10} }
	objs := []shapes.Object{{Class: 0, Box: box(0)}, {Class: 1, Box: box(20)}, {Class: 0, Box: box(2)}}
	ins := []Instance{
		{Detection: detection.Detection{Class: 0, Score: 0.9, Box: box(1)}},  // both class-0 objects overlap it: the first (IoU 9/11 each, first kept)
		{Detection: detection.Detection{Class: 0, Score: 0.8, Box: box(1)}},  // the other class-0 object
		{Detection: detection.Detection{Class: 0, Score: 0.7, Box: box(20)}}, // wrong class for object 1
		{Detection: detection.Detection{Class: 1, Score: 0.3, Box: box(20)}}, // below the score
	}
	got := MatchInstances(ins, objs, 0.5)
	if len(got) != 2 || got[0] != [2]int{0, 0} || got[1] != [2]int{1, 2} {
		t.Errorf("matches %v, want [[0 0] [1 2]]", got)
	}
}

// TestRoundingShift: box edges on the cell grid do not move; one 2 pixels off moves by 2.
func TestRoundingShift(t *testing.T) {
	s := shapes.Sample{Objects: []shapes.Object{{Box: detection.Box{X0: 4, Y0: 8, X1: 14, Y1: 20}}}}
	mean, largest := RoundingShift([]shapes.Sample{s})
	if mean != 0.5 || largest != 2 { // edges 4, 8, 20 stay; 14 rounds to 16 (ties round up)
		t.Errorf("shift mean %g, largest %g; want 0.5 and 2", mean, largest)
	}
}

// TestMostShifted: of a box on the grid and one 2 pixels off it, the second moves most.
func TestMostShifted(t *testing.T) {
	on := shapes.Object{Box: detection.Box{X0: 4, Y0: 8, X1: 16, Y1: 20}}
	off := shapes.Object{Box: detection.Box{X0: 6, Y0: 8, X1: 16, Y1: 22}}
	if i, j := MostShifted([]shapes.Sample{{Objects: []shapes.Object{on}}, {Objects: []shapes.Object{on, off}}}); i != 1 || j != 1 {
		t.Errorf("most shifted: sample %d object %d, want 1 1", i, j)
	}
	if i, j := MostShifted(nil); i != -1 || j != -1 {
		t.Errorf("no objects: %d %d, want -1 -1", i, j)
	}
}

// TestConfigChecks: settings that cannot train say what is wrong.
func TestConfigChecks(t *testing.T) {
	for name, edit := range map[string]func(*Config){
		"no test images": func(c *Config) { c.TestImages = 0 },
		"no foreground":  func(c *Config) { c.Train.FgFraction = 0 },
		"few proposals":  func(c *Config) { c.Detect.PreNMS = 2 },
	} {
		c := Quick()
		edit(&c)
		if _, err := RunModel(c, Align); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := NewModel(Full().Model, Align, 50); err == nil {
		t.Error("an image size that is not a multiple of the stride was accepted")
	}
}

// TestCheckRoIAlign: the hand computation of one bin equals the engine's, and RoI Pool takes
// the rounded box's cells (x 1..2, y 0..1 → max(4, 2, 8, 5) = 8).
func TestCheckRoIAlign(t *testing.T) {
	c, err := CheckRoIAlign()
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(c.Hand-c.Engine) > 1e-12 || c.PoolMax != 8 {
		t.Errorf("hand %.12f, engine %.12f, RoI Pool %g (want 8)", c.Hand, c.Engine, c.PoolMax)
	}
}
