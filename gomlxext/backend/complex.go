package backend

import (
	"fmt"
	"slices"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/shapes"
)

// Complex values (complex64, complex128), which simplego has no kernels for.
// The Builder keeps a complex op as a cvalue: two float ops (float32 for
// complex64, float64 for complex128) of the same dimensions holding the real
// and imaginary parts, so every op on complex values is built from float ops
// (the SIMD kernels included) plus, for FFT, a Go kernel. Complex buffers
// exist only at the edges: a complex Parameter is split into its parts by a
// kernel at the start of a run, a complex output is joined from them at the
// end.
//
// Ops that take complex values: Parameter, Constant, Iota, Identity,
// ConvertDType, Complex, Real, Imag, Conj, Abs, Neg, Exp, Add, Sub, Mul, Div,
// Reshape, Transpose, BroadcastInDim, Slice, Concatenate, Reverse, Pad,
// ReduceSum, Where, Gather, DynamicSlice, DynamicUpdateSlice, DotGeneral, Dot
// and FFT (all four types). Any other op given a complex value returns an
// error that says so.

// cvalue is a complex op: its real and imaginary parts.
type cvalue struct {
	re, im backends.Op
	shape  shapes.Shape // complex dtype
}

// partDType is the float dtype of a complex dtype's parts.
func partDType(c dtypes.DType) dtypes.DType {
	if c == dtypes.Complex128 {
		return dtypes.Float64
	}
	return dtypes.Float32
}

// complexOf is the complex dtype with parts of float dtype f.
func complexOf(f dtypes.DType) dtypes.DType {
	if f == dtypes.Float64 {
		return dtypes.Complex128
	}
	return dtypes.Complex64
}

// cplx returns op as a complex value, if it is one.
func cplx(op backends.Op) (*cvalue, bool) {
	c, ok := op.(*cvalue)
	return c, ok
}

func anyComplex(ops ...backends.Op) bool {
	for _, op := range ops {
		if _, ok := op.(*cvalue); ok {
			return true
		}
	}
	return false
}

// newCvalue wraps parts re and im (float ops of equal shape).
func (b *Builder) newCvalue(re, im backends.Op) *cvalue {
	s := b.shape(re)
	return &cvalue{re: re, im: im, shape: shapes.Make(complexOf(s.DType), s.Dimensions...)}
}

// parts applies fn to the real and the imaginary part.
func (b *Builder) parts(what string, x *cvalue, fn func(p backends.Op) (backends.Op, error)) (backends.Op, error) {
	re, err1 := fn(x.re)
	if err1 != nil {
		return nil, fmt.Errorf("dl4go backend %s of %s (real part): %w", what, x.shape, err1)
	}
	im, err2 := fn(x.im)
	if err2 != nil {
		return nil, fmt.Errorf("dl4go backend %s of %s (imaginary part): %w", what, x.shape, err2)
	}
	return b.newCvalue(re, im), nil
}

// complexOperands returns the operands as complex values, or an error if
// some are not complex (GoMLX gives a binary op operands of one dtype).
func complexOperands(what string, ops ...backends.Op) ([]*cvalue, error) {
	out := make([]*cvalue, len(ops))
	for i, op := range ops {
		c, ok := cplx(op)
		if !ok {
			return nil, fmt.Errorf("dl4go backend %s: operand #%d is not complex while another is", what, i)
		}
		out[i] = c
	}
	return out, nil
}

func (b *Builder) stagedBuilder() *staged { return b.Builder.(*staged) }

// OpShape implements backends.Builder.
func (b *Builder) OpShape(op backends.Op) (shapes.Shape, error) {
	if c, ok := cplx(op); ok {
		return c.shape, nil
	}
	return b.Builder.OpShape(op)
}

// Parameter implements backends.Builder. A complex parameter is split into
// its parts by a kernel when the computation runs.
func (b *Builder) Parameter(name string, shape shapes.Shape, sharding *backends.ShardingSpec) (backends.Op, error) {
	op, err := b.Builder.Parameter(name, shape, sharding)
	if err != nil || !shape.DType.IsComplex() {
		return op, err
	}
	part := shapes.Make(partDType(shape.DType), shape.Dimensions...)
	outs, err := b.stagedBuilder().customOpAny("split complex", []*handle{op.(*handle)}, []shapes.Shape{part, part}, splitComplex)
	if err != nil {
		return nil, err
	}
	return &cvalue{re: outs[0], im: outs[1], shape: shape}, nil
}

