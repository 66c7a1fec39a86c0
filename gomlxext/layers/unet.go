package layers

import (
	"fmt"

	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // GoMLX graph-building style.
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/context/initializers"
	"github.com/gomlx/gomlx/pkg/ml/layers/activations"
)

// UNetBuilder configures a U-Net (Ronneberger et al., 2015, as pix2pix's generator); create it
// with UNet, set its options, then call Done.
type UNetBuilder struct {
	ctx               *context.Context
	x                 *Node
	channels, feature int
	depth, maxMult    int
	skips             bool
}

// UNet prepares an encoder–decoder with skip connections over x [batch, H, W, C], the generator
// of pix2pix (Isola et al., 2017):
//
//	y := layers.UNet(ctx, x).Channels(3).Features(16).Depth(3).Done() // [batch, H, W, 3]
//
// The encoder halves the resolution Depth times with 4×4 stride-2 convolutions (padding 1) and
// LeakyReLU(0.2), doubling the channels from Features at each level (at most MaxMultiplier ×
// Features); the decoder doubles it back with 4×4 stride-2 transposed convolutions and ReLU. The
// skip connections concatenate each decoder map with the encoder map of the same resolution, so
// the decoder sees where every edge of the input was and does not have to carry positions
// through the bottleneck (Skips(false) builds the plain encoder–decoder for comparison). The last
// layer is linear: apply tanh or a sigmoid for images. There is no normalisation layer. Its
// variables live in the scope "unet" below ctx, a scope per layer ("enc1", …, "dec1"), with the
// initializer of ctx. Channels and Features must be set; Depth defaults to 3, MaxMultiplier to 8.
func UNet(ctx *context.Context, x *Node) *UNetBuilder {
	return &UNetBuilder{ctx: ctx, x: x, depth: 3, maxMult: 8, skips: true}
}

// Channels sets the output channels (required).
func (b *UNetBuilder) Channels(n int) *UNetBuilder {
	b.channels = n
	return b
}

// Features sets the channels of the first encoder level (required).
func (b *UNetBuilder) Features(n int) *UNetBuilder {
	b.feature = n
	return b
}

// Depth sets how many times the encoder halves the resolution (default 3: 32×32 → 4×4); H and W
// must be divisible by 2^Depth.
func (b *UNetBuilder) Depth(n int) *UNetBuilder {
	b.depth = n
	return b
}

// MaxMultiplier caps the channels of the deeper levels at MaxMultiplier × Features (default 8).
func (b *UNetBuilder) MaxMultiplier(n int) *UNetBuilder {
	b.maxMult = n
	return b
}

// Skips sets whether the skip connections are built (default true).
func (b *UNetBuilder) Skips(on bool) *UNetBuilder {
	b.skips = on
	return b
}

// levelChannels returns the channels of encoder level i (1-based).
func (b *UNetBuilder) levelChannels(i int) int {
	return b.feature * min(1<<(i-1), b.maxMult)
}

// Done builds the network: [batch, H, W, C] → [batch, H, W, Channels].
func (b *UNetBuilder) Done() *Node {
	x := b.x
	if x.Rank() != 4 || b.channels <= 0 || b.feature <= 0 || b.depth < 1 || b.maxMult < 1 {
		panic(fmt.Sprintf("layers.UNet: x must be [batch, H, W, channels] and Channels, Features, Depth and "+
			"MaxMultiplier must be ≥ 1: got x %s, Channels %d, Features %d, Depth %d, MaxMultiplier %d",
			x.Shape(), b.channels, b.feature, b.depth, b.maxMult))
	}
	d := x.Shape().Dimensions
	if div := 1 << b.depth; d[1]%div != 0 || d[2]%div != 0 {
		panic(fmt.Sprintf("layers.UNet: H×W %d×%d must be divisible by 2^Depth = %d", d[1], d[2], div))
	}
	ctx := b.ctx.In("unet")
	enc := make([]*Node, b.depth+1) // enc[0] is the input, enc[i] [batch, H/2^i, W/2^i, levelChannels(i)].
	enc[0] = x
	for i := 1; i <= b.depth; i++ {
		enc[i] = activations.LeakyReluWithAlpha(
			conv2D(ctx.In(fmt.Sprintf("enc%d", i)), enc[i-1], b.levelChannels(i), 4, 2, 1), 0.2)
	}
	h := enc[b.depth]
	for i := b.depth - 1; i >= 0; i-- { // up to the resolution of enc[i]
		out := b.channels
		if i > 0 {
			out = b.levelChannels(i)
		}
		h = TransposedConvolution(ctx.In(fmt.Sprintf("dec%d", i+1)), h).Channels(out).KernelSize(4).Strides(2).Padding(1).
			CurrentScope().Done()
		if i == 0 {
			break
		}
		h = activations.Relu(h)
		if b.skips {
			h = Concatenate([]*Node{h, enc[i]}, -1)
		}
	}
	return h
}

// conv2D is a square convolution with bias of x [batch, H, W, C] with the given output channels,
// kernel size, stride and symmetric zero padding: [batch, (H + 2·padding − kernel)/stride + 1,
// …, channels]. Its variables "weights" and "biases" live in ctx's scope.
func conv2D(ctx *context.Context, x *Node, channels, kernel, stride, padding int) *Node {
	inC := x.Shape().Dimensions[3]
	w := ctx.VariableWithShape("weights", shapes.Make(x.DType(), kernel, kernel, inC, channels)).ValueGraph(x.Graph())
	y := Convolve(x, w).StridePerAxis(stride, stride).
		PaddingPerDim([][2]int{{padding, padding}, {padding, padding}}).Dilations(1).Done()
	bias := ctx.WithInitializer(initializers.Zero).VariableWithShape("biases", shapes.Make(x.DType(), channels)).ValueGraph(x.Graph())
	return Add(y, ExpandLeftToRank(bias, 4))
}
