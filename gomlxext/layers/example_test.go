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
func ExampleTransposedConv() {
	backend := gomlxext.MustBackend()
	ctx := context.New()
	exec := context.MustNewExec(backend, ctx, func(ctx *context.Context, x *Node) *Node {
		y := layers.TransposedConv(ctx.In("up1"), x, 32, 4, 2, 1)  // [batch, 14, 14, 32]
		return layers.TransposedConv(ctx.In("up2"), y, 1, 4, 2, 1) // [batch, 28, 28, 1]
	})
	out := exec.MustExec(tensors.FromShape(shapes.Make(dtypes.Float32, 2, 7, 7, 64)))
	fmt.Println(out[0].Shape())
	// Output: (Float32)[2 28 28 1]
}
