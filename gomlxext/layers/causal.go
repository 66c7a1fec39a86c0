package layers

import (
	"fmt"

	"github.com/gomlx/gomlx/backends"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // GoMLX graph-building style.
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/layers"
)

// CausalConvBuilder configures a learned causal 1-D convolution; create it with
// CausalConvolution, set its options, then call Done.
type CausalConvBuilder struct {
	ctx                        *context.Context
	x                          *Node
	channels, kernel, dilation int
	bias, newScope             bool
}

// CausalConvolution prepares a causal (and optionally dilated) 1-D convolution of
// x [batch, T, C], as in WaveNet: output step t sees only the inputs x[t − (K−1)·d], …,
// x[t − d], x[t] — never the future — for kernel size K and dilation d. The input is padded on
// the left with (K−1)·d zeros so the output keeps length T.
//
//	y := xlayers.CausalConvolution(ctx, x).Channels(32).KernelSize(2).Dilations(4).Done() // [batch, T, 32]
//
// A stack of L such layers with K = 2 and dilations 1, 2, 4, …, 2^(L−1) sees 2^L inputs (its
// receptive field). Channels and KernelSize must be set; Dilations defaults to 1 and a bias is
// added unless UseBias(false). The variables are GoMLX's layers.Convolution's ("weights"
// [K, C, channels], "biases"), in the scope "causal_conv" below ctx unless CurrentScope.
func CausalConvolution(ctx *context.Context, x *Node) *CausalConvBuilder {
	return &CausalConvBuilder{ctx: ctx, x: x, dilation: 1, bias: true, newScope: true}
}

// Channels sets the number of output channels (required).
func (b *CausalConvBuilder) Channels(n int) *CausalConvBuilder {
	b.channels = n
	return b
}

// KernelSize sets the number of taps K (required).
func (b *CausalConvBuilder) KernelSize(k int) *CausalConvBuilder {
	b.kernel = k
	return b
}

// Dilations sets the gap d between taps (default 1).
func (b *CausalConvBuilder) Dilations(d int) *CausalConvBuilder {
	b.dilation = d
	return b
}

// UseBias sets whether a learned bias is added per output channel (default true).
func (b *CausalConvBuilder) UseBias(use bool) *CausalConvBuilder {
	b.bias = use
	return b
}

// CurrentScope makes the variables live in ctx's own scope instead of a new "causal_conv".
func (b *CausalConvBuilder) CurrentScope() *CausalConvBuilder {
	b.newScope = false
	return b
}

// Done builds the layer: [batch, T, channels].
func (b *CausalConvBuilder) Done() *Node {
	x := b.x
	if x.Rank() != 3 || b.channels <= 0 || b.kernel <= 0 || b.dilation <= 0 {
		panic(fmt.Sprintf("layers.CausalConvolution: x must be [batch, T, channels], Channels and KernelSize set (> 0) and "+
			"Dilations > 0: got x %s, Channels %d, KernelSize %d, Dilations %d", x.Shape(), b.channels, b.kernel, b.dilation))
	}
	ctx := b.ctx
	if b.newScope {
		ctx = ctx.In("causal_conv")
	}
	padded := Pad(x, ScalarZero(x.Graph(), x.DType()), backends.PadAxis{}, backends.PadAxis{Start: (b.kernel - 1) * b.dilation})
	conv := layers.Convolution(ctx, padded).Channels(b.channels).KernelSize(b.kernel).NoPadding().UseBias(b.bias).CurrentScope()
	if b.dilation > 1 {
		conv.Dilations(b.dilation)
	}
	return conv.Done()
}
