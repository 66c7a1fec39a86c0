package backend_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // GoMLX graph-building style.
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/layers/activations"

	"github.com/dl4go/dl4go/gomlxext/backend"
)

// opCase is one row of the op coverage table: fn builds the op from float64
// inputs of the given shapes.
type opCase struct {
	name   string
	shapes [][]int
	fn     func(x []*Node) *Node
	// goFails: plain simplego ("go") cannot run the forward op.
	goFails bool
	// noGrad says why the gradient is not checked (GoMLX defines none, ...).
	noGrad string
}

// nhwc is the 2D convolution axes layout [batch, h, w, channels] with kernel [h, w, in, out].
var nhwc = backends.ConvolveAxesConfig{
	InputBatch: 0, InputChannels: 3, InputSpatial: []int{1, 2},
	KernelInputChannels: 2, KernelOutputChannels: 3, KernelSpatial: []int{0, 1},
	OutputBatch: 0, OutputChannels: 3, OutputSpatial: []int{1, 2},
}

// nchw is [batch, channels, h, w] with kernel [out, in, h, w].
var nchw = backends.ConvolveAxesConfig{
	InputBatch: 0, InputChannels: 1, InputSpatial: []int{2, 3},
	KernelInputChannels: 1, KernelOutputChannels: 0, KernelSpatial: []int{2, 3},
	OutputBatch: 0, OutputChannels: 1, OutputSpatial: []int{2, 3},
}

// conv calls ConvGeneral with explicit (non-nil) strides and dilations, so
// that plain simplego can run it too.
func conv(x, k *Node, axes backends.ConvolveAxesConfig, strides []int, pad [][2]int, inDil, kDil []int, groups int) *Node {
	return ConvGeneral(x, k, axes, strides, pad, inDil, kDil, groups, 1)
}

