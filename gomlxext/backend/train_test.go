package backend_test

import (
	"math/rand/v2"
	"testing"

	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // GoMLX graph-building style.
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/layers"
	"github.com/gomlx/gomlx/pkg/ml/layers/activations"
	"github.com/gomlx/gomlx/pkg/ml/layers/batchnorm"
)

// TestCNNTrains checks that the CNN trains on "dl4go" through GoMLX autodiff
// (convolution, max-pool and their gradients) and that its loss falls.
func TestCNNTrains(t *testing.T) {
	b := newBackend(t, "dl4go")
	rng := rand.New(rand.NewPCG(1, 2))
	x, y := syntheticImages(rng, 32)
	tr := newTrainer(b, cnnModel, 1e-3)
	first, last := trainSteps(t, tr, x, y, 15)
	t.Logf("CNN loss %.4f -> %.4f", first, last)
	if !(last < 0.5*first) {
		t.Errorf("CNN loss did not fall by half: %.4f -> %.4f", first, last)
	}
}

// resNetModel is a small AlphaGo-Zero-style residual CNN: conv-BN-ReLU, then
// a block conv-BN-ReLU-conv-BN-add-ReLU (with GoMLX's batchnorm layer on the
// backend's BatchNormForTraining/Gradient) and a dense head,
// on [batch, 28, 28, 1] images with a stride-2 4×4 stem (even kernel).
func resNetModel(ctx *context.Context, _ any, inputs []*Node) []*Node {
	convBN := func(ctx *context.Context, x *Node, kernel, stride int) *Node {
		x = layers.Convolution(ctx, x).Filters(8).KernelSize(kernel).Strides(stride).PadSame().UseBias(false).Done()
		return batchnorm.New(ctx.In("bn"), x, -1).Done()
	}
	x := activations.Relu(convBN(ctx.In("stem"), inputs[0], 4, 2))
	y := activations.Relu(convBN(ctx.In("block1"), x, 3, 1))
	y = convBN(ctx.In("block2"), y, 3, 1)
	x = activations.Relu(Add(x, y))
	x = Reshape(x, x.Shape().Dimensions[0], -1)
	return []*Node{layers.DenseWithBias(ctx.In("out"), x, 10)}
}

// TestResNetWithBatchNormTrains checks batch-norm training and an even,
// strided kernel through GoMLX autodiff on "dl4go".
func TestResNetWithBatchNormTrains(t *testing.T) {
	b := newBackend(t, "dl4go")
	rng := rand.New(rand.NewPCG(7, 8))
	x, y := syntheticImages(rng, 32)
	tr := newTrainer(b, resNetModel, 1e-2)
	first, last := trainSteps(t, tr, x, y, 15)
	t.Logf("ResNet+BN loss %.4f -> %.4f", first, last)
	if !(last < 0.5*first) {
		t.Errorf("ResNet+BN loss did not fall by half: %.4f -> %.4f", first, last)
	}
}
