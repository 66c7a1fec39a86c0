package layers

import (
	"fmt"

	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // GoMLX graph-building style.
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/context/initializers"
)

// TransposedConvBuilder configures a learned 2D transposed convolution; create it with
// TransposedConvolution, set its options, then call Done.
type TransposedConvBuilder struct {
	ctx                      *context.Context
	x                        *Node
	channels, kernel, stride int
	padding                  int
	bias, newScope           bool
}

// TransposedConvolution prepares a learned 2D transposed convolution ("deconvolution", a learned
// up-sampling, as in DCGAN's generator and the FCN of the detection lesson) of
// x [batch, H, W, inC], in the style of GoMLX's layers.Convolution:
//
//	y := layers.TransposedConvolution(ctx, x).Channels(64).KernelSize(4).Strides(2).Padding(1).Done()
//
// Channels and KernelSize must be set; Strides defaults to 1, Padding to 0, and a bias is added
// unless UseBias(false). Its variables, "weights" [kernel, kernel, inC, channels] (initialised by
// ctx's initializer) and "biases" [channels], live in the scope "transposed_conv" below ctx
// unless CurrentScope. See TransposedConvolve for the operation and the output size.
func TransposedConvolution(ctx *context.Context, x *Node) *TransposedConvBuilder {
	return &TransposedConvBuilder{ctx: ctx, x: x, stride: 1, bias: true, newScope: true}
}

// Channels sets the number of output channels (required).
func (b *TransposedConvBuilder) Channels(n int) *TransposedConvBuilder {
	b.channels = n
	return b
}

// KernelSize sets the kernel's height and width (required).
func (b *TransposedConvBuilder) KernelSize(k int) *TransposedConvBuilder {
	b.kernel = k
	return b
}

// Strides sets the up-sampling factor (default 1).
func (b *TransposedConvBuilder) Strides(s int) *TransposedConvBuilder {
	b.stride = s
	return b
}

// Padding sets the rows and columns removed from each border of the output (default 0; 1 with a
// 4×4 kernel and stride 2 gives exactly twice the input size).
func (b *TransposedConvBuilder) Padding(p int) *TransposedConvBuilder {
	b.padding = p
	return b
}

// UseBias sets whether a learned bias is added per output channel (default true; batch norm
// after the layer makes it redundant).
func (b *TransposedConvBuilder) UseBias(use bool) *TransposedConvBuilder {
	b.bias = use
	return b
}

// CurrentScope makes the layer's variables live in ctx's own scope instead of a new
// "transposed_conv" scope below it.
func (b *TransposedConvBuilder) CurrentScope() *TransposedConvBuilder {
	b.newScope = false
	return b
}

// Done builds the layer: [batch, (H−1)·stride + kernel − 2·padding, (W−1)·stride + kernel −
// 2·padding, channels].
func (b *TransposedConvBuilder) Done() *Node {
	x := b.x
	if x.Rank() != 4 || b.channels <= 0 || b.kernel <= 0 {
		panic(fmt.Sprintf("layers.TransposedConvolution: x must be [batch, H, W, channels] and Channels and "+
			"KernelSize must be set (> 0): got x %s, Channels %d, KernelSize %d", x.Shape(), b.channels, b.kernel))
	}
	ctx := b.ctx
	if b.newScope {
		ctx = ctx.In("transposed_conv")
	}
	inC := x.Shape().Dimensions[3]
	w := ctx.VariableWithShape("weights", shapes.Make(x.DType(), b.kernel, b.kernel, inC, b.channels)).ValueGraph(x.Graph())
	y := TransposedConvolve(x, w, b.stride, b.padding)
	if b.bias {
		bias := ctx.WithInitializer(initializers.Zero).VariableWithShape("biases", shapes.Make(x.DType(), b.channels)).ValueGraph(x.Graph())
		y = Add(y, ExpandLeftToRank(bias, 4))
	}
	return y
}