var opCases = []opCase{
	{name: "Pad/edges", shapes: [][]int{{3, 4}}, goFails: true, fn: func(x []*Node) *Node {
		return Pad(x[0], ScalarZero(x[0].Graph(), x[0].DType()), backends.PadAxis{Start: 1, End: 2}, backends.PadAxis{Start: 2})
	}},
	{name: "Pad/negative+interior", shapes: [][]int{{3, 5}}, goFails: true, fn: func(x []*Node) *Node {
		return Pad(x[0], Scalar(x[0].Graph(), x[0].DType(), 0.5),
			backends.PadAxis{Start: -1, End: 1, Interior: 2}, backends.PadAxis{Start: 1, End: -2, Interior: 1})
	}},
	// ReduceMax on reduceMaxMKN (float32, kernel on): contiguous runs (N = 1), rows (N > 1), and
	// non-adjacent axes (simplego).
	{name: "ReduceMax/last-axis", shapes: [][]int{{3, 4, 9}}, fn: func(x []*Node) *Node { return ReduceMax(x[0], -1) }},
	{name: "ReduceMax/middle-axes", shapes: [][]int{{2, 3, 4, 5}}, fn: func(x []*Node) *Node { return ReduceMax(x[0], 1, 2) }},
	{name: "ReduceMax/first-axis", shapes: [][]int{{9, 1, 6}}, fn: func(x []*Node) *Node { return ReduceMax(x[0], 0) }},
	{name: "ReduceMax/non-adjacent (simplego path)", shapes: [][]int{{3, 4, 5}}, fn: func(x []*Node) *Node { return ReduceMax(x[0], 0, 2) }},
	// Where and Slice on the parallel select and the strided-copy kernel (float32, kernel on).
	{name: "Where", shapes: [][]int{{3, 4, 5}, {3, 4, 5}}, fn: func(x []*Node) *Node {
		return Where(GreaterThan(x[0], x[1]), Mul(x[0], x[1]), Sub(x[1], x[0]))
	}},
	{name: "Where/scalar-branch", shapes: [][]int{{4, 6}}, fn: func(x []*Node) *Node {
		return Where(GreaterThan(x[0], ScalarZero(x[0].Graph(), x[0].DType())), x[0], Scalar(x[0].Graph(), x[0].DType(), 0.5))
	}},
	{name: "Where/scalar-branches", shapes: [][]int{{5, 7}, {5, 7}}, fn: func(x []*Node) *Node {
		g := x[0].Graph()
		pick := Where(GreaterThan(x[0], x[1]), Scalar(g, x[0].DType(), -2), x[1]) // true branch a scalar
		return Add(pick, Where(LessThan(x[0], x[1]), Scalar(g, x[0].DType(), 3), Scalar(g, x[0].DType(), 0.25)))
	}},
	{name: "ReduceSum/short-last-axis", shapes: [][]int{{6, 5, 4}}, fn: func(x []*Node) *Node { return ReduceSum(x[0], 2) }},
	{name: "ReduceSum/short-middle-axis", shapes: [][]int{{6, 3, 11}}, fn: func(x []*Node) *Node { return ReduceSum(x[0], 1) }},
	{name: "ReduceMax/short", shapes: [][]int{{9, 2, 5}}, fn: func(x []*Node) *Node { return ReduceMax(x[0], 1) }},
	{name: "Slice/offset", shapes: [][]int{{5, 7, 3}}, fn: func(x []*Node) *Node {
		return Slice(x[0], AxisRange(1, 4), AxisRange(2, 7), AxisRange(1, 3))
	}},
	{name: "Pad/interior+edges (pad kernel)", shapes: [][]int{{3, 4, 2}}, goFails: true, fn: func(x []*Node) *Node {
		return Pad(x[0], Scalar(x[0].Graph(), x[0].DType(), -0.5),
			backends.PadAxis{Start: 1, End: 2, Interior: 1}, backends.PadAxis{Interior: 2}, backends.PadAxis{Start: 2})
	}},
	{name: "Pad/interior-innermost (pad kernel, strided rows)", shapes: [][]int{{2, 3, 4}}, goFails: true, fn: func(x []*Node) *Node {
		return Pad(x[0], Scalar(x[0].Graph(), x[0].DType(), 0.25),
			backends.PadAxis{Start: 1}, backends.PadAxis{End: 1}, backends.PadAxis{Start: 2, End: 1, Interior: 1})
	}},
	{name: "Pad/zero-fill (pad kernel)", shapes: [][]int{{3, 5, 2}}, goFails: true, fn: func(x []*Node) *Node {
		return Pad(x[0], ScalarZero(x[0].Graph(), x[0].DType()),
			backends.PadAxis{Start: 2, End: 1}, backends.PadAxis{Start: 1, End: 2}, backends.PadAxis{End: 1})
	}},
	{name: "Reverse/1D (one backward run)", shapes: [][]int{{7}}, goFails: true, fn: func(x []*Node) *Node { return Reverse(x[0], 0) }},
	{name: "Reverse/inner axis", shapes: [][]int{{3, 5}}, goFails: true, fn: func(x []*Node) *Node { return Reverse(x[0], 1) }},
	{name: "Reverse", shapes: [][]int{{2, 3, 4}}, goFails: true, fn: func(x []*Node) *Node { return Reverse(x[0], 0, 2) }},
	{name: "Slice/strided", shapes: [][]int{{5, 6}}, fn: func(x []*Node) *Node {
		return Slice(x[0], AxisRange(1, 5).Stride(2), AxisRange(0, 6).Stride(3))
	}},
	{name: "DotGeneral/matmul", shapes: [][]int{{4, 5}, {5, 3}}, fn: func(x []*Node) *Node { return Dot(x[0], x[1]) }},
	{name: "DotGeneral/batched", shapes: [][]int{{2, 3, 4}, {2, 4, 5}}, fn: func(x []*Node) *Node {
		return Einsum("bij,bjk->bik", x[0], x[1])
	}},
	{name: "DotGeneral/attention", shapes: [][]int{{2, 3, 2, 4}, {2, 5, 2, 4}}, fn: func(x []*Node) *Node {
		return Einsum("bqhd,bkhd->bhqk", x[0], x[1])
	}},
	{name: "Conv/2D", shapes: [][]int{{2, 5, 5, 2}, {3, 3, 2, 3}}, fn: func(x []*Node) *Node {
		return conv(x[0], x[1], nhwc, []int{1, 1}, nil, nil, []int{1, 1}, 1)
	}},
	{name: "Conv/2D-nil-defaults", shapes: [][]int{{2, 5, 5, 2}, {3, 3, 2, 3}}, goFails: true, fn: func(x []*Node) *Node {
		return Convolve(x[0], x[1]).NoPadding().Done()
	}},
	{name: "Conv/stride2-pad", shapes: [][]int{{1, 6, 7, 2}, {3, 3, 2, 2}}, fn: func(x []*Node) *Node {
		return conv(x[0], x[1], nhwc, []int{2, 2}, [][2]int{{1, 1}, {0, 1}}, nil, []int{1, 1}, 1)
	}},
	{name: "Conv/even-kernel", shapes: [][]int{{1, 5, 5, 1}, {2, 2, 1, 1}}, fn: func(x []*Node) *Node {
		return conv(x[0], x[1], nhwc, []int{1, 1}, nil, nil, []int{1, 1}, 1)
	}},
	{name: "Conv/dilated", shapes: [][]int{{1, 7, 7, 1}, {2, 3, 1, 2}}, fn: func(x []*Node) *Node {
		return conv(x[0], x[1], nhwc, []int{1, 1}, nil, nil, []int{2, 2}, 1)
	}},
	{name: "Conv/NCHW", shapes: [][]int{{2, 2, 5, 4}, {3, 2, 3, 3}}, fn: func(x []*Node) *Node {
		return conv(x[0], x[1], nchw, []int{1, 2}, [][2]int{{1, 1}, {1, 0}}, nil, []int{1, 1}, 1)
	}},
	// Input-dilated (transposed) convolutions: on the kernel path (float32) as convPhases, one
	// ordinary convolution per output phase, interleaved.
	{name: "Conv/input-dilated2-pad", shapes: [][]int{{2, 5, 4, 3}, {4, 4, 3, 2}}, fn: func(x []*Node) *Node {
		return conv(x[0], x[1], nhwc, []int{1, 1}, [][2]int{{2, 2}, {1, 2}}, []int{2, 2}, []int{1, 1}, 1)
	}},
	{name: "Conv/input-dilated3x2-negative-pad", shapes: [][]int{{1, 5, 6, 2}, {3, 2, 2, 3}}, fn: func(x []*Node) *Node {
		return conv(x[0], x[1], nhwc, []int{1, 1}, [][2]int{{-1, 2}, {0, 1}}, []int{3, 2}, []int{1, 1}, 1)
	}},
	{name: "Conv/input-dilated-1x1-empty-phases", shapes: [][]int{{1, 3, 3, 2}, {1, 1, 2, 2}}, fn: func(x []*Node) *Node {
		return conv(x[0], x[1], nhwc, []int{1, 1}, nil, []int{2, 2}, []int{1, 1}, 1)
	}},
	{name: "Conv/input-dilated-output-shorter-than-dilation", shapes: [][]int{{2, 1, 4, 2}, {1, 3, 2, 2}}, fn: func(x []*Node) *Node {
		return conv(x[0], x[1], nhwc, []int{1, 1}, [][2]int{{0, 0}, {1, 1}}, []int{2, 2}, []int{1, 1}, 1)
	}},
	{name: "Conv/input-dilated-NCHW-grouped", shapes: [][]int{{2, 4, 4, 5}, {4, 2, 3, 3}}, fn: func(x []*Node) *Node {
		return conv(x[0], x[1], nchw, []int{1, 1}, [][2]int{{1, 1}, {2, 0}}, []int{2, 1}, []int{1, 1}, 2)
	}},
	{name: "Conv/1D", shapes: [][]int{{2, 9, 2}, {3, 2, 2}}, fn: func(x []*Node) *Node {
		return Convolve(x[0], x[1]).Strides(2).PadSame().Done()
	}},
	{name: "Conv/grouped", shapes: [][]int{{1, 5, 5, 4}, {3, 3, 2, 4}}, fn: func(x []*Node) *Node {
		return conv(x[0], x[1], nhwc, []int{1, 1}, [][2]int{{1, 1}, {1, 1}}, nil, []int{1, 1}, 2)
	}},
	{name: "Conv/depthwise", shapes: [][]int{{2, 5, 5, 3}, {3, 3, 1, 3}}, fn: func(x []*Node) *Node {
		return conv(x[0], x[1], nhwc, []int{2, 1}, nil, nil, []int{1, 1}, 3)
	}},
	{name: "Conv/depthwise-multiplier2-same", shapes: [][]int{{2, 5, 4, 3}, {3, 3, 1, 6}}, fn: func(x []*Node) *Node {
		return conv(x[0], x[1], nhwc, []int{1, 1}, [][2]int{{1, 1}, {1, 1}}, nil, []int{1, 1}, 3)
	}},
	// Depthwise with ≥ 4 channels: the direct loop (depthwise.go), forward
	// and both gradient convolutions.
	{name: "Conv/dw-direct/s1-same-M1-b1", shapes: [][]int{{1, 6, 6, 4}, {3, 3, 1, 4}}, fn: func(x []*Node) *Node {
		return conv(x[0], x[1], nhwc, []int{1, 1}, [][2]int{{1, 1}, {1, 1}}, nil, []int{1, 1}, 4)
	}},
	{name: "Conv/dw-direct/s2-valid-M1-b3", shapes: [][]int{{3, 7, 6, 5}, {3, 3, 1, 5}}, fn: func(x []*Node) *Node {
		return conv(x[0], x[1], nhwc, []int{2, 2}, nil, nil, []int{1, 1}, 5)
	}},
	{name: "Conv/dw-direct/s2-same-M1-b2", shapes: [][]int{{2, 8, 7, 4}, {3, 3, 1, 4}}, fn: func(x []*Node) *Node {
		return conv(x[0], x[1], nhwc, []int{2, 2}, [][2]int{{0, 1}, {1, 1}}, nil, []int{1, 1}, 4)
	}},
	{name: "Conv/dw-direct/s1-same-M2-b2", shapes: [][]int{{2, 5, 6, 4}, {3, 3, 1, 8}}, fn: func(x []*Node) *Node {
		return conv(x[0], x[1], nhwc, []int{1, 1}, [][2]int{{1, 1}, {1, 1}}, nil, []int{1, 1}, 4)
	}},
	{name: "Conv/dw-direct/s2-same-M2-b1", shapes: [][]int{{1, 7, 8, 4}, {3, 3, 1, 8}}, fn: func(x []*Node) *Node {
		return conv(x[0], x[1], nhwc, []int{2, 2}, [][2]int{{1, 1}, {1, 0}}, nil, []int{1, 1}, 4)
	}},
	{name: "Conv/dw-direct/dilated2-same-M1-b2", shapes: [][]int{{2, 7, 7, 4}, {3, 3, 1, 4}}, fn: func(x []*Node) *Node {
		return conv(x[0], x[1], nhwc, []int{1, 1}, [][2]int{{2, 2}, {2, 2}}, nil, []int{2, 2}, 4)
	}},
	{name: "Conv/dw-direct/dilated2-valid-M2-b1", shapes: [][]int{{1, 8, 7, 4}, {3, 2, 1, 8}}, fn: func(x []*Node) *Node {
		return conv(x[0], x[1], nhwc, []int{1, 2}, nil, nil, []int{2, 1}, 4)
	}},
	{name: "Conv/dw-direct/5x5-s2-same-M1-b2", shapes: [][]int{{2, 9, 9, 6}, {5, 5, 1, 6}}, fn: func(x []*Node) *Node {
		return conv(x[0], x[1], nhwc, []int{2, 2}, [][2]int{{2, 2}, {2, 2}}, nil, []int{1, 1}, 6)
	}},
	{name: "Conv/dw-direct/NCHW-s1-same-M1-b2", shapes: [][]int{{2, 4, 5, 5}, {4, 1, 3, 3}}, fn: func(x []*Node) *Node {
		return conv(x[0], x[1], nchw, []int{1, 1}, [][2]int{{1, 1}, {1, 1}}, nil, []int{1, 1}, 4)
	}},
	{name: "Conv/dw-direct/NCHW-s2-M2-b1", shapes: [][]int{{1, 4, 6, 5}, {8, 1, 3, 3}}, fn: func(x []*Node) *Node {
		return conv(x[0], x[1], nchw, []int{2, 1}, [][2]int{{1, 0}, {0, 1}}, nil, []int{1, 1}, 4)
	}},
	{name: "Conv/dw-direct/1D-even-causal-M1-b2", shapes: [][]int{{2, 9, 4}, {2, 1, 4}}, fn: func(x []*Node) *Node {
		axes := backends.ConvolveAxesConfig{InputBatch: 0, InputChannels: 2, InputSpatial: []int{1},
			KernelInputChannels: 1, KernelOutputChannels: 2, KernelSpatial: []int{0},
			OutputBatch: 0, OutputChannels: 2, OutputSpatial: []int{1}}
		return conv(x[0], x[1], axes, []int{1}, [][2]int{{2, 0}}, nil, []int{2}, 4)
	}},
	{name: "Conv/transposed", shapes: [][]int{{1, 3, 3, 2}, {3, 3, 2, 2}}, fn: func(x []*Node) *Node {
		// Input dilation 2 (a stride-2 transposed convolution).
		return conv(x[0], x[1], nhwc, []int{1, 1}, [][2]int{{2, 2}, {2, 1}}, []int{2, 2}, []int{1, 1}, 1)
	}},
	{name: "Conv/4x4-stride2-pad1 (DCGAN D)", shapes: [][]int{{1, 6, 6, 2}, {4, 4, 2, 2}}, fn: func(x []*Node) *Node {
		return conv(x[0], x[1], nhwc, []int{2, 2}, [][2]int{{1, 1}, {1, 1}}, nil, []int{1, 1}, 1)
	}},
	{name: "Conv/transposed-4x4-stride2 (DCGAN G)", shapes: [][]int{{1, 3, 3, 2}, {4, 4, 2, 2}}, fn: func(x []*Node) *Node {
		return conv(x[0], x[1], nhwc, []int{1, 1}, [][2]int{{2, 2}, {2, 2}}, []int{2, 2}, []int{1, 1}, 1)
	}},
	{name: "Conv/NCHW-even-grouped-dilated", shapes: [][]int{{1, 4, 7, 6}, {6, 2, 2, 2}}, fn: func(x []*Node) *Node {
		return conv(x[0], x[1], nchw, []int{2, 1}, [][2]int{{0, 1}, {2, 0}}, nil, []int{1, 2}, 2)
	}},
	{name: "Conv/1D-dilated-causal (WaveNet)", shapes: [][]int{{2, 8, 2}, {2, 2, 3}}, fn: func(x []*Node) *Node {
		axes := backends.ConvolveAxesConfig{InputBatch: 0, InputChannels: 2, InputSpatial: []int{1},
			KernelInputChannels: 1, KernelOutputChannels: 2, KernelSpatial: []int{0},
			OutputBatch: 0, OutputChannels: 2, OutputSpatial: []int{1}}
		return conv(x[0], x[1], axes, []int{1}, [][2]int{{4, 0}}, nil, []int{4}, 1)
	}},
	{name: "Conv/17x17 same (simplego path)", shapes: [][]int{{1, 17, 17, 1}, {17, 17, 1, 1}}, fn: func(x []*Node) *Node {
		return conv(x[0], x[1], nhwc, []int{1, 1}, [][2]int{{8, 8}, {8, 8}}, nil, []int{1, 1}, 1)
	}},
	{name: "MaxPool", shapes: [][]int{{2, 6, 6, 2}}, fn: func(x []*Node) *Node { return MaxPool(x[0]).Window(2).Done() }},
	{name: "MaxPool/odd-size (cropped tiles)", shapes: [][]int{{1, 7, 5, 2}}, fn: func(x []*Node) *Node { return MaxPool(x[0]).Window(2).Done() }},
	{name: "MaxPool/3x3 tiles", shapes: [][]int{{1, 6, 6, 3}}, fn: func(x []*Node) *Node { return MaxPool(x[0]).Window(3).Done() }},
	{name: "MinPool", shapes: [][]int{{2, 4, 6, 2}}, fn: func(x []*Node) *Node { return MinPool(x[0]).Window(2).Done() }},
	{name: "MinPool/3x3 tiles (cropped)", shapes: [][]int{{1, 7, 6, 2}}, fn: func(x []*Node) *Node { return MinPool(x[0]).Window(3).Done() }},
	{name: "MaxPool/overlap-pad", shapes: [][]int{{1, 7, 7, 2}}, fn: func(x []*Node) *Node {
		return MaxPool(x[0]).Window(3).Strides(2).PadSame().Done()
	}},
	{name: "MeanPool", shapes: [][]int{{2, 6, 6, 2}}, fn: func(x []*Node) *Node { return MeanPool(x[0]).Window(2).Done() }},
	{name: "MeanPool/overlap-pad", shapes: [][]int{{1, 5, 6, 1}}, fn: func(x []*Node) *Node {
		return MeanPool(x[0]).Window(3).Strides(2).PadSame().Done()
	}},
	{name: "BatchNormForTraining", shapes: [][]int{{4, 3, 2}, {2}, {2}}, goFails: true, fn: func(x []*Node) *Node {
		y, _, _ := InternalBatchNormForTraining(x[0], x[1], x[2], 1e-3, -1)
		return y
	}},
	{name: "BatchNormForTraining/mean+var", shapes: [][]int{{4, 3, 2}}, goFails: true, noGrad: "GoMLX VJP: normalized output only", fn: func(x []*Node) *Node {
		g := x[0].Graph()
		ones := OnesLike(Zeros(g, shapes.Make(dtypes.Float64, 3)))
		_, m, v := InternalBatchNormForTraining(x[0], ones, ZerosLike(ones), 1e-3, 1)
		return Concatenate([]*Node{m, v}, 0)
	}},
	{name: "BatchNormForInference", shapes: [][]int{{4, 3}, {3}, {3}, {3}}, goFails: true, noGrad: "no VJP in GoMLX", fn: func(x []*Node) *Node {
		return InternalBatchNormForInference(x[0], x[1], x[2], x[3], Add(Abs(x[3]), Scalar(x[0].Graph(), dtypes.Float64, 1)), 1e-3, 1)
	}},
	{name: "Gather", shapes: [][]int{{5, 3}}, fn: func(x []*Node) *Node {
		idx := Const(x[0].Graph(), [][]int32{{4}, {0}, {2}, {4}})
		return Gather(x[0], idx)
	}},
	{name: "ScatterSum", shapes: [][]int{{4, 3}}, fn: func(x []*Node) *Node {
		idx := Const(x[0].Graph(), [][]int32{{1}, {0}, {1}, {3}})
		return ScatterSum(Zeros(x[0].Graph(), shapes.Make(x[0].DType(), 5, 3)), idx, x[0], false, false)
	}},
	{name: "DynamicSlice", shapes: [][]int{{5, 4}}, goFails: true, fn: func(x []*Node) *Node {
		g := x[0].Graph()
		return DynamicSlice(x[0], []*Node{Const(g, int32(3)), Const(g, int32(1))}, []int{2, 2})
	}},
	{name: "DynamicSlice/clamped", shapes: [][]int{{5, 4}}, goFails: true, noGrad: "same as DynamicSlice", fn: func(x []*Node) *Node {
		g := x[0].Graph()
		return DynamicSlice(x[0], []*Node{Const(g, int32(4)), Const(g, int32(-1))}, []int{2, 3})
	}},
	{name: "DynamicUpdateSlice", shapes: [][]int{{4, 4}, {2, 3}}, goFails: true, fn: func(x []*Node) *Node {
		g := x[0].Graph()
		return DynamicUpdateSlice(x[0], x[1], []*Node{Const(g, int32(3)), Const(g, int32(1))})
	}},
	{name: "Softmax+LogSumExp", shapes: [][]int{{3, 5}}, fn: func(x []*Node) *Node {
		return Add(Softmax(x[0], -1), InsertAxes(Log(ReduceSum(Exp(x[0]), -1)), -1))
	}},
	{name: "RFFT (package helper)", shapes: [][]int{{2, 6}}, fn: func(x []*Node) *Node {
		re, im := backend.RFFT(x[0])
		return Concatenate([]*Node{re, im}, -1)
	}},
	{name: "FFT (complex)", shapes: [][]int{{2, 8}, {2, 8}}, goFails: true, fn: func(x []*Node) *Node {
		return realImag(FFT(Complex(x[0], x[1])))
	}},
	{name: "InverseFFT/n=5 (Bluestein)", shapes: [][]int{{2, 5}, {2, 5}}, goFails: true, fn: func(x []*Node) *Node {
		return realImag(InverseFFT(Complex(x[0], x[1])))
	}},
	{name: "RealFFT", shapes: [][]int{{2, 8}}, goFails: true, fn: func(x []*Node) *Node { return realImag(RealFFT(x[0])) }},
	{name: "RealFFT/n=7", shapes: [][]int{{3, 7}}, goFails: true, fn: func(x []*Node) *Node { return realImag(RealFFT(x[0])) }},
	{name: "InverseRealFFT/n=8", shapes: [][]int{{2, 5}, {2, 5}}, goFails: true, fn: func(x []*Node) *Node {
		return InverseRealFFT(Complex(x[0], x[1]), 8)
	}},
	{name: "InverseRealFFT/n=7", shapes: [][]int{{2, 4}, {2, 4}}, goFails: true, fn: func(x []*Node) *Node {
		return InverseRealFFT(Complex(x[0], x[1]), 7)
	}},
	{name: "FFT/power spectrum |FFT(x)|", shapes: [][]int{{3, 12}}, goFails: true, fn: func(x []*Node) *Node {
		return Abs(FFT(ConvertDType(x[0], complexOf(x[0].DType()))))
	}},
	{name: "Complex/Real/Imag/Conj/Abs/Neg", shapes: [][]int{{3, 4}, {3, 4}}, goFails: true, fn: func(x []*Node) *Node {
		z := Complex(x[0], x[1])
		w := Sub(Conj(Transpose(Reshape(z, 4, 3), 0, 1)), Neg(Slice(Concatenate([]*Node{z, z}, 1), AxisRange(), AxisRange(2, 6))))
		return Concatenate([]*Node{Abs(Add(z, w)), Real(MulScalar(w, 2)), Imag(ReduceSum(Reshape(w, 3, 2, 2), 2))}, 1)
	}},
	{name: "Clamp (graph.Clip)", shapes: [][]int{{3, 4}, {3, 4}, {3, 4}}, fn: func(x []*Node) *Node {
		return Clip(x[0], Min(x[1], x[2]), Max(x[1], x[2]))
	}},
	{name: "Clamp/scalar bounds", shapes: [][]int{{3, 4}}, fn: func(x []*Node) *Node {
		g := x[0].Graph()
		return Clip(x[0], Scalar(g, x[0].DType(), -0.3), Scalar(g, x[0].DType(), 0.4))
	}},
	{name: "RoIAlign/bilinear gather (Mask R-CNN)", shapes: [][]int{{5, 6, 2}, {3, 4}}, fn: roiAlign},
	{name: "CTC/log-space forward, unrolled", shapes: [][]int{{2, 6, 4}}, fn: ctcForward},
	{name: "CumSum", shapes: [][]int{{3, 5}}, fn: func(x []*Node) *Node { return CumSum(x[0], 1) }},
	{name: "Broadcast/bias+ReLU (Sign in the gradient)", shapes: [][]int{{2, 3, 4}, {4}}, fn: func(x []*Node) *Node {
		return activations.Relu(Add(x[0], Reshape(x[1], 1, 1, 4)))
	}},
	{name: "Broadcast/layer-norm rows", shapes: [][]int{{3, 5}}, fn: func(x []*Node) *Node {
		c := Sub(x[0], ReduceAndKeep(x[0], ReduceMean, -1))
		return Div(c, Sqrt(AddScalar(ReduceAndKeep(Square(c), ReduceMean, -1), 1)))
	}},
	{name: "Broadcast/middle axis, scalar left", shapes: [][]int{{2, 3, 4}, {2, 1, 4}}, fn: func(x []*Node) *Node {
		y := Mul(Sub(Scalar(x[0].Graph(), x[0].DType(), 1), x[0]), x[1])
		return Add(Max(y, x[1]), Min(x[1], Div(x[0], AddScalar(Square(x[1]), 1))))
	}},
	{name: "CumSum/long (simplego ReduceWindow)", shapes: [][]int{{2, 40}}, fn: func(x []*Node) *Node { return CumSum(x[0], 1) }},
}

