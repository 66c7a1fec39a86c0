package backend

import (
	"fmt"
	"math"
	"reflect"
	"slices"
	"unsafe"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/backends/shapeinference"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/shapes"
)

// Ops of the backend interface that simplego lacks and that are not about
// speed: the total-order comparisons, Bitcast and the bit shifts. (Clamp,
// behind graph.Clip, is simplego's: its capabilities omit it, this
// backend's list it; its gradient is in vjp.go.)

// EqualTotalOrder implements backends.Builder.
func (b *Builder) EqualTotalOrder(lhs, rhs backends.Op) (backends.Op, error) {
	return b.totalOrder("EqualTotalOrder", lhs, rhs, b.Builder.Equal)
}

// NotEqualTotalOrder implements backends.Builder.
func (b *Builder) NotEqualTotalOrder(lhs, rhs backends.Op) (backends.Op, error) {
	return b.totalOrder("NotEqualTotalOrder", lhs, rhs, b.Builder.NotEqual)
}

// GreaterOrEqualTotalOrder implements backends.Builder.
func (b *Builder) GreaterOrEqualTotalOrder(lhs, rhs backends.Op) (backends.Op, error) {
	return b.totalOrder("GreaterOrEqualTotalOrder", lhs, rhs, b.Builder.GreaterOrEqual)
}

// GreaterThanTotalOrder implements backends.Builder.
func (b *Builder) GreaterThanTotalOrder(lhs, rhs backends.Op) (backends.Op, error) {
	return b.totalOrder("GreaterThanTotalOrder", lhs, rhs, b.Builder.GreaterThan)
}

// LessOrEqualTotalOrder implements backends.Builder.
func (b *Builder) LessOrEqualTotalOrder(lhs, rhs backends.Op) (backends.Op, error) {
	return b.totalOrder("LessOrEqualTotalOrder", lhs, rhs, b.Builder.LessOrEqual)
}

// LessThanTotalOrder implements backends.Builder.
func (b *Builder) LessThanTotalOrder(lhs, rhs backends.Op) (backends.Op, error) {
	return b.totalOrder("LessThanTotalOrder", lhs, rhs, b.Builder.LessThan)
}

// totalOrder compares floats in the order −NaN < −Inf < … < −0 < +0 < … <
// +Inf < +NaN: a kernel maps each float to an integer key with that order
// (its bits, the magnitude bits flipped for negative numbers), and cmp
// compares the keys. Other dtypes compare as they are.
func (b *Builder) totalOrder(what string, lhs, rhs backends.Op, cmp func(lhs, rhs backends.Op) (backends.Op, error)) (backends.Op, error) {
	if anyComplex(lhs, rhs) {
		return nil, fmt.Errorf("dl4go backend %s: complex values have no order", what)
	}
	if !b.shape(lhs).DType.IsFloat() {
		return cmp(lhs, rhs)
	}
	lk, err1 := b.orderKeys(lhs)
	rk, err2 := b.orderKeys(rhs)
	if err1 != nil || err2 != nil {
		return nil, fmt.Errorf("dl4go backend %s: %v %v", what, err1, err2)
	}
	return cmp(lk, rk)
}

func (b *Builder) orderKeys(x backends.Op) (backends.Op, error) {
	xs := b.shape(x)
	kd := dtypes.Int32
	switch xs.DType {
	case dtypes.Float64:
		kd = dtypes.Int64
	case dtypes.Float32:
	case dtypes.BFloat16:
		var err error
		if x, err = b.ConvertDType(x, dtypes.Float32); err != nil { // exact
			return nil, err
		}
	default:
		return nil, fmt.Errorf("no total order for %s", xs)
	}
	h, err := b.asHandle(x)
	if err != nil {
		return nil, err
	}
	outs, err := b.stagedBuilder().customOpAny("total order keys", []*handle{h},
		[]shapes.Shape{shapes.Make(kd, xs.Dimensions...)}, orderKeysKernel)
	if err != nil {
		return nil, err
	}
	return outs[0], nil
}

func orderKeysKernel(in, out []any) {
	switch x := in[0].(type) {
	case []float32:
		o := out[0].([]int32)
		for i, v := range x {
			k := int32(math.Float32bits(v))
			if k < 0 {
				k ^= math.MaxInt32
			}
			o[i] = k
		}
	case []float64:
		o := out[0].([]int64)
		for i, v := range x {
			k := int64(math.Float64bits(v))
			if k < 0 {
				k ^= math.MaxInt64
			}
			o[i] = k
		}
	default:
		panic(fmt.Sprintf("total order keys: input %T", in[0]))
	}
}

