package architectures

import (
	"fmt"
	"math"
	"time"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/ml/context"

	"github.com/dl4go/dl4go/data/mnist"
	"github.com/dl4go/dl4go/gomlxext"
	"github.com/dl4go/dl4go/gomlxext/cost"
	"github.com/dl4go/dl4go/lessons"
)

// Lesson describes lesson 04 to the lesson kit.
var Lesson = lessons.Lesson{ID: "04", Name: "architectures"}

// Config sizes the lesson. Every field but Options is part of the run's key.
type Config struct {
	lessons.Options `json:"-"`

	Classifier ClassifierConfig
	// MixSteps are the training steps of the MixConv pair (MixConv-mini and its 5×5 baseline).
	MixSteps int
	Norm     NormConfig
	WaveNet  WaveNetConfig

	// Thresholds. MaxAccuracyGap: how many points MobileNet-mini's held-out accuracy may be
	// below the standard CNN's; MinMultAddReduction: the least standard ÷ MobileNet-mini
	// mult-adds; MaxWaveNetMSERatio: the most WaveNet's held-out next-sample MSE may be of
	// repeating the last sample's. The counted costs must equal the formulas exactly, the
	// measured receptive field must be 2^L, and at batch 2 batch norm's held-out accuracy must be
	// below the better of layer and group norm's.
	MaxAccuracyGap, MinMultAddReduction, MaxWaveNetMSERatio float64
}

// Full is the notebook's lesson.
func Full() Config {
	return Config{
		Classifier: ClassifierConfig{Widths: []int{16, 32, 64}, Growth: 8, DenseLayers: 3, Steps: 800, Batch: 64,
			LearningRate: 1e-2, BNMomentum: 0.9, TrainSize: 0, TestSize: 5000, Seed: 4},
		MixSteps: 250,
		Norm: NormConfig{Batches: []int{2, 64}, Examples: 6400, EvalPoints: 8, LearningRate: 2e-3, BNMomentum: 0.9, Groups: 4,
			TestSize: 1000, Seed: 4},
		WaveNet: WaveNetConfig{Layers: 6, Channels: 24, SkipChannels: 32, SampleRate: 8000, NoteSeconds: 0.15, TrainNotes: 40,
			TestNotes: 10, Steps: 300, Batch: 8, Frame: 256, LearningRate: 3e-3, GenerateSeconds: 0.5, Seed: 4},
		MaxAccuracyGap: 1, MinMultAddReduction: 5, MaxWaveNetMSERatio: 1,
	}
}

// Quick is the same lesson with fewer steps, for tests and CI: the same checks, with a much
// looser accuracy gap — after 120 steps MobileNet-mini, with a seventh of the parameters, is
// still well behind the standard CNN (it gets close by the full run's 800).
func Quick() Config {
	c := Full()
	c.Classifier.Steps, c.Classifier.TestSize = 120, 1000
	c.MixSteps = 25
	c.Norm.Examples, c.Norm.EvalPoints = 2400, 4
	c.WaveNet.Steps, c.WaveNet.GenerateSeconds = 120, 0.25
	c.MaxAccuracyGap = 12
	return c
}

// Size returns Quick when lessons.Quick() (DL4GO_QUICK=1), else Full.
func Size() Config {
	if lessons.Quick() {
		return Quick()
	}
	return Full()
}

// CostCheck is one convolution of a model: its counted mult-adds (gomlxext/cost, from the built
// graph) beside the report's formula for its kind, from its output size H×W, kernel K, input
// channels C and output channels M.
type CostCheck struct {
	Model, Layer, Kind string
	H, W, K, C, M      int
	Counted, Formula   int64
}

