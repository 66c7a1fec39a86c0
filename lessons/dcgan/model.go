package dcgan

import (
	"fmt"

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

// Generator maps noise z [batch, ZDim] to images [batch, 28, 28, 1] in [−1, 1]. labels is nil
// for the unconditional DCGAN (cfg.Condition == Unconditional); for lesson 16's conditional GAN it
// holds the requested digits, [batch] int32, whose one-hot vectors are concatenated to z (both
// InputLabels and ProjectedLabels): the projection of [z, onehot(y)] is W_z·z + W_y·onehot(y),
// so G learns a 7×7 map per digit (a learned embedding of y) that it adds to the one of z. With
// cfg.ClassBatchNorm the digit also reaches every later layer: each batch norm is a conditional
// one (xlayers.ConditionalBatchNormalization), with a scale and a shift per digit, as in the
// generator of Miyato & Koyama's projection cGAN (2018).
// It follows DCGAN's rules:
//
//   - the only matrix multiplication is the projection of z to a 7×7×GFeatures·2 map (z has no
//     spatial layout, so something must give it one; DCGAN's paper calls this the "project and
//     reshape" step — it is a 1×1 "convolution" of a 1×1 map with 7·7·C output channels);
//   - up-sampling by stride-2 transposed convolutions (no pooling, no fixed up-sampling):
//     7×7 → 14×14 → 28×28, with one stride-1 3×3 convolution at 14×14 between them (more
//     drawing capacity where strokes take shape, without changing the resolution);
//   - batch normalisation and ReLU after every layer except the last, which is tanh.
func Generator(ctx *context.Context, cfg Config, z, labels *Node) *Node {
	checkLabels(cfg, labels, "Generator")
	ctx = ctx.In(GeneratorScope).WithInitializer(initializers.RandomNormalFn(ctx, initStd))
	batch := z.Shape().Dimensions[0]
	c0 := 2 * cfg.GFeatures
	if labels != nil {
		z = Concatenate([]*Node{z, OneHot(labels, NumLabels, z.DType())}, -1) // [batch, ZDim+10]
	}
	// norm is G's batch norm; with cfg.ClassBatchNorm a conditional one, whose scale and shift
	// are the requested digit's.
	norm := func(scope string, x *Node) *Node {
		if cfg.ClassBatchNorm && labels != nil {
			return xlayers.ConditionalBatchNormalization(ctx.In(scope), x, labels, NumLabels).CurrentScope().Done()
		}
		return batchnorm.New(ctx.In(scope), x, -1).Done()
	}
	x := layers.Dense(ctx.In("project"), z, false, 7*7*c0) // [batch, 7·7·c0]
	x = Reshape(x, batch, 7, 7, c0)
	x = activations.Relu(norm("project_bn", x))
	x = xlayers.TransposedConvolution(ctx.In("tconv1"), x).Channels(cfg.GFeatures).KernelSize(4).Strides(2).Padding(1).
		UseBias(false).CurrentScope().Done() // [batch, 14, 14, GFeatures]
	x = activations.Relu(norm("tconv1_bn", x))
	x = conv(ctx.In("conv"), x, cfg.GFeatures, 3, 1, 1, false) // [batch, 14, 14, GFeatures]
	x = activations.Relu(norm("conv_bn", x))
	x = xlayers.TransposedConvolution(ctx.In("tconv2"), x).Channels(1).KernelSize(4).Strides(2).Padding(1).
		UseBias(false).CurrentScope().Done() // [batch, 28, 28, 1]
	return Tanh(x)
}

// Discriminator maps images [batch, 28, 28, 1] in [−1, 1] to logits [batch] (D(x) = σ(logit) is
// the probability that x is real). labels is nil for the unconditional DCGAN; for lesson 16's
// conditional GAN it holds the digits the images are meant to show, [batch] int32, and σ(logit)
// is the probability that the pair (image, digit) is real: with InputLabels the one-hot digit,
// broadcast to [batch, 28, 28, 10], is concatenated to the image's channels; with ProjectedLabels
// the logit gains ⟨E[y], φ(x)⟩, φ(x) the flattened [batch, 4·4·4·DFeatures] features the last
// layer reads and E [10, 4·4·4·DFeatures] a learned embedding. It follows DCGAN's rules:
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
func Discriminator(ctx *context.Context, cfg Config, x, labels *Node) *Node {
	checkLabels(cfg, labels, "Discriminator")
	ctx = ctx.In(DiscriminatorScope).WithInitializer(initializers.RandomNormalFn(ctx, initStd))
	batch := x.Shape().Dimensions[0]
	if cfg.Condition == InputLabels {
		d := x.Shape().Dimensions
		y := Reshape(OneHot(labels, NumLabels, x.DType()), batch, 1, 1, NumLabels)
		x = Concatenate([]*Node{x, BroadcastToDims(y, batch, d[1], d[2], NumLabels)}, -1) // [batch, 28, 28, 11]
	}
	h := conv(ctx.In("conv1"), x, cfg.DFeatures, 4, 2, 1, true) // [batch, 14, 14, DFeatures]
	h = activations.LeakyReluWithAlpha(h, 0.2)
	h = conv(ctx.In("conv2"), h, 2*cfg.DFeatures, 4, 2, 1, false) // [batch, 7, 7, 2·DFeatures]
	h = activations.LeakyReluWithAlpha(batchnorm.New(ctx.In("conv2_bn"), h, -1).Done(), 0.2)
	h = conv(ctx.In("conv3"), h, 4*cfg.DFeatures, 3, 2, 1, false) // [batch, 4, 4, 4·DFeatures]
	h = activations.LeakyReluWithAlpha(batchnorm.New(ctx.In("conv3_bn"), h, -1).Done(), 0.2)
	logit := Reshape(conv(ctx.In("logit"), h, 1, 4, 1, 0, true), batch) // [batch]
	if cfg.Condition == ProjectedLabels {
		phi := Reshape(h, batch, -1) // [batch, 4·4·4·DFeatures]
		e := ctx.In("projection").VariableWithShape("embeddings", shapeOf(phi, NumLabels, phi.Shape().Dimensions[1])).ValueGraph(x.Graph())
		ey := MatMul(OneHot(labels, NumLabels, phi.DType()), e) // [batch, 4·4·4·DFeatures]: E[y]
		logit = Add(logit, ReduceSum(Mul(ey, phi), -1))
	}
	return logit
}

// checkLabels panics (a programmer error) when labels is given to an unconditional network or
// missing from a conditional one, or is not [batch] of an integer type.
func checkLabels(cfg Config, labels *Node, fn string) {
	switch {
	case cfg.Condition != Unconditional && cfg.Condition != InputLabels && cfg.Condition != ProjectedLabels:
		panic(fmt.Sprintf("dcgan: %s: unknown Config.Condition %v", fn, cfg.Condition))
	case cfg.Condition.Conditional() && labels == nil:
		panic(fmt.Sprintf("dcgan: %s: Config.Condition is %v but labels is nil: pass the digits [batch] int32", fn, cfg.Condition))
	case !cfg.Condition.Conditional() && labels != nil:
		panic(fmt.Sprintf("dcgan: %s: labels given to an unconditional network: set Config.Condition, or pass nil", fn))
	case labels != nil && (labels.Rank() != 1 || !labels.DType().IsInt()):
		panic(fmt.Sprintf("dcgan: %s: labels must be [batch] integers, got %s", fn, labels.Shape()))
	}
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
