// Package cost counts the multiply-adds of a model from the shapes of its layers, and states the
// cost formulas of the report's MobileNet section, so that a lesson can check one against the
// other exactly.
//
// Start with Model: it builds a model function once on an input shape (no execution, no
// variable initialisation) and returns a Report listing every convolution and matrix product
// in the forward pass with its shapes and multiply-adds. Of does the same for nodes of a graph
// being built. Standard, Depthwise and Pointwise are the report's formulas:
//
//	standard  H·W·K·K·C·M     depthwise  H·W·K·K·C     pointwise  H·W·C·M
//
// for an H×W output, a K×K kernel, C input and M output channels.
//
// What is counted. A ConvGeneral node costs (output elements) × (kernel elements ÷ kernel
// output channels): each output element is one multiply-add per kernel tap and input channel
// of its group, so a grouped or depthwise kernel [K, K, C/G, M] costs K·K·C/G per output
// element. Taps that fall on padding are counted, as the formulas count them (H·W·K·K·C·M for a
// "same" convolution); gomlxext/backend.ExecutedFLOPs, which measures work done, does not. A
// matrix product (DotGeneral, or Dot, which GoMLX's Dense layer emits for a 2-D input) costs
// (output elements) × (size of the contracted axes): dense layers and attention are counted. Element-wise ops, bias additions, activations,
// pooling, normalisation and reductions are not counted (they are the small remainder the
// report's formulas leave out too). The counts cover the whole batch of the input: build with
// batch 1 for the cost of one example.
package cost

import (
	"fmt"
	"slices"
	"strings"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/ml/context"

	"github.com/dl4go/dl4go/gomlxext/backend"
)

// Standard is the report's multiply-adds of a standard convolution: an H×W output of M
// channels, each from a K×K window of all C input channels: H·W·K·K·C·M.
func Standard(h, w, k, c, m int) int64 {
	return int64(h) * int64(w) * int64(k) * int64(k) * int64(c) * int64(m)
}

// Depthwise is the report's multiply-adds of a depthwise convolution: an H×W output of C
// channels, each from a K×K window of its own input channel: H·W·K·K·C.
func Depthwise(h, w, k, c int) int64 { return int64(h) * int64(w) * int64(k) * int64(k) * int64(c) }

// Pointwise is the report's multiply-adds of a pointwise (1×1) convolution: an H×W output of M
// channels, each mixing all C input channels at one position: H·W·C·M.
func Pointwise(h, w, c, m int) int64 { return int64(h) * int64(w) * int64(c) * int64(m) }

// Op is one counted node of the forward pass.
type Op struct {
	// Type is graph.NodeTypeConvGeneral, graph.NodeTypeDotGeneral or graph.NodeTypeDot.
	Type graph.NodeType
	// Weights names the variable of the kernel (convolution) or right operand (matrix product)
	// when it is one, e.g. "/conv1/conv/weights", else "".
	Weights string
	// Input, Kernel and Output are the shapes of the node's operands and result (Kernel is the
	// right operand of a matrix product).
	Input, Kernel, Output shapes.Shape
	// Groups is a convolution's channel (or batch) group count: C for a depthwise one, 1 for a
	// standard convolution and for a matrix product.
	Groups int
	// MultAdds is the node's multiply-adds (see the package doc).
	MultAdds int64
}

// Report lists the counted nodes of a forward pass in the order they were built.
type Report struct {
	Ops []Op
}

// Total is the multiply-adds of every counted node.
func (r Report) Total() int64 {
	var n int64
	for _, op := range r.Ops {
		n += op.MultAdds
	}
	return n
}

// Of returns the multiply-adds of the nodes of type t only (graph.NodeTypeConvGeneral,
// graph.NodeTypeDotGeneral or graph.NodeTypeDot).
func (r Report) Of(t graph.NodeType) int64 {
	var n int64
	for _, op := range r.Ops {
		if op.Type == t {
			n += op.MultAdds
		}
	}
	return n
}

// String is a table: one line per counted node, then the total.
func (r Report) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%-12s %-36s %-22s %-22s %-22s %6s %14s\n", "op", "weights", "input", "kernel/rhs", "output", "groups", "mult-adds")
	for _, op := range r.Ops {
		fmt.Fprintf(&b, "%-12s %-36s %-22s %-22s %-22s %6d %14d\n", op.Type, op.Weights, fmt.Sprint(op.Input.Dimensions),
			fmt.Sprint(op.Kernel.Dimensions), fmt.Sprint(op.Output.Dimensions), op.Groups, op.MultAdds)
	}
	fmt.Fprintf(&b, "%-12s %134d\n", "total", r.Total())
	return b.String()
}

