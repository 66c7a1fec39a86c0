package layers

import (
	"fmt"

	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // GoMLX graph-building style.
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/context/initializers"
)

// GraphConvBuilder configures a graph-convolution layer; create it with GraphConvolution, set
// its options, then call Done.
type GraphConvBuilder struct {
	ctx            *context.Context
	x, adj         *Node
	units          int
	bias, newScope bool
}

// GraphConvolution prepares a graph-convolution layer (Kipf & Welling, 2017) on the node
// features x [nodes, features] (or [batch, nodes, features]) of a graph given by adj
// [nodes, nodes], normally its renormalised adjacency (NormalizedAdjacency):
//
//	h := layers.GraphConvolution(ctx, x, adjHat).Units(16).Done() // Â·x·W + b: [nodes, 16]
//
// Each node's new features are a learned linear map W of the adj-weighted sum of its
// neighbours' features (with Â: their degree-normalised mean, itself included) — a spatial
// message-passing step, and the first-order Chebyshev approximation of a spectral graph filter.
// Units must be set; a bias is added unless UseBias(false). The variables, "weights"
// [features, units] (ctx's initializer) and "biases" [units], live in the scope "graph_conv"
// below ctx unless CurrentScope. No activation is applied.
func GraphConvolution(ctx *context.Context, x, adj *Node) *GraphConvBuilder {
	return &GraphConvBuilder{ctx: ctx, x: x, adj: adj, bias: true, newScope: true}
}

// Units sets the number of output features per node (required).
func (b *GraphConvBuilder) Units(n int) *GraphConvBuilder {
	b.units = n
	return b
}

// UseBias sets whether a learned bias is added (default true).
func (b *GraphConvBuilder) UseBias(use bool) *GraphConvBuilder {
	b.bias = use
	return b
}

// CurrentScope makes the layer's variables live in ctx's own scope instead of a new
// "graph_conv" scope below it.
func (b *GraphConvBuilder) CurrentScope() *GraphConvBuilder {
	b.newScope = false
	return b
}

// Done builds the layer: adj·x·W (+ b), [nodes, units] (or [batch, nodes, units]).
func (b *GraphConvBuilder) Done() *Node {
	x, adj := b.x, b.adj
	rank := x.Rank()
	if (rank != 2 && rank != 3) || adj.Rank() != 2 || b.units <= 0 {
		panic(fmt.Sprintf("layers.GraphConvolution: x must be [nodes, features] or [batch, nodes, features], adj "+
			"[nodes, nodes] and Units set (> 0): got x %s, adj %s, Units %d", x.Shape(), adj.Shape(), b.units))
	}
	n := x.Shape().Dimensions[rank-2]
	if d := adj.Shape().Dimensions; d[0] != n || d[1] != n {
		panic(fmt.Sprintf("layers.GraphConvolution: adj %s does not match the %d nodes of x %s", adj.Shape(), n, x.Shape()))
	}
	ctx := b.ctx
	if b.newScope {
		ctx = ctx.In("graph_conv")
	}
	features := x.Shape().Dimensions[rank-1]
	w := ctx.VariableWithShape("weights", shapes.Make(x.DType(), features, b.units)).ValueGraph(x.Graph())
	// x·W first: with fewer units than features it is the cheaper order; then mix the nodes.
	xw := DotGeneral(x, []int{rank - 1}, nil, w, []int{0}, nil) // [(batch,) nodes, units]
	var y *Node
	if rank == 2 {
		y = MatMul(adj, xw) // [nodes, units]
	} else {
		y = Einsum("ij,bju->biu", adj, xw) // [batch, nodes, units]
	}
	if b.bias {
		bias := ctx.WithInitializer(initializers.Zero).VariableWithShape("biases", shapes.Make(x.DType(), b.units)).ValueGraph(x.Graph())
		y = Add(y, ExpandLeftToRank(bias, rank))
	}
	return y
}

// NormalizedAdjacency returns Kipf & Welling's renormalised adjacency Â = D̃^−½ (A + I) D̃^−½ of
// the adjacency matrix a [nodes, nodes] (symmetric, non-negative weights), where D̃ is the
// diagonal degree matrix of A + I: self-loops keep a node's own features, and the symmetric
// normalisation keeps repeated products from growing or shrinking with the degrees.
func NormalizedAdjacency(a *Node) *Node {
	if a.Rank() != 2 || a.Shape().Dimensions[0] != a.Shape().Dimensions[1] {
		panic(fmt.Sprintf("layers.NormalizedAdjacency: a must be square [nodes, nodes], got %s", a.Shape()))
	}
	n := a.Shape().Dimensions[0]
	aHat := Add(a, DiagonalWithValue(ScalarOne(a.Graph(), a.DType()), n)) // [nodes, nodes]: A + I
	inv := Rsqrt(ReduceSum(aHat, -1))                                     // [nodes]: d̃^−½
	return Mul(Mul(InsertAxes(inv, -1), aHat), InsertAxes(inv, 0))        // D̃^−½ Â D̃^−½
}