// roiAlign is RoI Align as lesson 08 needs it: features x[0] [H, W, C],
// boxes from x[1] [boxes, 4] (y0, x0, y1, x1, moved inside the map), 2×2
// bins of one bilinear sample at each bin's centre (four Gathers weighted
// by the fractional offsets): [boxes, 2, 2, C]. Gradients reach both the
// features (Gather's ScatterSum) and the box coordinates (the weights).
func roiAlign(x []*Node) *Node {
	feat, raw := x[0], x[1]
	g := feat.Graph()
	h, w := feat.Shape().Dimensions[0], feat.Shape().Dimensions[1]
	nb := raw.Shape().Dimensions[0]
	// Corners inside [0.2, h-1.2] × [0.2, w-1.2], with y1 > y0 and x1 > x0.
	y0 := AddScalar(MulScalar(Slice(raw, AxisRange(), AxisElem(0)), 0.6), 1.3)
	x0 := AddScalar(MulScalar(Slice(raw, AxisRange(), AxisElem(1)), 0.6), 1.3)
	y1 := AddScalar(MulScalar(Slice(raw, AxisRange(), AxisElem(2)), 0.6), float64(h)-2.1)
	x1 := AddScalar(MulScalar(Slice(raw, AxisRange(), AxisElem(3)), 0.6), float64(w)-2.1)
	centres := Const(g, [][]float64{{0.25, 0.75}})                       // bin centres as fractions of the box
	ys := Add(y0, Mul(Sub(y1, y0), ConvertDType(centres, feat.DType()))) // [nb, 2]
	xs := Add(x0, Mul(Sub(x1, x0), ConvertDType(centres, feat.DType())))
	ys = BroadcastToDims(Reshape(ys, nb, 2, 1), nb, 2, 2)
	xs = BroadcastToDims(Reshape(xs, nb, 1, 2), nb, 2, 2)
	fy, fx := Floor(ys), Floor(xs)
	wy, wx := Sub(ys, fy), Sub(xs, fx)
	idx := func(dy, dx float64) *Node {
		iy := ConvertDType(ClipScalar(AddScalar(fy, dy), 0, float64(h-1)), dtypes.Int32)
		ix := ConvertDType(ClipScalar(AddScalar(fx, dx), 0, float64(w-1)), dtypes.Int32)
		return Stack([]*Node{iy, ix}, -1) // [nb, 2, 2, 2]
	}
	at := func(dy, dx float64) *Node { return Gather(feat, idx(dy, dx)) } // [nb, 2, 2, C]
	weight := func(a, b *Node) *Node { return InsertAxes(Mul(a, b), -1) }
	one := ScalarOne(g, feat.DType())
	out := Mul(at(0, 0), weight(Sub(one, wy), Sub(one, wx)))
	out = Add(out, Mul(at(0, 1), weight(Sub(one, wy), wx)))
	out = Add(out, Mul(at(1, 0), weight(wy, Sub(one, wx))))
	return Add(out, Mul(at(1, 1), weight(wy, wx)))
}

