package layers

import (
	"fmt"

	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // GoMLX graph-building style.
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/context/initializers"
)

// GRUBuilder configures a gated recurrent unit layer; create it with GRU, set its options, then
// call Done.
type GRUBuilder struct {
	ctx         *context.Context
	x, h0, mask *Node
	units       int
	newScope    bool
}

// GRU prepares a gated recurrent unit (Cho et al., 2014) that reads x [batch, time, features]
// one step at a time, in order, carrying a state h [batch, units]:
//
//	z = σ(x_t·W_z + b_z + h·U_z + c_z)              update gate
//	r = σ(x_t·W_r + b_r + h·U_r + c_r)              reset gate
//	n = tanh(x_t·W_n + b_n + r ⊙ (h·U_n + c_n))     candidate state
//	h = (1 − z) ⊙ n + z ⊙ h
//
// (PyTorch's nn.GRU convention). The whole input is read by an unrolled loop built into the
// graph, so the time axis is static and backpropagation runs through time.
//
//	outputs, last := layers.GRU(ctx, x).Units(128).Mask(real).Done()
//
// Units must be set; the initial state is zero unless InitialState. The variables live in the
// scope "gru" below ctx (unless CurrentScope): "input_weights" [features, 3·units] and
// "recurrent_weights" [units, 3·units] (ctx's initializer; the gates z, r, n side by side), and
// "input_biases", "recurrent_biases" [3·units] (zero).
func GRU(ctx *context.Context, x *Node) *GRUBuilder {
	return &GRUBuilder{ctx: ctx, x: x, newScope: true}
}

// Units sets the width of the state (required).
func (b *GRUBuilder) Units(n int) *GRUBuilder {
	b.units = n
	return b
}

// InitialState sets the state before the first step, h0 [batch, units] (default zeros): a
// Seq2Seq decoder starts from its encoder's last state.
func (b *GRUBuilder) InitialState(h0 *Node) *GRUBuilder {
	b.h0 = h0
	return b
}

// Mask sets which steps are real: mask [batch, time] boolean. At a false step the state is
// carried over unchanged (and output again), so the last state of a right-padded sequence is
// the state after its last real step.
func (b *GRUBuilder) Mask(mask *Node) *GRUBuilder {
	b.mask = mask
	return b
}

// CurrentScope makes the layer's variables live in ctx's own scope instead of a new "gru" scope
// below it.
func (b *GRUBuilder) CurrentScope() *GRUBuilder {
	b.newScope = false
	return b
}

// Done builds the layer and returns the state after every step, outputs [batch, time, units],
// and the last state [batch, units].
func (b *GRUBuilder) Done() (outputs, last *Node) {
	x := b.x
	if x.Rank() != 3 || b.units <= 0 {
		panic(fmt.Sprintf("layers.GRU: x must be [batch, time, features] and Units set (> 0): got x %s, Units %d", x.Shape(), b.units))
	}
	batch, steps, features := x.Shape().Dimensions[0], x.Shape().Dimensions[1], x.Shape().Dimensions[2]
	u, g, dtype := b.units, x.Graph(), x.DType()
	if b.h0 != nil && !b.h0.Shape().Equal(shapes.Make(dtype, batch, u)) {
		panic(fmt.Sprintf("layers.GRU: InitialState must be [batch %d, units %d] of %s, got %s", batch, u, dtype, b.h0.Shape()))
	}
	if b.mask != nil && !b.mask.Shape().Equal(shapes.Make(b.mask.DType(), batch, steps)) {
		panic(fmt.Sprintf("layers.GRU: Mask must be [batch %d, time %d], got %s", batch, steps, b.mask.Shape()))
	}
	ctx := b.ctx
	if b.newScope {
		ctx = ctx.In("gru")
	}
	w := ctx.VariableWithShape("input_weights", shapes.Make(dtype, features, 3*u)).ValueGraph(g)
	uw := ctx.VariableWithShape("recurrent_weights", shapes.Make(dtype, u, 3*u)).ValueGraph(g)
	zero := ctx.WithInitializer(initializers.Zero)
	bi := zero.VariableWithShape("input_biases", shapes.Make(dtype, 3*u)).ValueGraph(g)
	bh := zero.VariableWithShape("recurrent_biases", shapes.Make(dtype, 3*u)).ValueGraph(g)

	// The input's contribution to every gate at every step, in one product: [batch, time, 3·units].
	xw := Add(DotGeneral(x, []int{2}, nil, w, []int{0}, nil), ExpandLeftToRank(bi, 3))
	h := b.h0
	if h == nil {
		h = Zeros(g, shapes.Make(dtype, batch, u))
	}
	gate := func(v *Node, i int) *Node { return Slice(v, AxisRange(), AxisRange(i*u, (i+1)*u)) }
	outs := make([]*Node, steps)
	for t := range steps {
		xt := Reshape(Slice(xw, AxisRange(), AxisElem(t)), batch, 3*u)
		hu := Add(MatMul(h, uw), ExpandLeftToRank(bh, 2)) // [batch, 3·units]
		z := Sigmoid(Add(gate(xt, 0), gate(hu, 0)))
		r := Sigmoid(Add(gate(xt, 1), gate(hu, 1)))
		n := Tanh(Add(gate(xt, 2), Mul(r, gate(hu, 2))))
		next := Add(Mul(OneMinus(z), n), Mul(z, h))
		if b.mask != nil {
			m := Reshape(Slice(b.mask, AxisRange(), AxisElem(t)), batch, 1)
			next = Where(BroadcastToDims(m, batch, u), next, h)
		}
		h = next
		outs[t] = InsertAxes(h, 1)
	}
	return Concatenate(outs, 1), h
}
