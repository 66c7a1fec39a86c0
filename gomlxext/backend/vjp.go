package backend

import (
	"fmt"
	"reflect"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
)

// Gradients registered in GoMLX's autodiff (graph.VJPRegistration) when this
// package is imported. They apply to every backend:
//
//   - Pad: GoMLX defines none.
//   - Reverse: GoMLX defines none.
//   - Clamp (graph.Clip): GoMLX defines none. x gets v where min ≤ x ≤ max,
//     min where x < min, max where x > max (summed when min or max is a
//     scalar).
//   - Floor, Ceil, Round, Sign: GoMLX defines none, so a gradient through,
//     say, RoI Align's bilinear weights (y − Floor(y)) fails. They are
//     piecewise constant: their gradient is zero.
//   - ConvGeneral: GoMLX's is undefined for input dilation (transposed
//     convolution) and wrong for even kernel sizes (e.g. 2×2 or 4×4: the
//     input gradient is shifted by one); the one here handles strides,
//     padding, input and kernel dilation and channel groups, in any layout.
//     Batch-grouped convolutions keep GoMLX's gradient.
//
// The node parameters (axes, padding, ...) are read by reflection from
// GoMLX v0.26.0's node inputs, which the graph package does not export.
func init() {
	goMLXConvVJP = graph.VJPRegistration[graph.NodeTypeConvGeneral]
	graph.VJPRegistration[graph.NodeTypePad] = singleVJP(padVJP)
	graph.VJPRegistration[graph.NodeTypeReverse] = singleVJP(reverseVJP)
	graph.VJPRegistration[graph.NodeTypeClamp] = singleVJP(clampVJP)
	for _, t := range []graph.NodeType{graph.NodeTypeFloor, graph.NodeTypeCeil, graph.NodeTypeRound, graph.NodeTypeSign} {
		if _, defined := graph.VJPRegistration[t]; !defined {
			graph.VJPRegistration[t] = singleVJP(func(*graph.Node, *graph.Node) []*graph.Node { return []*graph.Node{nil} })
		}
	}
	graph.VJPRegistration[graph.NodeTypeConvGeneral] = singleVJP(convVJP)
}

var goMLXConvVJP graph.VJP

func singleVJP(fn func(node, v *graph.Node) []*graph.Node) graph.VJP {
	return func(node *graph.Node, vjpOutputs []*graph.Node, _ shapes.Shape) []*graph.Node {
		return fn(node, vjpOutputs[0])
	}
}

// param returns the named field of the node's (unexported) inputs struct.
func param(node *graph.Node, name string) reflect.Value {
	in := reflect.ValueOf(node).Elem().FieldByName("inputs")
	for in.IsValid() && (in.Kind() == reflect.Interface || in.Kind() == reflect.Pointer) {
		in = in.Elem()
	}
	if !in.IsValid() || in.Kind() != reflect.Struct {
		panic(fmt.Sprintf("dl4go backend: cannot read parameters of %s (GoMLX version other than v0.26.0?)", node))
	}
	f := in.FieldByName(name)
	if !f.IsValid() {
		panic(fmt.Sprintf("dl4go backend: node %s has no parameter %q (GoMLX version other than v0.26.0?)", node, name))
	}
	return f
}

func intsOf(v reflect.Value) []int {
	if v.IsNil() {
		return nil
	}
	out := make([]int, v.Len())
	for i := range out {
		out[i] = int(v.Index(i).Int())
	}
	return out
}

func padAxesOf(v reflect.Value) []backends.PadAxis {
	out := make([]backends.PadAxis, v.Len())
	for i := range out {
		e := v.Index(i)
		out[i] = backends.PadAxis{Start: int(e.FieldByName("Start").Int()), End: int(e.FieldByName("End").Int()),
			Interior: int(e.FieldByName("Interior").Int())}
	}
	return out
}