// ctcForward is CTC's forward recursion in log space, unrolled over time,
// as lesson 14 needs it: logits x[0] [batch, T, classes] (class 0 the
// blank), the label sequence (1, 2, 2) extended with blanks to length 7;
// it returns the negative log-likelihood per sequence [batch]. Shifts are
// Concatenates with a −1e30 column (a finite "−∞", so gradients stay
// finite), the skip over a blank is masked where the labels repeat.
func ctcForward(x []*Node) *Node {
	logits := x[0]
	g := logits.Graph()
	dt := logits.DType()
	batch, steps := logits.Shape().Dimensions[0], logits.Shape().Dimensions[1]
	ext := []int32{0, 1, 0, 2, 0, 2, 0}
	s := len(ext)
	logp := LogSoftmax(logits, -1)
	// lp[b, t, j] = logp[b, t, ext[j]].
	lp := Gather(TransposeAllAxes(logp, 2, 0, 1), Const(g, [][]int32{{0}, {1}, {0}, {2}, {0}, {2}, {0}})) // [s, batch, T]
	lp = TransposeAllAxes(lp, 1, 2, 0)                                                                    // [batch, T, s]
	skip := make([]float64, s)                                                                            // 0 where s-2 → s is allowed, −1e30 otherwise
	for j := range skip {
		if j < 2 || ext[j] == 0 || ext[j] == ext[j-2] {
			skip[j] = -1e30
		}
	}
	skipMask := ConvertDType(Const(g, [][]float64{skip}), dt)
	negInf := func(width int) *Node { return BroadcastToDims(Scalar(g, dt, -1e30), batch, width) }
	shift := func(a *Node, k int) *Node { // a[:, j-k], −1e30 for j < k
		return Concatenate([]*Node{negInf(k), Slice(a, AxisRange(), AxisRange(0, s-k))}, 1)
	}
	at := func(t int) *Node { return Reshape(Slice(lp, AxisRange(), AxisElem(t), AxisRange()), batch, s) }
	init := make([]float64, s)
	for j := range init {
		if j > 1 {
			init[j] = -1e30
		}
	}
	alpha := Add(at(0), ConvertDType(Const(g, [][]float64{init}), dt))
	for t := 1; t < steps; t++ {
		a, b, c := alpha, shift(alpha, 1), Add(shift(alpha, 2), skipMask)
		m := Max(Max(a, b), c)
		sum := Add(Add(Exp(Sub(a, m)), Exp(Sub(b, m))), Exp(Sub(c, m)))
		alpha = Add(Add(m, Log(sum)), at(t))
	}
	last := Slice(alpha, AxisRange(), AxisRange(s-2, s)) // end in the last label or the final blank
	m := ReduceAndKeep(last, ReduceMax, 1)
	return Neg(Add(Reshape(m, batch), Log(ReduceSum(Exp(Sub(last, m)), 1))))
}