// CheckCosts builds the standard CNN and MobileNet-mini for one image and compares every
// convolution's counted mult-adds with the report's formula: standard H·W·K·K·C·M,
// depthwise H·W·K·K·C (one filter per channel), pointwise H·W·C·M (1×1).
func CheckCosts(cc ClassifierConfig) ([]CostCheck, error) {
	backend, err := gomlxext.Backend()
	if err != nil {
		return nil, fmt.Errorf("architectures: %w", err)
	}
	var out []CostCheck
	for _, arch := range []Arch{Standard, MobileNet} {
		r, err := cost.Model(backend, context.New(), shapes.Make(dtypes.Float32, 1, 28, 28, 1), Classifier(arch, cc))
		if err != nil {
			return nil, fmt.Errorf("architectures: %w", err)
		}
		for _, op := range r.Ops {
			if op.Type != graph.NodeTypeConvGeneral {
				continue
			}
			d, k := op.Output.Dimensions, op.Kernel.Dimensions // [1, H, W, M], [K, K, C/groups, M]
			c := CostCheck{Model: string(arch), Layer: op.Weights, H: d[1], W: d[2], K: k[0], C: op.Input.Dimensions[3], M: d[3], Counted: op.MultAdds}
			switch {
			case op.Groups == c.C && c.C > 1:
				c.Kind, c.Formula = "depthwise", cost.Depthwise(c.H, c.W, c.K, c.C)
			case c.K == 1:
				c.Kind, c.Formula = "pointwise", cost.Pointwise(c.H, c.W, c.C, c.M)
			default:
				c.Kind, c.Formula = "standard", cost.Standard(c.H, c.W, c.K, c.C, c.M)
			}
			out = append(out, c)
		}
	}
	return out, nil
}

// Outcome is what Run measured.
type Outcome struct {
	Config Config
	Costs  []CostCheck
	// Models are the five MNIST classifiers, by architecture.
	Models map[Arch]*Trained
	// NormChecks is CheckNorms on a random batch; NormRuns the batch-size experiment.
	NormChecks []NormCheck
	NormRuns   []*NormRun
	WaveNet    *WaveNetResult
	Wall       time.Duration
}

// CostMismatches is how many convolutions' counted mult-adds differ from the formula.
func (o *Outcome) CostMismatches() int {
	n := 0
	for _, c := range o.Costs {
		if c.Counted != c.Formula {
			n++
		}
	}
	return n
}

// AccuracyGap is the standard CNN's held-out accuracy minus MobileNet-mini's, in points,
// from the numbers of test images each got right: 50 images of 5000 is exactly 1 point, where
// 100 × (0.98 − 0.97) in floating point is 1.0000000000000009 and would miss a "within 1 point"
// bar by rounding.
func (o *Outcome) AccuracyGap() float64 {
	n := float64(o.Config.Classifier.TestSize)
	right := func(a Arch) float64 { return math.Round(o.Models[a].Accuracy * n) }
	return 100 * (right(Standard) - right(MobileNet)) / n
}

// MultAddReduction is the standard CNN's mult-adds ÷ MobileNet-mini's.
func (o *Outcome) MultAddReduction() float64 {
	return float64(o.Models[Standard].MultAdds) / float64(o.Models[MobileNet].MultAdds)
}

// ReceptiveFieldError is |measured − 2^L| for the bare dilated stack plus that of the trained
// WaveNet (0 when both see exactly 2^L inputs, and those are the 2^L steps up to the output's).
func (o *Outcome) ReceptiveFieldError() float64 {
	rf := 1 << o.Config.WaveNet.Layers
	e := 0
	for _, s := range []struct {
		seen []int
		at   int
	}{{o.WaveNet.StackSeen, o.WaveNet.StackAt}, {o.WaveNet.ModelSeen, o.WaveNet.ModelAt}} {
		e += abs(len(s.seen) - rf)
		if len(s.seen) > 0 && (s.seen[0] != s.at-rf+1 || s.seen[len(s.seen)-1] != s.at) {
			e++ // the right count, but not the right steps
		}
	}
	return float64(e)
}

// NormRun returns the run of norm at batch size b (nil if there is none).
func (o *Outcome) NormRun(norm Norm, b int) *NormRun {
	for _, r := range o.NormRuns {
		if r.Norm == norm && r.Batch == b {
			return r
		}
	}
	return nil
}

// SmallBatchBNMargin is, at the smallest batch size, batch norm's final held-out accuracy minus
// the better of layer and group norm's (negative: batch norm is worse).
func (o *Outcome) SmallBatchBNMargin() float64 {
	b := o.Config.Norm.Batches[0]
	return o.NormRun(BatchNorm, b).Final - max(o.NormRun(LayerNorm, b).Final, o.NormRun(GroupNorm, b).Final)
}

