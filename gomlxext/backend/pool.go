package backend

import (
	"fmt"
	"math"
	"slices"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
)

// SelectAndScatterMax implements backends.Builder: the gradient of max
// pooling. Each source value goes to the first maximum of its window.
func (b *Builder) SelectAndScatterMax(operand, source backends.Op, windowDimensions, windowStrides []int, paddings [][2]int) (backends.Op, error) {
	return b.selectAndScatter(operand, source, windowDimensions, windowStrides, paddings, false)
}

// SelectAndScatterMin implements backends.Builder: the gradient of min
// pooling. Each source value goes to the first minimum of its window.
func (b *Builder) SelectAndScatterMin(operand, source backends.Op, windowDimensions, windowStrides []int, paddings [][2]int) (backends.Op, error) {
	return b.selectAndScatter(operand, source, windowDimensions, windowStrides, paddings, true)
}

// selectAndScatter builds, for the K positions of a window, K strided slices
// of the (padded) operand, takes the first arg-max over them, and places the
// selected source values back with K interior-padded Pads that are summed.
func (b *Builder) selectAndScatter(operand, source backends.Op, win, strides []int, paddings [][2]int, isMin bool) (backends.Op, error) {
	xs, ss := b.shape(operand), b.shape(source)
	r := xs.Rank()
	if len(win) != r || ss.Rank() != r {
		return nil, fmt.Errorf("dl4go backend SelectAndScatter: operand %s, source %s, window %v", xs, ss, win)
	}
	if tiled(win, strides, nil, nil, paddings) {
		if out, ok, err := b.selectAndScatterKernel(operand, source, win, isMin); ok || err != nil {
			return out, err
		}
	}
	strides = onesIfNil(strides, r)
	if len(paddings) == 0 {
		paddings = make([][2]int, r)
	}
	e := &errs{}
	// Pad the operand with -inf (+inf for min) so padding is never selected.
	x := operand
	pads := make([]backends.PadAxis, r)
	needPad := false
	for i := range r {
		pads[i] = backends.PadAxis{Start: paddings[i][0], End: paddings[i][1]}
		needPad = needPad || pads[i] != (backends.PadAxis{})
	}
	if needPad {
		fillV := math.Inf(-1)
		if isMin {
			fillV = math.Inf(1)
		}
		if !xs.DType.IsFloat() {
			fillV = -math.MaxInt32
			if isMin {
				fillV = math.MaxInt32
			}
		}
		fill := e.op(b.scalar(xs.DType, fillV))
		if e.err == nil {
			x = e.op(b.Pad(x, fill, pads...))
		}
	}
	if e.err != nil {
		return nil, e.wrap("SelectAndScatter pad")
	}
	pDims := b.shape(x).Dimensions
	K := prod(win)
	// Window slices, stacked on a new leading axis: [K, source...].
	parts := make([]backends.Op, 0, K)
	offsets := make([][]int, 0, K)
	pos := make([]int, r)
	stackDims := append([]int{1}, ss.Dimensions...)
	for range K {
		starts, limits := slices.Clone(pos), make([]int, r)
		for i := range r {
			limits[i] = starts[i] + (ss.Dimensions[i]-1)*strides[i] + 1
			if limits[i] > pDims[i] {
				return nil, fmt.Errorf("dl4go backend SelectAndScatter: window %v stride %v does not fit padded operand %v for source %v",
					win, strides, pDims, ss.Dimensions)
			}
		}
		s := e.op(b.Slice(x, starts, limits, strides))
		parts = append(parts, e.op(b.Builder.Reshape(s, stackDims...)))
		offsets = append(offsets, slices.Clone(pos))
		next(pos, win)
	}
	if e.err != nil {
		return nil, e.wrap("SelectAndScatter windows")
	}
	var stack backends.Op
	if K == 1 {
		stack = parts[0]
	} else {
		stack = e.op(b.Builder.Concatenate(0, parts...))
	}
	arg := e.op(b.Builder.ArgMinMax(stack, 0, dtypes.Int32, isMin)) // [source...]
	zero := e.op(b.scalar(ss.DType, 0))
	if e.err != nil {
		return nil, e.wrap("SelectAndScatter argmax")
	}
	tiled := !needPad
	for i := range r {
		tiled = tiled && strides[i] == win[i]
	}
	var sum backends.Op
	var picked []backends.Op
	for k := range K {
		kc := e.op(b.scalar(dtypes.Int32, float64(k)))
		if e.err != nil {
			break
		}
		sel := e.op(b.Builder.Equal(arg, kc))
		v := e.op(b.Builder.Where(sel, source, zero))
		if tiled {
			picked = append(picked, v)
			continue
		}
		// Place v[i] at offsets[k] + i*strides in the padded operand.
		pp := make([]backends.PadAxis, r)
		for i := range r {
			last := offsets[k][i] + (ss.Dimensions[i]-1)*strides[i]
			pp[i] = backends.PadAxis{Start: offsets[k][i], End: pDims[i] - 1 - last, Interior: strides[i] - 1}
		}
		if e.err != nil {
			break
		}
		placed := e.op(b.Pad(v, zero, pp...))
		if sum == nil {
			sum = placed
		} else {
			sum = e.op(b.Builder.Add(sum, placed))
		}
	}
	if tiled && e.err == nil {
		// Windows tile the operand: interleave the picked values with
		// Concatenate instead of summing K interior-padded copies.
		sum = b.interleave(e, picked, win, ss.Dimensions, xs.Dimensions, zero)
	}
	if e.err != nil {
		return nil, e.wrap("SelectAndScatter scatter")
	}
	if needPad {
		crop := make([]backends.PadAxis, r)
		for i := range r {
			crop[i] = backends.PadAxis{Start: -paddings[i][0], End: -paddings[i][1]}
		}
		sum = e.op(b.Pad(sum, zero, crop...))
	}
	return sum, e.wrap("SelectAndScatter crop")
}