func splitComplex(in, out []any) {
	switch x := in[0].(type) {
	case []complex64:
		re, im := out[0].([]float32), out[1].([]float32)
		for i, v := range x {
			re[i], im[i] = real(v), imag(v)
		}
	case []complex128:
		re, im := out[0].([]float64), out[1].([]float64)
		for i, v := range x {
			re[i], im[i] = real(v), imag(v)
		}
	default:
		panic(fmt.Sprintf("split complex: input %T", in[0]))
	}
}

func joinComplex(in, out []any) {
	switch o := out[0].(type) {
	case []complex64:
		re, im := in[0].([]float32), in[1].([]float32)
		for i := range o {
			o[i] = complex(re[i], im[i])
		}
	case []complex128:
		re, im := in[0].([]float64), in[1].([]float64)
		for i := range o {
			o[i] = complex(re[i], im[i])
		}
	default:
		panic(fmt.Sprintf("join complex: output %T", out[0]))
	}
}

// complexOutputs replaces the complex values among outputs by kernels that
// join their parts into complex buffers.
func (b *Builder) complexOutputs(outputs []backends.Op) ([]backends.Op, error) {
	if !anyComplex(outputs...) {
		return outputs, nil
	}
	outputs = slices.Clone(outputs)
	for i, op := range outputs {
		c, ok := cplx(op)
		if !ok {
			continue
		}
		re, im, err := b.partHandles(c)
		if err != nil {
			return nil, err
		}
		outs, err := b.stagedBuilder().customOpAny("join complex", []*handle{re, im}, []shapes.Shape{c.shape}, joinComplex)
		if err != nil {
			return nil, err
		}
		outputs[i] = outs[0]
	}
	return outputs, nil
}

// Constant implements backends.Builder; complex data becomes two float constants.
func (b *Builder) Constant(flat any, dims ...int) (backends.Op, error) {
	switch v := flat.(type) {
	case []complex64:
		re, im := make([]float32, len(v)), make([]float32, len(v))
		for i, c := range v {
			re[i], im[i] = real(c), imag(c)
		}
		return b.constantParts(re, im, dims)
	case []complex128:
		re, im := make([]float64, len(v)), make([]float64, len(v))
		for i, c := range v {
			re[i], im[i] = real(c), imag(c)
		}
		return b.constantParts(re, im, dims)
	}
	return b.Builder.Constant(flat, dims...)
}

func (b *Builder) constantParts(re, im any, dims []int) (backends.Op, error) {
	r, err1 := b.Builder.Constant(re, dims...)
	i, err2 := b.Builder.Constant(im, dims...)
	if err1 != nil || err2 != nil {
		return nil, fmt.Errorf("dl4go backend complex Constant: %v %v", err1, err2)
	}
	return b.newCvalue(r, i), nil
}

// zerosOf returns zeros of the given float dtype and dimensions.
func (b *Builder) zerosOf(dtype dtypes.DType, dims []int) (backends.Op, error) {
	z, err := b.scalar(dtype, 0)
	if err != nil {
		return nil, err
	}
	if len(dims) == 0 {
		return z, nil
	}
	return b.fill(z, dtype, dims)
}

// Iota implements backends.Builder (a complex iota has a zero imaginary part).
func (b *Builder) Iota(shape shapes.Shape, iotaAxis int) (backends.Op, error) {
	if !shape.DType.IsComplex() {
		return b.Builder.Iota(shape, iotaAxis)
	}
	pd := partDType(shape.DType)
	re, err := b.Builder.Iota(shapes.Make(pd, shape.Dimensions...), iotaAxis)
	if err != nil {
		return nil, err
	}
	im, err := b.zerosOf(pd, shape.Dimensions)
	if err != nil {
		return nil, err
	}
	return b.newCvalue(re, im), nil
}

