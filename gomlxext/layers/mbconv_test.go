package layers

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/dl4go/dl4go/gomlxext"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // GoMLX graph-building style.
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// TestSqueezeExcitation checks the shape, that every channel of a pixel is scaled by one gate in
// (0, 1) that is the same at every pixel of an image, and the variables' shapes.
func TestSqueezeExcitation(t *testing.T) {
	backend, err := gomlxext.Backend()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.New()
	x := randomTensor(rand.New(rand.NewPCG(1, 2)), 2, 3, 4, 8)
	y := context.MustExecOnce(backend, ctx, func(ctx *context.Context, x *Node) *Node {
		return SqueezeExcitation(ctx, x).Reduced(2).Done()
	}, x)
	if got := y.Shape().Dimensions; len(got) != 4 || got[0] != 2 || got[1] != 3 || got[2] != 4 || got[3] != 8 {
		t.Fatalf("output %v, want [2 3 4 8]", got)
	}
	xv, yv := tensors.MustCopyFlatData[float32](x), tensors.MustCopyFlatData[float32](y)
	for b := range 2 {
		for c := range 8 {
			gate := math.NaN()
			for p := range 12 {
				i := (b*12+p)*8 + c
				g := float64(yv[i] / xv[i])
				if math.IsNaN(gate) {
					gate = g
				}
				if !(g > 0 && g < 1) || math.Abs(g-gate) > 1e-4 {
					t.Fatalf("image %d channel %d pixel %d: gate %g (first pixel %g), want one value in (0, 1)", b, c, p, g, gate)
				}
			}
		}
	}
	want := map[string][]int{"/squeeze_excitation/reduce/dense/weights": {8, 2}, "/squeeze_excitation/expand/dense/weights": {2, 8}}
	found := 0
	for v := range ctx.IterVariables() {
		if dims, ok := want[v.ScopeAndName()]; ok {
			found++
			if got := v.Shape().Dimensions; len(got) != 2 || got[0] != dims[0] || got[1] != dims[1] {
				t.Errorf("%s: %v, want %v", v.ScopeAndName(), got, dims)
			}
		}
	}
	if found != 2 {
		t.Errorf("found %d of the 2 dense weights", found)
	}
}

// TestMBConv checks the output shapes with and without stride and expansion, that the residual
// is there exactly when the shapes allow it (a block whose projection is zeroed returns its
// input), and that it trains (gradients reach the depthwise kernel).
func TestMBConv(t *testing.T) {
	backend, err := gomlxext.Backend()
	if err != nil {
		t.Fatal(err)
	}
	x := randomTensor(rand.New(rand.NewPCG(3, 4)), 2, 6, 6, 4)
	for _, c := range []struct {
		channels, expand, stride int
		want                     []int
	}{{4, 6, 1, []int{2, 6, 6, 4}}, {8, 6, 2, []int{2, 3, 3, 8}}, {4, 1, 1, []int{2, 6, 6, 4}}, {5, 3, 1, []int{2, 6, 6, 5}}} {
		ctx := context.New()
		y := context.MustExecOnce(backend, ctx, func(ctx *context.Context, x *Node) *Node {
			return MBConv(ctx, x).Channels(c.channels).Expand(c.expand).KernelSize(3).Strides(c.stride).Done()
		}, x)
		if got := y.Shape().Dimensions; len(got) != 4 || got[1] != c.want[1] || got[3] != c.want[3] {
			t.Errorf("%+v: output %v, want %v", c, got, c.want)
		}
	}
	// Projection zeroed: the block is the identity when it has a residual, zero (batch norm's
	// offset, 0 at init) otherwise.
	ctx := context.New()
	y := context.MustExecOnce(backend, ctx, func(ctx *context.Context, x *Node) *Node {
		zero := ctx.In("res").WithInitializer(func(g *Graph, s shapes.Shape) *Node { return Zeros(g, s) })
		return MBConv(zero, x).Channels(4).KernelSize(3).Done()
	}, x)
	xv, yv := tensors.MustCopyFlatData[float32](x), tensors.MustCopyFlatData[float32](y)
	for i := range xv {
		if math.Abs(float64(xv[i]-yv[i])) > 1e-5 {
			t.Fatalf("zero-initialised block with a residual: y[%d] = %g, x = %g", i, yv[i], xv[i])
		}
	}
	// ZeroInitResidual: a block with a residual starts as the identity (ordinary initialisation,
	// in a training step's batch norm), and its projection's batch-norm scale is a zero variable
	// the optimiser trains.
	ctx = context.New()
	y = context.MustExecOnce(backend, ctx, func(ctx *context.Context, x *Node) *Node {
		ctx.SetTraining(x.Graph(), true)
		return MBConv(ctx, x).Channels(4).KernelSize(3).ZeroInitResidual(true).Done()
	}, x)
	yv = tensors.MustCopyFlatData[float32](y)
	for i := range xv {
		if math.Abs(float64(xv[i]-yv[i])) > 1e-5 {
			t.Fatalf("ZeroInitResidual block: y[%d] = %g, want x = %g", i, yv[i], xv[i])
		}
	}
	if v := ctx.In("mbconv").In("project_bn").GetVariable("scale"); v == nil || !v.Trainable {
		t.Errorf("ZeroInitResidual: the projection's batch-norm scale is %v, want a trainable variable", v)
	}
	// Gradient of the output's sum reaches the depthwise kernel.
	ctx = context.New()
	g := context.MustExecOnce(backend, ctx, func(ctx *context.Context, x *Node) *Node {
		ctx.SetTraining(x.Graph(), true) // batch norm over the batch, as in a training step
		y := MBConv(ctx, x).Channels(8).KernelSize(3).Strides(2).Done()
		var w *Node
		for v := range ctx.IterVariables() {
			if v.Name() == "weights" && v.Shape().Rank() == 4 && v.Shape().Dimensions[2] == 1 {
				w = v.ValueGraph(x.Graph())
			}
		}
		return ReduceAllSum(Abs(Gradient(ReduceAllSum(Mul(y, y)), w)[0]))
	}, x)
	if v := tensors.MustCopyFlatData[float32](g)[0]; !(v > 0) {
		t.Errorf("|∂loss/∂depthwise kernel| = %g, want > 0", v)
	}
}
