package dcgan

import (
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// TransposedConv is a learned transposed convolution ("deconvolution") of x [batch, H, W, inC]
// to [batch, (H−1)·stride + kernel − 2·padding, ..., channels], with a kernel variable
// [kernel, kernel, inC, channels] in ctx (no bias: batch norm follows, or tanh on a single
// channel where a bias would only shift the output).
//
// GoMLX's layers package has no transposed-convolution builder, so this is written with the
// engine's convolution op using the report's recipe (lesson 8): insert stride−1 zeros between the
// input pixels (the op's input dilation), pad by kernel−1−padding, and run an ordinary stride-1
// convolution. That is exactly the transpose of a stride-s convolution with the same kernel (up to a
// 180° turn of the kernel, which does not matter for a learned kernel). Its gradient (with respect to
// both x and the kernel) comes from gomlxext/backend's ConvGeneral gradient, which defines it for
// input dilation.
func TransposedConv(ctx *context.Context, x *Node, channels, kernel, stride, padding int) *Node {
	inC := x.Shape().Dimensions[3]
	w := ctx.VariableWithShape("weights", shapeOf(x, kernel, kernel, inC, channels)).ValueGraph(x.Graph())
	p := kernel - 1 - padding
	return Convolve(x, w).InputDilationPerAxis(stride, stride).
		PaddingPerDim([][2]int{{p, p}, {p, p}}).Strides(1).Dilations(1).Done()
}

// shapeOf returns the shape with x's dtype and the given dimensions.
func shapeOf(x *Node, dims ...int) shapes.Shape { return shapes.Make(x.DType(), dims...) }