// ReduceWindow implements backends.Builder with K strided slices of the
// (dilated, padded) operand combined elementwise, one per window position;
// simplego's own ReduceWindow iterates index by index and is much slower.
// Nil strides mean the window size; nil dilations 1; nil paddings 0.
func (b *Builder) ReduceWindow(x backends.Op, reductionType backends.ReduceOpType,
	windowDimensions, strides, baseDilations, windowDilations []int, paddings [][2]int) (backends.Op, error) {
	xs := b.shape(x)
	r := xs.Rank()
	if len(windowDimensions) != r {
		return nil, fmt.Errorf("dl4go backend ReduceWindow: window %v for operand %s", windowDimensions, xs)
	}
	if len(strides) == 0 {
		strides = slices.Clone(windowDimensions)
	}
	strides = onesIfNil(strides, r)
	baseDilations = onesIfNil(baseDilations, r)
	windowDilations = onesIfNil(windowDilations, r)
	if len(paddings) == 0 {
		paddings = make([][2]int, r)
	}
	if tiled(windowDimensions, strides, baseDilations, windowDilations, paddings) {
		if out, ok, err := b.poolKernel(x, reductionType, windowDimensions); ok || err != nil {
			return out, err
		}
	}
	if prod(windowDimensions) > maxSlicedWindow {
		// Large windows (CumSum is a sum pool over the whole axis) would
		// need one slice per window position: use simplego's loop.
		return b.Builder.ReduceWindow(x, reductionType, windowDimensions, strides, baseDilations, windowDilations, paddings)
	}
	var init float64
	var combine func(a, c backends.Op) (backends.Op, error)
	switch reductionType {
	case backends.ReduceOpSum:
		init, combine = 0, b.Builder.Add
	case backends.ReduceOpProduct:
		init, combine = 1, b.Builder.Mul
	case backends.ReduceOpMax:
		init, combine = math.Inf(-1), b.Builder.Max
		if !xs.DType.IsFloat() {
			init = lowest(xs.DType)
		}
	case backends.ReduceOpMin:
		init, combine = math.Inf(1), b.Builder.Min
		if !xs.DType.IsFloat() {
			init = highest(xs.DType)
		}
	default:
		return b.Builder.ReduceWindow(x, reductionType, windowDimensions, strides, baseDilations, windowDilations, paddings)
	}
	e := &errs{}
	pads := make([]backends.PadAxis, r)
	needPad := false
	for i := range r {
		pads[i] = backends.PadAxis{Start: paddings[i][0], End: paddings[i][1], Interior: baseDilations[i] - 1}
		needPad = needPad || pads[i] != (backends.PadAxis{})
	}
	if needPad {
		fill := e.op(b.scalar(xs.DType, init))
		if e.err == nil {
			x = e.op(b.Pad(x, fill, pads...))
		}
	}
	if e.err != nil {
		return nil, e.wrap("ReduceWindow pad")
	}
	pDims := b.shape(x).Dimensions
	oDims := make([]int, r)
	for i := range r {
		ew := (windowDimensions[i]-1)*windowDilations[i] + 1
		oDims[i] = (pDims[i]-ew)/strides[i] + 1
		if pDims[i] < ew {
			oDims[i] = 0
		}
	}
	var acc backends.Op
	pos := make([]int, r)
	for range prod(windowDimensions) {
		starts, limits := make([]int, r), make([]int, r)
		for i := range r {
			starts[i] = pos[i] * windowDilations[i]
			limits[i] = starts[i] + max(oDims[i]-1, 0)*strides[i] + 1
			if oDims[i] == 0 {
				limits[i] = starts[i]
			}
		}
		s := e.op(b.Slice(x, starts, limits, strides))
		if acc == nil {
			acc = s
		} else if e.err == nil {
			acc = e.op(combine(acc, s))
		}
		next(pos, windowDimensions)
	}
	return acc, e.wrap(fmt.Sprintf("ReduceWindow(%s, window %v)", xs, windowDimensions))
}

