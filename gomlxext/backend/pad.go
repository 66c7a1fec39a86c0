package backend

import (
	"fmt"
	"slices"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/shapes"
)

// Pad implements backends.Builder: interior padding first (fill values
// between elements), then start/end padding; negative start/end crop.
// It is composed from Reshape, Concatenate and Slice.
func (b *Builder) Pad(x, fillValue backends.Op, axesConfig ...backends.PadAxis) (backends.Op, error) {
	if anyComplex(x, fillValue) {
		return b.complexPad(x, fillValue, axesConfig)
	}
	xs := b.shape(x)
	if len(axesConfig) > xs.Rank() {
		return nil, fmt.Errorf("dl4go backend Pad: %d axes configs for operand %s", len(axesConfig), xs)
	}
	if fs := b.shape(fillValue); fs.Rank() != 0 || fs.DType != xs.DType {
		return nil, fmt.Errorf("dl4go backend Pad: fill value %s must be a scalar of dtype %s", fs, xs.DType)
	}
	if out, ok, err := b.padKernel(x, fillValue, axesConfig); ok || err != nil {
		return out, err
	}
	e := &errs{}
	out := x
	for axis, pa := range axesConfig {
		if pa.Interior < 0 {
			return nil, fmt.Errorf("dl4go backend Pad: negative interior padding %d on axis %d", pa.Interior, axis)
		}
		out = b.padAxis(e, out, fillValue, xs.DType, axis, pa)
		if e.err != nil {
			return nil, e.wrap(fmt.Sprintf("Pad axis %d %+v of %s", axis, pa, xs))
		}
	}
	if out == x {
		return b.Builder.Identity(x)
	}
	return out, nil
}

func (b *Builder) padAxis(e *errs, x, fill backends.Op, dtype dtypes.DType, axis int, pa backends.PadAxis) backends.Op {
	dims := slices.Clone(b.shape(x).Dimensions)
	n := dims[axis]
	if pa.Interior > 0 && n > 1 {
		// [..., n, ...] -> [..., n, 1, ...] ++ fill [..., n, interior, ...] -> [..., n*(1+interior), ...] -> crop.
		d1 := slices.Insert(slices.Clone(dims), axis+1, 1)
		x1 := e.op(b.Builder.Reshape(x, d1...))
		dFill := slices.Clone(d1)
		dFill[axis+1] = pa.Interior
		f := e.op(b.fill(fill, dtype, dFill))
		if e.err != nil {
			return nil
		}
		c := e.op(b.Builder.Concatenate(axis+1, x1, f))
		d2 := slices.Clone(dims)
		d2[axis] = n * (1 + pa.Interior)
		r := e.op(b.Builder.Reshape(c, d2...))
		x = b.sliceAxis(e, r, axis, 0, n*(1+pa.Interior)-pa.Interior)
		dims[axis] = n + (n-1)*pa.Interior
	}
	// Negative edges crop.
	start, end := 0, dims[axis]
	if pa.Start < 0 {
		start = -pa.Start
	}
	if pa.End < 0 {
		end += pa.End
	}
	if start > end {
		e.op(nil, fmt.Errorf("negative padding %+v larger than axis size %d", pa, dims[axis]))
		return nil
	}
	if start != 0 || end != dims[axis] {
		x = b.sliceAxis(e, x, axis, start, end)
		dims[axis] = end - start
	}
	// Positive edges pad.
	parts := []backends.Op{}
	if pa.Start > 0 {
		d := slices.Clone(dims)
		d[axis] = pa.Start
		parts = append(parts, e.op(b.fill(fill, dtype, d)))
	}
	parts = append(parts, x)
	if pa.End > 0 {
		d := slices.Clone(dims)
		d[axis] = pa.End
		parts = append(parts, e.op(b.fill(fill, dtype, d)))
	}
	if len(parts) > 1 && e.err == nil {
		x = e.op(b.Builder.Concatenate(axis, parts...))
	}
	return x
}

// sliceAxis slices x along one axis.
func (b *Builder) sliceAxis(e *errs, x backends.Op, axis, start, end int) backends.Op {
	dims := b.shape(x).Dimensions
	starts := make([]int, len(dims))
	limits := slices.Clone(dims)
	starts[axis], limits[axis] = start, end
	return e.op(b.Slice(x, starts, limits, onesIfNil(nil, len(dims))))
}

// Reverse implements backends.Builder with a Gather of reversed indices.
func (b *Builder) Reverse(x backends.Op, axes ...int) (backends.Op, error) {
	if c, ok := cplx(x); ok {
		return b.parts("Reverse", c, func(p backends.Op) (backends.Op, error) { return b.Reverse(p, axes...) })
	}
	xs := b.shape(x)
	rev := []int{}
	for _, a := range axes {
		if a < 0 || a >= xs.Rank() {
			return nil, fmt.Errorf("dl4go backend Reverse: axis %d out of range for %s", a, xs)
		}
		if xs.Dimensions[a] > 1 && !slices.Contains(rev, a) {
			rev = append(rev, a)
		}
	}
	if len(rev) == 0 {
		return b.Builder.Identity(x)
	}
	slices.Sort(rev)
	if out, ok, err := b.reverseKernel(x, rev); ok || err != nil {
		return out, err
	}
	// indices: [d_r1, d_r2, ..., len(rev)] with indices[i1,i2,...] = (d1-1-i1, d2-1-i2, ...).
	idxDims := make([]int, 0, len(rev)+1)
	for _, a := range rev {
		idxDims = append(idxDims, xs.Dimensions[a])
	}
	idxDims = append(idxDims, len(rev))
	flat := make([]int32, prod(idxDims))
	pos := make([]int, len(rev))
	for i := 0; i < len(flat); i += len(rev) {
		for k, a := range rev {
			flat[i+k] = int32(xs.Dimensions[a] - 1 - pos[k])
		}
		for k := len(rev) - 1; k >= 0; k-- {
			pos[k]++
			if pos[k] < xs.Dimensions[rev[k]] {
				break
			}
			pos[k] = 0
		}
	}
	e := &errs{}
	idx := e.op(b.Builder.Constant(flat, idxDims...))
	var offsetAxes []int
	sliceSizes := slices.Clone(xs.Dimensions)
	for a := range xs.Rank() {
		if slices.Contains(rev, a) {
			sliceSizes[a] = 1
		} else {
			offsetAxes = append(offsetAxes, a)
		}
	}
	out := e.op(b.Builder.Gather(x, idx, len(rev), offsetAxes, rev, rev, sliceSizes, false))
	return out, e.wrap(fmt.Sprintf("Reverse(%s, %v)", xs, axes))
}

