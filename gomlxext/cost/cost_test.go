package cost_test

import (
	"testing"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // GoMLX graph-building style.
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/layers"

	"github.com/dl4go/dl4go/gomlxext/backend"
	"github.com/dl4go/dl4go/gomlxext/cost"
	xlayers "github.com/dl4go/dl4go/gomlxext/layers"
)

// newBackend returns the dl4go backend (ExecutedFLOPs counts its runs only).
func newBackend(t *testing.T) backends.Backend {
	t.Helper()
	b, err := backend.New("")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestFormulas checks the counts of single layers, built with GoMLX's and gomlxext's builders,
// against the report's formulas exactly, for several sizes: a standard K×K convolution
// H·W·K·K·C·M, a depthwise one H·W·K·K·C (×multiplier), a pointwise one H·W·C·M, and that the
// counts scale with the batch and follow the output size under a stride.
func TestFormulas(t *testing.T) {
	b := newBackend(t)
	for _, c := range []struct{ h, w, k, ch, m int }{{28, 28, 3, 1, 16}, {14, 14, 3, 32, 64}, {7, 9, 5, 12, 8}} {
		x := shapes.Make(dtypes.Float32, 1, c.h, c.w, c.ch)
		check := func(name string, want int64, model func(ctx *context.Context, x *Node) *Node) {
			t.Helper()
			r, err := cost.Model(b, context.New(), x, model)
			if err != nil {
				t.Fatal(err)
			}
			if len(r.Ops) != 1 || r.Total() != want || r.Ops[0].MultAdds != want {
				t.Errorf("%s %+v: counted %d (ops %d), formula %d\n%s", name, c, r.Total(), len(r.Ops), want, r)
			}
		}
		check("standard", cost.Standard(c.h, c.w, c.k, c.ch, c.m), func(ctx *context.Context, x *Node) *Node {
			return layers.Convolution(ctx, x).Channels(c.m).KernelSize(c.k).PadSame().Done()
		})
		check("depthwise", cost.Depthwise(c.h, c.w, c.k, c.ch), func(ctx *context.Context, x *Node) *Node {
			return xlayers.DepthwiseConvolution(ctx, x).KernelSize(c.k).PadSame().Done()
		})
		check("depthwise×3", 3*cost.Depthwise(c.h, c.w, c.k, c.ch), func(ctx *context.Context, x *Node) *Node {
			return xlayers.DepthwiseConvolution(ctx, x).KernelSize(c.k).DepthMultiplier(3).PadSame().Done()
		})
		check("pointwise", cost.Pointwise(c.h, c.w, c.ch, c.m), func(ctx *context.Context, x *Node) *Node {
			return layers.Convolution(ctx, x).Channels(c.m).KernelSize(1).Done()
		})
		oh, ow := (c.h+1)/2, (c.w+1)/2
		check("depthwise stride 2", cost.Depthwise(oh, ow, c.k, c.ch), func(ctx *context.Context, x *Node) *Node {
			return xlayers.DepthwiseConvolution(ctx, x).KernelSize(c.k).Strides(2).PadSame().Done()
		})
		x = shapes.Make(dtypes.Float32, 4, c.h, c.w, c.ch)
		check("standard batch 4", 4*cost.Standard(c.h, c.w, c.k, c.ch, c.m), func(ctx *context.Context, x *Node) *Node {
			return layers.Convolution(ctx, x).Channels(c.m).KernelSize(c.k).PadSame().Done()
		})
	}
}

// TestSeparableBlockAndDense counts a MobileNet block (depthwise 3×3 + pointwise) followed by
// global pooling and a dense layer, checks each op's count, the op order and the weight names,
// and that the gradient built after the output is left out.
func TestSeparableBlockAndDense(t *testing.T) {
	b := newBackend(t)
	ctx := context.New()
	g := NewGraph(b, "test")
	defer g.Finalize()
	x := Parameter(g, "x", shapes.Make(dtypes.Float32, 2, 10, 10, 8))
	y := xlayers.DepthwiseConvolution(ctx.In("dw"), x).KernelSize(3).PadSame().Done()
	y = layers.Convolution(ctx.In("pw"), y).Channels(16).KernelSize(1).Done()
	y = ReduceMean(y, 1, 2)                          // [2, 16]
	logits := layers.Dense(ctx.In("fc"), y, true, 5) // [2, 5]
	loss := ReduceAllSum(Square(logits))
	_ = Gradient(loss, x) // more convolutions, not part of the forward pass counted below
	r, err := cost.Of(logits)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		t       NodeType
		weights string
		n       int64
	}{
		{NodeTypeConvGeneral, "/dw/depthwise_conv/weights", 2 * cost.Depthwise(10, 10, 3, 8)},
		{NodeTypeConvGeneral, "/pw/conv/weights", 2 * cost.Pointwise(10, 10, 8, 16)},
		{NodeTypeDot, "/fc/dense/weights", 2 * 16 * 5},
	}
	if len(r.Ops) != len(want) {
		t.Fatalf("counted %d ops, want %d:\n%s", len(r.Ops), len(want), r)
	}
	var total int64
	for i, w := range want {
		op := r.Ops[i]
		if op.Type != w.t || op.Weights != w.weights || op.MultAdds != w.n {
			t.Errorf("op %d: %s %q %d, want %s %q %d", i, op.Type, op.Weights, op.MultAdds, w.t, w.weights, w.n)
		}
		total += w.n
	}
	if r.Total() != total || r.Of(NodeTypeConvGeneral) != want[0].n+want[1].n || r.Of(NodeTypeDot) != want[2].n {
		t.Errorf("totals %d / %d / %d, want %d", r.Total(), r.Of(NodeTypeConvGeneral), r.Of(NodeTypeDot), total)
	}
	if r.Ops[0].Groups != 8 || r.Ops[1].Groups != 1 {
		t.Errorf("groups %d, %d, want 8, 1", r.Ops[0].Groups, r.Ops[1].Groups)
	}
	all, err := cost.Of(loss, Gradient(loss, x)[0])
	if err != nil {
		t.Fatal(err)
	}
	if all.Total() <= r.Total() {
		t.Errorf("with the gradient: %d mult-adds, forward alone %d", all.Total(), r.Total())
	}
}

