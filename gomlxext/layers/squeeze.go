package layers

import (
	"fmt"

	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // GoMLX graph-building style.
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/layers"
	"github.com/gomlx/gomlx/pkg/ml/layers/activations"
)

// SEBuilder configures a squeeze-and-excitation block; create it with SqueezeExcitation, set its
// options, then call Done.
type SEBuilder struct {
	ctx      *context.Context
	x        *Node
	reduced  int
	newScope bool
}

// SqueezeExcitation prepares a squeeze-and-excitation block (Hu et al., 2018; the "SE" of
// EfficientNet's MBConv) over x [batch, H, W, C]:
//
//	y := layers.SqueezeExcitation(ctx, x).Reduced(4).Done()
//
// Squeeze: the mean of each channel over the image, s [batch, C]. Excitation: two dense layers,
// C → Reduced (swish) → C (sigmoid), give each channel a gate in (0, 1) computed from the whole
// image, and the block returns x with every channel multiplied by its gate: a cheap, global
// "which features matter for this image" that a convolution, which sees only its window, cannot
// compute. Reduced must be set (EfficientNet uses a quarter of the block's input channels). Its
// variables live in the scope "squeeze_excitation" below ctx unless CurrentScope.
func SqueezeExcitation(ctx *context.Context, x *Node) *SEBuilder {
	return &SEBuilder{ctx: ctx, x: x, newScope: true}
}

// Reduced sets the width of the bottleneck between the two dense layers (required, ≥ 1).
func (b *SEBuilder) Reduced(n int) *SEBuilder {
	b.reduced = n
	return b
}

// CurrentScope makes the block's variables live in ctx's own scope instead of a new
// "squeeze_excitation" scope below it.
func (b *SEBuilder) CurrentScope() *SEBuilder {
	b.newScope = false
	return b
}

// Done builds the block: x [batch, H, W, C] → [batch, H, W, C], each channel scaled by its gate.
func (b *SEBuilder) Done() *Node {
	x := b.x
	if x.Rank() != 4 || b.reduced <= 0 {
		panic(fmt.Sprintf("layers.SqueezeExcitation: x must be [batch, H, W, channels] and Reduced must be set (> 0): "+
			"got x %s, Reduced %d", x.Shape(), b.reduced))
	}
	ctx := b.ctx
	if b.newScope {
		ctx = ctx.In("squeeze_excitation")
	}
	c := x.Shape().Dimensions[3]
	s := ReduceMean(x, 1, 2)                                                    // squeeze: [batch, C]
	s = activations.Swish(layers.DenseWithBias(ctx.In("reduce"), s, b.reduced)) // [batch, Reduced]
	gate := Sigmoid(layers.DenseWithBias(ctx.In("expand"), s, c))               // [batch, C]
	return Mul(x, InsertAxes(gate, 1, 1))                                       // excitation
}
