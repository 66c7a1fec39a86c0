package layers_test

import (
	"fmt"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // GoMLX graph-building style.
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	gomlxlayers "github.com/gomlx/gomlx/pkg/ml/layers"

	"github.com/dl4go/dl4go/gomlxext"
	"github.com/dl4go/dl4go/gomlxext/layers"
)

// MobileNet's depthwise-separable convolution: a 3×3 depthwise step (each channel filtered
// alone, here with two filters per channel and stride 2) and a 1×1 pointwise step mixing the
// channels.
func ExampleDepthwiseConvolution() {
	backend := gomlxext.MustBackend()
	ctx := context.New()
	exec := context.MustNewExec(backend, ctx, func(ctx *context.Context, x *Node) *Node {
		y := layers.DepthwiseConvolution(ctx, x).KernelSize(3).DepthMultiplier(2).Strides(2).PadSame().Done() // [batch, 14, 14, 16]
		return gomlxlayers.Convolution(ctx, y).Channels(32).KernelSize(1).Done()                              // [batch, 14, 14, 32]
	})
	out := exec.MustExec(tensors.FromShape(shapes.Make(dtypes.Float32, 2, 28, 28, 8)))
	fmt.Println(out[0].Shape())
	fmt.Println(ctx.In("depthwise_conv").GetVariable("weights").Shape())
	// Output:
	// (Float32)[2 14 14 32]
	// (Float32)[3 3 1 16]
}
