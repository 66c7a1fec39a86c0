package layers

import (
	"fmt"

	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // GoMLX graph-building style.
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/context/initializers"
)

// GroupNormBuilder configures a group normalisation; create it with GroupNormalization (or
// InstanceNormalization), set its options, then call Done.
type GroupNormBuilder struct {
	ctx            *context.Context
	x              *Node
	groups         int
	epsilon        float64
	scale, center  bool
	newScope       bool
	scopeName      string
	instanceGroups bool
}

// GroupNormalization prepares a group normalisation (Wu & He, 2018) of x [batch, <spatial...>, C]
// (channels last): the C channels are split into Groups groups of C/Groups consecutive channels,
// and each example's values in one group — all its positions and the group's channels — are
// normalised to mean 0 and variance 1; then a learned per-channel scale and offset are applied.
// Unlike batch normalisation nothing is averaged over the batch, so it behaves the same for any
// batch size, in training and in inference.
//
//	y := xlayers.GroupNormalization(ctx, x).Groups(4).Done() // [batch, H, W, C]
//
// Groups(1) normalises each example over all its positions and channels (layer normalisation of
// an image, with a per-channel scale and offset; GoMLX's layers.LayerNormalization over axes
// 1, 2, 3 learns one per element instead); Groups(C) normalises each channel of each example on
// its own (instance normalisation, InstanceNormalization). Groups must be set and divide C.
// Epsilon defaults to 1e-5. The variables "scale" (ones) and "offset" (zeros), [C], live in the
// scope "group_norm" (or "instance_norm") below ctx unless CurrentScope.
func GroupNormalization(ctx *context.Context, x *Node) *GroupNormBuilder {
	return &GroupNormBuilder{ctx: ctx, x: x, epsilon: 1e-5, scale: true, center: true, newScope: true, scopeName: "group_norm"}
}

// InstanceNormalization prepares an instance normalisation of x [batch, <spatial...>, C]: each
// channel of each example normalised over its positions alone (GroupNormalization with one
// group per channel).
//
//	y := xlayers.InstanceNormalization(ctx, x).Done() // [batch, H, W, C]
func InstanceNormalization(ctx *context.Context, x *Node) *GroupNormBuilder {
	b := GroupNormalization(ctx, x)
	b.instanceGroups, b.scopeName = true, "instance_norm"
	return b
}

// Groups sets the number of channel groups (required for GroupNormalization; it must divide C).
func (b *GroupNormBuilder) Groups(g int) *GroupNormBuilder {
	b.groups, b.instanceGroups = g, false
	return b
}

// Epsilon sets the constant added to the variance (default 1e-5).
func (b *GroupNormBuilder) Epsilon(e float64) *GroupNormBuilder {
	b.epsilon = e
	return b
}

// Scale sets whether a learned per-channel scale is applied (default true).
func (b *GroupNormBuilder) Scale(use bool) *GroupNormBuilder {
	b.scale = use
	return b
}

// Center sets whether a learned per-channel offset is added (default true).
func (b *GroupNormBuilder) Center(use bool) *GroupNormBuilder {
	b.center = use
	return b
}

// CurrentScope makes the variables live in ctx's own scope instead of a new scope below it.
func (b *GroupNormBuilder) CurrentScope() *GroupNormBuilder {
	b.newScope = false
	return b
}

// Done builds the normalisation: the output has x's shape.
func (b *GroupNormBuilder) Done() *Node {
	x := b.x
	if x.Rank() < 2 {
		panic(fmt.Sprintf("layers.GroupNormalization: x must be [batch, <spatial...>, channels], got %s", x.Shape()))
	}
	dims := x.Shape().Dimensions
	c := dims[len(dims)-1]
	g := b.groups
	if b.instanceGroups {
		g = c
	}
	if g < 1 || c%g != 0 {
		panic(fmt.Sprintf("layers.GroupNormalization: Groups (%d) must be set and divide the %d channels of x %s", g, c, x.Shape()))
	}
	ctx := b.ctx
	if b.newScope {
		ctx = ctx.In(b.scopeName)
	}
	grouped := Reshape(x, append(append([]int{}, dims[:len(dims)-1]...), g, c/g)...) // [batch, <spatial...>, G, C/G]
	axes := make([]int, 0, len(dims))
	for i := 1; i < len(dims)-1; i++ {
		axes = append(axes, i)
	}
	axes = append(axes, len(dims)) // the channels within a group
	mean := ReduceAndKeep(grouped, ReduceMean, axes...)
	centred := Sub(grouped, mean)
	variance := ReduceAndKeep(Square(centred), ReduceMean, axes...)
	y := Reshape(Div(centred, Sqrt(AddScalar(variance, b.epsilon))), dims...)
	if b.scale {
		s := ctx.WithInitializer(initializers.One).VariableWithShape("scale", shapes.Make(x.DType(), c)).ValueGraph(x.Graph())
		y = Mul(y, ExpandLeftToRank(s, len(dims)))
	}
	if b.center {
		o := ctx.WithInitializer(initializers.Zero).VariableWithShape("offset", shapes.Make(x.DType(), c)).ValueGraph(x.Graph())
		y = Add(y, ExpandLeftToRank(o, len(dims)))
	}
	return y
}
