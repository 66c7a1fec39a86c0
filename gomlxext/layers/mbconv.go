package layers

import (
	"fmt"

	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // GoMLX graph-building style.
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/context/initializers"
	"github.com/gomlx/gomlx/pkg/ml/layers"
	"github.com/gomlx/gomlx/pkg/ml/layers/activations"
	"github.com/gomlx/gomlx/pkg/ml/layers/batchnorm"
)

// MBConvBuilder configures a mobile inverted bottleneck block; create it with MBConv, set its
// options, then call Done.
type MBConvBuilder struct {
	ctx                      *context.Context
	x                        *Node
	channels, expand, kernel int
	stride                   int
	seRatio, momentum        float64
	newScope                 bool
	zeroResidual             bool
}

// MBConv prepares a mobile inverted bottleneck convolution block (MobileNetV2's inverted
// residual with squeeze-and-excitation, the block EfficientNet-B0 is built of) over
// x [batch, H, W, C]:
//
//	y := layers.MBConv(ctx, x).Channels(24).Expand(6).KernelSize(3).Strides(2).Done()
//
// In order:
//  1. expand: a 1×1 convolution to C·Expand channels, batch norm, swish (left out when Expand is 1);
//  2. a depthwise KernelSize×KernelSize convolution (one filter per channel) with the stride,
//     batch norm, swish — the only layer that looks at neighbouring pixels;
//  3. squeeze-and-excitation (SqueezeExcitation) with a bottleneck of max(1, ⌊C·SERatio⌋);
//  4. project: a 1×1 convolution to Channels, batch norm and no activation (a linear bottleneck);
//  5. the input added back (the residual) when the stride is 1 and Channels == C.
//
// The block is "inverted" because it is wide in the middle and narrow at its ends, where a
// ResNet bottleneck is the other way round; the wide middle is cheap because the depthwise
// convolution costs H·W·C·Expand·k² multiply-adds, not H·W·(C·Expand)²·k².
//
// Channels and KernelSize must be set; Expand defaults to 6, Strides to 1 and SERatio to 0.25
// (0 leaves SE out), BatchNormMomentum to 0.99. Its variables live in the scope "mbconv" below ctx unless CurrentScope.
func MBConv(ctx *context.Context, x *Node) *MBConvBuilder {
	return &MBConvBuilder{ctx: ctx, x: x, expand: 6, stride: 1, seRatio: 0.25, momentum: 0.99, newScope: true}
}

// Channels sets the block's output channels (required).
func (b *MBConvBuilder) Channels(n int) *MBConvBuilder {
	b.channels = n
	return b
}

// Expand sets the expansion ratio of the middle of the block (default 6; 1 has no expand layer,
// as in EfficientNet-B0's first stage).
func (b *MBConvBuilder) Expand(ratio int) *MBConvBuilder {
	b.expand = ratio
	return b
}

// KernelSize sets the depthwise convolution's kernel height and width (required; 3 or 5 in
// EfficientNet-B0).
func (b *MBConvBuilder) KernelSize(k int) *MBConvBuilder {
	b.kernel = k
	return b
}

// Strides sets the depthwise convolution's stride (default 1; 2 halves H and W, and then there is
// no residual).
func (b *MBConvBuilder) Strides(s int) *MBConvBuilder {
	b.stride = s
	return b
}

// SERatio sets the squeeze-and-excitation bottleneck as a fraction of the block's input channels
// (default 0.25; 0 leaves SE out).
func (b *MBConvBuilder) SERatio(r float64) *MBConvBuilder {
	b.seRatio = r
	return b
}

// BatchNormMomentum sets the momentum of the batch norms' moving averages, which inference
// uses (default 0.99, GoMLX's; 0.9 suits short trainings of a few hundred steps).
func (b *MBConvBuilder) BatchNormMomentum(m float64) *MBConvBuilder {
	b.momentum = m
	return b
}

// ZeroInitResidual, when on, starts the projection's batch-norm scale at 0 instead of 1 in a
// block with a residual (default off), so the block starts as the identity and a deep stack of
// them trains like a shallow one at first ("zero-γ": Goyal et al. 2017, "Accurate, Large
// Minibatch SGD"; timm's zero_init_last). Blocks without a residual are unchanged.
func (b *MBConvBuilder) ZeroInitResidual(on bool) *MBConvBuilder {
	b.zeroResidual = on
	return b
}

// CurrentScope makes the block's variables live in ctx's own scope instead of a new "mbconv"
// scope below it.
func (b *MBConvBuilder) CurrentScope() *MBConvBuilder {
	b.newScope = false
	return b
}

// Done builds the block: x [batch, H, W, C] → [batch, ⌈H/stride⌉, ⌈W/stride⌉, channels].
func (b *MBConvBuilder) Done() *Node {
	x := b.x
	if x.Rank() != 4 || b.channels <= 0 || b.kernel <= 0 || b.expand < 1 || b.stride < 1 || b.seRatio < 0 {
		panic(fmt.Sprintf("layers.MBConv: x must be [batch, H, W, channels], Channels and KernelSize set (> 0), "+
			"Expand and Strides ≥ 1 and SERatio ≥ 0: got x %s, Channels %d, KernelSize %d, Expand %d, Strides %d, SERatio %g",
			x.Shape(), b.channels, b.kernel, b.expand, b.stride, b.seRatio))
	}
	ctx := b.ctx
	if b.newScope {
		ctx = ctx.In("mbconv")
	}
	in := x.Shape().Dimensions[3]
	mid := in * b.expand
	h := x
	if b.expand != 1 {
		h = layers.Convolution(ctx.In("expand"), h).Channels(mid).KernelSize(1).UseBias(false).Done()
		h = activations.Swish(batchnorm.New(ctx.In("expand_bn"), h, -1).Momentum(b.momentum).Done())
	}
	h = DepthwiseConvolution(ctx.In("depthwise"), h).KernelSize(b.kernel).Strides(b.stride).PadSame().UseBias(false).CurrentScope().Done()
	h = activations.Swish(batchnorm.New(ctx.In("depthwise_bn"), h, -1).Momentum(b.momentum).Done())
	if b.seRatio > 0 {
		h = SqueezeExcitation(ctx.In("se"), h).Reduced(max(1, int(float64(in)*b.seRatio))).CurrentScope().Done()
	}
	h = layers.Convolution(ctx.In("project"), h).Channels(b.channels).KernelSize(1).UseBias(false).Done()
	residual := b.stride == 1 && in == b.channels
	if residual && b.zeroResidual {
		// batchnorm always starts its scale at 1: normalise without its scale and offset, and
		// apply a scale that starts at 0 and an offset here (the same function of the input).
		bnCtx := ctx.In("project_bn")
		h = batchnorm.New(bnCtx, h, -1).Momentum(b.momentum).Scale(false).Center(false).Done()
		dim := shapes.Make(h.DType(), b.channels)
		gamma := bnCtx.WithInitializer(initializers.Zero).VariableWithShape("scale", dim).ValueGraph(h.Graph())
		beta := bnCtx.WithInitializer(initializers.Zero).VariableWithShape("offset", dim).ValueGraph(h.Graph())
		h = Add(Mul(h, Reshape(gamma, 1, 1, 1, -1)), Reshape(beta, 1, 1, 1, -1))
	} else {
		h = batchnorm.New(ctx.In("project_bn"), h, -1).Momentum(b.momentum).Done()
	}
	if residual {
		h = Add(h, x)
	}
	return h
}
