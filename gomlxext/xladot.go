package gomlxext

import (
	"fmt"
	"reflect"
	"slices"

	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
)

// On the XLA backend, the gradient of DotGeneral is two DotGenerals.
//
// GoMLX v0.26.0's gradient of z = DotGeneral(x, y) (pkg/core/graph/ops_helpers.go, dotGeneralVJP)
// broadcasts the output gradient against the other operand and reduces it (Mul + ReduceSum): it
// materialises an outer product, e.g. [batch, 784, 256] for the MLP's first layer, which XLA's CPU
// compiler does not turn back into a matrix product. dl4go's own backend rewrites that pattern
// (gomlxext/backend, rewrite.go); on XLA the MLP's training step took 28 ms instead of ~2 ms and
// lesson 11's BERT did not finish its quick run in 15 minutes. This registration replaces the
// gradient for graphs built on the "xla" backend only; other backends keep GoMLX's (dl4go's
// rewrite depends on its shape). TestOpCoverageXLA checks it against finite differences.
// The same holds for Dot (graph.Dot: vector·vector, matrix·vector, matrix·matrix), whose GoMLX
// gradient broadcasts likewise.
func init() {
	for _, t := range []graph.NodeType{graph.NodeTypeDotGeneral, graph.NodeTypeDot} {
		goMLX := graph.VJPRegistration[t]
		graph.VJPRegistration[t] = func(node *graph.Node, v []*graph.Node, out shapes.Shape) []*graph.Node {
			if b := node.Graph().Backend(); b == nil || b.Name() != "xla" {
				return goMLX(node, v, out)
			}
			if node.Type() == graph.NodeTypeDot {
				x, y := node.Inputs()[0], node.Inputs()[1]
				return dotVJP(x, []int{x.Rank() - 1}, nil, y, []int{0}, nil, v[0])
			}
			return dotGeneralNodeVJP(node, v[0])
		}
	}
}

// dotGeneralNodeVJP reads a DotGeneral node's axes (by reflection: GoMLX v0.26.0 does not export
// them) and returns dotVJP's gradients.
func dotGeneralNodeVJP(node, v *graph.Node) []*graph.Node {
	in := reflect.ValueOf(node).Elem().FieldByName("inputs")
	for in.IsValid() && (in.Kind() == reflect.Interface || in.Kind() == reflect.Pointer) {
		in = in.Elem()
	}
	ints := func(name string) []int {
		f := in.FieldByName(name)
		if !f.IsValid() {
			panic(fmt.Sprintf("gomlxext: DotGeneral node %s has no %q (GoMLX version other than v0.26.0?)", node, name))
		}
		out := make([]int, f.Len())
		for i := range out {
			out[i] = int(f.Index(i).Int())
		}
		return out
	}
	x, y := node.Inputs()[0], node.Inputs()[1]
	return dotVJP(x, ints("lhsContractingAxes"), ints("lhsBatchAxes"), y, ints("rhsContractingAxes"), ints("rhsBatchAxes"), v)
}

// dotVJP returns the gradients of z = DotGeneral(x, xC, xB, y, yC, yB) with respect to x and y,
// given v = ∂L/∂z, as DotGenerals of v with the other operand. z's axes are [batch (in xB's
// order), x's free axes (ascending), y's free axes (ascending)].
func dotVJP(x *graph.Node, xC, xB []int, y *graph.Node, yC, yB []int, v *graph.Node) []*graph.Node {
	xF, yF := freeAxes(x.Rank(), xC, xB), freeAxes(y.Rank(), yC, yB)
	nb := len(xB)
	vB := iota(0, nb)
	vXF := iota(nb, len(xF))
	vYF := iota(nb+len(xF), len(yF))
	gx := graph.DotGeneral(v, vYF, vB, y, yF, yB) // [batch, x free, y contracting (ascending)]
	gy := graph.DotGeneral(v, vXF, vB, x, xF, xB) // [batch, y free, x contracting (ascending)]
	return []*graph.Node{transpose(gx, axesBack(x.Rank(), xB, xF, xC, yC)), transpose(gy, axesBack(y.Rank(), yB, yF, yC, xC))}
}

// transpose is graph.TransposeAllAxes, skipped for the identity permutation.
func transpose(x *graph.Node, perm []int) *graph.Node {
	for i, p := range perm {
		if i != p {
			return graph.TransposeAllAxes(x, perm...)
		}
	}
	return x
}

// axesBack returns the permutation that puts a gradient [batch, free, contracting] back into its
// operand's axes: the operand's batch axes b, free axes f, and contracting axes c, paired with the
// other operand's contracting axes other, whose ascending order the gradient's last axes follow.
func axesBack(rank int, b, f, c, other []int) []int {
	perm := make([]int, rank)
	for i, a := range b {
		perm[a] = i
	}
	for i, a := range f {
		perm[a] = len(b) + i
	}
	sorted := slices.Sorted(slices.Values(other))
	for i, o := range sorted {
		perm[c[slices.Index(other, o)]] = len(b) + len(f) + i
	}
	return perm
}

// freeAxes returns the axes in neither contracting nor batch, ascending.
func freeAxes(rank int, contracting, batch []int) []int {
	var out []int
	for a := range rank {
		if !slices.Contains(contracting, a) && !slices.Contains(batch, a) {
			out = append(out, a)
		}
	}
	return out
}

func iota(from, n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = from + i
	}
	return out
}
