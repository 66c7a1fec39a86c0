package backend_test

import (
	"testing"

	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // GoMLX graph-building style.
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/layers"
	"github.com/gomlx/gomlx/pkg/ml/layers/activations"

	dlayers "github.com/dl4go/dl4go/gomlxext/layers"
)

// mobileNetModel is a MobileNet-style stack on the synthetic images: a 3×3
// convolution, then depthwise-separable blocks (3×3 depthwise, stride 1 or
// 2, then 1×1 pointwise), global mean pooling and a dense classifier.
func mobileNetModel(ctx *context.Context, _ any, inputs []*Node) []*Node {
	x := inputs[0]
	x = activations.Relu(layers.Convolution(ctx.In("stem"), x).Filters(32).KernelSize(3).PadSame().Done())
	for i, blk := range []struct{ out, stride int }{{64, 1}, {64, 2}, {128, 1}, {128, 2}} {
		c := ctx.Inf("block%d", i)
		x = activations.Relu(dlayers.DepthwiseConvolution(c.In("dw"), x).KernelSize(3).Strides(blk.stride).PadSame().Done())
		x = activations.Relu(layers.Convolution(c.In("pw"), x).Filters(blk.out).KernelSize(1).Done())
	}
	x = ReduceMean(x, 1, 2)
	return []*Node{layers.DenseWithBias(ctx.In("out"), x, 10)}
}

// BenchmarkMobileNet trains mobileNetModel (one step at batch 64) on
// "dl4go" (depthwise convolutions on the direct loop, depthwise.go).
func BenchmarkMobileNet(b *testing.B) {
	b.Run("dl4go", func(b *testing.B) { benchTrain(b, "dl4go", mobileNetModel, images64) })
}
