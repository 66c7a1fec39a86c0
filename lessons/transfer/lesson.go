package transfer

import (
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/dl4go/dl4go/data/mnist"
	"github.com/dl4go/dl4go/gomlxext"
	"github.com/dl4go/dl4go/lessons"
)

// Lesson describes lesson 05 to the lesson kit.
var Lesson = lessons.Lesson{ID: "05", Name: "transfer"}

// PretrainConfig sizes the pre-training on the source task.
type PretrainConfig struct {
	Steps, Batch int
	LearningRate float64
}

// TransferConfig is the report's recipe for the target task.
type TransferConfig struct {
	// PerClass labelled target images per class (≤ 100), split TrainShare / rest into training
	// and validation images (the report's 70/30).
	PerClass   int
	TrainShare float64
	// Batch (16), LearningRate of Adam (1e-4), MaxEpochs (the report's EPOCHS = 20) and the
	// EarlyStopping patience on val_acc (2).
	Batch        int
	LearningRate float64
	MaxEpochs    int
	Patience     int
	// ProbeLearningRate, if > 0, adds a fourth run, FrozenProbe: the frozen feature extractor
	// with Adam at this rate, to tell apart what the features allow from what 1e-4 reaches.
	ProbeLearningRate float64
	// TestSize held-out target images from MNIST's test split measure the result (0: all).
	TestSize int
}

// Config sizes the lesson.
type Config struct {
	lessons.Options `json:"-"`

	// SourceDigits are the classes of the pre-training task, TargetDigits those of the task it
	// is transferred to (the same number of each).
	SourceDigits, TargetDigits []int
	Model                      ModelConfig
	Pretrain                   PretrainConfig
	Transfer                   TransferConfig
	Depth                      DepthConfig
	// PretrainedDir, if not empty, is a GoMLX checkpoint folder holding a pre-trained
	// ResNet-mini of this Model (its variables under "/backbone", e.g. the Pretrained.Dir of an
	// earlier run, or weights trained elsewhere): the lesson then loads the backbone from there
	// instead of pre-training, the report's ResNet50(weights='imagenet'). A missing folder is an
	// error.
	PretrainedDir string
	Seed          uint64
	// MinGain is the bar: fine-tuned minus from-scratch accuracy on the held-out target images.
	MinGain float64
}

// Full is the notebook's lesson.
func Full() Config {
	return Config{
		SourceDigits: []int{0, 1, 2, 3, 4}, TargetDigits: []int{5, 6, 7, 8, 9},
		Model:    ModelConfig{Widths: []int{16, 32, 64}, StemStride: 2, Momentum: 0.9},
		Pretrain: PretrainConfig{Steps: 300, Batch: 64, LearningRate: 2e-3},
		Transfer: TransferConfig{PerClass: 100, TrainShare: 0.7, Batch: 16, LearningRate: 1e-4, MaxEpochs: 20, Patience: 2, ProbeLearningRate: 1e-2},
		Depth:    DepthConfig{Blocks: 16, Channels: 16, StemStride: 4, Steps: 150, Batch: 32, LearningRate: 1e-3, GradBatch: 250, Momentum: 0.9},
		Seed:     5, MinGain: 0.05,
	}
}

// Quick is the same lesson smaller, for tests and CI: less pre-training, fewer target images
// and epochs, a shallower depth experiment; its bar is only that fine-tuning beats scratch.
func Quick() Config {
	c := Full()
	c.Pretrain.Steps = 80
	c.Transfer.PerClass, c.Transfer.MaxEpochs, c.Transfer.TestSize = 40, 8, 1000
	c.Depth.Steps = 30
	c.MinGain = 0.001
	return c
}

// Size returns Quick when lessons.Quick() (DL4GO_QUICK=1), else Full.
func Size() Config {
	if lessons.Quick() {
		return Quick()
	}
	return Full()
}

// Outcome is what Run measured.
type Outcome struct {
	Config Config
	// Plain and Residual are the depth experiment's two networks.
	Plain, Residual *DepthRun
	// Pretrained is the source-task network the backbone comes from.
	Pretrained *Pretrained
	// Runs are the ways on the target task, in the order of Ways (then FrozenProbe).
	Runs []*WayRun
	// TrainSize, ValidationSize and TestSize count the target images of each part.
	TrainSize, ValidationSize, TestSize int
	// ModelParams is the ResNet-mini's number of weights (backbone and head).
	ModelParams int
	Wall        time.Duration
}

