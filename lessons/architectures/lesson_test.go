package architectures

import (
	"math"
	"testing"

	"github.com/dl4go/dl4go/gomlxext"
	"github.com/dl4go/dl4go/lessons"
	G "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// checkOutcome asserts every check of the lesson on o and that the charts draw.
func checkOutcome(t *testing.T, o *Outcome) {
	t.Helper()
	t.Log("\n" + o.Summary() + CostTable(o.Costs) + o.ModelTable())
	for _, r := range o.Results() {
		if !r.OK() {
			t.Errorf("missed: %s", r)
		}
	}
	if r := o.Result(); !r.OK() {
		t.Errorf("RESULT %s", r)
	}
	for _, c := range o.NormChecks {
		if c.MaxMean > 1e-4 || c.MaxVarError > 1e-2 {
			t.Errorf("%s output: |mean| up to %g, |variance − 1| up to %g over its sets", c.Norm, c.MaxMean, c.MaxVarError)
		}
	}
	if w := o.WaveNet; len(w.Generated) != int(o.Config.WaveNet.GenerateSeconds*float64(o.Config.WaveNet.SampleRate)) {
		t.Errorf("generated %d samples", len(w.Generated))
	}
	for name, draw := range map[string]func() error{
		"cost":      func() error { _, err := o.CostChart(); return err },
		"accuracy":  func() error { _, err := o.AccuracyChart(); return err },
		"time":      func() error { _, err := o.TimeChart(); return err },
		"densenet":  func() error { _, err := o.DenseNetChart(); return err },
		"receptive": func() error { _, err := o.ReceptiveFieldChart(); return err },
		"waveform":  func() error { _, err := o.WaveformChart(100, 200); return err },
		"real":      func() error { _, err := o.RealSound(); return err },
		"generated": func() error { _, err := o.GeneratedSound(); return err },
		"norms":     func() error { _, err := o.NormCurvesChart(); return err },
		"bn modes":  func() error { _, err := o.BNModesChart(); return err },
		"moving":    func() error { _, err := o.MovingMeanChart(64); return err },
		"axes":      func() error { _, err := NormAxesPicture(2, 6, 2); return err },
	} {
		if err := draw(); err != nil {
			t.Errorf("%s chart: %v", name, err)
		}
	}
}

// TestQuickOutcome runs the quick lesson and asserts its outcome: the counted costs equal the
// formulas, MobileNet-mini within 12 points of the standard CNN (a weak bar: 120 steps) at ≥ 5× fewer mult-adds, the
// receptive field 2^L, WaveNet beating repeat-last, batch norm worst at batch 2.
func TestQuickOutcome(t *testing.T) {
	o, err := Run(Quick())
	if err != nil {
		t.Fatal(err)
	}
	checkOutcome(t, o)
	again, err := Run(Quick())
	if err != nil {
		t.Fatal(err)
	}
	if again.Result() != o.Result() {
		t.Errorf("restored outcome %s, first run %s", again.Result(), o.Result())
	}
}

// TestFullOutcome runs the notebook's lesson (DL4GO_FULL=1).
func TestFullOutcome(t *testing.T) {
	lessons.SkipUnlessFull(t)
	o, err := Run(Full())
	if err != nil {
		t.Fatal(err)
	}
	checkOutcome(t, o)
}

// TestCostFormulas checks the cost table of the full-size models without training: every
// convolution's counted mult-adds equals its formula, every kind appears, and the totals give
// the reduction the lesson claims.
func TestCostFormulas(t *testing.T) {
	checks, err := CheckCosts(Full().Classifier)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	for _, c := range checks {
		kinds[c.Kind]++
		if c.Counted != c.Formula {
			t.Errorf("%s %s: counted %d, formula %d", c.Model, c.Layer, c.Counted, c.Formula)
		}
	}
	if kinds["standard"] != 5 || kinds["depthwise"] != 3 || kinds["pointwise"] != 3 {
		t.Errorf("kinds %v, want 5 standard (4 + MobileNet's first), 3 depthwise, 3 pointwise", kinds)
	}
	t.Log("\n" + CostTable(checks))
}

// TestDenseNetChannels checks the channel trace against the built network's shapes.
func TestDenseNetChannels(t *testing.T) {
	cc := Full().Classifier
	names, ch := DenseNetChannels(cc)
	want := []int{16, 24, 32, 40, 20, 28, 36, 44}
	if len(ch) != len(want) || len(names) != len(want) {
		t.Fatalf("channels %v (%v), want %v", ch, names, want)
	}
	for i := range want {
		if ch[i] != want[i] {
			t.Fatalf("channels %v, want %v", ch, want)
		}
	}
}

// TestMuLaw checks that decoding inverts encoding to within a class and that the classes are
// finer near zero (μ-law's point).
func TestMuLaw(t *testing.T) {
	if MuLawEncode(-1) != 0 || MuLawEncode(1) != 255 || MuLawEncode(0) != 128 {
		t.Fatalf("classes of −1, 0, 1: %d %d %d", MuLawEncode(-1), MuLawEncode(0), MuLawEncode(1))
	}
	for _, x := range []float64{-0.9, -0.3, -0.01, 0.002, 0.05, 0.5, 0.99} {
		q := MuLawEncode(x)
		lo, hi := MuLawDecode(max(q-1, 0)), MuLawDecode(min(q+1, 255))
		if x < lo || x > hi {
			t.Errorf("x %g → class %d → %g, outside the neighbours' [%g, %g]", x, q, MuLawDecode(q), lo, hi)
		}
	}
	if step0, step1 := MuLawDecode(129)-MuLawDecode(128), MuLawDecode(255)-MuLawDecode(254); step0*20 > step1 {
		t.Errorf("step near 0 %g vs near 1 %g: μ-law should be much finer near 0", step0, step1)
	}
}

// TestReceptiveField measures the bare stack's receptive field for L = 1…5 without training.
func TestReceptiveField(t *testing.T) {
	backend := gomlxext.MustBackend()
	for l := 1; l <= 5; l++ {
		rf := 1 << l
		_, seen, err := ReceptiveField(backend, newCtx(t), func(ctx *context.Context, x *G.Node) *G.Node { return DilatedStack(ctx, x, l, 3) }, 3*rf, 2*rf, 1)
		if err != nil {
			t.Fatal(err)
		}
		if len(seen) != rf || seen[0] != rf+1 || seen[rf-1] != 2*rf {
			t.Errorf("L = %d: output %d depends on %v, want the %d steps %d…%d", l, 2*rf, seen, rf, rf+1, 2*rf)
		}
	}
}

// TestCheckNorms checks that each normalisation's output has mean 0 and variance 1 over its own
// sets, and that the set counts follow the axes.
func TestCheckNorms(t *testing.T) {
	checks, err := CheckNorms(4, 5, 5, 6, 2, 1)
	if err != nil {
		t.Fatal(err)
	}
	want := map[Norm][2]int{BatchNorm: {6, 100}, LayerNorm: {4, 150}, InstanceNorm: {24, 25}, GroupNorm: {8, 75}}
	for _, c := range checks {
		if w := want[c.Norm]; c.Sets != w[0] || c.Size != w[1] || c.MaxMean > 1e-4 || c.MaxVarError > 1e-2 || math.IsNaN(c.MaxVarError) {
			t.Errorf("%+v, want %d sets of %d with mean 0 and variance 1", c, w[0], w[1])
		}
	}
}

func newCtx(t *testing.T) *context.Context {
	t.Helper()
	ctx := context.New()
	if err := ctx.SetRNGStateFromSeed(1); err != nil {
		t.Fatal(err)
	}
	return ctx
}

// TestAccuracyGapCountsImages: the gap is taken from the images each model got right, so 50 of
// 5000 is exactly 1 point (within a "≤ 1 point" bar) and 51 is over it; the difference of the
// two accuracies in floating point is 1.0000000000000009.
func TestAccuracyGapCountsImages(t *testing.T) {
	for _, tt := range []struct {
		std, mob int
		want     float64
		ok       bool
	}{{4900, 4850, 1, true}, {4900, 4849, 1.02, false}, {4898, 4850, 0.96, true}, {4850, 4900, -1, true}} {
		o := &Outcome{Models: map[Arch]*Trained{
			Standard:  {Accuracy: float64(tt.std) / 5000},
			MobileNet: {Accuracy: float64(tt.mob) / 5000},
		}}
		o.Config.Classifier.TestSize = 5000
		got := o.AccuracyGap()
		if math.Abs(got-tt.want) > 1e-12 {
			t.Errorf("%d vs %d right of 5000: gap %v points, want %v", tt.std, tt.mob, got, tt.want)
		}
		if (got <= 1) != tt.ok {
			t.Errorf("%d vs %d right of 5000: gap %v points, within 1 point = %v, want %v", tt.std, tt.mob, got, got <= 1, tt.ok)
		}
	}
}