// Identity implements backends.Builder.
func (b *Builder) Identity(x backends.Op) (backends.Op, error) {
	if c, ok := cplx(x); ok {
		return b.parts("Identity", c, b.Builder.Identity)
	}
	return b.Builder.Identity(x)
}

// ConvertDType implements backends.Builder: real to complex (zero imaginary
// part), complex to complex (parts converted), complex to real (the real
// part, as XLA does).
func (b *Builder) ConvertDType(x backends.Op, dtype dtypes.DType) (backends.Op, error) {
	c, isC := cplx(x)
	switch {
	case isC && dtype.IsComplex():
		pd := partDType(dtype)
		return b.parts("ConvertDType", c, func(p backends.Op) (backends.Op, error) { return b.convertPart(p, pd) })
	case isC:
		return b.convertPart(c.re, dtype)
	case dtype.IsComplex():
		pd := partDType(dtype)
		re, err := b.convertPart(x, pd)
		if err != nil {
			return nil, err
		}
		im, err := b.zerosOf(pd, b.shape(x).Dimensions)
		if err != nil {
			return nil, err
		}
		return b.newCvalue(re, im), nil
	}
	return b.Builder.ConvertDType(x, dtype)
}

func (b *Builder) convertPart(p backends.Op, dtype dtypes.DType) (backends.Op, error) {
	if b.shape(p).DType == dtype {
		return p, nil
	}
	return b.Builder.ConvertDType(p, dtype)
}

// Complex implements backends.Builder: re + i·im, broadcasting a scalar or
// size-1 axes of either side.
func (b *Builder) Complex(re, im backends.Op) (backends.Op, error) {
	if anyComplex(re, im) {
		return nil, fmt.Errorf("dl4go backend Complex: operands must be real")
	}
	rs, is := b.shape(re), b.shape(im)
	if rs.DType != is.DType || (rs.DType != dtypes.Float32 && rs.DType != dtypes.Float64) {
		return nil, fmt.Errorf("dl4go backend Complex: operands %s and %s must be both float32 or both float64", rs, is)
	}
	if !rs.Equal(is) {
		dims, err := broadcastDims(rs, is)
		if err != nil {
			return nil, fmt.Errorf("dl4go backend Complex: %w", err)
		}
		if re, err = b.broadcastTo(re, dims); err != nil {
			return nil, err
		}
		if im, err = b.broadcastTo(im, dims); err != nil {
			return nil, err
		}
	}
	return b.newCvalue(re, im), nil
}

// broadcastDims is the result dimensions of a binary op on shapes a and b:
// a scalar broadcasts to the other shape, axes of size 1 to the other's.
func broadcastDims(a, b shapes.Shape) ([]int, error) {
	switch {
	case a.IsScalar():
		return b.Dimensions, nil
	case b.IsScalar():
		return a.Dimensions, nil
	case a.Rank() != b.Rank():
		return nil, fmt.Errorf("shapes %s and %s have different ranks", a, b)
	}
	dims := make([]int, a.Rank())
	for i := range dims {
		da, db := a.Dimensions[i], b.Dimensions[i]
		switch {
		case da == db || db == 1:
			dims[i] = da
		case da == 1:
			dims[i] = db
		default:
			return nil, fmt.Errorf("shapes %s and %s do not broadcast", a, b)
		}
	}
	return dims, nil
}

// broadcastTo broadcasts the float op x (a scalar, or of equal rank with
// axes of size 1) to dims.
func (b *Builder) broadcastTo(x backends.Op, dims []int) (backends.Op, error) {
	s := b.shape(x)
	if slices.Equal(s.Dimensions, dims) {
		return x, nil
	}
	var axes []int
	if !s.IsScalar() {
		axes = axesUpTo(s.Rank())
	}
	return b.BroadcastInDim(x, shapes.Make(s.DType, dims...), axes)
}

// Real implements backends.Builder.
func (b *Builder) Real(x backends.Op) (backends.Op, error) {
	if c, ok := cplx(x); ok {
		return c.re, nil
	}
	return b.Builder.Real(x)
}

