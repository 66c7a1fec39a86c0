package cost_test

import (
	"fmt"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // GoMLX graph-building style.
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/layers"

	"github.com/dl4go/dl4go/gomlxext"
	"github.com/dl4go/dl4go/gomlxext/cost"
	xlayers "github.com/dl4go/dl4go/gomlxext/layers"
)

// A standard 3×3 convolution from 32 to 64 channels on a 14×14 map, against MobileNet's
// depthwise-separable replacement, counted from the built layers and by the report's formulas.
func ExampleModel() {
	backend := gomlxext.MustBackend()
	x := shapes.Make(dtypes.Float32, 1, 14, 14, 32) // one example: [1, H, W, C]
	standard, err := cost.Model(backend, context.New(), x, func(ctx *context.Context, x *Node) *Node {
		return layers.Convolution(ctx, x).Channels(64).KernelSize(3).PadSame().Done()
	})
	if err != nil {
		panic(err)
	}
	separable, err := cost.Model(backend, context.New(), x, func(ctx *context.Context, x *Node) *Node {
		y := xlayers.DepthwiseConvolution(ctx, x).KernelSize(3).PadSame().Done() // [1, 14, 14, 32]
		return layers.Convolution(ctx, y).Channels(64).KernelSize(1).Done()      // [1, 14, 14, 64]
	})
	if err != nil {
		panic(err)
	}
	fmt.Println("standard: ", standard.Total(), cost.Standard(14, 14, 3, 32, 64))
	fmt.Println("separable:", separable.Total(), cost.Depthwise(14, 14, 3, 32)+cost.Pointwise(14, 14, 32, 64))
	for _, op := range separable.Ops {
		fmt.Println(op.Weights, op.Groups, op.MultAdds)
	}
	// Output:
	// standard:  3612672 3612672
	// separable: 457856 457856
	// /depthwise_conv/weights 32 56448
	// /conv/weights 1 401408
}
