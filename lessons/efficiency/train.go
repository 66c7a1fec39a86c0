package efficiency

import (
	"fmt"
	"time"

	"github.com/gomlx/gomlx/backends"
	G "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/train"
	"github.com/gomlx/gomlx/pkg/ml/train/losses"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"

	"github.com/dl4go/dl4go/gomlxext"
	xlayers "github.com/dl4go/dl4go/gomlxext/layers"
	"github.com/dl4go/dl4go/plotting"
)

// fitRun trains trainer on ds to steps in dir (resuming, or restoring a finished run), with a
// live view unless quiet, and returns the median step time of this call (0 when restored).
func fitRun(title string, trainer *train.Trainer, ds train.Dataset, steps int, dir string, quiet bool) (time.Duration, error) {
	opts := gomlxext.FitOptions{Steps: steps, CheckpointDir: dir}
	var live *plotting.Live
	if !quiet {
		live = plotting.NewLive(title, steps, "loss")
		opts.Progress = live
	}
	res, err := gomlxext.Fit(trainer, ds, opts)
	if live != nil {
		live.Done()
	}
	if err != nil {
		return 0, fmt.Errorf("efficiency: train %s: %w", title, err)
	}
	return res.MedianStep, nil
}

// trainTeacher trains the teacher CNN on the training images (Adam, shuffled epochs).
func trainTeacher(backend backends.Backend, cfg Config, d *Data, dir string, quiet bool) (*context.Context, time.Duration, error) {
	ctx := context.New()
	if err := ctx.SetRNGStateFromSeed(int64(cfg.Seed)); err != nil {
		return nil, 0, fmt.Errorf("efficiency: %w", err)
	}
	model := func(ctx *context.Context, _ any, in []*G.Node) []*G.Node {
		return []*G.Node{cnnLogits(ctx, in[0], cfg.Teacher)}
	}
	trainer := train.NewTrainer(backend, ctx, model, losses.SparseCategoricalCrossEntropyLogits,
		optimizers.Adam().LearningRate(cfg.LearningRate).Done(), nil, nil)
	step, err := fitRun("teacher CNN", trainer, d.Train.Dataset(cfg.Batch).Shuffle(cfg.Seed).Infinite(), cfg.TeacherSteps, dir, quiet)
	return ctx, step, err
}

// distillBatches is the student's training stream: batches drawn from the first DistillSize
// training images (the reduced data set), labels = [digit [B, 1], teacher's logits [B, 10]].
func distillBatches(cfg Config, d *Data, teacher [][]float32) *gomlxext.StepBatches {
	return gomlxext.NewStepBatches("distill", func(step int64) ([]*tensors.Tensor, []*tensors.Tensor, error) {
		idx := sample(cfg.Seed+1, step, cfg.Batch, cfg.DistillSize)
		x, y := batchOf(d.Train, idx)
		soft := make([]float32, 0, len(idx)*10)
		for _, j := range idx {
			soft = append(soft, teacher[j]...)
		}
		return []*tensors.Tensor{x}, []*tensors.Tensor{y, tensors.FromFlatDataAndDimensions(soft, len(idx), 10)}, nil
	})
}

// trainStudent trains the small MLP on the reduced data with the distillation loss at
// temperature T and weight alpha (alpha = 0: the student alone, plain cross entropy on the
// labels; the teacher's logits are then unused). Same seed, data and steps for every student.
func trainStudent(backend backends.Backend, cfg Config, d *Data, teacher [][]float32, temperature, alpha float64, dir string, quiet bool) (*context.Context, time.Duration, error) {
	ctx := context.New()
	if err := ctx.SetRNGStateFromSeed(int64(cfg.Seed) + 1); err != nil {
		return nil, 0, fmt.Errorf("efficiency: %w", err)
	}
	model := func(ctx *context.Context, _ any, in []*G.Node) []*G.Node {
		return []*G.Node{mlpLogits(ctx, studentScope, in[0], cfg.Student)}
	}
	loss := func(labels, logits []*G.Node) *G.Node {
		return xlayers.DistillationLoss(logits[0], labels[1], labels[0], temperature, alpha)
	}
	trainer := train.NewTrainer(backend, ctx, model, loss, optimizers.Adam().LearningRate(cfg.LearningRate).Done(), nil, nil)
	title := "student alone"
	if alpha > 0 {
		title = fmt.Sprintf("student distilled, T=%g", temperature)
	}
	step, err := fitRun(title, trainer, distillBatches(cfg, d, teacher), cfg.StudentSteps, dir, quiet)
	return ctx, step, err
}

// retrainPruned retrains ctx (the teacher's weights, pruned by masks) on the training images
// through the masking optimizer: pruned weights stay exactly zero.
func retrainPruned(backend backends.Backend, cfg Config, d *Data, ctx *context.Context, masks *gomlxext.PruneMasks, level int, dir string, quiet bool) error {
	model := func(ctx *context.Context, _ any, in []*G.Node) []*G.Node {
		return []*G.Node{cnnLogits(ctx, in[0], cfg.Teacher)}
	}
	trainer := train.NewTrainer(backend, ctx.Checked(false), model, losses.SparseCategoricalCrossEntropyLogits,
		masks.Optimizer(optimizers.Adam().LearningRate(cfg.PruneLearningRate).Done()), nil, nil)
	ds := d.Train.Dataset(cfg.Batch).Shuffle(cfg.Seed + 100 + uint64(level)).Infinite()
	_, err := fitRun(fmt.Sprintf("retrain at %.0f%% sparsity", 100*masks.Sparsity()), trainer, ds, cfg.PruneSteps, dir, quiet)
	return err
}

// retrainDense trains the unpruned teacher's weights (ctx) on for steps more steps, as the pruned
// models retrain: the baseline that gets the same extra training without pruning.
func retrainDense(backend backends.Backend, cfg Config, d *Data, ctx *context.Context, steps int, dir string, quiet bool) error {
	model := func(ctx *context.Context, _ any, in []*G.Node) []*G.Node {
		return []*G.Node{cnnLogits(ctx, in[0], cfg.Teacher)}
	}
	trainer := train.NewTrainer(backend, ctx.Checked(false), model, losses.SparseCategoricalCrossEntropyLogits,
		optimizers.Adam().LearningRate(cfg.PruneLearningRate).Done(), nil, nil)
	ds := d.Train.Dataset(cfg.Batch).Shuffle(cfg.Seed + 99).Infinite()
	_, err := fitRun("dense teacher, trained on", trainer, ds, steps, dir, quiet)
	return err
}