// realImag concatenates the real and imaginary parts of a complex node along its last axis.
func realImag(z *Node) *Node { return Concatenate([]*Node{Real(z), Imag(z)}, -1) }

// complexOf is the complex dtype with parts of float dtype f.
func complexOf(f dtypes.DType) dtypes.DType {
	if f == dtypes.Float32 {
		return dtypes.Complex64
	}
	return dtypes.Complex128
}

// randInputs returns deterministic float64 inputs with distinct values (no ties for max).
func randInputs(seed uint64, dims [][]int) [][]float64 {
	rng := rand.New(rand.NewPCG(seed, 7))
	out := make([][]float64, len(dims))
	for i, d := range dims {
		n := 1
		for _, v := range d {
			n *= v
		}
		out[i] = make([]float64, n)
		for j := range out[i] {
			out[i][j] = 2*rng.Float64() - 1 + 1e-3*float64(j%7)
		}
	}
	return out
}

func toTensors(vals [][]float64, dims [][]int) []any {
	out := make([]any, len(vals))
	for i := range vals {
		out[i] = tensors.FromFlatDataAndDimensions(vals[i], dims[i]...)
	}
	return out
}

// weighted returns Σ y·w with fixed weights w, so every output element
// contributes differently to the checked gradient.
func weighted(y *Node) *Node {
	g := y.Graph()
	w := Cos(AddScalar(MulScalar(IotaFull(g, shapes.Make(y.DType(), y.Shape().Dimensions...)), 0.73), 0.3))
	return ReduceAllSum(Mul(ConvertDType(y, w.DType()), w))
}