// Bitcast implements backends.Builder: the bytes of x read as targetDType
// (little-endian); a smaller target adds a last axis, a larger one consumes
// x's last axis.
func (b *Builder) Bitcast(x backends.Op, targetDType dtypes.DType) (backends.Op, error) {
	xs := b.shape(x)
	if xs.DType.IsComplex() || targetDType.IsComplex() || xs.DType == dtypes.Bool || targetDType == dtypes.Bool {
		return nil, fmt.Errorf("dl4go backend Bitcast of %s to %s: complex and bool are not supported", xs, targetDType)
	}
	from, to := xs.DType.Size(), targetDType.Size()
	dims := slices.Clone(xs.Dimensions)
	switch {
	case from == to:
	case from > to:
		dims = append(dims, from/to)
	default:
		if xs.Rank() == 0 || dims[len(dims)-1] != to/from {
			return nil, fmt.Errorf("dl4go backend Bitcast of %s to %s: the last axis must be %d", xs, targetDType, to/from)
		}
		dims = dims[:len(dims)-1]
	}
	h, err := b.asHandle(x)
	if err != nil {
		return nil, err
	}
	outs, err := b.stagedBuilder().customOpAny("bitcast", []*handle{h}, []shapes.Shape{shapes.Make(targetDType, dims...)},
		func(in, out []any) { copy(flatBytes(out[0]), flatBytes(in[0])) })
	if err != nil {
		return nil, fmt.Errorf("dl4go backend Bitcast: %w", err)
	}
	return outs[0], nil
}

// flatBytes returns the memory of a flat slice of any dtype as bytes.
func flatBytes(flat any) []byte {
	v := reflect.ValueOf(flat)
	if v.Len() == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(v.UnsafePointer()), v.Len()*int(v.Type().Elem().Size()))
}

// ShiftLeft implements backends.Builder (integers; shifting by the bit width
// or more gives 0).
func (b *Builder) ShiftLeft(lhs, rhs backends.Op) (backends.Op, error) {
	return b.shift(backends.OpTypeShiftLeft, lhs, rhs)
}

// ShiftRightArithmetic implements backends.Builder (integers; the sign bit
// fills in).
func (b *Builder) ShiftRightArithmetic(lhs, rhs backends.Op) (backends.Op, error) {
	return b.shift(backends.OpTypeShiftRightArithmetic, lhs, rhs)
}

// ShiftRightLogical implements backends.Builder (integers; zeros fill in).
func (b *Builder) ShiftRightLogical(lhs, rhs backends.Op) (backends.Op, error) {
	return b.shift(backends.OpTypeShiftRightLogical, lhs, rhs)
}

func (b *Builder) shift(op backends.OpType, lhs, rhs backends.Op) (backends.Op, error) {
	ls, rs := b.shape(lhs), b.shape(rhs)
	if !ls.DType.IsInt() || ls.DType != rs.DType {
		return nil, fmt.Errorf("dl4go backend %s: operands %s and %s must be integers of one dtype", op, ls, rs)
	}
	outShape, err := shapeinference.BinaryOp(backends.OpTypeAdd, ls, rs)
	if err != nil {
		return nil, fmt.Errorf("dl4go backend %s: %w", op, err)
	}
	if lhs, err = b.broadcastTo(lhs, outShape.Dimensions); err != nil {
		return nil, err
	}
	if rhs, err = b.broadcastTo(rhs, outShape.Dimensions); err != nil {
		return nil, err
	}
	lh, err1 := b.asHandle(lhs)
	rh, err2 := b.asHandle(rhs)
	if err1 != nil || err2 != nil {
		return nil, fmt.Errorf("dl4go backend %s: %v %v", op, err1, err2)
	}
	outs, err := b.stagedBuilder().customOpAny(op.String(), []*handle{lh, rh}, []shapes.Shape{outShape},
		func(in, out []any) { shiftKernel(op, in, out) })
	if err != nil {
		return nil, fmt.Errorf("dl4go backend %s: %w", op, err)
	}
	return outs[0], nil
}

func shiftKernel(op backends.OpType, in, out []any) {
	switch x := in[0].(type) {
	case []int8:
		shiftInts[int8, uint8](op, x, in[1].([]int8), out[0].([]int8))
	case []int16:
		shiftInts[int16, uint16](op, x, in[1].([]int16), out[0].([]int16))
	case []int32:
		shiftInts[int32, uint32](op, x, in[1].([]int32), out[0].([]int32))
	case []int64:
		shiftInts[int64, uint64](op, x, in[1].([]int64), out[0].([]int64))
	case []uint8:
		shiftInts[uint8, uint8](op, x, in[1].([]uint8), out[0].([]uint8))
	case []uint16:
		shiftInts[uint16, uint16](op, x, in[1].([]uint16), out[0].([]uint16))
	case []uint32:
		shiftInts[uint32, uint32](op, x, in[1].([]uint32), out[0].([]uint32))
	case []uint64:
		shiftInts[uint64, uint64](op, x, in[1].([]uint64), out[0].([]uint64))
	default:
		panic(fmt.Sprintf("%s: input %T", op, in[0]))
	}
}

// shiftInts shifts x by n elementwise; U is the unsigned type of T's width.
// A negative count, or one of T's width or more, shifts everything out (as
// XLA does: the count is read as unsigned).
func shiftInts[T, U interface {
	~int8 | ~int16 | ~int32 | ~int64 | ~uint8 | ~uint16 | ~uint32 | ~uint64
}](op backends.OpType, x, n, out []T) {
	width := uint64(unsafe.Sizeof(x[0]) * 8)
	for i, v := range x {
		c := uint64(n[i])
		if n[i] < 0 || c >= width {
			c = width // Go defines shifts by ≥ the width: 0, or the sign for >> of a signed value
		}
		switch op {
		case backends.OpTypeShiftLeft:
			out[i] = v << c
		case backends.OpTypeShiftRightArithmetic:
			out[i] = v >> c
		default:
			out[i] = T(U(v) >> c)
		}
	}
}