// Imag implements backends.Builder.
func (b *Builder) Imag(x backends.Op) (backends.Op, error) {
	if c, ok := cplx(x); ok {
		return c.im, nil
	}
	return b.Builder.Imag(x)
}

// Conj implements backends.Builder.
func (b *Builder) Conj(x backends.Op) (backends.Op, error) {
	if c, ok := cplx(x); ok {
		im, err := b.Builder.Neg(c.im)
		if err != nil {
			return nil, err
		}
		return b.newCvalue(c.re, im), nil
	}
	return b.Builder.Conj(x)
}

// Neg implements backends.Builder.
func (b *Builder) Neg(x backends.Op) (backends.Op, error) {
	if c, ok := cplx(x); ok {
		return b.parts("Neg", c, b.Builder.Neg)
	}
	if out, ok, err := b.fusedUnary(fNeg, 0, x); ok || err != nil {
		return out, err
	}
	return b.Builder.Neg(x)
}

// Abs implements backends.Builder; of a complex value, its modulus (real).
func (b *Builder) Abs(x backends.Op) (backends.Op, error) {
	c, ok := cplx(x)
	if !ok {
		if out, ok, err := b.fusedUnary(fAbs, 0, x); ok || err != nil {
			return out, err
		}
		return b.Builder.Abs(x)
	}
	e := &errs{}
	rr := e.op(b.Mul(c.re, c.re))
	ii := e.op(b.Mul(c.im, c.im))
	out := e.op(b.Sqrt(e.op(b.Add(rr, ii))))
	return out, e.wrap("Abs of complex")
}

// complexExp is e^(a+ib) = e^a (cos b + i sin b).
func (b *Builder) complexExp(c *cvalue) (backends.Op, error) {
	e := &errs{}
	ea := e.op(b.Exp(c.re))
	re := e.op(b.Mul(ea, e.op(b.Builder.Cos(c.im))))
	im := e.op(b.Mul(ea, e.op(b.Builder.Sin(c.im))))
	if e.err != nil {
		return nil, e.wrap("Exp of complex")
	}
	return b.newCvalue(re, im), nil
}

// complexBinary builds Add, Sub, Mul or Div of complex operands from float
// ops on their parts (which broadcast exactly as the complex shapes do).
func (b *Builder) complexBinary(fn binaryFn, lhs, rhs backends.Op) (backends.Op, error) {
	ops, err := complexOperands(binaryOpTypes[fn].String(), lhs, rhs)
	if err != nil {
		return nil, err
	}
	x, y := ops[0], ops[1]
	e := &errs{}
	var re, im backends.Op
	switch fn {
	case fnAdd:
		re, im = e.op(b.Add(x.re, y.re)), e.op(b.Add(x.im, y.im))
	case fnSub:
		re, im = e.op(b.Sub(x.re, y.re)), e.op(b.Sub(x.im, y.im))
	case fnMul:
		// (a+ib)(c+id) = (ac − bd) + i(ad + bc).
		re = e.op(b.Sub(e.op(b.Mul(x.re, y.re)), e.op(b.Mul(x.im, y.im))))
		im = e.op(b.Add(e.op(b.Mul(x.re, y.im)), e.op(b.Mul(x.im, y.re))))
	case fnDiv:
		// (a+ib)/(c+id) = ((ac + bd) + i(bc − ad)) / (c² + d²).
		den := e.op(b.Add(e.op(b.Mul(y.re, y.re)), e.op(b.Mul(y.im, y.im))))
		re = e.op(b.Div(e.op(b.Add(e.op(b.Mul(x.re, y.re)), e.op(b.Mul(x.im, y.im)))), den))
		im = e.op(b.Div(e.op(b.Sub(e.op(b.Mul(x.im, y.re)), e.op(b.Mul(x.re, y.im)))), den))
	default:
		return nil, fmt.Errorf("dl4go backend: %s is not defined on complex values", binaryOpTypes[fn])
	}
	if e.err != nil {
		return nil, e.wrap(binaryOpTypes[fn].String() + " of complex")
	}
	return b.newCvalue(re, im), nil
}

