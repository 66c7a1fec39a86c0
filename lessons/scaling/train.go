package scaling

import (
	"fmt"
	"slices"
	"time"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // GoMLX graph-building style.
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/train"
	"github.com/gomlx/gomlx/pkg/ml/train/losses"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers/cosineschedule"

	"github.com/dl4go/dl4go/gomlxext"
)

// Training is how every model is trained: the same steps, batch and optimizer for all, so that a
// bigger model gets no more training than a small one, only more computation per image.
type Training struct {
	Steps        int     // Adam steps.
	Batch        int     // training scenes per step.
	LearningRate float64 // Adam's learning rate, cosine-decayed to a 20th over the steps.
}

// trained is one trained model and what its training measured.
type trained struct {
	ctx        *context.Context
	medianStep time.Duration // median training step in this call (0 when restored).
	startStep  int
}

// fit trains net on the training scenes with seed (initial weights and batch order), checkpointed
// in dir ("" for none): a run resumes from its latest checkpoint; a finished one only restores.
func fit(backend backends.Backend, net Net, tr Training, data *scenes, seed uint64, dir string, view gomlxext.Progress) (*trained, error) {
	ctx := context.New()
	if err := ctx.SetRNGStateFromSeed(int64(seed)); err != nil {
		return nil, fmt.Errorf("scaling: seed: %w", err)
	}
	model := func(ctx *context.Context, _ any, in []*Node) []*Node {
		if ctx.IsTraining(in[0].Graph()) {
			cosineschedule.New(ctx, in[0].Graph(), dtypes.Float32).LearningRate(tr.LearningRate).
				MinLearningRate(tr.LearningRate / 20).PeriodInSteps(tr.Steps).Done()
		}
		return []*Node{net.Model(ctx, in[0])}
	}
	opt := optimizers.Adam().LearningRate(tr.LearningRate).Done()
	trainer := train.NewTrainer(backend, ctx, model, losses.SparseCategoricalCrossEntropyLogits, opt, nil, nil)
	ds := gomlxext.NewStepBatches("scenes", func(step int64) ([]*tensors.Tensor, []*tensors.Tensor, error) {
		x, y, err := data.batch(trainIndices(data.len(), tr.Batch, seed, step), net.Resolution)
		return []*tensors.Tensor{x}, []*tensors.Tensor{y}, err
	})
	res, err := gomlxext.Fit(trainer, ds, gomlxext.FitOptions{Steps: tr.Steps, CheckpointDir: dir,
		EveryN: max(tr.Steps/2, 1), Progress: view})
	if err != nil {
		return nil, fmt.Errorf("scaling: train %s: %w", net, err)
	}
	t := &trained{ctx: ctx, startStep: res.StartStep}
	if res.StartStep < tr.Steps {
		t.medianStep = res.MedianStep
	}
	return t, nil
}

// evaluation is a trained model scored on a held-out set.
type evaluation struct {
	accuracy float64       // fraction of scenes whose most common shape is predicted.
	perImage time.Duration // median inference time per image (batches of evalBatch).
}

const evalBatch = 100

// evaluate predicts every scene of data with the trained model (batch norm with its moving
// averages) and returns the accuracy and the inference time.
func evaluate(backend backends.Backend, net Net, t *trained, data *scenes) (evaluation, error) {
	exec, err := context.NewExec(backend, t.ctx.Reuse(), func(ctx *context.Context, images *Node) *Node {
		return ConvertDType(ArgMax(net.Model(ctx, images), -1), dtypes.Int32)
	})
	if err != nil {
		return evaluation{}, fmt.Errorf("scaling: inference graph of %s: %w", net, err)
	}
	correct := 0
	var times []time.Duration
	for start := 0; start < data.len(); start += evalBatch {
		idx := make([]int, 0, evalBatch)
		for i := start; i < min(start+evalBatch, data.len()); i++ {
			idx = append(idx, i)
		}
		x, _, err := data.batch(idx, net.Resolution)
		if err != nil {
			return evaluation{}, err
		}
		t0 := time.Now()
		out, err := exec.Exec(x)
		if err != nil {
			return evaluation{}, fmt.Errorf("scaling: inference of %s: %w", net, err)
		}
		pred, err := tensors.CopyFlatData[int32](out[0])
		out[0].FinalizeAll()
		if err != nil {
			return evaluation{}, err
		}
		times = append(times, time.Since(t0)/time.Duration(len(idx)))
		for k, i := range idx {
			if pred[k] == data.labels[i] {
				correct++
			}
		}
	}
	slices.Sort(times)
	return evaluation{accuracy: float64(correct) / float64(data.len()), perImage: times[len(times)/2]}, nil
}
