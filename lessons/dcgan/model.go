package dcgan

import (
	xlayers "github.com/dl4go/dl4go/gomlxext/layers"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/context/initializers"
	"github.com/gomlx/gomlx/pkg/ml/layers"
	"github.com/gomlx/gomlx/pkg/ml/layers/activations"
	"github.com/gomlx/gomlx/pkg/ml/layers/batchnorm"
)

// Scopes of the two players' variables in the shared context.
const (
	GeneratorScope     = "generator"
	DiscriminatorScope = "discriminator"
)

// initStd is the standard deviation of DCGAN's weight initialisation, N(0, 0.02²) (Radford et al., 2016).
const initStd = 0.02

// Generator maps noise z [batch, ZDim] to images [batch, 28, 28, 1] in [−1, 1], following
// DCGAN's rules:
//
//   - the only matrix multiplication is the projection of z to a 7×7×GFeatures·2 map (z has no
//     spatial layout, so something must give it one; DCGAN's paper calls this the "project and
//     reshape" step — it is a 1×1 "convolution" of a 1×1 map with 7·7·C output channels);
//   - up-sampling by stride-2 transposed convolutions (no pooling, no fixed up-sampling):
//     7×7 → 14×14 → 28×28, with one stride-1 3×3 convolution at 14×14 between them (more
//     drawing capacity where strokes take shape, without changing the resolution);
//   - batch normalisation and ReLU after every layer except the last, which is tanh.
func Generator(ctx *context.Context, cfg Config, z *Node) *Node {
	ctx = ctx.In(GeneratorScope).WithInitializer(initializers.RandomNormalFn(ctx, initStd))
	batch := z.Shape().Dimensions[0]
	c0 := 2 * cfg.GFeatures
	x := layers.Dense(ctx.In("project"), z, false, 7*7*c0) // [batch, 7·7·c0]
	x = Reshape(x, batch, 7, 7, c0)
	x = activations.Relu(batchnorm.New(ctx.In("project_bn"), x, -1).Done())
	x = xlayers.TransposedConvolution(ctx.In("tconv1"), x).Channels(cfg.GFeatures).KernelSize(4).Strides(2).Padding(1).
		UseBias(false).CurrentScope().Done() // [batch, 14, 14, GFeatures]
	x = activations.Relu(batchnorm.New(ctx.In("tconv1_bn"), x, -1).Done())
	x = conv(ctx.In("conv"), x, cfg.GFeatures, 3, 1, 1, false) // [batch, 14, 14, GFeatures]
	x = activations.Relu(batchnorm.New(ctx.In("conv_bn"), x, -1).Done())
	x = xlayers.TransposedConvolution(ctx.In("tconv2"), x).Channels(1).KernelSize(4).Strides(2).Padding(1).
		UseBias(false).CurrentScope().Done() // [batch, 28, 28, 1]
	return Tanh(x)
}

// Discriminator maps images [batch, 28, 28, 1] in [−1, 1] to logits [batch] (D(x) = σ(logit) is
// the probability that x is real), following DCGAN's rules:
//
//   - down-sampling by stride-2 convolutions (no pooling): 28×28 → 14×14 → 7×7 → 4×4;
//   - LeakyReLU (slope 0.2) activations;
//   - batch normalisation after every convolution but the first (not on the input layer, as in
//     the paper) and the last;
//   - no fully connected layer: the last layer is a 4×4 convolution without padding that turns the
//     4×4 map into one number per image.
//
// The third down-sampling lets D judge a digit's whole shape: a unit of the 7×7 map sees a 10×10
// patch, so a D that ended there would weigh local pieces of stroke linearly, and G could score
// with good strokes in a shape that is no digit. Each unit of the 4×4 map sees 18×18 pixels, and
// the last layer combines them after a non-linearity. With it and G's 3×3 layer the confident
// samples went from 74% to 84% (docs/experiments/dcgan.md).
func Discriminator(ctx *context.Context, cfg Config, x *Node) *Node {
	ctx = ctx.In(DiscriminatorScope).WithInitializer(initializers.RandomNormalFn(ctx, initStd))
	batch := x.Shape().Dimensions[0]
	h := conv(ctx.In("conv1"), x, cfg.DFeatures, 4, 2, 1, true) // [batch, 14, 14, DFeatures]
	h = activations.LeakyReluWithAlpha(h, 0.2)
	h = conv(ctx.In("conv2"), h, 2*cfg.DFeatures, 4, 2, 1, false) // [batch, 7, 7, 2·DFeatures]
	h = activations.LeakyReluWithAlpha(batchnorm.New(ctx.In("conv2_bn"), h, -1).Done(), 0.2)
	h = conv(ctx.In("conv3"), h, 4*cfg.DFeatures, 3, 2, 1, false) // [batch, 4, 4, 4·DFeatures]
	h = activations.LeakyReluWithAlpha(batchnorm.New(ctx.In("conv3_bn"), h, -1).Done(), 0.2)
	h = conv(ctx.In("logit"), h, 1, 4, 1, 0, true) // [batch, 1, 1, 1]
	return Reshape(h, batch)
}

// conv is a square convolution of x [batch, H, W, C] with the given output channels, kernel size,
// stride and symmetric zero padding.
func conv(ctx *context.Context, x *Node, channels, kernel, stride, padding int, bias bool) *Node {
	inC := x.Shape().Dimensions[3]
	w := ctx.VariableWithShape("weights", shapeOf(x, kernel, kernel, inC, channels)).ValueGraph(x.Graph())
	y := Convolve(x, w).StridePerAxis(stride, stride).
		PaddingPerDim([][2]int{{padding, padding}, {padding, padding}}).Dilations(1).Done()
	if bias {
		b := ctx.WithInitializer(initializers.Zero).VariableWithShape("bias", shapeOf(x, channels)).ValueGraph(x.Graph())
		y = Add(y, Reshape(b, 1, 1, 1, channels))
	}
	return y
}

// shapeOf returns the shape with x's dtype and the given dimensions.
func shapeOf(x *Node, dims ...int) shapes.Shape { return shapes.Make(x.DType(), dims...) }