// Slice implements backends.Builder.
func (b *Builder) Slice(x backends.Op, starts, limits, strides []int) (backends.Op, error) {
	if c, ok := cplx(x); ok {
		return b.parts("Slice", c, func(p backends.Op) (backends.Op, error) { return b.Builder.Slice(p, starts, limits, strides) })
	}
	if out, ok, err := b.sliceKernel(x, starts, limits, strides); ok || err != nil {
		return out, err
	}
	return b.Builder.Slice(x, starts, limits, strides)
}

// Concatenate implements backends.Builder.
func (b *Builder) Concatenate(axis int, operands ...backends.Op) (backends.Op, error) {
	if !anyComplex(operands...) {
		return b.Builder.Concatenate(axis, operands...)
	}
	cs, err := complexOperands("Concatenate", operands...)
	if err != nil {
		return nil, err
	}
	res, ims := make([]backends.Op, len(cs)), make([]backends.Op, len(cs))
	for i, c := range cs {
		res[i], ims[i] = c.re, c.im
	}
	re, err1 := b.Builder.Concatenate(axis, res...)
	im, err2 := b.Builder.Concatenate(axis, ims...)
	if err1 != nil || err2 != nil {
		return nil, fmt.Errorf("dl4go backend Concatenate of complex: %v %v", err1, err2)
	}
	return b.newCvalue(re, im), nil
}

// Where implements backends.Builder.
func (b *Builder) Where(condition, onTrue, onFalse backends.Op) (backends.Op, error) {
	if !anyComplex(onTrue, onFalse) {
		if out, ok, err := b.whereKernel(condition, onTrue, onFalse); ok || err != nil {
			return out, err
		}
		return b.Builder.Where(condition, onTrue, onFalse)
	}
	cs, err := complexOperands("Where", onTrue, onFalse)
	if err != nil {
		return nil, err
	}
	re, err1 := b.Builder.Where(condition, cs[0].re, cs[1].re)
	im, err2 := b.Builder.Where(condition, cs[0].im, cs[1].im)
	if err1 != nil || err2 != nil {
		return nil, fmt.Errorf("dl4go backend Where of complex: %v %v", err1, err2)
	}
	return b.newCvalue(re, im), nil
}

// Gather implements backends.Builder.
func (b *Builder) Gather(operand, startIndices backends.Op, indexVectorAxis int,
	offsetOutputAxes, collapsedSliceAxes, startIndexMap, sliceSizes []int, indicesAreSorted bool) (backends.Op, error) {
	gather := func(p backends.Op) (backends.Op, error) {
		return b.Builder.Gather(p, startIndices, indexVectorAxis, offsetOutputAxes, collapsedSliceAxes,
			startIndexMap, sliceSizes, indicesAreSorted)
	}
	if c, ok := cplx(operand); ok {
		return b.parts("Gather", c, gather)
	}
	return gather(operand)
}

// DotGeneral implements backends.Builder; of complex operands, four real
// products.
func (b *Builder) DotGeneral(lhs backends.Op, lhsContractingAxes, lhsBatchAxes []int,
	rhs backends.Op, rhsContractingAxes, rhsBatchAxes []int) (backends.Op, error) {
	dot := func(l, r backends.Op) (backends.Op, error) {
		return b.Builder.DotGeneral(l, lhsContractingAxes, lhsBatchAxes, r, rhsContractingAxes, rhsBatchAxes)
	}
	if !anyComplex(lhs, rhs) {
		return dot(lhs, rhs)
	}
	cs, err := complexOperands("DotGeneral", lhs, rhs)
	if err != nil {
		return nil, err
	}
	x, y := cs[0], cs[1]
	e := &errs{}
	re := e.op(b.Sub(e.op(dot(x.re, y.re)), e.op(dot(x.im, y.im))))
	im := e.op(b.Add(e.op(dot(x.re, y.im)), e.op(dot(x.im, y.re))))
	if e.err != nil {
		return nil, e.wrap("DotGeneral of complex")
	}
	return b.newCvalue(re, im), nil
}