func flat(t *tensors.Tensor) []float64 {
	if t.DType() != dtypes.Float64 {
		return nil
	}
	return tensors.MustCopyFlatData[float64](t)
}

func closeEnough(a, b, tol float64) bool {
	return math.Abs(a-b) <= tol*(1+math.Abs(b))
}

// TestOpCoverage is the op coverage table: for each op, the forward result on
// "dl4go" is compared with plain simplego ("go") where that runs it, and the
// gradient from GoMLX autodiff on "dl4go" with a central finite difference.
func TestOpCoverage(t *testing.T) {
	dl, sg := newBackend(t, "dl4go"), newBackend(t, "go")
	var table strings.Builder
	fmt.Fprintf(&table, "%-40s %-9s %s\n", "op", "vs go", "gradient")
	for ci, c := range opCases {
		t.Run(c.name, func(t *testing.T) {
			vals := randInputs(uint64(ci+1), c.shapes)
			y, err := ExecOnce(dl, func(x []*Node) *Node { return c.fn(x) }, toTensors(vals, c.shapes)...)
			if err != nil {
				t.Fatalf("forward: %v", err)
			}
			vsGo, gradRes := "n/a", "n/a"
			// Forward vs plain simplego.
			if !c.goFails {
				want, err := ExecOnce(sg, func(x []*Node) *Node { return c.fn(x) }, toTensors(vals, c.shapes)...)
				if err != nil {
					t.Fatalf("plain simplego failed (set goFails?): %v", err)
				}
				if !y.Shape().Equal(want.Shape()) {
					t.Fatalf("shape %s, simplego %s", y.Shape(), want.Shape())
				}
				got, exp := flat(y), flat(want)
				for i := range exp {
					if !closeEnough(got[i], exp[i], 1e-9) {
						t.Fatalf("forward[%d] = %g, simplego %g", i, got[i], exp[i])
					}
				}
				vsGo = "equal"
			} else if _, err := ExecOnce(sg, func(x []*Node) *Node { return c.fn(x) }, toTensors(vals, c.shapes)...); err == nil {
				vsGo = "go runs"
			} else {
				vsGo = "go fails"
			}
			if c.noGrad != "" {
				gradRes = c.noGrad
			} else {
				lossExec := MustNewExec(dl, func(x []*Node) *Node { return weighted(c.fn(x)) })
				gradExec := MustNewExec(dl, func(x []*Node) []*Node { return Gradient(weighted(c.fn(x)), x...) })
				grads, err := gradExec.Exec(toTensors(vals, c.shapes)...)
				if err != nil {
					t.Fatalf("gradient: %v", err)
				}
				const h = 1e-6
				for i := range vals {
					g := flat(grads[i])
					// Check at most ~64 elements per input (all of them for small inputs).
					for j := 0; j < len(vals[i]); j += max(1, len(vals[i])/64) {
						orig := vals[i][j]
						vals[i][j] = orig + h
						up := tensors.ToScalar[float64](lossExec.MustExec(toTensors(vals, c.shapes)...)[0])
						vals[i][j] = orig - h
						down := tensors.ToScalar[float64](lossExec.MustExec(toTensors(vals, c.shapes)...)[0])
						vals[i][j] = orig
						num := (up - down) / (2 * h)
						if !closeEnough(g[j], num, 1e-5) {
							t.Fatalf("gradient of input %d [%d] = %.8g, numeric %.8g", i, j, g[j], num)
						}
					}
				}
				gradRes = "numeric ok"
			}
			fmt.Fprintf(&table, "%-40s %-9s %s\n", c.name, vsGo, gradRes)
		})
	}
	t.Logf("op coverage on dl4go:\n%s", table.String())
}

