package transfer

import (
	"fmt"
	"math"
	"strings"

	"github.com/gomlx/gomlx/backends"
	G "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/context/initializers"
	"github.com/gomlx/gomlx/pkg/ml/layers"
	"github.com/gomlx/gomlx/pkg/ml/layers/activations"
	"github.com/gomlx/gomlx/pkg/ml/layers/batchnorm"
	"github.com/gomlx/gomlx/pkg/ml/train"
	"github.com/gomlx/gomlx/pkg/ml/train/losses"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"

	"github.com/dl4go/dl4go/gomlxext"
	xlayers "github.com/dl4go/dl4go/gomlxext/layers"
)

// DepthConfig sizes the skip-connection experiment: a stem convolution (stride StemStride: 4
// takes 28×28 to 7×7, to afford the depth), Blocks basic blocks of Channels channels
// (2·Blocks + 1 convolutions, then a dense layer: 34 weight layers for 16 blocks, ResNet-34's
// depth), trained on the source task for Steps steps of Batch images with Adam(LearningRate),
// once plain (no shortcut) and once residual. GradBatch images (from the source task's test
// split) measure the gradients.
type DepthConfig struct {
	Blocks, Channels, StemStride int
	Steps, Batch                 int
	LearningRate                 float64
	GradBatch                    int
	Momentum                     float64
}

// deepNet is the experiment's network: images [batch, 28, 28, 1] → logits [batch, classes].
func deepNet(ctx *context.Context, x *G.Node, dc DepthConfig, shortcut bool, classes int) *G.Node {
	h := layers.Convolution(ctx.In("stem").WithInitializer(initializers.HeFn(ctx)), x).Channels(dc.Channels).KernelSize(3).
		Strides(dc.StemStride).PadSame().UseBias(false).Done()
	h = activations.Relu(batchnorm.New(ctx.In("stem"), h, -1).Momentum(dc.Momentum).Done())
	for i := range dc.Blocks {
		h = xlayers.ResidualBlock(ctx.In(fmt.Sprintf("block%02d", i+1)), h).Channels(dc.Channels).Shortcut(shortcut).Momentum(dc.Momentum).Done()
	}
	return Head(ctx.In("head"), G.ReduceMean(h, 1, 2), classes)
}

// DepthRun is one of the two networks of the experiment.
type DepthRun struct {
	Shortcut bool
	// Layers names the weight tensors in order from the input (the stem) to the output (the
	// head); InitNorms and TrainedNorms are ‖∂L/∂W‖ of each on the same batch, at
	// initialisation and after training.
	Layers                  []string
	InitNorms, TrainedNorms []float64
	// Loss is the training loss of every step.
	Loss []float64
	// TestAcc is the accuracy on the source task's held-out images after training.
	TestAcc float64
}

// FirstOverLast is the ratio of the gradient norm at the first convolution to the one at the
// last: ≪ 1 when the gradient vanishes on its way back to the input, ≫ 1 when it explodes.
func FirstOverLast(norms []float64) float64 {
	return norms[0] / norms[len(norms)-2] // the last entry is the head's dense layer
}

// depthRun trains the network (plain or residual) on the source task, checkpointed in dir, and
// measures the gradient norms per layer at initialisation and after training.
func depthRun(backend backends.Backend, cfg Config, shortcut bool, source, probe Images, dir string, quiet bool) (*DepthRun, error) {
	dc := cfg.Depth
	classes := len(cfg.SourceDigits)
	fn := func(ctx *context.Context, x *G.Node) *G.Node { return deepNet(ctx, x, dc, shortcut, classes) }
	newCtx := func() (*context.Context, error) {
		ctx := context.New()
		return ctx, ctx.SetRNGStateFromSeed(int64(cfg.Seed) + 7)
	}
	out := &DepthRun{Shortcut: shortcut}
	init, err := newCtx()
	if err != nil {
		return nil, fmt.Errorf("transfer: %w", err)
	}
	if out.Layers, out.InitNorms, err = gradNorms(backend, init, fn, probe); err != nil {
		return nil, err
	}

	ctx, err := newCtx()
	if err != nil {
		return nil, fmt.Errorf("transfer: %w", err)
	}
	trainer := train.NewTrainer(backend, ctx, func(ctx *context.Context, _ any, in []*G.Node) []*G.Node { return []*G.Node{fn(ctx, in[0])} },
		losses.SparseCategoricalCrossEntropyLogits, optimizers.Adam().LearningRate(dc.LearningRate).Done(), nil, nil)
	name := "plain"
	if shortcut {
		name = "residual"
	}
	log := &lossLog{}
	if _, err := fit(trainer, randomBatches(name, source, dc.Batch, cfg.Seed+3), gomlxext.FitOptions{Steps: dc.Steps, CheckpointDir: dir},
		fmt.Sprintf("%s, %d layers", name, 2*dc.Blocks+2), quiet, log); err != nil {
		return nil, fmt.Errorf("transfer: train the %s network: %w", name, err)
	}
	out.Loss = log.Loss
	if _, out.TrainedNorms, err = gradNorms(backend, ctx.Reuse(), fn, probe); err != nil {
		return nil, err
	}
	var exec *context.Exec
	if out.TestAcc, err = accuracy(backend, ctx, fn, probe, &exec); err != nil {
		return nil, err
	}
	return out, nil
}

// gradNorms computes ‖∂L/∂W‖ (Frobenius norm) of every weight tensor of the model — every
// convolution kernel and the head's dense weights, in the order they were created, from the
// input to the output — for the mean cross-entropy L over the images, in training mode (batch
// statistics, as in a training step). It changes no variable of ctx but the batch norms'
// moving averages.
func gradNorms(backend backends.Backend, ctx *context.Context, fn logitsFn, im Images) ([]string, []float64, error) {
	var names []string
	exec, err := context.NewExec(backend, ctx.Checked(false), func(ctx *context.Context, x, y *G.Node) *G.Node {
		g := x.Graph()
		ctx.SetTraining(g, true)
		loss := losses.SparseCategoricalCrossEntropyLogits([]*G.Node{y}, []*G.Node{fn(ctx, x)})
		var weights []*G.Node
		names = names[:0]
		for v := range ctx.IterVariables() {
			if v.Trainable && (v.Name() == "weights") {
				weights = append(weights, v.ValueGraph(g))
				names = append(names, strings.TrimPrefix(v.Scope(), "/"))
			}
		}
		grads := G.Gradient(G.ReduceAllMean(loss), weights...)
		norms := make([]*G.Node, len(grads))
		for i, gr := range grads {
			norms[i] = G.Sqrt(G.ReduceAllSum(G.Square(gr)))
		}
		return G.Stack(norms, 0)
	})
	if err != nil {
		return nil, nil, fmt.Errorf("transfer: %w", err)
	}
	res, err := exec.Exec(imagesTensor(im.Pixels, im.Len()), labelsTensor(im.Labels, 0, false))
	if err != nil {
		return nil, nil, fmt.Errorf("transfer: gradient norms: %w", err)
	}
	v := tensors.MustCopyFlatData[float32](res[0])
	norms := make([]float64, len(v))
	for i, x := range v {
		norms[i] = float64(x)
		if math.IsNaN(norms[i]) {
			return nil, nil, fmt.Errorf("transfer: the gradient of %s is NaN", names[i])
		}
	}
	return names, norms, nil
}
