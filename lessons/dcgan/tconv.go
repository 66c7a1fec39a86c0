package dcgan

import (
	"math"

	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// TransposedConv is a learned transposed convolution ("deconvolution") of x [batch, H, W, inC]
// to [batch, (H−1)·stride + kernel − 2·padding, ..., channels], with a kernel variable
// [kernel, kernel, inC, channels] in ctx (no bias: batch norm follows, or tanh on a single
// channel where a bias would only shift the output).
//
// GoMLX's layers package has no transposed-convolution builder. Its definition is the report's
// recipe (lesson 8), transposedConvDilated: insert stride−1 zeros between the input pixels (the
// op's input dilation), pad by kernel−1−padding, and run an ordinary stride-1 convolution — the
// transpose of a stride-s convolution with the same kernel (up to a 180° turn of the kernel, which
// does not matter for a learned kernel). That recipe spends most of its multiplications on the
// inserted zeros (12 of 16 for a 4×4 kernel and stride 2), so when the output is exactly stride×
// the input (kernel − 2·padding = stride: DCGAN's 4×4 kernels, stride 2, padding 1) TransposedConv
// computes the same numbers by the "sub-pixel" decomposition (transposedConvPhases): each of the
// stride×stride output phases (even/odd rows and columns) is an ordinary small convolution of the
// undilated input with the kernel taps that land on it. tconv_test.go checks that both give the
// same output. Gradients (for x and the kernel) are the engine's ordinary convolution gradients.
func TransposedConv(ctx *context.Context, x *Node, channels, kernel, stride, padding int) *Node {
	inC := x.Shape().Dimensions[3]
	w := ctx.VariableWithShape("weights", shapeOf(x, kernel, kernel, inC, channels)).ValueGraph(x.Graph())
	if kernel-2*padding == stride {
		return transposedConvPhases(x, w, stride, padding)
	}
	return transposedConvDilated(x, w, stride, padding)
}

// transposedConvDilated is the transposed convolution of x [batch, H, W, inC] with the kernel w
// [k, k, inC, C] by input dilation (the definition).
func transposedConvDilated(x, w *Node, stride, padding int) *Node {
	p := w.Shape().Dimensions[0] - 1 - padding
	return Convolve(x, w).InputDilationPerAxis(stride, stride).
		PaddingPerDim([][2]int{{p, p}, {p, p}}).Strides(1).Dilations(1).Done()
}

// transposedConvPhases is transposedConvDilated for kernel − 2·padding = stride, output
// [batch, stride·H, stride·W, C]. Output row o = stride·a + r (phase r) receives, from the dilated
// and padded input, only the kernel taps ky with (r + ky − P) divisible by stride (P = k − 1 −
// padding), reading undilated input row a + (r + ky − P)/stride. So each of the stride² output
// phases (ry, rx) is an ordinary stride-1 convolution of the undilated input with the kernel's
// taps of that phase, padded so that it reads rows a + offset; stacking the phases and
// interleaving them ("depth to space") gives the output. For DCGAN's 4×4 kernel and stride 2,
// each phase is a 2×2 convolution: 4 multiplications per output value and input channel, instead
// of 16 (12 of them by inserted zeros) in the dilation recipe.
func transposedConvPhases(x, w *Node, s, padding int) *Node {
	d := x.Shape().Dimensions
	batch, h, wd := d[0], d[1], d[2]
	k, c := w.Shape().Dimensions[0], w.Shape().Dimensions[3]
	bigP := k - 1 - padding
	type phase struct {
		lo, hi int   // smallest and largest input offset read.
		taps   []int // kernel index of each offset lo..hi (−1: none).
	}
	phases := make([]phase, s)
	for r := range s {
		ph := phase{lo: math.MaxInt, hi: math.MinInt}
		for ky := range k {
			if (r+ky-bigP)%s == 0 {
				off := floorDiv(r+ky-bigP, s)
				ph.lo, ph.hi = min(ph.lo, off), max(ph.hi, off)
			}
		}
		ph.taps = make([]int, ph.hi-ph.lo+1)
		for i := range ph.taps {
			ph.taps[i] = -1
		}
		for ky := range k {
			if (r+ky-bigP)%s == 0 {
				ph.taps[floorDiv(r+ky-bigP, s)-ph.lo] = ky
			}
		}
		phases[r] = ph
	}
	// kernelOf returns the rows (axis 0) or columns (axis 1) of w that phase ph reads, in offset
	// order, zeros where no tap falls.
	kernelOf := func(w *Node, axis int, ph phase) *Node {
		parts := make([]*Node, len(ph.taps))
		for i, ky := range ph.taps {
			if ky < 0 {
				parts[i] = ZerosLike(SliceAxis(w, axis, AxisRange(0, 1)))
			} else {
				parts[i] = SliceAxis(w, axis, AxisRange(ky, ky+1))
			}
		}
		if len(parts) == 1 {
			return parts[0]
		}
		return Concatenate(parts, axis)
	}
	outs := make([]*Node, 0, s*s)
	for _, py := range phases {
		wy := kernelOf(w, 0, py)
		for _, px := range phases {
			wyx := kernelOf(wy, 1, px)
			outs = append(outs, Convolve(x, wyx).
				PaddingPerDim([][2]int{{-py.lo, py.hi}, {-px.lo, px.hi}}).Strides(1).Dilations(1).Done()) // [batch, H, W, C]
		}
	}
	y := Stack(outs, 3)                       // [batch, a_y, a_x, r_y·s + r_x, C]
	y = Reshape(y, batch, h, wd, s, s, c)     // [batch, a_y, a_x, r_y, r_x, C]
	y = TransposeAllDims(y, 0, 1, 3, 2, 4, 5) // [batch, a_y, r_y, a_x, r_x, C]
	return Reshape(y, batch, h*s, wd*s, c)
}

func floorDiv(a, b int) int {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// shapeOf returns the shape with x's dtype and the given dimensions.
func shapeOf(x *Node, dims ...int) shapes.Shape { return shapes.Make(x.DType(), dims...) }