// TestRewriteMatchesUnrewritten compares GoMLX autodiff gradients of matmul
// graphs on "dl4go" with the same graphs on "dl4go:norewrite" (GoMLX's
// broadcast-multiply-reduce gradient executed as emitted).
func TestRewriteMatchesUnrewritten(t *testing.T) {
	dl, plain := newBackend(t, "dl4go"), newBackend(t, "dl4go:norewrite")
	dims := [][]int{{3, 4, 6}, {6, 5}, {3, 7, 6}}
	fn := func(x []*Node) []*Node {
		h := Tanh(Einsum("bsd,de->bse", x[0], x[1]))     // dense layer
		k := Einsum("btd,de->bte", x[2], x[1])           // shared weights
		att := Softmax(Einsum("bse,bte->bst", h, k), -1) // attention scores
		y := Einsum("bst,bte->bse", att, k)
		return Gradient(weighted(y), x...)
	}
	vals := randInputs(99, dims)
	got := MustNewExec(dl, fn).MustExec(toTensors(vals, dims)...)
	want := MustNewExec(plain, fn).MustExec(toTensors(vals, dims)...)
	for i := range want {
		g, w := flat(got[i]), flat(want[i])
		for j := range w {
			if !closeEnough(g[j], w[j], 1e-12) {
				t.Fatalf("gradient %d [%d]: rewritten %.15g, unrewritten %.15g", i, j, g[j], w[j])
			}
		}
	}
}