// Dot implements backends.Builder (see DotGeneral).
func (b *Builder) Dot(lhs, rhs backends.Op) (backends.Op, error) {
	if !anyComplex(lhs, rhs) {
		return b.Builder.Dot(lhs, rhs)
	}
	ls, _ := b.OpShape(lhs)
	rs, _ := b.OpShape(rhs)
	if ls.Rank() < 1 || ls.Rank() > 2 || rs.Rank() < 1 || rs.Rank() > 2 {
		return nil, fmt.Errorf("dl4go backend Dot: ranks of %s and %s must be 1 or 2", ls, rs)
	}
	return b.DotGeneral(lhs, []int{ls.Rank() - 1}, nil, rhs, []int{0}, nil)
}

// DynamicSlice of a complex operand slices both parts (see pad.go for the op).
func (b *Builder) complexDynamicSlice(c *cvalue, startIndices []backends.Op, sliceDims []int) (backends.Op, error) {
	return b.parts("DynamicSlice", c, func(p backends.Op) (backends.Op, error) {
		return b.DynamicSlice(p, startIndices, sliceDims)
	})
}

// complexDynamicUpdateSlice updates both parts.
func (b *Builder) complexDynamicUpdateSlice(operand, update backends.Op, startIndices []backends.Op) (backends.Op, error) {
	cs, err := complexOperands("DynamicUpdateSlice", operand, update)
	if err != nil {
		return nil, err
	}
	re, err1 := b.DynamicUpdateSlice(cs[0].re, cs[1].re, startIndices)
	im, err2 := b.DynamicUpdateSlice(cs[0].im, cs[1].im, startIndices)
	if err1 != nil || err2 != nil {
		return nil, fmt.Errorf("dl4go backend DynamicUpdateSlice of complex: %v %v", err1, err2)
	}
	return b.newCvalue(re, im), nil
}

// complexPad pads both parts with the parts of the fill value.
func (b *Builder) complexPad(x, fill backends.Op, axesConfig []backends.PadAxis) (backends.Op, error) {
	cs, err := complexOperands("Pad", x, fill)
	if err != nil {
		return nil, err
	}
	re, err1 := b.Pad(cs[0].re, cs[1].re, axesConfig...)
	im, err2 := b.Pad(cs[0].im, cs[1].im, axesConfig...)
	if err1 != nil || err2 != nil {
		return nil, fmt.Errorf("dl4go backend Pad of complex: %v %v", err1, err2)
	}
	return b.newCvalue(re, im), nil
}

// FFT implements backends.Builder: XLA's FFT op (forward and inverse,
// complex and real) over the last len(fftLength) axes, on the kernel of
// fftkernel.go, O(n log n) for every length. The inverse transforms are
// normalised by 1/n, as XLA's; the inverse real transform ignores the
// imaginary parts of the bins that must be real (0 and, for even n, n/2).
func (b *Builder) FFT(operand backends.Op, fftType backends.FFTType, fftLength []int) (backends.Op, error) {
	out, err := b.fft(operand, fftType, fftLength)
	if err != nil {
		return nil, fmt.Errorf("dl4go backend FFT(%s, %v): %w", fftType, fftLength, err)
	}
	return out, nil
}