// TransposedConvolve is the 2D transposed convolution of x [batch, H, W, inC] with kernel
// [k, k, inC, outC]: by definition, insert stride−1 zeros between the input pixels (input
// dilation), pad by k−1−padding and run an ordinary stride-1 convolution, giving
// [batch, (H−1)·stride + k − 2·padding, ..., outC]. The kernel is used as given (not turned by
// 180°; for a learned kernel the turn does not matter). It is the gradient of a stride-s
// convolution with respect to its input, which is why it up-samples.
//
// Most of the definition's multiplications fall on inserted zeros (12 of 16 for a 4×4 kernel and
// stride 2). When the output is exactly stride× the input (k − 2·padding = stride, as for the
// common 4×4 kernel with stride 2 and padding 1), the same numbers are computed "sub-pixel": each
// of the stride² output phases (even/odd rows and columns, for stride 2) is an ordinary small
// convolution of the undilated input with the kernel taps that land on that phase, and the
// phases are interleaved ("depth to space"). Gradients come from GoMLX's autodiff of those ops.
func TransposedConvolve(x, kernel *Node, stride, padding int) *Node {
	k := kernel.Shape().Dimensions[0]
	if x.Rank() != 4 || kernel.Rank() != 4 || kernel.Shape().Dimensions[1] != k ||
		kernel.Shape().Dimensions[2] != x.Shape().Dimensions[3] || stride < 1 || padding < 0 || padding > k-1 {
		panic(fmt.Sprintf("layers.TransposedConvolve: x %s, kernel %s, stride %d, padding %d do not fit "+
			"(x [batch, H, W, inC], kernel [k, k, inC, outC], stride ≥ 1, 0 ≤ padding < k)",
			x.Shape(), kernel.Shape(), stride, padding))
	}
	if k-2*padding == stride && stride > 1 {
		return subPixel(x, kernel, stride, padding)
	}
	return dilated(x, kernel, stride, padding)
}

// dilated is TransposedConvolve by its definition.
func dilated(x, kernel *Node, stride, padding int) *Node {
	p := kernel.Shape().Dimensions[0] - 1 - padding
	return Convolve(x, kernel).InputDilationPerAxis(stride, stride).
		PaddingPerDim([][2]int{{p, p}, {p, p}}).Strides(1).Dilations(1).Done()
}

// phase lists, for the output rows (or columns) o = stride·a + r of one phase r, the undilated
// input offsets they read (a + lo … a + hi) and the kernel tap used at each (−1: none).
type phase struct {
	lo, hi int
	taps   []int
}

// phasesOf returns the phases of a transposed convolution with kernel size k, the given stride
// and padding. In the dilated, padded input (P = k−1−padding zeros in front), output o reads
// positions o+t for taps t; the position holds input row (o+t−P)/stride when that divides.
func phasesOf(k, stride, padding int) []phase {
	bigP := k - 1 - padding
	phases := make([]phase, stride)
	for r := range stride {
		ph := phase{lo: k, hi: -k}
		for t := range k {
			if (r+t-bigP)%stride == 0 {
				off := floorDiv(r+t-bigP, stride)
				ph.lo, ph.hi = min(ph.lo, off), max(ph.hi, off)
			}
		}
		ph.taps = make([]int, ph.hi-ph.lo+1)
		for i := range ph.taps {
			ph.taps[i] = -1
		}
		for t := range k {
			if (r+t-bigP)%stride == 0 {
				ph.taps[floorDiv(r+t-bigP, stride)-ph.lo] = t
			}
		}
		phases[r] = ph
	}
	return phases
}

// subPixel is TransposedConvolve for k − 2·padding = stride: output [batch, stride·H, stride·W, C].
func subPixel(x, kernel *Node, stride, padding int) *Node {
	d := x.Shape().Dimensions
	batch, h, w := d[0], d[1], d[2]
	k, c := kernel.Shape().Dimensions[0], kernel.Shape().Dimensions[3]
	phases := phasesOf(k, stride, padding)
	// taps returns the kernel rows (axis 0) or columns (axis 1) phase ph reads, in offset order,
	// zeros where no tap falls.
	taps := func(kernel *Node, axis int, ph phase) *Node {
		parts := make([]*Node, len(ph.taps))
		for i, t := range ph.taps {
			if t < 0 {
				parts[i] = ZerosLike(SliceAxis(kernel, axis, AxisRange(0, 1)))
			} else {
				parts[i] = SliceAxis(kernel, axis, AxisRange(t, t+1))
			}
		}
		if len(parts) == 1 {
			return parts[0]
		}
		return Concatenate(parts, axis)
	}
	outs := make([]*Node, 0, stride*stride)
	for _, py := range phases {
		ky := taps(kernel, 0, py)
		for _, px := range phases {
			outs = append(outs, Convolve(x, taps(ky, 1, px)).
				PaddingPerDim([][2]int{{-py.lo, py.hi}, {-px.lo, px.hi}}).Strides(1).Dilations(1).Done()) // [batch, H, W, C]
		}
	}
	y := Stack(outs, 3)                            // [batch, a_y, a_x, r_y·stride + r_x, C]
	y = Reshape(y, batch, h, w, stride, stride, c) // [batch, a_y, a_x, r_y, r_x, C]
	y = TransposeAllDims(y, 0, 1, 3, 2, 4, 5)      // [batch, a_y, r_y, a_x, r_x, C]
	return Reshape(y, batch, h*stride, w*stride, c)
}

// floorDiv is a/b rounded down (b > 0).
func floorDiv(a, b int) int {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}
