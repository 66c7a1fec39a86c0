package layers

import (
	"fmt"

	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // GoMLX graph-building style.
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/context/initializers"
	"github.com/gomlx/gomlx/pkg/ml/layers/batchnorm"
)

// ConditionalBatchNormBuilder configures a class-conditional batch normalisation; create it with
// ConditionalBatchNormalization, set its options, then call Done.
type ConditionalBatchNormBuilder struct {
	ctx        *context.Context
	x, labels  *Node
	numClasses int
	newScope   bool
}

// ConditionalBatchNormalization prepares a class-conditional batch normalisation (Dumoulin et
// al., 2017; de Vries et al., 2017; the generator of Miyato & Koyama's projection cGAN, 2018) of
// x [batch, <spatial...>, C] (channels last) for the classes labels [batch] (integers in
// [0, numClasses)): x is normalised per channel as by GoMLX's batchnorm (batch statistics in
// training, moving averages in inference), then scaled and shifted by its example's class,
//
//	y = γ[label] ⊙ x̂ + β[label],
//
// γ and β being learned tables [numClasses, C] that start at 1 and 0 (so it starts as plain batch
// normalisation). The class thereby reaches every layer that normalises with it.
//
//	y := xlayers.ConditionalBatchNormalization(ctx, x, labels, 10).Done() // [batch, H, W, C]
//
// The variables "gamma" and "beta", and batchnorm's averages, live in the scope
// "conditional_batch_norm" below ctx unless CurrentScope.
func ConditionalBatchNormalization(ctx *context.Context, x, labels *Node, numClasses int) *ConditionalBatchNormBuilder {
	return &ConditionalBatchNormBuilder{ctx: ctx, x: x, labels: labels, numClasses: numClasses, newScope: true}
}

// CurrentScope makes the variables live in ctx's own scope instead of a new scope below it.
func (b *ConditionalBatchNormBuilder) CurrentScope() *ConditionalBatchNormBuilder {
	b.newScope = false
	return b
}

// Done builds the normalisation: the output has x's shape.
func (b *ConditionalBatchNormBuilder) Done() *Node {
	x, labels := b.x, b.labels
	dims := x.Shape().Dimensions
	switch {
	case x.Rank() < 2:
		panic(fmt.Sprintf("layers.ConditionalBatchNormalization: x must be [batch, <spatial...>, channels], got %s", x.Shape()))
	case labels.Rank() != 1 || labels.Shape().Dimensions[0] != dims[0] || !labels.DType().IsInt():
		panic(fmt.Sprintf("layers.ConditionalBatchNormalization: labels must be [%d] integers (one per example of x %s), got %s", dims[0], x.Shape(), labels.Shape()))
	case b.numClasses < 1:
		panic(fmt.Sprintf("layers.ConditionalBatchNormalization: numClasses must be positive, got %d", b.numClasses))
	}
	ctx := b.ctx
	if b.newScope {
		ctx = ctx.In("conditional_batch_norm")
	}
	c := dims[len(dims)-1]
	normalised := batchnorm.New(ctx, x, -1).Scale(false).Center(false).CurrentScope().Done()
	table := func(name string, init initializers.VariableInitializer) *Node {
		v := ctx.WithInitializer(init).VariableWithShape(name, shapes.Make(x.DType(), b.numClasses, c)).ValueGraph(x.Graph())
		row := Gather(v, InsertAxes(labels, -1)) // [batch, C]
		shape := make([]int, len(dims))
		for i := range shape {
			shape[i] = 1
		}
		shape[0], shape[len(dims)-1] = dims[0], c
		return Reshape(row, shape...) // [batch, 1, …, 1, C]
	}
	return Add(Mul(normalised, table("gamma", initializers.One)), table("beta", initializers.Zero))
}