// TestBatchedDot counts an attention-style product with batch axes: b·q·k·d.
func TestBatchedDot(t *testing.T) {
	b := newBackend(t)
	g := NewGraph(b, "test")
	defer g.Finalize()
	q := Parameter(g, "q", shapes.Make(dtypes.Float32, 3, 7, 2, 4))
	k := Parameter(g, "k", shapes.Make(dtypes.Float32, 3, 5, 2, 4))
	r, err := cost.Of(Einsum("bqhd,bkhd->bhqk", q, k))
	if err != nil {
		t.Fatal(err)
	}
	if r.Total() != 3*2*7*5*4 || len(r.Ops) != 1 || r.Ops[0].Weights != "" {
		t.Errorf("counted %d, want %d:\n%s", r.Total(), 3*2*7*5*4, r)
	}
}

// TestAgreesWithExecutedFLOPs checks the count against an independent counter, the dl4go
// backend's ExecutedFLOPs (2 per multiply-add actually done), on convolutions without padding,
// where the two must agree (with padding the formula also counts taps on the padding).
func TestAgreesWithExecutedFLOPs(t *testing.T) {
	b := newBackend(t)
	model := func(ctx *context.Context, x *Node) *Node {
		y := layers.Convolution(ctx.In("c1"), x).Channels(6).KernelSize(3).Done()                 // [1, 9, 9, 6]
		y = xlayers.DepthwiseConvolution(ctx.In("dw"), y).KernelSize(3).DepthMultiplier(2).Done() // [1, 7, 7, 12]
		y = layers.Convolution(ctx.In("pw"), y).Channels(4).KernelSize(1).Done()                  // [1, 7, 7, 4]
		return layers.Dense(ctx.In("fc"), Reshape(y, 1, -1), false, 3)
	}
	in := shapes.Make(dtypes.Float32, 1, 11, 11, 2)
	r, err := cost.Model(b, context.New(), in, model)
	if err != nil {
		t.Fatal(err)
	}
	want := cost.Standard(9, 9, 3, 2, 6) + 2*cost.Depthwise(7, 7, 3, 6) + cost.Pointwise(7, 7, 12, 4) + 7*7*4*3
	if r.Total() != want {
		t.Fatalf("counted %d, formulas %d\n%s", r.Total(), want, r)
	}
	exec := context.MustNewExec(b, context.New(), model)
	exec.MustExec(tensors.FromShape(in)) // compile (and initialise) once
	before := backend.ExecutedFLOPs()
	exec.MustExec(tensors.FromShape(in))
	if got := backend.ExecutedFLOPs() - before; got != 2*want {
		t.Errorf("ExecutedFLOPs of one run %d, want 2 × %d", got, want)
	}
}

// TestModelError checks that a model that fails to build is an error naming the input shape.
func TestModelError(t *testing.T) {
	b := newBackend(t)
	_, err := cost.Model(b, context.New(), shapes.Make(dtypes.Float32, 1, 4, 4, 1), func(ctx *context.Context, x *Node) *Node {
		return xlayers.DepthwiseConvolution(ctx, x).Done() // no kernel size
	})
	if err == nil {
		t.Fatal("want an error for a depthwise convolution without a kernel size")
	}
	t.Log(err)
}