// TestKernelMatchesSimplego runs every op of the coverage table in float32,
// forward and gradient, with every product and convolution on the SIMD
// kernel ("dl4go:kernelall") and with none ("dl4go:nokernel": simplego's
// DotGeneral and the im2col convolution), and compares the results.
func TestKernelMatchesSimplego(t *testing.T) {
	kern, plain := newBackend(t, "dl4go:kernelall"), newBackend(t, "dl4go:nokernel")
	for ci, c := range opCases {
		if c.noGrad != "" {
			continue
		}
		t.Run(c.name, func(t *testing.T) {
			fn := func(x []*Node) []*Node {
				x32 := make([]*Node, len(x))
				for i := range x {
					x32[i] = ConvertDType(x[i], dtypes.Float32)
				}
				y := c.fn(x32)
				return append([]*Node{ConvertDType(y, dtypes.Float64)}, Gradient(weighted(y), x...)...)
			}
			vals := randInputs(uint64(ci+100), c.shapes)
			got, err := MustNewExec(kern, fn).Exec(toTensors(vals, c.shapes)...)
			if err != nil {
				t.Fatalf("kernel: %v", err)
			}
			want, err := MustNewExec(plain, fn).Exec(toTensors(vals, c.shapes)...)
			if err != nil {
				t.Fatalf("no kernel: %v", err)
			}
			for i := range want {
				g, w := flat(got[i]), flat(want[i])
				for j := range w {
					if !closeEnough(g[j], w[j], 2e-4) {
						t.Fatalf("output %d [%d]: kernel %g, no kernel %g", i, j, g[j], w[j])
					}
				}
			}
		})
	}
}