func convAxesOf(v reflect.Value) backends.ConvolveAxesConfig {
	i := func(name string) int { return int(v.FieldByName(name).Int()) }
	s := func(name string) []int { return intsOf(v.FieldByName(name)) }
	return backends.ConvolveAxesConfig{
		InputBatch: i("InputBatch"), InputChannels: i("InputChannels"), InputSpatial: s("InputSpatial"),
		KernelInputChannels: i("KernelInputChannels"), KernelOutputChannels: i("KernelOutputChannels"),
		KernelSpatial: s("KernelSpatial"),
		OutputBatch:   i("OutputBatch"), OutputChannels: i("OutputChannels"), OutputSpatial: s("OutputSpatial"),
	}
}

// padVJP: the gradient for x is v with the edge padding undone and every
// (interior+1)-th element taken; the fill value gets the rest of Σv.
func padVJP(node, v *graph.Node) []*graph.Node {
	x, fill := node.Inputs()[0], node.Inputs()[1]
	cfg := padAxesOf(param(node, "axesConfig"))
	undo := make([]backends.PadAxis, len(cfg))
	var specs []graph.SliceAxisSpec
	strided := false
	for i, pa := range cfg {
		undo[i] = backends.PadAxis{Start: -pa.Start, End: -pa.End}
		specs = append(specs, graph.AxisRange().Stride(pa.Interior+1))
		strided = strided || pa.Interior > 0
	}
	dx := graph.Pad(v, graph.ScalarZero(v.Graph(), v.DType()), undo...)
	if strided {
		dx = graph.Slice(dx, specs...)
	}
	dx = graph.Reshape(dx, x.Shape().Dimensions...)
	dFill := graph.Sub(graph.ReduceAllSum(v), graph.ReduceAllSum(dx))
	return []*graph.Node{dx, graph.Reshape(dFill, fill.Shape().Dimensions...)}
}

func clampVJP(node, v *graph.Node) []*graph.Node {
	lo, x, hi := node.Inputs()[0], node.Inputs()[1], node.Inputs()[2]
	zeros := graph.ZerosLike(v)
	below, above := graph.LessThan(x, lo), graph.GreaterThan(x, hi)
	part := func(mask, bound *graph.Node) *graph.Node {
		d := graph.Where(mask, v, zeros)
		if bound.IsScalar() {
			return graph.ReduceAllSum(d)
		}
		return d
	}
	dx := graph.Where(graph.LogicalOr(below, above), zeros, v)
	return []*graph.Node{part(below, lo), dx, part(above, hi)}
}

func reverseVJP(node, v *graph.Node) []*graph.Node {
	return []*graph.Node{graph.Reverse(v, intsOf(param(node, "axes"))...)}
}

func ones(n int) []int {
	r := make([]int, n)
	for i := range r {
		r[i] = 1
	}
	return r
}

func inverse(perm []int) []int {
	inv := make([]int, len(perm))
	for i, p := range perm {
		inv[p] = i
	}
	return inv
}

