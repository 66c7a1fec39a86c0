package layers_test

import (
	"fmt"

	"github.com/dl4go/dl4go/gomlxext"
	"github.com/dl4go/dl4go/gomlxext/layers"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // GoMLX graph-building style.
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// A DCGAN-style generator tail: 7×7 feature maps up-sampled twice by 4×4 transposed convolutions
// with stride 2 and padding 1, to a 28×28 image.
func ExampleTransposedConvolution() {
	backend := gomlxext.MustBackend()
	ctx := context.New()
	exec := context.MustNewExec(backend, ctx, func(ctx *context.Context, x *Node) *Node {
		y := layers.TransposedConvolution(ctx.In("up1"), x).Channels(32).KernelSize(4).Strides(2).Padding(1).Done()  // [batch, 14, 14, 32]
		return layers.TransposedConvolution(ctx.In("up2"), y).Channels(1).KernelSize(4).Strides(2).Padding(1).Done() // [batch, 28, 28, 1]
	})
	out := exec.MustExec(tensors.FromShape(shapes.Make(dtypes.Float32, 2, 7, 7, 64)))
	fmt.Println(out[0].Shape())
	// Output: (Float32)[2 28 28 1]
}
