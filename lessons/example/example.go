// Package example is the smallest lesson that keeps the lesson contract, for whoever writes the
// next one: read it beside docs/lessons.md ("How to add a lesson").
//
// The experiment: a linear model learns y = 2·x₁ − 3·x₂ + 0.5 from noisy examples, and is scored
// on held-out examples against the baseline that always predicts the mean of the training
// targets. Start with Run; Full, Quick and Size give the configurations; Outcome.Result is the
// RESULT line.
package example

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/layers"
	"github.com/gomlx/gomlx/pkg/ml/train"
	"github.com/gomlx/gomlx/pkg/ml/train/losses"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"

	"github.com/dl4go/dl4go/gomlxext"
	"github.com/dl4go/dl4go/lessons"
	"github.com/dl4go/dl4go/plotting"
)

// Lesson describes this lesson to the kit: its id in RESULT lines, its cache folder and the
// source folder hashed into its code revision.
var Lesson = lessons.Lesson{ID: "99", Name: "example"}

// Config sizes the experiment. Every exported field but the embedded Options is part of the
// run's key: change one and the run trains anew instead of resuming another configuration's.
type Config struct {
	lessons.Options `json:"-"`

	Steps        int     // training steps (batches) of Adam.
	Batch        int     // examples per step.
	LearningRate float64 // Adam's learning rate.
	Noise        float64 // standard deviation of the noise added to y.
	TestSize     int     // held-out examples the model is scored on.
	Seed         uint64  // fixes the data and the initial weights.
	// Threshold is the largest held-out MSE ÷ baseline MSE that passes.
	Threshold float64
}

// Full is the notebook's experiment.
func Full() Config {
	return Config{Steps: 300, Batch: 32, LearningRate: 0.05, Noise: 0.1, TestSize: 1000, Seed: 1, Threshold: 0.01}
}

// Quick is the same experiment with fewer steps and a weaker bar, for tests and CI.
func Quick() Config {
	c := Full()
	c.Steps, c.Threshold = 60, 0.5
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
	// TestMSE is the model's mean squared error on the held-out examples; BaselineMSE that of
	// always predicting the training targets' mean.
	TestMSE, BaselineMSE float64
	// Loss is the training loss of every step this call ran (none when the run was restored).
	Loss []float64
	// StartStep is the step training resumed from (0: a fresh run; Steps: a finished run).
	StartStep int
	// Dir is the run's folder ("" when nothing is saved).
	Dir string
}

// Result is the lesson's RESULT line: held-out MSE over the baseline's, against the threshold of
// the configuration that ran.
func (o *Outcome) Result() lessons.Result {
	return lessons.Result{Lesson: Lesson.ID, Metric: "heldout_mse_over_mean_baseline",
		Value: o.TestMSE / o.BaselineMSE, Threshold: o.Config.Threshold, LowerIsBetter: true}
}

// Run trains the model of cfg (resuming from its checkpoint, or restoring a finished run) and
// scores it on the held-out examples. Evaluation is cheap, so a finished run is re-evaluated from
// its restored weights rather than replayed from a saved outcome.
func Run(cfg Config) (*Outcome, error) {
	backend, err := gomlxext.Backend()
	if err != nil {
		return nil, fmt.Errorf("example: %w", err)
	}
	run, err := Lesson.Open(cfg)
	if err != nil {
		return nil, err
	}
	dir, err := run.Part("model")
	if err != nil {
		return nil, err
	}
	ctx := context.New()
	if err := ctx.SetRNGStateFromSeed(int64(cfg.Seed)); err != nil {
		return nil, fmt.Errorf("example: %w", err)
	}
	model := func(ctx *context.Context, _ any, inputs []*graph.Node) []*graph.Node {
		return []*graph.Node{layers.DenseWithBias(ctx.In("linear"), inputs[0], 1)} // [batch, 2] → [batch, 1]
	}
	trainer := train.NewTrainer(backend, ctx, model, losses.MeanSquaredError,
		optimizers.Adam().LearningRate(cfg.LearningRate).Done(), nil, nil)
	opts := gomlxext.FitOptions{Steps: cfg.Steps, CheckpointDir: dir}
	var live *plotting.Live
	if !run.Quiet {
		live = plotting.NewLive("linear regression", cfg.Steps, "loss")
		opts.Progress = live
	}
	res, err := gomlxext.Fit(trainer, batches(cfg), opts)
	if live != nil {
		live.Done()
	}
	if err != nil {
		return nil, fmt.Errorf("example: %w", err)
	}
	out := &Outcome{Config: cfg, StartStep: res.StartStep, Dir: run.Dir}
	for _, s := range res.History {
		out.Loss = append(out.Loss, s.Values["loss"])
	}

	// Held-out examples come from their own random stream, never from the training batches.
	x, y := examples(cfg, rand.New(rand.NewPCG(cfg.Seed, math.MaxUint64)), cfg.TestSize)
	pred, err := context.NewExec(backend, ctx.Reuse(), func(ctx *context.Context, x *graph.Node) *graph.Node {
		return model(ctx, nil, []*graph.Node{x})[0]
	})
	if err != nil {
		return nil, fmt.Errorf("example: %w", err)
	}
	p := tensors.MustCopyFlatData[float32](pred.MustExec(tensors.FromFlatDataAndDimensions(x, cfg.TestSize, 2))[0])
	trainMean := 0.5 // E[y] of the training distribution: x is zero-mean.
	for i, yi := range y {
		out.TestMSE += math.Pow(float64(p[i]-yi), 2) / float64(len(y))
		out.BaselineMSE += math.Pow(trainMean-float64(yi), 2) / float64(len(y))
	}
	return out, nil
}

// examples draws n examples: x [n, 2] standard normal, y = 2·x₁ − 3·x₂ + 0.5 + noise.
func examples(cfg Config, rng *rand.Rand, n int) (x, y []float32) {
	x, y = make([]float32, 2*n), make([]float32, n)
	for i := range n {
		a, b := rng.NormFloat64(), rng.NormFloat64()
		x[2*i], x[2*i+1] = float32(a), float32(b)
		y[i] = float32(2*a - 3*b + 0.5 + cfg.Noise*rng.NormFloat64())
	}
	return x, y
}

// batches is the training stream: the batch of step s depends only on s (a gomlxext.Seeker), so
// a resumed run sees the batches an uninterrupted one would.
func batches(cfg Config) *gomlxext.StepBatches {
	return gomlxext.NewStepBatches("example", func(step int64) ([]*tensors.Tensor, []*tensors.Tensor, error) {
		x, y := examples(cfg, rand.New(rand.NewPCG(cfg.Seed, uint64(step))), cfg.Batch)
		return []*tensors.Tensor{tensors.FromFlatDataAndDimensions(x, cfg.Batch, 2)},
			[]*tensors.Tensor{tensors.FromFlatDataAndDimensions(y, cfg.Batch, 1)}, nil
	})
}