// convVJP computes the gradients of ConvGeneral in the canonical layout
// x [B, S..., C], kernel [K..., C/G, Cout], v [B, O..., Cout]:
//
//	dx = conv(v dilated by the strides, kernel flipped with in/out channels
//	     swapped per group), padded so that it lines up with the input, then
//	     subsampled by the input dilation;
//	dkernel = conv(x with batch and channels swapped, v as kernel dilated by
//	     the strides), strided by the kernel dilation, batch-grouped by G.
func convVJP(node, v *graph.Node) []*graph.Node {
	bg := int(param(node, "batchGroupCount").Int())
	if bg > 1 {
		return goMLXConvVJP(node, []*graph.Node{v}, node.Shape())
	}
	x, kernel := node.Inputs()[0], node.Inputs()[1]
	axes := convAxesOf(param(node, "axes"))
	n := x.Rank() - 2
	strides := onesIfNil(intsOf(param(node, "strides")), n)
	inDil := onesIfNil(intsOf(param(node, "inputDilations")), n)
	kDil := onesIfNil(intsOf(param(node, "kernelDilations")), n)
	pv := param(node, "paddings")
	pads := make([][2]int, n)
	if !pv.IsNil() {
		for i := range n {
			pads[i] = [2]int{int(pv.Index(i).Index(0).Int()), int(pv.Index(i).Index(1).Int())}
		}
	}
	G := max(int(param(node, "channelGroupCount").Int()), 1)

	xPerm := append(append([]int{axes.InputBatch}, axes.InputSpatial...), axes.InputChannels)
	kPerm := append(append([]int{}, axes.KernelSpatial...), axes.KernelInputChannels, axes.KernelOutputChannels)
	vPerm := append(append([]int{axes.OutputBatch}, axes.OutputSpatial...), axes.OutputChannels)
	xc := graph.TransposeAllAxes(x, xPerm...)
	kc := graph.TransposeAllAxes(kernel, kPerm...)
	vc := graph.TransposeAllAxes(v, vPerm...)
	S, K, O := xc.Shape().Dimensions[1:n+1], kc.Shape().Dimensions[:n], vc.Shape().Dimensions[1:n+1]
	C, Cout := xc.Shape().Dimensions[n+1], kc.Shape().Dimensions[n+1]
	Cg := C / G

	canon := backends.ConvolveAxesConfig{
		InputBatch: 0, InputChannels: n + 1, InputSpatial: axesUpTo(n)[0:0],
		KernelInputChannels: n, KernelOutputChannels: n + 1,
		OutputBatch: 0, OutputChannels: n + 1,
	}
	for i := range n {
		canon.InputSpatial = append(canon.InputSpatial, i+1)
		canon.KernelSpatial = append(canon.KernelSpatial, i)
		canon.OutputSpatial = append(canon.OutputSpatial, i+1)
	}

	// Leftover (never read) input rows at the end of each padded axis.
	dxPads := make([][2]int, n)
	dkPads := make([][2]int, n)
	for i := range n {
		u := inDil[i]*(S[i]-1) + 1
		p := u + pads[i][0] + pads[i][1]
		ek := (K[i]-1)*kDil[i] + 1
		r := p - ((O[i]-1)*strides[i] + ek)
		dxPads[i] = [2]int{ek - 1 - pads[i][0], ek - 1 - pads[i][1] + r}
		dkPads[i] = [2]int{pads[i][0], pads[i][1] - r}
	}

	// dx.
	kr := graph.Reshape(kc, append(append([]int{}, K...), Cg, G, Cout/G)...)
	kr = graph.TransposeAllAxes(kr, append(axesUpTo(n), n+2, n+1, n)...)
	kr = graph.Reshape(kr, append(append([]int{}, K...), Cout/G, C)...)
	kr = graph.Reverse(kr, axesUpTo(n)...)
	dx := graph.ConvGeneral(vc, kr, canon, ones(n), dxPads, strides, kDil, G, 1)
	if !allOnes(inDil) {
		specs := []graph.SliceAxisSpec{graph.AxisRange()}
		for i := range n {
			specs = append(specs, graph.AxisRange().Stride(inDil[i]))
		}
		specs = append(specs, graph.AxisRange())
		dx = graph.Slice(dx, specs...)
	}
	dx = graph.TransposeAllAxes(dx, inverse(xPerm)...)

	// dkernel: x as [C (batch), S..., B (channels)], v as kernel [B (in), O..., Cout].
	xAsIn := backends.ConvolveAxesConfig{
		InputBatch: n + 1, InputChannels: 0, InputSpatial: canon.InputSpatial,
		KernelInputChannels: 0, KernelOutputChannels: n + 1, KernelSpatial: canon.InputSpatial,
		OutputBatch: 0, OutputChannels: n + 1, OutputSpatial: canon.OutputSpatial,
	}
	var inD []int
	if !allOnes(inDil) {
		inD = inDil
	}
	dk := graph.ConvGeneral(xc, vc, xAsIn, kDil, dkPads, inD, strides, 1, G) // [Cg, K..., Cout]
	dk = graph.TransposeAllAxes(dk, append(append(axesUpTo(n + 1)[1:], 0), n+1)...)
	dk = graph.TransposeAllAxes(dk, inverse(kPerm)...)
	return []*graph.Node{dx, dk}
}

func allOnes(v []int) bool {
	for _, x := range v {
		if x != 1 {
			return false
		}
	}
	return true
}
