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

// A two-block encoder–decoder, as in lesson 10: the encoder reads a padded source with a key
// mask; the decoder attends causally to its own prefix and, through source–target attention, to
// the encoder's output. The cross-attention weights are the alignment heat maps.
func ExampleDecoderBlock() {
	backend := gomlxext.MustBackend()
	ctx := context.New()
	exec := context.MustNewExec(backend, ctx, func(ctx *context.Context, src, tgt, srcReal *Node) []*Node {
		pos := func(x *Node) *Node { // x [batch, length, 16] + the sinusoidal positional encoding
			return Add(x, ExpandAxes(layers.PositionalEncoding(x.Graph(), x.DType(), x.Shape().Dimensions[1], 16), 0))
		}
		memory := layers.EncoderBlock(ctx.In("encoder"), pos(src)).Heads(4).KeyMask(srcReal).Done() // [batch, 7, 16]
		y, _, cross := layers.DecoderBlock(ctx.In("decoder"), pos(tgt), memory).Heads(4).MemoryMask(srcReal).DoneWithWeights()
		return []*Node{y, cross} // [batch, 5, 16], [batch, 4 heads, 5, 7]
	})
	real := make([]bool, 2*7)
	for i := range real {
		real[i] = i%7 < 5 // 5 real source tokens, 2 of padding
	}
	out := exec.MustExec(tensors.FromShape(shapes.Make(dtypes.Float32, 2, 7, 16)), tensors.FromShape(shapes.Make(dtypes.Float32, 2, 5, 16)),
		tensors.FromFlatDataAndDimensions(real, 2, 7))
	fmt.Println(out[0].Shape(), out[1].Shape())
	// Output: (Float32)[2 5 16] (Float32)[2 4 5 7]
}

// Mask R-CNN's two RoI crops from one stride-4 feature map: 7×7 bins for the box head, 14×14 for
// the mask head, three boxes per image given in image pixels.
func ExampleRoIAlign() {
	backend := gomlxext.MustBackend()
	exec := MustNewExec(backend, func(features, boxes *Node) []*Node {
		box := layers.RoIAlign(features, boxes).OutputSize(7).SpatialScale(1.0 / 4).Done()   // [batch, 3, 7, 7, 32]
		mask := layers.RoIAlign(features, boxes).OutputSize(14).SpatialScale(1.0 / 4).Done() // [batch, 3, 14, 14, 32]
		pooled := layers.RoIPool(features, boxes).OutputSize(7).SpatialScale(1.0 / 4).Done() // rounded to whole cells
		return []*Node{box, mask, pooled}
	})
	features := tensors.FromShape(shapes.Make(dtypes.Float32, 2, 12, 12, 32)) // a 48×48 image at stride 4
	boxes := tensors.FromShape(shapes.Make(dtypes.Float32, 2, 3, 4))          // (x0, y0, x1, y1) per box
	for _, out := range exec.MustExec(features, boxes) {
		fmt.Println(out.Shape())
	}
	// Output:
	// (Float32)[2 3 7 7 32]
	// (Float32)[2 3 14 14 32]
	// (Float32)[2 3 7 7 32]
}
