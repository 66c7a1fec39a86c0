package layers

import (
	"fmt"

	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // GoMLX graph-building style.
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/context/initializers"
	"github.com/gomlx/gomlx/pkg/ml/layers"
	"github.com/gomlx/gomlx/pkg/ml/layers/activations"
	"github.com/gomlx/gomlx/pkg/ml/layers/batchnorm"
)

// ResidualBuilder configures a residual block (He et al., "Deep Residual Learning for Image
// Recognition", 2015); create it with ResidualBlock or BottleneckBlock, set its options, then
// call Done.
type ResidualBuilder struct {
	ctx                   *context.Context
	x                     *Node
	bottleneck            bool
	channels, mid, stride int
	shortcut, preAct      bool
	trainable, newScope   bool
	momentum              float64
}

// ResidualBlock prepares the basic residual block of x [batch, H, W, inC]:
//
//	y = ReLU(BN(Conv3×3(ReLU(BN(Conv3×3(x))))) + shortcut(x))
//
// Conv → BN → ReLU → Conv → BN → Add → ReLU, the order of the ResNet paper. The shortcut is x
// itself, or a 1×1 convolution with BN (the "projection") when the block changes the channels or
// the resolution. The output is [batch, ⌈H/s⌉, ⌈W/s⌉, channels] for Strides(s):
//
//	y := xlayers.ResidualBlock(ctx.In("block1"), x).Channels(32).Strides(2).Done()
//
// Channels must be set. Without the shortcut (Shortcut(false)) it is the same two convolutions
// as a plain network: what the skip connection is compared against. The convolutions have no
// bias (BN's offset is one) and start He-normal, as in the paper. Their variables live in the
// scope "residual" below ctx unless CurrentScope: "conv1", "bn1", "conv2", "bn2" and, with a
// projection, "shortcut_conv", "shortcut_bn".
func ResidualBlock(ctx *context.Context, x *Node) *ResidualBuilder {
	return &ResidualBuilder{ctx: ctx, x: x, stride: 1, shortcut: true, trainable: true, newScope: true, momentum: 0.99}
}

// BottleneckBlock prepares the bottleneck block of x [batch, H, W, inC] — 1×1 (down to the
// bottleneck width) → 3×3 → 1×1 (up to channels), each convolution followed by BN, ReLU after
// the first two and after the Add — that ResNet-50/101/152 use to go deep at the cost of a thin
// 3×3 convolution: with 256 channels and a width of 64 it has 256·64 + 9·64² + 64·256 = 69,632
// weights where the basic block has 2·9·256² = 1,179,648. The width is channels/4 unless Bottleneck
// sets it; the output is [batch, ⌈H/s⌉, ⌈W/s⌉, channels]; the variables are "conv1".."conv3" and
// "bn1".."bn3" (and the projection's) in the scope "bottleneck" below ctx unless CurrentScope.
func BottleneckBlock(ctx *context.Context, x *Node) *ResidualBuilder {
	b := ResidualBlock(ctx, x)
	b.bottleneck = true
	return b
}

// Channels sets the block's output channels (required).
func (b *ResidualBuilder) Channels(n int) *ResidualBuilder {
	b.channels = n
	return b
}

// Bottleneck sets the width of a bottleneck block's 1×1 and 3×3 convolutions (default
// channels/4); it panics on a basic block.
func (b *ResidualBuilder) Bottleneck(width int) *ResidualBuilder {
	if !b.bottleneck {
		panic("ResidualBlock: Bottleneck is an option of BottleneckBlock")
	}
	b.mid = width
	return b
}

// Strides sets the stride of the block's first 3×3 convolution (and of the projection): 2
// halves the resolution (default 1).
func (b *ResidualBuilder) Strides(s int) *ResidualBuilder {
	b.stride = s
	return b
}

// Shortcut turns the skip connection off (false) or on (true, the default). Off, the block is
// the plain stack of the same convolutions, for comparisons.
func (b *ResidualBuilder) Shortcut(on bool) *ResidualBuilder {
	b.shortcut = on
	return b
}