// DynamicSlice implements backends.Builder with a Gather (which clamps the
// start indices the same way).
func (b *Builder) DynamicSlice(operand backends.Op, startIndices []backends.Op, sliceDims []int) (backends.Op, error) {
	if c, ok := cplx(operand); ok {
		return b.complexDynamicSlice(c, startIndices, sliceDims)
	}
	xs := b.shape(operand)
	if len(startIndices) != xs.Rank() || len(sliceDims) != xs.Rank() {
		return nil, fmt.Errorf("dl4go backend DynamicSlice: operand %s needs %d start indices and slice dims, got %d and %d",
			xs, xs.Rank(), len(startIndices), len(sliceDims))
	}
	e := &errs{}
	idx := b.stackIndices(e, startIndices)
	out := e.op(b.Builder.Gather(operand, idx, 1, axesUpTo(xs.Rank()), nil, axesUpTo(xs.Rank()), sliceDims, false))
	if e.err == nil {
		out = e.op(b.Builder.Reshape(out, sliceDims...))
	}
	return out, e.wrap("DynamicSlice")
}

// stackIndices concatenates scalar index ops into an int32 [1, n] tensor.
func (b *Builder) stackIndices(e *errs, idx []backends.Op) backends.Op {
	parts := make([]backends.Op, len(idx))
	for i, op := range idx {
		s := b.shape(op)
		if s.DType != dtypes.Int32 {
			op = e.op(b.Builder.ConvertDType(op, dtypes.Int32))
		}
		parts[i] = e.op(b.Builder.Reshape(op, 1, 1))
	}
	if e.err != nil {
		return nil
	}
	if len(parts) == 1 {
		return parts[0]
	}
	return e.op(b.Builder.Concatenate(1, parts...))
}

// DynamicUpdateSlice implements backends.Builder: the start indices are
// clamped so update fits, each update element is scattered to its position
// (element-wise ScatterSum: simplego's scatter of partial windows misplaces
// rows), and a scattered 0/1 mask selects between update and operand.
func (b *Builder) DynamicUpdateSlice(operand, update backends.Op, startIndices []backends.Op) (backends.Op, error) {
	if anyComplex(operand, update) {
		return b.complexDynamicUpdateSlice(operand, update, startIndices)
	}
	xs, us := b.shape(operand), b.shape(update)
	r := xs.Rank()
	if len(startIndices) != r || us.Rank() != r {
		return nil, fmt.Errorf("dl4go backend DynamicUpdateSlice: operand %s, update %s, %d indices", xs, us, len(startIndices))
	}
	e := &errs{}
	idxShape := shapes.Make(dtypes.Int32, append(slices.Clone(us.Dimensions), 1)...)
	parts := make([]backends.Op, r)
	for i, op := range startIndices {
		op32 := op
		if b.shape(op).DType != dtypes.Int32 {
			op32 = e.op(b.Builder.ConvertDType(op, dtypes.Int32))
		}
		lo := e.op(b.scalar(dtypes.Int32, 0))
		hi := e.op(b.scalar(dtypes.Int32, float64(xs.Dimensions[i]-us.Dimensions[i])))
		if e.err != nil {
			return nil, e.wrap("DynamicUpdateSlice")
		}
		start := e.op(b.Builder.Clamp(lo, op32, hi))
		start = e.op(b.Builder.Reshape(start, 1))
		pos := e.op(b.Builder.Iota(idxShape, i))
		if e.err != nil {
			return nil, e.wrap("DynamicUpdateSlice")
		}
		parts[i] = e.op(b.Builder.Add(pos, e.op(b.Builder.BroadcastInDim(start, idxShape, []int{r}))))
	}
	if e.err != nil {
		return nil, e.wrap("DynamicUpdateSlice")
	}
	idx := parts[0]
	if r > 1 {
		idx = e.op(b.Builder.Concatenate(r, parts...))
	}
	zero := e.op(b.scalar(xs.DType, 0))
	one := e.op(b.scalar(xs.DType, 1))
	ones := e.op(b.fill(one, xs.DType, us.Dimensions))
	zeros := e.op(b.fill(zero, xs.DType, xs.Dimensions))
	if e.err != nil {
		return nil, e.wrap("DynamicUpdateSlice")
	}
	region := e.op(b.Builder.ScatterSum(zeros, idx, ones, r, nil, axesUpTo(r), axesUpTo(r), false, true))
	placed := e.op(b.Builder.ScatterSum(zeros, idx, update, r, nil, axesUpTo(r), axesUpTo(r), false, true))
	if e.err != nil {
		return nil, e.wrap("DynamicUpdateSlice")
	}
	inRegion := e.op(b.Builder.GreaterThan(region, zero))
	out := e.op(b.Builder.Where(inRegion, placed, operand))
	return out, e.wrap("DynamicUpdateSlice")
}