// Of counts the ConvGeneral, DotGeneral and Dot nodes that the outputs depend on (so nodes built
// after them, such as a loss's gradient, are left out). It fails on a node whose shapes or
// parameters do not fit the counting rules (a GoMLX version other than v0.26.0).
func Of(outputs ...*graph.Node) (Report, error) {
	seen := map[graph.NodeId]bool{}
	var nodes []*graph.Node
	stack := slices.Clone(outputs)
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if n == nil || seen[n.Id()] {
			continue
		}
		seen[n.Id()] = true
		nodes = append(nodes, n)
		stack = append(stack, n.Inputs()...)
	}
	slices.SortFunc(nodes, func(a, b *graph.Node) int { return int(a.Id()) - int(b.Id()) })
	var r Report
	for _, n := range nodes {
		switch n.Type() {
		case graph.NodeTypeConvGeneral:
			op, err := convOp(n)
			if err != nil {
				return Report{}, err
			}
			r.Ops = append(r.Ops, op)
		case graph.NodeTypeDotGeneral, graph.NodeTypeDot:
			op, err := dotOp(n)
			if err != nil {
				return Report{}, err
			}
			r.Ops = append(r.Ops, op)
		default:
		}
	}
	return r, nil
}

// Model builds model once on a graph input of the given shape and counts its forward pass with
// Of. Nothing is executed. ctx's variables are used where they exist and created, uninitialised,
// where they don't (the build is unchecked): pass context.New() to count a model before
// training (and train it on another context), or a trained model's context. Use batch 1 in
// input for the cost of one example.
func Model(b backends.Backend, ctx *context.Context, input shapes.Shape,
	model func(ctx *context.Context, x *graph.Node) *graph.Node) (r Report, err error) {
	g := graph.NewGraph(b, "cost")
	defer g.Finalize()
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("cost.Model: building the model on %s: %v", input, p)
		}
	}()
	out := model(ctx.Checked(false), graph.Parameter(g, "x", input))
	r, err = Of(out)
	if err != nil {
		return Report{}, fmt.Errorf("cost.Model: %w", err)
	}
	return r, nil
}

func convOp(n *graph.Node) (Op, error) {
	p, err := backend.ConvParamsOf(n)
	if err != nil {
		return Op{}, fmt.Errorf("cost: %w", err)
	}
	in, k := n.Inputs()[0], n.Inputs()[1]
	out := k.Shape().Dimensions[p.Axes.KernelOutputChannels]
	if out <= 0 || k.Shape().Size()%out != 0 {
		return Op{}, fmt.Errorf("cost: convolution kernel %s has %d output channels", k.Shape(), out)
	}
	return Op{Type: n.Type(), Weights: variableName(k), Input: in.Shape(), Kernel: k.Shape(), Output: n.Shape(),
		Groups: max(p.ChannelGroupCount, p.BatchGroupCount), MultAdds: int64(n.Shape().Size()) * int64(k.Shape().Size()/out)}, nil
}

func dotOp(n *graph.Node) (Op, error) {
	lhs, rhs := n.Inputs()[0], n.Inputs()[1]
	contracted := int64(1)
	if n.Type() == graph.NodeTypeDot { // vector or matrix product: lhs's last axis with rhs's first
		if lhs.Rank() < 1 || rhs.Rank() < 1 {
			return Op{}, fmt.Errorf("cost: Dot of %s and %s: operands must have rank ≥ 1", lhs.Shape(), rhs.Shape())
		}
		contracted = int64(lhs.Shape().Dimensions[lhs.Rank()-1])
	} else {
		axes, err := backend.DotAxesOf(n)
		if err != nil {
			return Op{}, fmt.Errorf("cost: %w", err)
		}
		for _, a := range axes.LHSContracting {
			contracted *= int64(lhs.Shape().Dimensions[a])
		}
	}
	return Op{Type: n.Type(), Weights: variableName(rhs), Input: lhs.Shape(), Kernel: rhs.Shape(), Output: n.Shape(),
		Groups: 1, MultAdds: int64(n.Shape().Size()) * contracted}, nil
}

// variableName follows n back through reshapes, transposes and dtype conversions to a
// variable's parameter node and returns the variable's scope and name, or "".
func variableName(n *graph.Node) string {
	for {
		switch n.Type() {
		case graph.NodeTypeParameter:
			if name, ok := strings.CutPrefix(n.GetParameterName(), context.VariableParameterPrefix); ok {
				return name
			}
			return ""
		case graph.NodeTypeReshape, graph.NodeTypeTranspose, graph.NodeTypeConvertDType:
			n = n.Inputs()[0]
		default:
			return ""
		}
	}
}