// PreActivation reorders the block as BN → ReLU → Conv → BN → ReLU → Conv → Add (He et al.,
// "Identity Mappings in Deep Residual Networks", 2016): nothing follows the Add, so the shortcut
// is a pure identity from block to block.
func (b *ResidualBuilder) PreActivation() *ResidualBuilder {
	b.preAct = true
	return b
}

// Trainable(false) runs the block's batch normalizations in inference mode, with their stored
// means and variances, as Keras does for a layer with trainable = False (a frozen feature
// extractor); freezing its weights is the optimizer's part (gomlxext.FreezeScopes). Default true.
func (b *ResidualBuilder) Trainable(on bool) *ResidualBuilder {
	b.trainable = on
	return b
}

// Momentum sets the batch normalizations' moving-average momentum (default 0.99, GoMLX's).
func (b *ResidualBuilder) Momentum(m float64) *ResidualBuilder {
	b.momentum = m
	return b
}

// CurrentScope creates the variables in ctx's scope rather than in a new "residual" (or
// "bottleneck") scope.
func (b *ResidualBuilder) CurrentScope() *ResidualBuilder {
	b.newScope = false
	return b
}

// Done builds the block: x [batch, H, W, inC] → [batch, ⌈H/s⌉, ⌈W/s⌉, channels].
func (b *ResidualBuilder) Done() *Node {
	if b.channels <= 0 {
		panic(fmt.Sprintf("ResidualBlock: Channels must be set (got %d)", b.channels))
	}
	if b.stride < 1 {
		panic(fmt.Sprintf("ResidualBlock: Strides must be ≥ 1 (got %d)", b.stride))
	}
	ctx := b.ctx
	if b.newScope {
		name := "residual"
		if b.bottleneck {
			name = "bottleneck"
		}
		ctx = ctx.In(name)
	}
	ctx = ctx.WithInitializer(initializers.HeFn(ctx))
	x := b.x
	inC := x.Shape().Dimensions[x.Rank()-1]

	conv := func(i int, h *Node, channels, kernel, stride int) *Node {
		return layers.Convolution(ctx.In(fmt.Sprintf("conv%d", i)), h).Channels(channels).KernelSize(kernel).
			Strides(stride).PadSame().UseBias(false).CurrentScope().Done()
	}
	bn := func(name string, h *Node) *Node {
		return batchnorm.New(ctx.In(name), h, -1).Momentum(b.momentum).Trainable(b.trainable).CurrentScope().Done()
	}
	type step struct{ channels, kernel, stride int }
	steps := []step{{b.channels, 3, b.stride}, {b.channels, 3, 1}}
	if b.bottleneck {
		mid := b.mid
		if mid == 0 {
			mid = max(1, b.channels/4)
		}
		steps = []step{{mid, 1, 1}, {mid, 3, b.stride}, {b.channels, 1, 1}}
	}

	h := x
	if b.preAct {
		for i, s := range steps {
			h = activations.Relu(bn(fmt.Sprintf("bn%d", i+1), h))
			h = conv(i+1, h, s.channels, s.kernel, s.stride)
		}
	} else {
		for i, s := range steps {
			h = conv(i+1, h, s.channels, s.kernel, s.stride)
			h = bn(fmt.Sprintf("bn%d", i+1), h)
			if i < len(steps)-1 {
				h = activations.Relu(h)
			}
		}
	}
	if b.shortcut {
		sc := x
		if inC != b.channels || b.stride != 1 {
			sc = layers.Convolution(ctx.In("shortcut_conv"), x).Channels(b.channels).KernelSize(1).Strides(b.stride).
				PadSame().UseBias(false).CurrentScope().Done()
			if !b.preAct {
				sc = bn("shortcut_bn", sc)
			}
		}
		h = Add(h, sc)
	}
	if !b.preAct {
		h = activations.Relu(h)
	}
	return h
}