// Results are every asserted check, the main one (MobileNet-mini's accuracy gap) first.
func (o *Outcome) Results() []lessons.Result {
	c := o.Config
	return []lessons.Result{
		{Lesson: Lesson.ID, Metric: "mobilenet_heldout_accuracy_gap_pts_vs_standard_cnn", Value: o.AccuracyGap(), Threshold: c.MaxAccuracyGap, LowerIsBetter: true},
		{Lesson: Lesson.ID, Metric: "counted_multadds_formula_mismatches", Value: float64(o.CostMismatches()), Threshold: 0, LowerIsBetter: true},
		{Lesson: Lesson.ID, Metric: "standard_over_mobilenet_multadds", Value: o.MultAddReduction(), Threshold: c.MinMultAddReduction},
		{Lesson: Lesson.ID, Metric: "wavenet_receptive_field_error_vs_2^L", Value: o.ReceptiveFieldError(), Threshold: 0, LowerIsBetter: true},
		{Lesson: Lesson.ID, Metric: "wavenet_heldout_next_sample_mse_over_repeat_last", Value: o.WaveNet.MSE / o.WaveNet.RepeatMSE, Threshold: c.MaxWaveNetMSERatio, LowerIsBetter: true},
		{Lesson: Lesson.ID, Metric: "batch2_bn_heldout_acc_minus_best_of_ln_gn", Value: o.SmallBatchBNMargin(), Threshold: 0, LowerIsBetter: true},
	}
}

// Result is the lesson's RESULT line: MobileNet-mini's held-out accuracy gap to the standard CNN
// in points, when every other check passes; otherwise the first check that misses.
func (o *Outcome) Result() lessons.Result {
	rs := o.Results()
	for _, r := range rs[1:] {
		if !r.OK() {
			return r
		}
	}
	return rs[0]
}

// Summary is a short table of the lesson's numbers.
func (o *Outcome) Summary() string {
	s := fmt.Sprintf("%-20s %9s %8s %11s %10s %10s\n", "model", "held-out", "params", "mult-adds", "train ms", "infer ms")
	for _, a := range Archs {
		m := o.Models[a]
		s += fmt.Sprintf("%-20s %9.4f %8d %11d %10.1f %10.1f\n", a, m.Accuracy, m.Params, m.MultAdds, m.StepMillis, m.InferMillis)
	}
	w := o.WaveNet
	s += fmt.Sprintf("WaveNet: receptive field %d (stack) / %d (model), 2^L = %d; next-sample MSE %.2e vs repeat-last %.2e; exact class %.3f vs %.3f\n",
		len(w.StackSeen), len(w.ModelSeen), 1<<o.Config.WaveNet.Layers, w.MSE, w.RepeatMSE, w.Accuracy, w.RepeatAccuracy)
	for _, b := range o.Config.Norm.Batches {
		s += fmt.Sprintf("batch %3d:", b)
		for _, n := range TrainedNorms {
			s += fmt.Sprintf("  %s %.3f", n, o.NormRun(n, b).Final)
		}
		s += "\n"
	}
	for _, r := range o.Results() {
		s += r.String() + "\n"
	}
	return s
}

// Archs are the classifiers in training order.
var Archs = []Arch{Standard, MobileNet, DenseNet, MixConv, Depthwise5}

