package backend

import (
	"slices"
	"sort"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/shapes"
)

// view says how the axes of an op relate to the axes of a source op whose
// values it only rearranges: axes[i] is the source axis that axis i of the
// op runs along, or -1 when the op does not vary along axis i (a broadcast
// or a size-1 axis). Every source axis of size > 1 appears exactly once.
type view struct {
	src   backends.Op
	dims  []int // source dimensions
	axes  []int
	valid bool
}

// viewOf returns the recorded view of op, or the identity view.
func (b *Builder) viewOf(op backends.Op) view {
	if v, ok := b.views[op]; ok {
		return v
	}
	s := b.shape(op)
	v := view{src: op, dims: slices.Clone(s.Dimensions), axes: make([]int, s.Rank()), valid: true}
	for i, d := range s.Dimensions {
		v.axes[i] = i
		if d == 1 {
			v.axes[i] = -1
		}
	}
	return v
}

// Reshape implements backends.Builder, recording a view when the reshape
// only inserts or removes axes of size 1.
func (b *Builder) Reshape(x backends.Op, dims ...int) (backends.Op, error) {
	if c, ok := cplx(x); ok {
		return b.parts("Reshape", c, func(p backends.Op) (backends.Op, error) { return b.Reshape(p, dims...) })
	}
	out, err := b.Builder.Reshape(x, dims...)
	if err != nil || b.views == nil {
		return out, err
	}
	xv := b.viewOf(x)
	inDims := b.shape(x).Dimensions
	var nonOne []int // source axis for each non-1 input axis, in order
	for i, d := range inDims {
		if d != 1 {
			nonOne = append(nonOne, xv.axes[i])
		}
	}
	v := view{src: xv.src, dims: xv.dims, axes: make([]int, len(dims)), valid: true}
	j := 0
	for i, d := range dims {
		if d == 1 {
			v.axes[i] = -1
			continue
		}
		if j >= len(nonOne) {
			return out, nil
		}
		// The j-th non-1 input axis must have the same size.
		v.axes[i] = nonOne[j]
		j++
	}
	// Check sizes of non-1 axes match in order.
	var a, c []int
	for _, d := range inDims {
		if d != 1 {
			a = append(a, d)
		}
	}
	for _, d := range dims {
		if d != 1 {
			c = append(c, d)
		}
	}
	if slices.Equal(a, c) {
		b.views[out] = v
	}
	return out, nil
}

// Transpose implements backends.Builder, recording a view.
// A permutation that keeps the order of the axes larger than 1 (the
// identity, or one that only moves axes of size 1) moves no data: it becomes
// a Reshape, which simplego runs as a copy or not at all, instead of an
// element-by-element transpose.
func (b *Builder) Transpose(x backends.Op, permutation ...int) (backends.Op, error) {
	if c, ok := cplx(x); ok {
		return b.parts("Transpose", c, func(p backends.Op) (backends.Op, error) { return b.Transpose(p, permutation...) })
	}
	var out backends.Op
	var err error
	var ok bool
	if dims, only := b.reshapeOnly(x, permutation); only && b.rewrite {
		out, err = b.Builder.Reshape(x, dims...)
	} else if out, ok, err = b.transposeKernel(x, permutation); !ok && err == nil {
		out, err = b.Builder.Transpose(x, permutation...)
	}
	if err != nil || b.views == nil {
		return out, err
	}
	xv := b.viewOf(x)
	v := view{src: xv.src, dims: xv.dims, axes: make([]int, len(permutation)), valid: true}
	for i, p := range permutation {
		v.axes[i] = xv.axes[p]
	}
	b.views[out] = v
	return out, nil
}

// reshapeOnly reports whether transposing x by permutation keeps the order
// of its axes larger than 1, and returns the transposed dimensions.
func (b *Builder) reshapeOnly(x backends.Op, permutation []int) ([]int, bool) {
	xs, err := b.Builder.OpShape(x)
	if err != nil || len(permutation) != xs.Rank() {
		return nil, false // simplego reports the error
	}
	dims := make([]int, len(permutation))
	last := -1
	for i, p := range permutation {
		if p < 0 || p >= xs.Rank() {
			return nil, false
		}
		dims[i] = xs.Dimensions[p]
		if dims[i] == 1 {
			continue
		}
		if p < last {
			return nil, false
		}
		last = p
	}
	return dims, true
}

