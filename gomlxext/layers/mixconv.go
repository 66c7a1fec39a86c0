package layers

import (
	"fmt"

	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // GoMLX graph-building style.
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// MixConvBuilder configures a mixed depthwise convolution; create it with MixConvolution, set
// its options, then call Done.
type MixConvBuilder struct {
	ctx      *context.Context
	x        *Node
	kernels  []int
	stride   int
	bias     bool
	newScope bool
}

// MixConvolution prepares a mixed depthwise convolution (MixConv, Tan & Le 2019) of
// x [batch, H, W, C]: the channels are split into one group per kernel size, and each group gets
// a depthwise convolution (DepthwiseConvolution) with its own kernel size — small kernels for
// fine detail and large ones for wider context in one layer, still one filter per channel.
//
//	y := xlayers.MixConvolution(ctx, x).KernelSizes(3, 5, 7).Done() // [batch, H, W, C]
//
// KernelSizes must be set (odd sizes, as "same" padding needs); the channels are split as evenly
// as possible, the first group taking the remainder, as in the paper's code. The groups are
// always padded "same" (their outputs are concatenated, so they must have one size); Strides
// defaults to 1 and a bias is added unless UseBias(false). Group i's variables live in the scope
// "mixconv"/"group<i>"/"depthwise_conv" below ctx ("group<i>"/... with CurrentScope).
func MixConvolution(ctx *context.Context, x *Node) *MixConvBuilder {
	return &MixConvBuilder{ctx: ctx, x: x, stride: 1, bias: true, newScope: true}
}

// KernelSizes sets one kernel size per channel group (required).
func (b *MixConvBuilder) KernelSizes(sizes ...int) *MixConvBuilder {
	b.kernels = sizes
	return b
}

// Strides sets the stride of every group (default 1).
func (b *MixConvBuilder) Strides(s int) *MixConvBuilder {
	b.stride = s
	return b
}

// UseBias sets whether each group adds a learned bias per channel (default true).
func (b *MixConvBuilder) UseBias(use bool) *MixConvBuilder {
	b.bias = use
	return b
}

// CurrentScope puts the groups' scopes directly below ctx instead of below a new "mixconv".
func (b *MixConvBuilder) CurrentScope() *MixConvBuilder {
	b.newScope = false
	return b
}

// MixConvSplit returns the channels of each group for c channels and g groups: c/g each, the first
// group taking the remainder.
func MixConvSplit(c, g int) []int {
	out := make([]int, g)
	for i := range out {
		out[i] = c / g
	}
	out[0] += c - g*(c/g)
	return out
}

// Done builds the layer: [batch, H', W', C], H' = ⌈H/stride⌉.
func (b *MixConvBuilder) Done() *Node {
	x := b.x
	if x.Rank() != 4 || len(b.kernels) == 0 || len(b.kernels) > x.Shape().Dimensions[3] {
		panic(fmt.Sprintf("layers.MixConvolution: x must be [batch, H, W, C] and KernelSizes set, at most one per channel: "+
			"got x %s, KernelSizes %v", x.Shape(), b.kernels))
	}
	ctx := b.ctx
	if b.newScope {
		ctx = ctx.In("mixconv")
	}
	var outs []*Node
	start := 0
	for i, n := range MixConvSplit(x.Shape().Dimensions[3], len(b.kernels)) {
		k := b.kernels[i]
		if k < 1 || k%2 == 0 {
			panic(fmt.Sprintf("layers.MixConvolution: kernel sizes must be odd (same padding), got %v", b.kernels))
		}
		part := SliceAxis(x, 3, AxisRange(start, start+n))
		outs = append(outs, DepthwiseConvolution(ctx.In(fmt.Sprintf("group%d", i)), part).KernelSize(k).
			Strides(b.stride).PadSame().UseBias(b.bias).Done())
		start += n
	}
	if len(outs) == 1 {
		return outs[0]
	}
	return Concatenate(outs, 3)
}