func (b *Builder) fft(operand backends.Op, fftType backends.FFTType, fftLength []int) (backends.Op, error) {
	xs := b.shape(operand)
	k := len(fftLength)
	if k < 1 || k > xs.Rank() {
		return nil, fmt.Errorf("operand %s: need 1 to rank FFT lengths", xs)
	}
	lead := xs.Rank() - k
	c, isC := cplx(operand)
	switch fftType {
	case backends.FFTForward, backends.FFTInverse:
		if !isC {
			return nil, fmt.Errorf("operand %s must be complex", xs)
		}
		if !slices.Equal(xs.Dimensions[lead:], fftLength) {
			return nil, fmt.Errorf("operand %s: FFT lengths must equal its last dimensions", xs)
		}
		for a := xs.Rank() - 1; a >= lead; a-- {
			var err error
			if c, err = b.fftAlong(c, a, fftType == backends.FFTInverse); err != nil {
				return nil, err
			}
		}
		return c, nil
	case backends.FFTForwardReal:
		if isC || !xs.DType.IsFloat() || (xs.DType != dtypes.Float32 && xs.DType != dtypes.Float64) {
			return nil, fmt.Errorf("operand %s must be float32 or float64", xs)
		}
		if !slices.Equal(xs.Dimensions[lead:], fftLength) {
			return nil, fmt.Errorf("operand %s: FFT lengths must equal its last dimensions", xs)
		}
		c, err := b.rfftLast(operand)
		if err != nil {
			return nil, err
		}
		for a := xs.Rank() - 2; a >= lead; a-- {
			if c, err = b.fftAlong(c, a, false); err != nil {
				return nil, err
			}
		}
		return c, nil
	case backends.FFTInverseReal:
		if !isC {
			return nil, fmt.Errorf("operand %s must be complex", xs)
		}
		n := fftLength[k-1]
		if !slices.Equal(xs.Dimensions[lead:xs.Rank()-1], fftLength[:k-1]) || xs.Dimensions[xs.Rank()-1] != n/2+1 {
			return nil, fmt.Errorf("operand %s: its last dimension must be n/2+1 = %d and the others the FFT lengths", xs, n/2+1)
		}
		for a := lead; a < xs.Rank()-1; a++ {
			var err error
			if c, err = b.fftAlong(c, a, true); err != nil {
				return nil, err
			}
		}
		return b.irfftLast(c, n)
	}
	return nil, fmt.Errorf("unknown FFT type %d", fftType)
}

// fftAlong transforms c along axis (moved last and back when it is not).
func (b *Builder) fftAlong(c *cvalue, axis int, inverse bool) (*cvalue, error) {
	r := c.shape.Rank()
	if axis != r-1 {
		perm := axesUpTo(r)
		perm[axis], perm[r-1] = r-1, axis
		t, err := b.Transpose(c, perm...)
		if err != nil {
			return nil, err
		}
		out, err := b.fftAlong(t.(*cvalue), r-1, inverse)
		if err != nil {
			return nil, err
		}
		back, err := b.Transpose(out, perm...)
		if err != nil {
			return nil, err
		}
		return back.(*cvalue), nil
	}
	re, im, err := b.partHandles(c)
	if err != nil {
		return nil, err
	}
	part := shapes.Make(partDType(c.shape.DType), c.shape.Dimensions...)
	n := c.shape.Dimensions[r-1]
	outs, err := b.stagedBuilder().customOpAny("fft", []*handle{re, im}, []shapes.Shape{part, part},
		func(in, out []any) { fftComplexKernel(in, out, n, inverse) })
	if err != nil {
		return nil, err
	}
	return &cvalue{re: outs[0], im: outs[1], shape: c.shape}, nil
}

// rfftLast is the real FFT of x along its last axis.
func (b *Builder) rfftLast(x backends.Op) (*cvalue, error) {
	xs := b.shape(x)
	n := xs.Dimensions[xs.Rank()-1]
	dims := slices.Clone(xs.Dimensions)
	dims[len(dims)-1] = n/2 + 1
	h, err := b.asHandle(x)
	if err != nil {
		return nil, err
	}
	part := shapes.Make(xs.DType, dims...)
	outs, err := b.stagedBuilder().customOpAny("rfft", []*handle{h}, []shapes.Shape{part, part},
		func(in, out []any) { rfftKernel(in, out, n) })
	if err != nil {
		return nil, err
	}
	return &cvalue{re: outs[0], im: outs[1], shape: shapes.Make(complexOf(xs.DType), dims...)}, nil
}

// irfftLast is the inverse real FFT of c along its last axis (n/2+1 bins → n).
func (b *Builder) irfftLast(c *cvalue, n int) (backends.Op, error) {
	re, im, err := b.partHandles(c)
	if err != nil {
		return nil, err
	}
	dims := slices.Clone(c.shape.Dimensions)
	dims[len(dims)-1] = n
	outs, err := b.stagedBuilder().customOpAny("irfft", []*handle{re, im},
		[]shapes.Shape{shapes.Make(partDType(c.shape.DType), dims...)},
		func(in, out []any) { irfftKernel(in, out, n) })
	if err != nil {
		return nil, err
	}
	return outs[0], nil
}