// BroadcastInDim implements backends.Builder, recording a view.
func (b *Builder) BroadcastInDim(x backends.Op, outputShape shapes.Shape, broadcastAxes []int) (backends.Op, error) {
	if c, ok := cplx(x); ok {
		part := shapes.Make(partDType(outputShape.DType), outputShape.Dimensions...)
		return b.parts("BroadcastInDim", c, func(p backends.Op) (backends.Op, error) { return b.BroadcastInDim(p, part, broadcastAxes) })
	}
	out, ok, err := b.broadcastInDimKernel(x, outputShape, broadcastAxes)
	if !ok && err == nil {
		out, err = b.Builder.BroadcastInDim(x, outputShape, broadcastAxes)
	}
	if err == nil && b.scalars != nil && b.shape(x).IsScalar() {
		b.scalars[out] = x
	}
	if err == nil && b.bcasts != nil {
		if bc, ok := newBlockBroadcast(x, b.shape(x), outputShape, broadcastAxes); ok {
			b.bcasts[out] = bc
		}
	}
	if err != nil || b.views == nil {
		return out, err
	}
	xv := b.viewOf(x)
	inDims := b.shape(x).Dimensions
	v := view{src: xv.src, dims: xv.dims, axes: make([]int, outputShape.Rank()), valid: true}
	for i := range v.axes {
		v.axes[i] = -1
	}
	for i, a := range broadcastAxes {
		if inDims[i] == outputShape.Dimensions[a] {
			v.axes[a] = xv.axes[i]
		}
	}
	b.views[out] = v
	return out, nil
}

// Mul implements backends.Builder, recording the operands' views.
func (b *Builder) Mul(lhs, rhs backends.Op) (backends.Op, error) {
	out, err := b.binary(fnMul, lhs, rhs, b.Builder.Mul)
	if err != nil || b.products == nil {
		return out, err
	}
	os := b.shape(out)
	if !os.DType.IsFloat() {
		return out, nil
	}
	ls, rs := b.shape(lhs), b.shape(rhs)
	if ls.Rank() != os.Rank() || rs.Rank() != os.Rank() {
		return out, nil
	}
	lv, rv := b.viewOf(lhs), b.viewOf(rhs)
	// Implicit broadcasting of size-1 axes by Mul itself.
	for i, d := range os.Dimensions {
		if ls.Dimensions[i] != d {
			lv.axes = slices.Clone(lv.axes)
			lv.axes[i] = -1
		}
		if rs.Dimensions[i] != d {
			rv.axes = slices.Clone(rv.axes)
			rv.axes[i] = -1
		}
	}
	b.products[out] = [2]view{lv, rv}
	return out, nil
}

// ReduceSum implements backends.Builder. When x is a Mul of two views that
// materialises an outer product and the reduction contracts an axis both
// operands vary along, it emits a DotGeneral of the views' sources instead.
func (b *Builder) ReduceSum(x backends.Op, axes ...int) (backends.Op, error) {
	if c, ok := cplx(x); ok {
		return b.parts("ReduceSum", c, func(p backends.Op) (backends.Op, error) { return b.ReduceSum(p, axes...) })
	}
	if b.rewrite && b.products != nil {
		if p, ok := b.products[x]; ok {
			out, ok, err := b.contraction(x, p[0], p[1], axes)
			if err != nil {
				return nil, err
			}
			if ok {
				b.rewrites++
				return out, nil
			}
		}
	}
	if out, ok, err := b.reduceSumKernel(x, axes); ok || err != nil {
		return out, err
	}
	return b.Builder.ReduceSum(x, axes...)
}

// kernelReduction tells whether x reduced over axes is a float32 reduction for a Go kernel
// (large enough, at least 8 values reduced into each output) and splits x's axes into the
// reduced and the kept ones.
func (b *Builder) kernelReduction(x backends.Op, axes []int) (st *staged, xs shapes.Shape, reduced []bool, kept, red, keptDims []int, ok bool) {
	st, ok = b.Builder.(*staged)
	if !ok || !st.kernel {
		return nil, xs, nil, nil, nil, nil, false
	}
	xs = b.shape(x)
	if xs.DType != dtypes.Float32 || xs.Size() < max(min(minElementwise, st.minMACs), 1) || xs.Rank() == 0 {
		return nil, xs, nil, nil, nil, nil, false
	}
	if len(axes) == 0 {
		axes = axesUpTo(xs.Rank())
	}
	reduced = make([]bool, xs.Rank())
	for _, a := range axes {
		if a < 0 || a >= xs.Rank() {
			return nil, xs, nil, nil, nil, nil, false
		}
		reduced[a] = true
	}
	K := 1
	for a := range xs.Rank() {
		if reduced[a] {
			red = append(red, a)
			K *= xs.Dimensions[a]
		} else {
			kept = append(kept, a)
			keptDims = append(keptDims, xs.Dimensions[a])
		}
	}
	if K < 2 {
		return nil, xs, nil, nil, nil, nil, false
	}
	return st, xs, reduced, kept, red, keptDims, true
}

