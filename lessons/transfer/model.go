package transfer

import (
	"fmt"

	"github.com/gomlx/gomlx/backends"
	G "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/context/initializers"
	"github.com/gomlx/gomlx/pkg/ml/layers"
	"github.com/gomlx/gomlx/pkg/ml/layers/activations"
	"github.com/gomlx/gomlx/pkg/ml/layers/batchnorm"

	xlayers "github.com/dl4go/dl4go/gomlxext/layers"
)

// ModelConfig is the ResNet-mini: a 3×3 stem convolution of Widths[0] channels (stride
// StemStride), then one basic residual block per width (the first at stride 1, the others at
// stride 2: 28×28 → 14 → 7 → 4 with the defaults), global average pooling and the head.
type ModelConfig struct {
	Widths     []int
	StemStride int
	// Momentum is the batch normalizations' moving-average momentum.
	Momentum float64
}

// BackboneScope is the scope of the pre-trained part (everything but the head), the part
// transferred from the source task and, for the frozen feature extractor, frozen.
const BackboneScope = "backbone"

// Backbone is the ResNet-mini without its head: images [batch, 28, 28, 1] → features
// [batch, Widths[last]] (after global average pooling, Keras' avg_pool: resnet.layers[-2]).
// trainable false runs its batch normalizations in inference mode (Keras' trainable = False).
func Backbone(ctx *context.Context, x *G.Node, mc ModelConfig, trainable bool) *G.Node {
	ctx = ctx.In(BackboneScope)
	h := layers.Convolution(ctx.In("stem").WithInitializer(initializers.HeFn(ctx)), x).Channels(mc.Widths[0]).KernelSize(3).
		Strides(mc.StemStride).PadSame().UseBias(false).Done()
	h = activations.Relu(batchnorm.New(ctx.In("stem"), h, -1).Momentum(mc.Momentum).Trainable(trainable).Done())
	for i, w := range mc.Widths {
		stride := 2
		if i == 0 {
			stride = 1
		}
		h = xlayers.ResidualBlock(ctx.In(fmt.Sprintf("block%d", i+1)), h).Channels(w).Strides(stride).
			Momentum(mc.Momentum).Trainable(trainable).Done()
	}
	return G.ReduceMean(h, 1, 2)
}

// Head is the new output layer, Keras' Dense(class_num) (Glorot-uniform weights, as Keras
// starts it): features [batch, F] → logits [batch, classes]. The report's
// activation='softmax' and categorical cross-entropy are one operation here,
// losses.CategoricalCrossEntropyLogits (−Σ y·log softmax(z), computed stably); predictions
// apply the softmax.
func Head(ctx *context.Context, features *G.Node, classes int) *G.Node {
	return layers.DenseWithBias(ctx.WithInitializer(initializers.GlorotUniformFn(ctx)), features, classes)
}

// logitsFn is a classifier's graph: images [batch, 28, 28, 1] → logits [batch, classes].
type logitsFn = func(ctx *context.Context, x *G.Node) *G.Node

// evalChunk is how many images one call of a compiled evaluation graph takes (the last chunk of
// a set is padded), so that each graph is compiled for one shape only.
const evalChunk = 250

// accuracy is the share of images whose largest logit is their class (inference mode: batch
// norms use their moving averages). exec is compiled on the first call and kept in *cache.
func accuracy(backend backends.Backend, ctx *context.Context, fn logitsFn, im Images, cache **context.Exec) (float64, error) {
	if *cache == nil {
		exec, err := context.NewExec(backend, ctx.Reuse(), func(ctx *context.Context, x *G.Node) *G.Node {
			return G.ArgMax(fn(ctx, x), -1)
		})
		if err != nil {
			return 0, fmt.Errorf("transfer: %w", err)
		}
		*cache = exec
	}
	right := 0
	for start := 0; start < im.Len(); start += evalChunk {
		n := min(evalChunk, im.Len()-start)
		flat := make([]float32, evalChunk*pixels)
		copy(flat, im.Pixels[start*pixels:(start+n)*pixels])
		res, err := (*cache).Exec(imagesTensor(flat, evalChunk))
		if err != nil {
			return 0, fmt.Errorf("transfer: evaluate: %w", err)
		}
		pred := tensors.MustCopyFlatData[int32](res[0])
		for i := range n {
			if pred[i] == im.Labels[start+i] {
				right++
			}
		}
	}
	return float64(right) / float64(im.Len()), nil
}

// build runs fn once on one blank image in ctx, so that the model's variables exist (with their
// initial values) before a checkpoint is loaded into them.
func build(backend backends.Backend, ctx *context.Context, fn logitsFn) error {
	exec, err := context.NewExec(backend, ctx, fn)
	if err != nil {
		return fmt.Errorf("transfer: %w", err)
	}
	if _, err := exec.Exec(imagesTensor(make([]float32, pixels), 1)); err != nil {
		return fmt.Errorf("transfer: build the model: %w", err)
	}
	return nil
}