// maxSlicedWindow is the largest window (in elements) ReduceWindow builds
// from strided slices; larger ones use simplego's implementation.
const maxSlicedWindow = 27

// lowest returns a very negative value representable in an integer dtype.
func lowest(dtype dtypes.DType) float64 {
	switch dtype {
	case dtypes.Int8:
		return math.MinInt8
	case dtypes.Int16:
		return math.MinInt16
	case dtypes.Uint8, dtypes.Uint16, dtypes.Uint32, dtypes.Uint64:
		return 0
	}
	return math.MinInt32
}

// highest returns a large value representable in an integer dtype.
func highest(dtype dtypes.DType) float64 {
	switch dtype {
	case dtypes.Int8:
		return math.MaxInt8
	case dtypes.Int16:
		return math.MaxInt16
	case dtypes.Uint8:
		return math.MaxUint8
	case dtypes.Uint16:
		return math.MaxUint16
	}
	return math.MaxInt32
}

// interleave builds out[o·w + p] = vs[p][o] for window positions p
// (row-major over win) and window indices o [oDims], then pads the end with
// zero up to dims.
func (b *Builder) interleave(e *errs, vs []backends.Op, win, oDims, dims []int, zero backends.Op) backends.Op {
	r := len(win)
	split := make([]int, 0, 2*r)
	for i := range r {
		split = append(split, oDims[i], 1)
	}
	list := make([]backends.Op, len(vs))
	for i, v := range vs {
		list[i] = e.op(b.Builder.Reshape(v, split...))
	}
	for a := r - 1; a >= 0; a-- {
		if win[a] == 1 {
			continue
		}
		var next []backends.Op
		for g := 0; g < len(list); g += win[a] {
			next = append(next, e.op(b.Builder.Concatenate(2*a+1, list[g:g+win[a]]...)))
		}
		list = next
	}
	covered := make([]int, r)
	pads := make([]backends.PadAxis, r)
	needPad := false
	for i := range r {
		covered[i] = oDims[i] * win[i]
		pads[i].End = dims[i] - covered[i]
		needPad = needPad || pads[i].End != 0
	}
	if e.err != nil {
		return nil
	}
	out := e.op(b.Builder.Reshape(list[0], covered...))
	if needPad && e.err == nil {
		out = e.op(b.Pad(out, zero, pads...))
	}
	return out
}