// ReduceMax implements backends.Builder: a large float32 x reduced over adjacent axes (once
// axes of size 1 are dropped) runs on reduceMaxMKN, with simplego's results bit for bit;
// simplego's ReduceMax walks an index iterator per element (a tenth of a BERT step).
func (b *Builder) ReduceMax(x backends.Op, axes ...int) (backends.Op, error) {
	if st, xs, reduced, _, _, keptDims, ok := b.kernelReduction(x, axes); ok {
		if m, k, n, ok := mkn(xs.Dimensions, reduced); ok {
			outs, err := st.customOp("reduce_max", []*handle{x.(*handle)}, []shapes.Shape{shapes.Make(dtypes.Float32, keptDims...)}, false,
				func(in, out [][]float32) { reduceMaxMKN(in[0], out[0], m, k, n) })
			if err != nil {
				return nil, err
			}
			return outs[0], nil
		}
	}
	return b.Builder.ReduceMax(x, axes...)
}

// reduceSumKernel sums a large float32 x over axes in a Go kernel: adjacent
// reduced axes with reduceKernel, others on the SIMD kernel, as
// out[kept] = ones[reduced] · x[reduced, kept] (read in x's own layout);
// simplego's ReduceSum walks an index iterator per element.
func (b *Builder) reduceSumKernel(x backends.Op, axes []int) (backends.Op, bool, error) {
	st, xs, reduced, kept, red, keptDims, ok := b.kernelReduction(x, axes)
	if !ok {
		return nil, false, nil
	}
	K := 1
	for _, a := range red {
		K *= xs.Dimensions[a]
	}
	if out, ok, err := b.reduceKernel(st, x, xs, reduced, keptDims); ok || err != nil {
		return out, ok, err
	}
	if K < 8 {
		return nil, false, nil // too short a contraction for the matrix kernel
	}
	onesFlat := make([]float32, K)
	for i := range onesFlat {
		onesFlat[i] = 1
	}
	ones, err := b.Builder.Constant(onesFlat, K)
	if err != nil {
		return nil, false, err
	}
	l := dotLayout{batch: []int{0}, cross: []int{0}, contract: axisOffsets([]int{K}, []int{0})}
	r := dotLayout{batch: []int{0}, cross: axisOffsets(xs.Dimensions, kept), contract: axisOffsets(xs.Dimensions, red)}
	out, err := st.kernelDot(ones.(*handle), x.(*handle), l, r) // [1, 1, kept]
	if err != nil {
		return nil, false, err
	}
	res, err := b.Builder.Reshape(out, keptDims...)
	return res, err == nil, err
}

func prod(dims []int) int {
	n := 1
	for _, d := range dims {
		n *= d
	}
	return n
}