func (b *Builder) partHandles(c *cvalue) (re, im *handle, err error) {
	if re, err = b.asHandle(c.re); err != nil {
		return nil, nil, err
	}
	im, err = b.asHandle(c.im)
	return re, im, err
}

func (b *Builder) asHandle(op backends.Op) (*handle, error) {
	h, ok := op.(*handle)
	if !ok {
		return nil, fmt.Errorf("dl4go backend: op %T is not a staged handle (bug)", op)
	}
	return h, nil
}

// fftComplexKernel transforms rows of length n of (in[0], in[1]) into
// (out[0], out[1]), all []float32 or all []float64.
func fftComplexKernel(in, out []any, n int, inverse bool) {
	switch re := in[0].(type) {
	case []float32:
		fftComplexRows(re, in[1].([]float32), out[0].([]float32), out[1].([]float32), n, inverse)
	case []float64:
		fftComplexRows(re, in[1].([]float64), out[0].([]float64), out[1].([]float64), n, inverse)
	default:
		panic(fmt.Sprintf("fft: input %T", in[0]))
	}
}

type floatPart interface{ float32 | float64 }

func fftComplexRows[T floatPart](inRe, inIm, outRe, outIm []T, n int, inverse bool) {
	scale := 1.0
	if inverse {
		scale = 1 / float64(n)
	}
	fftRows(len(inRe)/n, n, inverse, func(row int, re, im []float64) {
		r, i := inRe[row*n:(row+1)*n], inIm[row*n:(row+1)*n]
		for j := range n {
			re[j], im[j] = float64(r[j]), float64(i[j])
		}
	}, func(row int, re, im []float64) {
		r, i := outRe[row*n:(row+1)*n], outIm[row*n:(row+1)*n]
		for j := range n {
			r[j], i[j] = T(re[j]*scale), T(im[j]*scale)
		}
	})
}

// rfftKernel: rows of length n of in[0] → rows of n/2+1 bins (out[0], out[1]).
func rfftKernel(in, out []any, n int) {
	switch x := in[0].(type) {
	case []float32:
		rfftRows(x, out[0].([]float32), out[1].([]float32), n)
	case []float64:
		rfftRows(x, out[0].([]float64), out[1].([]float64), n)
	default:
		panic(fmt.Sprintf("rfft: input %T", in[0]))
	}
}

func rfftRows[T floatPart](x, outRe, outIm []T, n int) {
	m := n/2 + 1
	fftRows(len(x)/n, n, false, func(row int, re, im []float64) {
		r := x[row*n : (row+1)*n]
		for j := range n {
			re[j], im[j] = float64(r[j]), 0
		}
	}, func(row int, re, im []float64) {
		r, i := outRe[row*m:(row+1)*m], outIm[row*m:(row+1)*m]
		for j := range m {
			r[j], i[j] = T(re[j]), T(im[j])
		}
	})
}

// irfftKernel: rows of n/2+1 bins (in[0], in[1]) → real rows of length n
// (out[0]), the Hermitian-symmetric spectrum's inverse transform.
func irfftKernel(in, out []any, n int) {
	switch re := in[0].(type) {
	case []float32:
		irfftRows(re, in[1].([]float32), out[0].([]float32), n)
	case []float64:
		irfftRows(re, in[1].([]float64), out[0].([]float64), n)
	default:
		panic(fmt.Sprintf("irfft: input %T", in[0]))
	}
}

func irfftRows[T floatPart](inRe, inIm, x []T, n int) {
	m := n/2 + 1
	inv := 1 / float64(n)
	fftRows(len(x)/n, n, true, func(row int, re, im []float64) {
		r, i := inRe[row*m:(row+1)*m], inIm[row*m:(row+1)*m]
		re[0], im[0] = float64(r[0]), 0
		for k := 1; k < m; k++ {
			if 2*k == n { // the Nyquist bin is real
				re[k], im[k] = float64(r[k]), 0
				continue
			}
			re[k], im[k] = float64(r[k]), float64(i[k])
			re[n-k], im[n-k] = float64(r[k]), -float64(i[k])
		}
	}, func(row int, re, _ []float64) {
		o := x[row*n : (row+1)*n]
		for j := range n {
			o[j] = T(re[j] * inv)
		}
	})
}
