package backend_test

import (
	"math/rand/v2"
	"testing"

	"github.com/gomlx/gomlx/backends"
	_ "github.com/gomlx/gomlx/backends/simplego"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // GoMLX graph-building style.
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/layers"
	"github.com/gomlx/gomlx/pkg/ml/layers/activations"
	"github.com/gomlx/gomlx/pkg/ml/train"
	"github.com/gomlx/gomlx/pkg/ml/train/losses"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"

	_ "github.com/dl4go/dl4go/gomlxext/backend"
)

// newBackend creates a backend by configuration, failing the test on error.
func newBackend(tb testing.TB, config string) backends.Backend {
	tb.Helper()
	b, err := backends.NewWithConfig(config)
	if err != nil {
		tb.Fatalf("backend %q: %v", config, err)
	}
	return b
}

// mlpModel is the MLP 784-256-10 on flattened images [batch, 784].
func mlpModel(ctx *context.Context, _ any, inputs []*Node) []*Node {
	x := inputs[0]
	x = Reshape(x, x.Shape().Dimensions[0], -1)
	x = activations.Relu(layers.DenseWithBias(ctx.In("h"), x, 256))
	return []*Node{layers.DenseWithBias(ctx.In("out"), x, 10)}
}

// cnnModel is conv3x3·32 → maxpool → conv3x3·64 → maxpool → dense128 → 10 on [batch, 28, 28, 1].
func cnnModel(ctx *context.Context, _ any, inputs []*Node) []*Node {
	x := inputs[0]
	x = layers.Convolution(ctx.In("conv1"), x).Filters(32).KernelSize(3).NoPadding().Done()
	x = activations.Relu(x)
	x = MaxPool(x).Window(2).Done()
	x = layers.Convolution(ctx.In("conv2"), x).Filters(64).KernelSize(3).NoPadding().Done()
	x = activations.Relu(x)
	x = MaxPool(x).Window(2).Done()
	x = Reshape(x, x.Shape().Dimensions[0], -1)
	x = activations.Relu(layers.DenseWithBias(ctx.In("dense"), x, 128))
	return []*Node{layers.DenseWithBias(ctx.In("out"), x, 10)}
}

// transformerModel is one transformer block (d 64, 4 heads, ffn 128) on
// token ids [batch, 32] (vocabulary 10), classifying the sequence.
func transformerModel(ctx *context.Context, _ any, inputs []*Node) []*Node {
	const d, heads, ffn = 64, 4, 128
	x := layers.Embedding(ctx.In("embed"), inputs[0], dtypes.Float32, 10, d)
	a := layers.MultiHeadAttention(ctx.In("attn"), x, x, x, heads, d/heads).Done()
	x = layers.LayerNormalization(ctx.In("ln1"), Add(x, a), -1).Done()
	f := layers.DenseWithBias(ctx.In("ffn2"), activations.Relu(layers.DenseWithBias(ctx.In("ffn1"), x, ffn)), d)
	x = layers.LayerNormalization(ctx.In("ln2"), Add(x, f), -1).Done()
	x = ReduceMean(x, 1)
	return []*Node{layers.DenseWithBias(ctx.In("out"), x, 10)}
}

// syntheticImages returns n images [n,28,28,1] where the label (0..9) is the
// position of a bright 6x6 square, plus noise.
func syntheticImages(rng *rand.Rand, n int) (*tensors.Tensor, *tensors.Tensor) {
	imgs := make([]float32, n*28*28)
	labels := make([]int32, n)
	for i := range n {
		c := rng.IntN(10)
		labels[i] = int32(c)
		r0, c0 := 2+(c/5)*14, 1+(c%5)*5
		for p := range 28 * 28 {
			imgs[i*784+p] = 0.2 * rng.Float32()
		}
		for r := r0; r < r0+6; r++ {
			for col := c0; col < c0+6; col++ {
				imgs[i*784+r*28+col] += 1
			}
		}
	}
	return tensors.FromFlatDataAndDimensions(imgs, n, 28, 28, 1), tensors.FromFlatDataAndDimensions(labels, n, 1)
}

// syntheticTokens returns n sequences [n,32] of ids 0..9 whose label is the most frequent id.
func syntheticTokens(rng *rand.Rand, n int) (*tensors.Tensor, *tensors.Tensor) {
	ids := make([]int32, n*32)
	labels := make([]int32, n)
	for i := range n {
		c := rng.IntN(10)
		labels[i] = int32(c)
		for t := range 32 {
			if rng.IntN(2) == 0 {
				ids[i*32+t] = int32(c)
			} else {
				ids[i*32+t] = int32(rng.IntN(10))
			}
		}
	}
	return tensors.FromFlatDataAndDimensions(ids, n, 32), tensors.FromFlatDataAndDimensions(labels, n, 1)
}

// newTrainer returns a trainer for model with Adam and softmax cross-entropy.
func newTrainer(b backends.Backend, model train.ModelFn, lr float64) *train.Trainer {
	ctx := context.New()
	ctx.SetRNGStateFromSeed(42)
	ctx.SetParam(optimizers.ParamLearningRate, lr)
	return train.NewTrainer(b, ctx, model, losses.SparseCategoricalCrossEntropyLogits, optimizers.Adam().Done(), nil, nil)
}

// trainSteps runs steps training steps on the batch and returns the first and last loss.
func trainSteps(tb testing.TB, tr *train.Trainer, x, y *tensors.Tensor, steps int) (first, last float32) {
	tb.Helper()
	for i := range steps {
		m, err := tr.TrainStep(nil, []*tensors.Tensor{x}, []*tensors.Tensor{y})
		if err != nil {
			tb.Fatalf("train step %d: %+v", i, err)
		}
		loss := tensors.ToScalar[float32](m[0])
		if i == 0 {
			first = loss
		}
		last = loss
	}
	return
}