// contraction tries to build ReduceSum(Mul(l, r), axes) as a DotGeneral.
func (b *Builder) contraction(x backends.Op, l, r view, axes []int) (backends.Op, bool, error) {
	xs := b.shape(x)
	rank := xs.Rank()
	if len(axes) == 0 {
		axes = axesUpTo(rank)
	}
	if prod(l.dims) >= xs.Size() && prod(r.dims) >= xs.Size() {
		return nil, false, nil // No outer product materialised: nothing to gain.
	}
	reduced := make([]bool, rank)
	for _, a := range axes {
		if a < 0 || a >= rank {
			return nil, false, nil
		}
		reduced[a] = true
	}
	var lContract, rContract, lBatch, rBatch, batchM []int
	var lPre, rPre []int // source axes summed before the product
	lCrossM := map[int]int{}
	rCrossM := map[int]int{}
	for m, d := range xs.Dimensions {
		if d == 1 {
			continue
		}
		la, ra := l.axes[m], r.axes[m]
		switch {
		case la >= 0 && ra >= 0:
			if reduced[m] {
				lContract, rContract = append(lContract, la), append(rContract, ra)
			} else {
				lBatch, rBatch, batchM = append(lBatch, la), append(rBatch, ra), append(batchM, m)
			}
		case la >= 0:
			if reduced[m] {
				lPre = append(lPre, la)
			} else {
				lCrossM[la] = m
			}
		case ra >= 0:
			if reduced[m] {
				rPre = append(rPre, ra)
			} else {
				rCrossM[ra] = m
			}
		default:
			return nil, false, nil // Both broadcast along a non-trivial axis.
		}
	}
	if len(lContract) == 0 {
		return nil, false, nil
	}
	e := &errs{}
	lOp, lRemap := b.preReduce(e, l, lPre)
	rOp, rRemap := b.preReduce(e, r, rPre)
	if e.err != nil {
		return nil, false, e.wrap("contraction pre-reduce")
	}
	remap := func(axes []int, m []int) []int {
		out := make([]int, len(axes))
		for i, a := range axes {
			out[i] = m[a]
		}
		return out
	}
	// Mul axis (or -1: a size-1 source axis) of each cross axis of l and r.
	crossOf := func(v view, pre, contract, batch []int, crossM map[int]int) []int {
		var ms []int
		for a := range v.dims {
			if slices.Contains(pre, a) || slices.Contains(contract, a) || slices.Contains(batch, a) {
				continue
			}
			if m, ok := crossM[a]; ok {
				ms = append(ms, m)
			} else {
				ms = append(ms, -1)
			}
		}
		return ms
	}
	lCross, rCross := crossOf(l, lPre, lContract, lBatch, lCrossM), crossOf(r, rPre, rContract, rBatch, rCrossM)
	// The DotGeneral's output is [batch, lhs cross, rhs cross]; the Mul's
	// axis order may want r's cross axes first: then r is the lhs, and no
	// transpose follows.
	outM := slices.Concat(batchM, lCross, rCross)
	swap := !sortedKept(outM) && sortedKept(slices.Concat(batchM, rCross, lCross))
	var dot backends.Op
	if swap {
		outM = slices.Concat(batchM, rCross, lCross)
		dot = e.op(b.Builder.DotGeneral(rOp, remap(rContract, rRemap), remap(rBatch, rRemap),
			lOp, remap(lContract, lRemap), remap(lBatch, lRemap)))
	} else {
		dot = e.op(b.Builder.DotGeneral(lOp, remap(lContract, lRemap), remap(lBatch, lRemap),
			rOp, remap(rContract, rRemap), remap(rBatch, rRemap)))
	}
	if e.err != nil {
		return nil, false, e.wrap("contraction DotGeneral")
	}
	// Drop the size-1 axes, then order the rest as in the Mul.
	dotDims := b.shape(dot).Dimensions
	var keptM, keptDims []int
	for i, m := range outM {
		if m >= 0 {
			keptM = append(keptM, m)
			keptDims = append(keptDims, dotDims[i])
		}
	}
	res := dot
	if len(keptDims) != len(dotDims) {
		res = e.op(b.Builder.Reshape(res, keptDims...))
	}
	perm := axesUpTo(len(keptM))
	sort.Slice(perm, func(i, j int) bool { return keptM[perm[i]] < keptM[perm[j]] })
	if !slices.Equal(perm, axesUpTo(len(perm))) {
		res = e.op(b.Transpose(res, perm...))
	}
	var finalDims []int
	for m, d := range xs.Dimensions {
		if !reduced[m] {
			finalDims = append(finalDims, d)
		}
	}
	if !slices.Equal(b.shape(res).Dimensions, finalDims) {
		res = e.op(b.Builder.Reshape(res, finalDims...))
	}
	if e.err != nil {
		return nil, false, e.wrap("contraction output")
	}
	return res, true, nil
}

// sortedKept reports whether the Mul axes ms, ignoring the −1s, increase.
func sortedKept(ms []int) bool {
	last := -1
	for _, m := range ms {
		if m < 0 {
			continue
		}
		if m < last {
			return false
		}
		last = m
	}
	return true
}

// preReduce sums the source of v over the given source axes (if any) and
// returns the op and the renumbering of the remaining source axes.
func (b *Builder) preReduce(e *errs, v view, axes []int) (backends.Op, []int) {
	remap := axesUpTo(len(v.dims))
	if len(axes) == 0 {
		return v.src, remap
	}
	op := e.op(b.Builder.ReduceSum(v.src, axes...))
	j := 0
	for a := range v.dims {
		if slices.Contains(axes, a) {
			remap[a] = -1
			continue
		}
		remap[a] = j
		j++
	}
	return op, remap
}
