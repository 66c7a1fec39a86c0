// Package models holds the GoMLX models that dl4go's benchmark (go run ./bench) compares with
// the same models in PyTorch (bench/torch_bench.py), and the trainer they share: Adam, softmax
// cross-entropy, accuracy metrics. Start with NewTrainer and the ModelFn values MLP, CNN and
// Transformer; the models of the wave-1 lessons (one per lesson, built from the lessons' own
// exported code) are NewLesson's, in lessons.go.
package models

import (
	"fmt"
	"math/rand/v2"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/layers"
	"github.com/gomlx/gomlx/pkg/ml/layers/activations"
	"github.com/gomlx/gomlx/pkg/ml/train"
	"github.com/gomlx/gomlx/pkg/ml/train/losses"
	"github.com/gomlx/gomlx/pkg/ml/train/metrics"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"
)

// MLP is 784-256-10 with ReLU on images [B,28,28] (flattened); it returns logits [B,10].
func MLP(ctx *context.Context, _ any, inputs []*graph.Node) []*graph.Node {
	x := inputs[0]
	x = graph.Reshape(x, x.Shape().Dimensions[0], -1)
	x = activations.Relu(layers.DenseWithBias(ctx.In("hidden"), x, 256))
	return []*graph.Node{layers.DenseWithBias(ctx.In("out"), x, 10)}
}

// CNN is conv3x3·32 → ReLU → maxpool2 → conv3x3·64 → ReLU → maxpool2 → dense128 → ReLU → 10
// (valid convolutions: 28→26→13→11→5) on images [B,28,28]; it returns logits [B,10].
func CNN(ctx *context.Context, _ any, inputs []*graph.Node) []*graph.Node {
	x := inputs[0]
	b := x.Shape().Dimensions[0]
	x = graph.Reshape(x, b, 28, 28, 1)
	x = layers.Convolution(ctx.In("conv1"), x).Filters(32).KernelSize(3).NoPadding().Done()
	x = graph.MaxPool(activations.Relu(x)).Window(2).Done()
	x = layers.Convolution(ctx.In("conv2"), x).Filters(64).KernelSize(3).NoPadding().Done()
	x = graph.MaxPool(activations.Relu(x)).Window(2).Done()
	x = graph.Reshape(x, b, -1)
	x = activations.Relu(layers.DenseWithBias(ctx.In("dense"), x, 128))
	return []*graph.Node{layers.DenseWithBias(ctx.In("out"), x, 10)}
}

// Transformer dimensions: sequence length, vocabulary, model width, heads, feed-forward width.
const (
	SeqLen = 32
	Vocab  = 10
	DModel = 64
	Heads  = 4
	FFN    = 128
)

// Transformer is one post-norm transformer encoder block (d 64, 4 heads, ffn 128) over token ids
// [B,32] (vocabulary 10), mean-pooled into logits [B,10].
func Transformer(ctx *context.Context, _ any, inputs []*graph.Node) []*graph.Node {
	x := layers.Embedding(ctx.In("embed"), inputs[0], dtypes.Float32, Vocab, DModel)
	a := layers.MultiHeadAttention(ctx.In("attn"), x, x, x, Heads, DModel/Heads).Done()
	x = layers.LayerNormalization(ctx.In("ln1"), graph.Add(x, a), -1).Done()
	f := layers.DenseWithBias(ctx.In("ffn2"), activations.Relu(layers.DenseWithBias(ctx.In("ffn1"), x, FFN)), DModel)
	x = layers.LayerNormalization(ctx.In("ln2"), graph.Add(x, f), -1).Done()
	return []*graph.Node{layers.DenseWithBias(ctx.In("out"), graph.ReduceMean(x, 1), 10)}
}

// ByName returns the model called "mlp", "cnn" or "transformer".
func ByName(name string) (train.ModelFn, error) {
	switch name {
	case "mlp":
		return MLP, nil
	case "cnn":
		return CNN, nil
	case "transformer":
		return Transformer, nil
	}
	return nil, fmt.Errorf("unknown model %q (want mlp, cnn or transformer)", name)
}

// NewTrainer returns a trainer of model with Adam (learning rate lr), softmax cross-entropy on
// sparse labels [B,1], a moving-average train accuracy "~acc" and an eval accuracy "#acc".
// Weights are initialised from seed.
func NewTrainer(backend backends.Backend, model train.ModelFn, lr float64, seed int64) (*train.Trainer, error) {
	ctx := context.New()
	if err := ctx.SetRNGStateFromSeed(seed); err != nil {
		return nil, fmt.Errorf("seed the context: %w", err)
	}
	return train.NewTrainer(backend, ctx, model, losses.SparseCategoricalCrossEntropyLogits,
		optimizers.Adam().LearningRate(lr).Done(),
		[]metrics.Interface{metrics.NewMovingAverageSparseCategoricalAccuracy("Moving Accuracy", "~acc", 0.01)},
		[]metrics.Interface{metrics.NewSparseCategoricalAccuracy("Accuracy", "#acc")}), nil
}

// Tokens is an infinite train.Dataset of synthetic sequences for Transformer: token ids [B,32]
// (int32) whose label [B,1] is the id that fills about half of the positions.
type Tokens struct {
	Batch int
	rng   *rand.Rand
}

// NewTokens returns a Tokens dataset of batch size batch, drawn from seed.
func NewTokens(batch int, seed uint64) *Tokens {
	return &Tokens{Batch: batch, rng: rand.New(rand.NewPCG(seed, 1))}
}

// Name implements train.Dataset.
func (t *Tokens) Name() string { return "tokens" }

// Reset implements train.Dataset (the stream is infinite).
func (t *Tokens) Reset() {}

// Yield implements train.Dataset.
func (t *Tokens) Yield() (any, []*tensors.Tensor, []*tensors.Tensor, error) {
	ids, labels := make([]int32, t.Batch*SeqLen), make([]int32, t.Batch)
	for i := range t.Batch {
		c := int32(t.rng.IntN(Vocab))
		labels[i] = c
		for j := range SeqLen {
			if t.rng.IntN(2) == 0 {
				ids[i*SeqLen+j] = c
			} else {
				ids[i*SeqLen+j] = int32(t.rng.IntN(Vocab))
			}
		}
	}
	return nil, []*tensors.Tensor{tensors.FromFlatDataAndDimensions(ids, t.Batch, SeqLen)},
		[]*tensors.Tensor{tensors.FromFlatDataAndDimensions(labels, t.Batch, 1)}, nil
}