// Run returns the way's run.
func (o *Outcome) Run(w Way) *WayRun {
	for _, r := range o.Runs {
		if r.Way == w {
			return r
		}
	}
	return nil
}

// Gain is fine-tuned minus from-scratch accuracy on the held-out target images.
func (o *Outcome) Gain() float64 { return o.Run(FineTune).TestAcc - o.Run(Scratch).TestAcc }

// Result is the lesson's RESULT line: how many points of held-out target accuracy fine-tuning
// the pre-trained ResNet-mini gains over training the same network from scratch with the same
// recipe and the same ≤ 100 images per class.
func (o *Outcome) Result() lessons.Result {
	return lessons.Result{Lesson: Lesson.ID, Metric: "heldout_target_acc_finetune_minus_scratch", Value: o.Gain(), Threshold: o.Config.MinGain}
}

// Summary is the lesson's tables: the transfer runs and the depth experiment.
func (o *Outcome) Summary() string {
	var b strings.Builder
	fmt.Fprintf(&b, "target task: digits %v, %d training + %d validation images (%d per class), %d held-out test images\n",
		o.Config.TargetDigits, o.TrainSize, o.ValidationSize, o.Config.Transfer.PerClass, o.TestSize)
	if o.Pretrained.FromUser {
		fmt.Fprintf(&b, "backbone loaded from %s\n", o.Pretrained.Dir)
	} else {
		fmt.Fprintf(&b, "pre-trained on digits %v: held-out source accuracy %.3f\n", o.Config.SourceDigits, o.Pretrained.SourceTestAcc)
	}
	fmt.Fprintf(&b, "%-10s %10s %7s %9s %12s %14s\n", "way", "trainable", "epochs", "stopped", "best val_acc", "held-out acc")
	for _, r := range o.Runs {
		best := 0.0
		for _, e := range r.Epochs {
			best = max(best, e.ValAcc)
		}
		fmt.Fprintf(&b, "%-10s %10d %7d %9v %12.3f %14.3f\n", r.Way, r.Trainable, len(r.Epochs), r.Stopped, best, r.TestAcc)
	}
	fmt.Fprintf(&b, "fine-tuned − scratch: %+.1f points (bar %+.1f)\n", 100*o.Gain(), 100*o.Config.MinGain)
	d := o.Config.Depth
	fmt.Fprintf(&b, "depth experiment (%d weight layers): ‖∂L/∂W‖ first conv ÷ last conv, at init → after %d steps; final loss; held-out acc\n",
		2*d.Blocks+2, d.Steps)
	for _, r := range []*DepthRun{o.Plain, o.Residual} {
		name := "plain"
		if r.Shortcut {
			name = "residual"
		}
		fmt.Fprintf(&b, "  %-8s %8.3g → %8.3g   loss %.3f   acc %.3f\n", name, FirstOverLast(r.InitNorms), FirstOverLast(r.TrainedNorms),
			meanLast(r.Loss, 10), r.TestAcc)
	}
	return b.String()
}

// meanLast is the mean of the last n values (fewer if there are fewer).
func meanLast(v []float64, n int) float64 {
	n = min(n, len(v))
	s := 0.0
	for _, x := range v[len(v)-n:] {
		s += x
	}
	return s / float64(max(n, 1))
}