// Run does the whole lesson: checks the cost formulas, trains (or resumes) the five MNIST
// classifiers, the normalisation experiment's six CNNs and the tiny WaveNet, and measures them.
// A finished run's outcome is restored from the run's folder.
func Run(cfg Config) (*Outcome, error) {
	t0 := time.Now()
	if err := cfg.check(); err != nil {
		return nil, err
	}
	backend, err := gomlxext.Backend()
	if err != nil {
		return nil, fmt.Errorf("architectures: %w", err)
	}
	run, err := Lesson.Open(cfg)
	if err != nil {
		return nil, err
	}
	out := &Outcome{}
	if ok, err := run.LoadOutcome(out); err != nil || ok {
		out.Config = cfg
		return out, err
	}
	out = &Outcome{Config: cfg, Models: map[Arch]*Trained{}}
	if out.Costs, err = CheckCosts(cfg.Classifier); err != nil {
		return nil, err
	}
	trainSet, err := mnist.Load(mnist.Train)
	if err != nil {
		return nil, fmt.Errorf("architectures: %w", err)
	}
	testSet, err := mnist.Load(mnist.Test)
	if err != nil {
		return nil, fmt.Errorf("architectures: %w", err)
	}
	for _, a := range Archs {
		cc := cfg.Classifier
		if a == MixConv || a == Depthwise5 {
			cc.Steps = cfg.MixSteps
		}
		dir, err := run.Part(partName(string(a)))
		if err != nil {
			return nil, err
		}
		if out.Models[a], err = trainClassifier(backend, a, cc, trainSet, testSet, dir, run.Quiet); err != nil {
			return nil, err
		}
	}
	if out.NormChecks, err = CheckNorms(4, 6, 6, 6, 2, uint64(cfg.Norm.Seed)); err != nil {
		return nil, err
	}
	for _, b := range cfg.Norm.Batches {
		for _, n := range TrainedNorms {
			dir, err := run.Part(partName(fmt.Sprintf("%s-batch%d", n, b)))
			if err != nil {
				return nil, err
			}
			r, err := trainNorm(backend, cfg.Norm, n, b, trainSet, testSet, dir, run.Quiet)
			if err != nil {
				return nil, err
			}
			out.NormRuns = append(out.NormRuns, r)
		}
	}
	dir, err := run.Part("wavenet")
	if err != nil {
		return nil, err
	}
	if out.WaveNet, err = runWaveNet(backend, cfg.WaveNet, dir, run.Quiet); err != nil {
		return nil, err
	}
	out.Wall = time.Since(t0)
	return out, run.SaveOutcome(out)
}

// partName turns a model's name into a folder name.
func partName(s string) string {
	b := []byte{}
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-':
			b = append(b, byte(r))
		case r == ' ':
			b = append(b, '-')
		}
	}
	return string(b)
}

// check refuses settings the lesson cannot run with, naming the fix.
func (c Config) check() error {
	cc, nc, wc := c.Classifier, c.Norm, c.WaveNet
	switch {
	case cc.Steps < 1 || c.MixSteps < 1 || cc.Batch < 1 || cc.TestSize < cc.Batch || cc.TestSize > 10000:
		return fmt.Errorf("architectures: classifier Steps (%d), MixSteps (%d) and Batch (%d) must be ≥ 1 and TestSize (%d) between Batch and 10000",
			cc.Steps, c.MixSteps, cc.Batch, cc.TestSize)
	case len(cc.Widths) != 3 || cc.Widths[0] < 1 || cc.Widths[1] < 1 || cc.Widths[2] < 3 || cc.Growth < 1 || cc.DenseLayers < 1:
		return fmt.Errorf("architectures: Widths %v must be three widths ≥ 1 (the last ≥ 3, MixConv splits it in three), Growth (%d) and DenseLayers (%d) ≥ 1",
			cc.Widths, cc.Growth, cc.DenseLayers)
	case len(nc.Batches) < 1 || nc.Batches[0] < 1 || nc.EvalPoints < 1 || nc.Examples < nc.Batches[len(nc.Batches)-1] || nc.TestSize < 100:
		return fmt.Errorf("architectures: Norm needs Batches (smallest first, got %v), EvalPoints ≥ 1 (%d), Examples ≥ the largest batch (%d) and TestSize ≥ 100 (%d)",
			nc.Batches, nc.EvalPoints, nc.Examples, nc.TestSize)
	case nc.Groups < 1 || 8%nc.Groups != 0:
		return fmt.Errorf("architectures: Norm.Groups (%d) must divide 8, the first layer's channels", nc.Groups)
	case wc.Layers < 1 || wc.Layers > 12 || wc.Channels < 1 || wc.SkipChannels < 1 || wc.SampleRate < 3000 || wc.Frame < 2 || wc.Batch < 1 || wc.Steps < 1:
		return fmt.Errorf("architectures: WaveNet needs 1 ≤ Layers ≤ 12 (got %d), Channels, SkipChannels, Frame ≥ 2, Batch and Steps ≥ 1, SampleRate ≥ 3000 (got %d)",
			wc.Layers, wc.SampleRate)
	case wc.TestNotes < 1 || int(float64(wc.TestNotes)*wc.NoteSeconds*float64(wc.SampleRate)) <= 2<<wc.Layers:
		return fmt.Errorf("architectures: the held-out melody (%d notes of %gs) must be longer than twice the receptive field (%d samples)",
			wc.TestNotes, wc.NoteSeconds, 2<<wc.Layers)
	}
	return nil
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