// Run does the lesson: the depth experiment, the pre-training (unless PretrainedDir) and the
// three ways on the target task — each trained, resumed from its checkpoint or restored — then
// measures the held-out accuracies from the weights.
func Run(cfg Config) (*Outcome, error) {
	t0 := time.Now()
	if err := cfg.check(); err != nil {
		return nil, err
	}
	backend, err := gomlxext.Backend()
	if err != nil {
		return nil, fmt.Errorf("transfer: %w", err)
	}
	run, err := Lesson.Open(cfg)
	if err != nil {
		return nil, err
	}
	trainSet, err := mnist.Load(mnist.Train)
	if err != nil {
		return nil, fmt.Errorf("transfer: %w", err)
	}
	testSet, err := mnist.Load(mnist.Test)
	if err != nil {
		return nil, fmt.Errorf("transfer: %w", err)
	}
	source, sourceTest := task(trainSet, cfg.SourceDigits), task(testSet, cfg.SourceDigits)
	split, err := targetSplit(cfg.TargetDigits, cfg.Transfer.PerClass, cfg.Transfer.TrainShare, cfg.Transfer.TestSize, cfg.Seed)
	if err != nil {
		return nil, err
	}
	out := &Outcome{Config: cfg, TrainSize: split.Train.Len(), ValidationSize: split.Validation.Len(), TestSize: split.Test.Len()}

	probe := sourceTest.pick(seq(cfg.Depth.GradBatch))
	for _, shortcut := range []bool{false, true} {
		name := map[bool]string{false: "plain", true: "residual"}[shortcut]
		dir, err := run.Part(name)
		if err != nil {
			return nil, err
		}
		r, err := depthRun(backend, cfg, shortcut, source, probe, dir, run.Quiet)
		if err != nil {
			return nil, err
		}
		if shortcut {
			out.Residual = r
		} else {
			out.Plain = r
		}
	}

	if cfg.PretrainedDir != "" {
		out.Pretrained = &Pretrained{Dir: cfg.PretrainedDir, FromUser: true}
	} else {
		dir, err := run.Part("pretrain")
		if err != nil {
			return nil, err
		}
		if out.Pretrained, err = pretrain(backend, cfg, source, sourceTest, dir, run.Quiet); err != nil {
			return nil, err
		}
	}
	ways := Ways
	if cfg.Transfer.ProbeLearningRate > 0 {
		ways = append(ways[:len(ways):len(ways)], FrozenProbe)
	}
	for _, w := range ways {
		dir, err := run.Part(string(w))
		if err != nil {
			return nil, err
		}
		r, err := learn(backend, cfg, w, out.Pretrained, split, dir, run.Quiet)
		if err != nil {
			return nil, err
		}
		out.Runs = append(out.Runs, r)
	}
	out.ModelParams = out.Run(FineTune).Trainable
	out.Wall = time.Since(t0)
	return out, nil
}

// check refuses settings the lesson cannot run with, naming the fix.
func (c Config) check() error {
	switch {
	case len(c.SourceDigits) == 0 || len(c.SourceDigits) != len(c.TargetDigits):
		return fmt.Errorf("transfer: %d source digits and %d target digits: want the same number, ≥ 1 (the head is replaced, not resized)",
			len(c.SourceDigits), len(c.TargetDigits))
	case len(c.Model.Widths) == 0 || c.Model.StemStride < 1:
		return fmt.Errorf("transfer: Model.Widths %v, StemStride %d: want at least one width and a stride ≥ 1", c.Model.Widths, c.Model.StemStride)
	case c.Transfer.PerClass < 2 || c.Transfer.Batch < 1 || c.Transfer.MaxEpochs < 1:
		return fmt.Errorf("transfer: PerClass %d, Batch %d, MaxEpochs %d: want ≥ 2, ≥ 1, ≥ 1", c.Transfer.PerClass, c.Transfer.Batch, c.Transfer.MaxEpochs)
	case c.Depth.GradBatch < 1 || c.Depth.Blocks < 1 || c.Depth.StemStride < 1:
		return fmt.Errorf("transfer: Depth.GradBatch %d, Depth.Blocks %d, Depth.StemStride %d: want all ≥ 1", c.Depth.GradBatch, c.Depth.Blocks, c.Depth.StemStride)
	}
	if c.PretrainedDir != "" {
		if fi, err := os.Stat(c.PretrainedDir); err != nil || !fi.IsDir() {
			return fmt.Errorf("transfer: PretrainedDir %q is not a folder: give a GoMLX checkpoint folder holding this Model's /backbone variables (e.g. the Pretrained.Dir of an earlier run), or leave PretrainedDir empty to pre-train on digits %v here",
				c.PretrainedDir, c.SourceDigits)
		}
	}
	return nil
}
