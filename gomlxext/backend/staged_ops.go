// Code generated from GoMLX v0.26.0 backends.StandardOps and CollectiveOps; DO NOT EDIT.

package backend

import (
	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/shapes"
)

var _ dtypes.DType
var _ shapes.Shape

// Abs implements backends.Builder on the current stage.
func (s *staged) Abs(x backends.Op) (backends.Op, error) {
	in, err := s.inputs(x)
	if err != nil {
		return nil, err
	}
	_ = in
	r0, r1 := s.cur().Abs(in[0])
	return s.wrap(r0, r1), r1
}

// Add implements backends.Builder on the current stage.
func (s *staged) Add(lhs backends.Op, rhs backends.Op) (backends.Op, error) {
	in, err := s.inputs(lhs, rhs)
	if err != nil {
		return nil, err
	}
	_ = in
	r0, r1 := s.cur().Add(in[0], in[1])
	return s.wrap(r0, r1), r1
}

// ArgMinMax implements backends.Builder on the current stage.
func (s *staged) ArgMinMax(x backends.Op, axis int, outputDType dtypes.DType, isMin bool) (backends.Op, error) {
	in, err := s.inputs(x)
	if err != nil {
		return nil, err
	}
	_ = in
	r0, r1 := s.cur().ArgMinMax(in[0], axis, outputDType, isMin)
	return s.wrap(r0, r1), r1
}

// BatchNormForInference implements backends.Builder on the current stage.
func (s *staged) BatchNormForInference(operand backends.Op, scale backends.Op, offset backends.Op, mean backends.Op, variance backends.Op, epsilon float32, featureAxis int) (backends.Op, error) {
	in, err := s.inputs(operand, scale, offset, mean, variance)
	if err != nil {
		return nil, err
	}
	_ = in
	r0, r1 := s.cur().BatchNormForInference(in[0], in[1], in[2], in[3], in[4], epsilon, featureAxis)
	return s.wrap(r0, r1), r1
}

// BatchNormForTraining implements backends.Builder on the current stage.
func (s *staged) BatchNormForTraining(operand backends.Op, scale backends.Op, offset backends.Op, epsilon float32, featureAxis int) (backends.Op, backends.Op, backends.Op, error) {
	in, err := s.inputs(operand, scale, offset)
	if err != nil {
		return nil, nil, nil, err
	}
	_ = in
	r0, r1, r2, r3 := s.cur().BatchNormForTraining(in[0], in[1], in[2], epsilon, featureAxis)
	return s.wrap(r0, r3), s.wrap(r1, r3), s.wrap(r2, r3), r3
}

// BatchNormGradient implements backends.Builder on the current stage.
func (s *staged) BatchNormGradient(operand backends.Op, scale backends.Op, mean backends.Op, variance backends.Op, gradOutput backends.Op, epsilon float32, featureAxis int) (backends.Op, backends.Op, backends.Op, error) {
	in, err := s.inputs(operand, scale, mean, variance, gradOutput)
	if err != nil {
		return nil, nil, nil, err
	}
	_ = in
	r0, r1, r2, r3 := s.cur().BatchNormGradient(in[0], in[1], in[2], in[3], in[4], epsilon, featureAxis)
	return s.wrap(r0, r3), s.wrap(r1, r3), s.wrap(r2, r3), r3
}

// Bitcast implements backends.Builder on the current stage.
func (s *staged) Bitcast(x backends.Op, targetDType dtypes.DType) (backends.Op, error) {
	in, err := s.inputs(x)
	if err != nil {
		return nil, err
	}
	_ = in
	r0, r1 := s.cur().Bitcast(in[0], targetDType)
	return s.wrap(r0, r1), r1
}

// BitCount implements backends.Builder on the current stage.
func (s *staged) BitCount(operand backends.Op) (backends.Op, error) {
	in, err := s.inputs(operand)
	if err != nil {
		return nil, err
	}
	_ = in
	r0, r1 := s.cur().BitCount(in[0])
	return s.wrap(r0, r1), r1
}

// BitwiseAnd implements backends.Builder on the current stage.
func (s *staged) BitwiseAnd(lhs backends.Op, rhs backends.Op) (backends.Op, error) {
	in, err := s.inputs(lhs, rhs)
	if err != nil {
		return nil, err
	}
	_ = in
	r0, r1 := s.cur().BitwiseAnd(in[0], in[1])
	return s.wrap(r0, r1), r1
}

// BitwiseNot implements backends.Builder on the current stage.
func (s *staged) BitwiseNot(x backends.Op) (backends.Op, error) {
	in, err := s.inputs(x)
	if err != nil {
		return nil, err
	}
	_ = in
	r0, r1 := s.cur().BitwiseNot(in[0])
	return s.wrap(r0, r1), r1
}

// BitwiseOr implements backends.Builder on the current stage.
func (s *staged) BitwiseOr(lhs backends.Op, rhs backends.Op) (backends.Op, error) {
	in, err := s.inputs(lhs, rhs)
	if err != nil {
		return nil, err
	}
	_ = in
	r0, r1 := s.cur().BitwiseOr(in[0], in[1])
	return s.wrap(r0, r1), r1
}

// BitwiseXor implements backends.Builder on the current stage.
func (s *staged) BitwiseXor(lhs backends.Op, rhs backends.Op) (backends.Op, error) {
	in, err := s.inputs(lhs, rhs)
	if err != nil {
		return nil, err
	}
	_ = in
	r0, r1 := s.cur().BitwiseXor(in[0], in[1])
	return s.wrap(r0, r1), r1
}

// BroadcastInDim implements backends.Builder on the current stage.
func (s *staged) BroadcastInDim(x backends.Op, outputShape shapes.Shape, broadcastAxes []int) (backends.Op, error) {
	in, err := s.inputs(x)
	if err != nil {
		return nil, err
	}
	_ = in
	r0, r1 := s.cur().BroadcastInDim(in[0], outputShape, broadcastAxes)
	return s.wrap(r0, r1), r1
}

// Ceil implements backends.Builder on the current stage.
func (s *staged) Ceil(x backends.Op) (backends.Op, error) {
	in, err := s.inputs(x)
	if err != nil {
		return nil, err
	}
	_ = in
	r0, r1 := s.cur().Ceil(in[0])
	return s.wrap(r0, r1), r1
}

// Clamp implements backends.Builder on the current stage.
func (s *staged) Clamp(min backends.Op, x backends.Op, max backends.Op) (backends.Op, error) {
	in, err := s.inputs(min, x, max)
	if err != nil {
		return nil, err
	}
	_ = in
	r0, r1 := s.cur().Clamp(in[0], in[1], in[2])
	return s.wrap(r0, r1), r1
}

// Clz implements backends.Builder on the current stage.
func (s *staged) Clz(x backends.Op) (backends.Op, error) {
	in, err := s.inputs(x)
	if err != nil {
		return nil, err
	}
	_ = in
	r0, r1 := s.cur().Clz(in[0])
	return s.wrap(r0, r1), r1
}

// Complex implements backends.Builder on the current stage.
func (s *staged) Complex(lhs backends.Op, rhs backends.Op) (backends.Op, error) {
	in, err := s.inputs(lhs, rhs)
	if err != nil {
		return nil, err
	}
	_ = in
	r0, r1 := s.cur().Complex(in[0], in[1])
	return s.wrap(r0, r1), r1
}

// Concatenate implements backends.Builder on the current stage.
func (s *staged) Concatenate(axis int, operands ...backends.Op) (backends.Op, error) {
	in, err := s.inputs()
	if err != nil {
		return nil, err
	}
	_ = in
	operandsIn, err := s.inputs(operands...)
	if err != nil {
		return nil, err
	}
	r0, r1 := s.cur().Concatenate(axis, operandsIn...)
	return s.wrap(r0, r1), r1
}

// Conj implements backends.Builder on the current stage.
func (s *staged) Conj(x backends.Op) (backends.Op, error) {
	in, err := s.inputs(x)
	if err != nil {
		return nil, err
	}
	_ = in
	r0, r1 := s.cur().Conj(in[0])
	return s.wrap(r0, r1), r1
}

// ConvGeneral implements backends.Builder on the current stage.
func (s *staged) ConvGeneral(input backends.Op, kernel backends.Op, axes backends.ConvolveAxesConfig, strides []int, paddings [][2]int, inputDilations []int, kernelDilations []int, channelGroupCount int, batchGroupCount int) (backends.Op, error) {
	in, err := s.inputs(input, kernel)
	if err != nil {
		return nil, err
	}
	_ = in
	r0, r1 := s.cur().ConvGeneral(in[0], in[1], axes, strides, paddings, inputDilations, kernelDilations, channelGroupCount, batchGroupCount)
	return s.wrap(r0, r1), r1
}

// ConvertDType implements backends.Builder on the current stage.
func (s *staged) ConvertDType(x backends.Op, dtype dtypes.DType) (backends.Op, error) {
	in, err := s.inputs(x)
	if err != nil {
		return nil, err
	}
	_ = in
	r0, r1 := s.cur().ConvertDType(in[0], dtype)
	return s.wrap(r0, r1), r1
}

// Cos implements backends.Builder on the current stage.
func (s *staged) Cos(x backends.Op) (backends.Op, error) {
	in, err := s.inputs(x)
	if err != nil {
		return nil, err
	}
	_ = in
	r0, r1 := s.cur().Cos(in[0])
	return s.wrap(r0, r1), r1
}

// Div implements backends.Builder on the current stage.
func (s *staged) Div(lhs backends.Op, rhs backends.Op) (backends.Op, error) {
	in, err := s.inputs(lhs, rhs)
	if err != nil {
		return nil, err
	}
	_ = in
	r0, r1 := s.cur().Div(in[0], in[1])
	return s.wrap(r0, r1), r1
}

// Dot implements backends.Builder on the current stage.
func (s *staged) Dot(lhs backends.Op, rhs backends.Op) (backends.Op, error) {
	in, err := s.inputs(lhs, rhs)
	if err != nil {
		return nil, err
	}
	_ = in
	r0, r1 := s.cur().Dot(in[0], in[1])
	return s.wrap(r0, r1), r1
}

// DynamicSlice implements backends.Builder on the current stage.
func (s *staged) DynamicSlice(operand backends.Op, startIndices []backends.Op, sliceDims []int) (backends.Op, error) {
	in, err := s.inputs(operand)
	if err != nil {
		return nil, err
	}
	_ = in
	startIndicesIn, err := s.inputs(startIndices...)
	if err != nil {
		return nil, err
	}
	r0, r1 := s.cur().DynamicSlice(in[0], startIndicesIn, sliceDims)
	return s.wrap(r0, r1), r1
}

// DynamicUpdateSlice implements backends.Builder on the current stage.
func (s *staged) DynamicUpdateSlice(operand backends.Op, update backends.Op, startIndices []backends.Op) (backends.Op, error) {
	in, err := s.inputs(operand, update)
	if err != nil {
		return nil, err
	}
	_ = in
	startIndicesIn, err := s.inputs(startIndices...)
	if err != nil {
		return nil, err
	}
	r0, r1 := s.cur().DynamicUpdateSlice(in[0], in[1], startIndicesIn)
	return s.wrap(r0, r1), r1
}

// Equal implements backends.Builder on the current stage.
func (s *staged) Equal(lhs backends.Op, rhs backends.Op) (backends.Op, error) {
	in, err := s.inputs(lhs, rhs)
	if err != nil {
		return nil, err
	}
	_ = in
	r0, r1 := s.cur().Equal(in[0], in[1])
	return s.wrap(r0, r1), r1
}

// EqualTotalOrder implements backends.Builder on the current stage.
func (s *staged) EqualTotalOrder(lhs backends.Op, rhs backends.Op) (backends.Op, error) {
	in, err := s.inputs(lhs, rhs)
	if err != nil {
		return nil, err
	}
	_ = in
	r0, r1 := s.cur().EqualTotalOrder(in[0], in[1])
	return s.wrap(r0, r1), r1
}

// Erf implements backends.Builder on the current stage.
func (s *staged) Erf(x backends.Op) (backends.Op, error) {
	in, err := s.inputs(x)
	if err != nil {
		return nil, err
	}
	_ = in
	r0, r1 := s.cur().Erf(in[0])
	return s.wrap(r0, r1), r1
}

// Exp implements backends.Builder on the current stage.
func (s *staged) Exp(x backends.Op) (backends.Op, error) {
	in, err := s.inputs(x)
	if err != nil {
		return nil, err
	}
	_ = in
	r0, r1 := s.cur().Exp(in[0])
	return s.wrap(r0, r1), r1
}

// Expm1 implements backends.Builder on the current stage.
func (s *staged) Expm1(x backends.Op) (backends.Op, error) {
	in, err := s.inputs(x)
	if err != nil {
		return nil, err
	}
	_ = in
	r0, r1 := s.cur().Expm1(in[0])
	return s.wrap(r0, r1), r1
}

// FFT implements backends.Builder on the current stage.
func (s *staged) FFT(operand backends.Op, fftType backends.FFTType, fftLength []int) (backends.Op, error) {
	in, err := s.inputs(operand)
	if err != nil {
		return nil, err
	}
	_ = in
	r0, r1 := s.cur().FFT(in[0], fftType, fftLength)
	return s.wrap(r0, r1), r1
}

// Floor implements backends.Builder on the current stage.
func (s *staged) Floor(x backends.Op) (backends.Op, error) {
	in, err := s.inputs(x)
	if err != nil {
		return nil, err
	}
	_ = in
	r0, r1 := s.cur().Floor(in[0])
	return s.wrap(r0, r1), r1
}

// Gather implements backends.Builder on the current stage.
func (s *staged) Gather(operand backends.Op, startIndices backends.Op, indexVectorAxis int, offsetOutputAxes []int, collapsedSliceAxes []int, startIndexMap []int, sliceSizes []int, indicesAreSorted bool) (backends.Op, error) {
	in, err := s.inputs(operand, startIndices)
	if err != nil {
		return nil, err
	}
	_ = in
	r0, r1 := s.cur().Gather(in[0], in[1], indexVectorAxis, offsetOutputAxes, collapsedSliceAxes, startIndexMap, sliceSizes, indicesAreSorted)
	return s.wrap(r0, r1), r1
}

// GreaterOrEqual implements backends.Builder on the current stage.
func (s *staged) GreaterOrEqual(lhs backends.Op, rhs backends.Op) (backends.Op, error) {
	in, err := s.inputs(lhs, rhs)
	if err != nil {
		return nil, err
	}
	_ = in
	r0, r1 := s.cur().GreaterOrEqual(in[0], in[1])
	return s.wrap(r0, r1), r1
}

// GreaterOrEqualTotalOrder implements backends.Builder on the current stage.
func (s *staged) GreaterOrEqualTotalOrder(lhs backends.Op, rhs backends.Op) (backends.Op, error) {
	in, err := s.inputs(lhs, rhs)
	if err != nil {
		return nil, err
	}
	_ = in
	r0, r1 := s.cur().GreaterOrEqualTotalOrder(in[0], in[1])
	return s.wrap(r0, r1), r1
}

// GreaterThan implements backends.Builder on the current stage.
func (s *staged) GreaterThan(lhs backends.Op, rhs backends.Op) (backends.Op, error) {
	in, err := s.inputs(lhs, rhs)
	if err != nil {
		return nil, err
	}
	_ = in
	r0, r1 := s.cur().GreaterThan(in[0], in[1])
	return s.wrap(r0, r1), r1
}

// GreaterThanTotalOrder implements backends.Builder on the current stage.
func (s *staged) GreaterThanTotalOrder(lhs backends.Op, rhs backends.Op) (backends.Op, error) {
	in, err := s.inputs(lhs, rhs)
	if err != nil {
		return nil, err
	}
	_ = in
	r0, r1 := s.cur().GreaterThanTotalOrder(in[0], in[1])
	return s.wrap(r0, r1), r1
}

// Identity implements backends.Builder on the current stage.
func (s *staged) Identity(x backends.Op) (backends.Op, error) {
	in, err := s.inputs(x)
	if err != nil {
		return nil, err
	}
	_ = in
	r0, r1 := s.cur().Identity(in[0])
	return s.wrap(r0, r1), r1
}

// Imag implements backends.Builder on the current stage.
func (s *staged) Imag(x backends.Op) (backends.Op, error) {
	in, err := s.inputs(x)
	if err != nil {
		return nil, err
	}
	_ = in
	r0, r1 := s.cur().Imag(in[0])
	return s.wrap(r0, r1), r1
}

// Iota implements backends.Builder on the current stage.
func (s *staged) Iota(shape shapes.Shape, iotaAxis int) (backends.Op, error) {
	in, err := s.inputs()
	if err != nil {
		return nil, err
	}
	_ = in
	r0, r1 := s.cur().Iota(shape, iotaAxis)
	return s.wrap(r0, r1), r1
}

// IsFinite implements backends.Builder on the current stage.
func (s *staged) IsFinite(x backends.Op) (backends.Op, error) {
	in, err := s.inputs(x)
	if err != nil {
		return nil, err
	}
	_ = in
	r0, r1 := s.cur().IsFinite(in[0])
	return s.wrap(r0, r1), r1
}

// IsNaN implements backends.Builder on the current stage.
func (s *staged) IsNaN(x backends.Op) (backends.Op, error) {
	in, err := s.inputs(x)
	if err != nil {
		return nil, err
	}
	_ = in
	r0, r1 := s.cur().IsNaN(in[0])
	return s.wrap(r0, r1), r1
}

// LessOrEqual implements backends.Builder on the current stage.
func (s *staged) LessOrEqual(lhs backends.Op, rhs backends.Op) (backends.Op, error) {
	in, err := s.inputs(lhs, rhs)
	if err != nil {
		return nil, err
	}
	_ = in
	r0, r1 := s.cur().LessOrEqual(in[0], in[1])
	return s.wrap(r0, r1), r1
}

// LessOrEqualTotalOrder implements backends.Builder on the current stage.
func (s *staged) LessOrEqualTotalOrder(lhs backends.Op, rhs backends.Op) (backends.Op, error) {
	in, err := s.inputs(lhs, rhs)
	if err != nil {
		return nil, err
	}
	_ = in
	r0, r1 := s.cur().LessOrEqualTotalOrder(in[0], in[1])
	return s.wrap(r0, r1), r1
}

// LessThan implements backends.Builder on the current stage.
func (s *staged) LessThan(lhs backends.Op, rhs backends.Op) (backends.Op, error) {
	in, err := s.inputs(lhs, rhs)
	if err != nil {
		return nil, err
	}
	_ = in
	r0, r1 := s.cur().LessThan(in[0], in[1])
	return s.wrap(r0, r1), r1
}

// LessThanTotalOrder implements backends.Builder on the current stage.
func (s *staged) LessThanTotalOrder(lhs backends.Op, rhs backends.Op) (backends.Op, error) {
	in, err := s.inputs(lhs, rhs)
	if err != nil {
		return nil, err
	}
	_ = in
	r0, r1 := s.cur().LessThanTotalOrder(in[0], in[1])
	return s.wrap(r0, r1), r1
}

// Log implements backends.Builder on the current stage.
func (s *staged) Log(x backends.Op) (backends.Op, error) {
	in, err := s.inputs(x)
	if err != nil {
		return nil, err
	}
	_ = in
	r0, r1 := s.cur().Log(in[0])
	return s.wrap(r0, r1), r1
}

// Log1p implements backends.Builder on the current stage.
func (s *staged) Log1p(x backends.Op) (backends.Op, error) {
	in, err := s.inputs(x)
	if err != nil {
		return nil, err
	}
	_ = in
	r0, r1 := s.cur().Log1p(in[0])
	return s.wrap(r0, r1), r1
}

// LogicalAnd implements backends.Builder on the current stage.
func (s *staged) LogicalAnd(lhs backends.Op, rhs backends.Op) (backends.Op, error) {
	in, err := s.inputs(lhs, rhs)
	if err != nil {
		return nil, err
	}
	_ = in
	r0, r1 := s.cur().LogicalAnd(in[0], in[1])
	return s.wrap(r0, r1), r1
}

// LogicalNot implements backends.Builder on the current stage.
func (s *staged) LogicalNot(x backends.Op) (backends.Op, error) {
	in, err := s.inputs(x)
	if err != nil {
		return nil, err
	}
	_ = in
	r0, r1 := s.cur().LogicalNot(in[0])
	return s.wrap(r0, r1), r1
}

// LogicalOr implements backends.Builder on the current stage.
func (s *staged) LogicalOr(lhs backends.Op, rhs backends.Op) (backends.Op, error) {
	in, err := s.inputs(lhs, rhs)
	if err != nil {
		return nil, err
	}
	_ = in
	r0, r1 := s.cur().LogicalOr(in[0], in[1])
	return s.wrap(r0, r1), r1
}

// LogicalXor implements backends.Builder on the current stage.
func (s *staged) LogicalXor(lhs backends.Op, rhs backends.Op) (backends.Op, error) {
	in, err := s.inputs(lhs, rhs)
	if err != nil {
		return nil, err
	}
	_ = in
	r0, r1 := s.cur().LogicalXor(in[0], in[1])
	return s.wrap(r0, r1), r1
}

// Logistic implements backends.Builder on the current stage.
func (s *staged) Logistic(x backends.Op) (backends.Op, error) {
	in, err := s.inputs(x)
	if err != nil {
		return nil, err
	}
	_ = in
	r0, r1 := s.cur().Logistic(in[0])
	return s.wrap(r0, r1), r1
}

// Max implements backends.Builder on the current stage.
func (s *staged) Max(lhs backends.Op, rhs backends.Op) (backends.Op, error) {
	in, err := s.inputs(lhs, rhs)
	if err != nil {
		return nil, err
	}
	_ = in
	r0, r1 := s.cur().Max(in[0], in[1])
	return s.wrap(r0, r1), r1
}

// Min implements backends.Builder on the current stage.
func (s *staged) Min(lhs backends.Op, rhs backends.Op) (backends.Op, error) {
	in, err := s.inputs(lhs, rhs)
	if err != nil {
		return nil, err
	}
	_ = in
	r0, r1 := s.cur().Min(in[0], in[1])
	return s.wrap(r0, r1), r1
}

// Mul implements backends.Builder on the current stage.
func (s *staged) Mul(lhs backends.Op, rhs backends.Op) (backends.Op, error) {
	in, err := s.inputs(lhs, rhs)
	if err != nil {
		return nil, err
	}
	_ = in
	r0, r1 := s.cur().Mul(in[0], in[1])
	return s.wrap(r0, r1), r1
}

// Neg implements backends.Builder on the current stage.
func (s *staged) Neg(x backends.Op) (backends.Op, error) {
	in, err := s.inputs(x)
	if err != nil {
		return nil, err
	}
	_ = in
	r0, r1 := s.cur().Neg(in[0])
	return s.wrap(r0, r1), r1
}

// NotEqual implements backends.Builder on the current stage.
func (s *staged) NotEqual(lhs backends.Op, rhs backends.Op) (backends.Op, error) {
	in, err := s.inputs(lhs, rhs)
	if err != nil {
		return nil, err
	}
	_ = in
	r0, r1 := s.cur().NotEqual(in[0], in[1])
	return s.wrap(r0, r1), r1
}

// NotEqualTotalOrder implements backends.Builder on the current stage.
func (s *staged) NotEqualTotalOrder(lhs backends.Op, rhs backends.Op) (backends.Op, error) {
	in, err := s.inputs(lhs, rhs)
	if err != nil {
		return nil, err
	}
	_ = in
	r0, r1 := s.cur().NotEqualTotalOrder(in[0], in[1])
	return s.wrap(r0, r1), r1
}

// Pad implements backends.Builder on the current stage.
func (s *staged) Pad(x backends.Op, fillValue backends.Op, axesConfig ...backends.PadAxis) (backends.Op, error) {
	in, err := s.inputs(x, fillValue)
	if err != nil {
		return nil, err
	}
	_ = in
	r0, r1 := s.cur().Pad(in[0], in[1], axesConfig...)
	return s.wrap(r0, r1), r1
}

// Pow implements backends.Builder on the current stage.
func (s *staged) Pow(lhs backends.Op, rhs backends.Op) (backends.Op, error) {
	in, err := s.inputs(lhs, rhs)
	if err != nil {
		return nil, err
	}
	_ = in
	r0, r1 := s.cur().Pow(in[0], in[1])
	return s.wrap(r0, r1), r1
}

// Real implements backends.Builder on the current stage.
func (s *staged) Real(x backends.Op) (backends.Op, error) {
	in, err := s.inputs(x)
	if err != nil {
		return nil, err
	}
	_ = in
	r0, r1 := s.cur().Real(in[0])
	return s.wrap(r0, r1), r1
}

// ReduceBitwiseAnd implements backends.Builder on the current stage.
func (s *staged) ReduceBitwiseAnd(x backends.Op, axes ...int) (backends.Op, error) {
	in, err := s.inputs(x)
	if err != nil {
		return nil, err
	}
	_ = in
	r0, r1 := s.cur().ReduceBitwiseAnd(in[0], axes...)
	return s.wrap(r0, r1), r1
}

// ReduceBitwiseOr implements backends.Builder on the current stage.
func (s *staged) ReduceBitwiseOr(x backends.Op, axes ...int) (backends.Op, error) {
	in, err := s.inputs(x)
	if err != nil {
		return nil, err
	}
	_ = in
	r0, r1 := s.cur().ReduceBitwiseOr(in[0], axes...)
	return s.wrap(r0, r1), r1
}

// ReduceBitwiseXor implements backends.Builder on the current stage.
func (s *staged) ReduceBitwiseXor(x backends.Op, axes ...int) (backends.Op, error) {
	in, err := s.inputs(x)
	if err != nil {
		return nil, err
	}
	_ = in
	r0, r1 := s.cur().ReduceBitwiseXor(in[0], axes...)
	return s.wrap(r0, r1), r1
}

// ReduceLogicalAnd implements backends.Builder on the current stage.
func (s *staged) ReduceLogicalAnd(x backends.Op, axes ...int) (backends.Op, error) {
	in, err := s.inputs(x)
	if err != nil {
		return nil, err
	}
	_ = in
	r0, r1 := s.cur().ReduceLogicalAnd(in[0], axes...)
	return s.wrap(r0, r1), r1
}

// ReduceLogicalOr implements backends.Builder on the current stage.
func (s *staged) ReduceLogicalOr(x backends.Op, axes ...int) (backends.Op, error) {
	in, err := s.inputs(x)
	if err != nil {
		return nil, err
	}
	_ = in
	r0, r1 := s.cur().ReduceLogicalOr(in[0], axes...)
	return s.wrap(r0, r1), r1
}

// ReduceLogicalXor implements backends.Builder on the current stage.
func (s *staged) ReduceLogicalXor(x backends.Op, axes ...int) (backends.Op, error) {
	in, err := s.inputs(x)
	if err != nil {
		return nil, err
	}
	_ = in
	r0, r1 := s.cur().ReduceLogicalXor(in[0], axes...)
	return s.wrap(r0, r1), r1
}

// ReduceMax implements backends.Builder on the current stage.
func (s *staged) ReduceMax(x backends.Op, axes ...int) (backends.Op, error) {
	in, err := s.inputs(x)
	if err != nil {
		return nil, err
	}
	_ = in
	r0, r1 := s.cur().ReduceMax(in[0], axes...)
	return s.wrap(r0, r1), r1
}

// ReduceMin implements backends.Builder on the current stage.
func (s *staged) ReduceMin(x backends.Op, axes ...int) (backends.Op, error) {
	in, err := s.inputs(x)
	if err != nil {
		return nil, err
	}
	_ = in
	r0, r1 := s.cur().ReduceMin(in[0], axes...)
	return s.wrap(r0, r1), r1
}

// ReduceProduct implements backends.Builder on the current stage.
func (s *staged) ReduceProduct(x backends.Op, axes ...int) (backends.Op, error) {
	in, err := s.inputs(x)
	if err != nil {
		return nil, err
	}
	_ = in
	r0, r1 := s.cur().ReduceProduct(in[0], axes...)
	return s.wrap(r0, r1), r1
}

// ReduceSum implements backends.Builder on the current stage.
func (s *staged) ReduceSum(x backends.Op, axes ...int) (backends.Op, error) {
	in, err := s.inputs(x)
	if err != nil {
		return nil, err
	}
	_ = in
	r0, r1 := s.cur().ReduceSum(in[0], axes...)
	return s.wrap(r0, r1), r1
}

// ReduceWindow implements backends.Builder on the current stage.
func (s *staged) ReduceWindow(x backends.Op, reductionType backends.ReduceOpType, windowDimensions []int, strides []int, baseDilations []int, windowDilations []int, paddings [][2]int) (backends.Op, error) {
	in, err := s.inputs(x)
	if err != nil {
		return nil, err
	}
	_ = in
	r0, r1 := s.cur().ReduceWindow(in[0], reductionType, windowDimensions, strides, baseDilations, windowDilations, paddings)
	return s.wrap(r0, r1), r1
}

// Rem implements backends.Builder on the current stage.
func (s *staged) Rem(lhs backends.Op, rhs backends.Op) (backends.Op, error) {
	in, err := s.inputs(lhs, rhs)
	if err != nil {
		return nil, err
	}
	_ = in
	r0, r1 := s.cur().Rem(in[0], in[1])
	return s.wrap(r0, r1), r1
}

// Reshape implements backends.Builder on the current stage.
func (s *staged) Reshape(x backends.Op, dimensions ...int) (backends.Op, error) {
	in, err := s.inputs(x)
	if err != nil {
		return nil, err
	}
	_ = in
	r0, r1 := s.cur().Reshape(in[0], dimensions...)
	return s.wrap(r0, r1), r1
}

// Reverse implements backends.Builder on the current stage.
func (s *staged) Reverse(x backends.Op, axes ...int) (backends.Op, error) {
	in, err := s.inputs(x)
	if err != nil {
		return nil, err
	}
	_ = in
	r0, r1 := s.cur().Reverse(in[0], axes...)
	return s.wrap(r0, r1), r1
}

// RNGBitGenerator implements backends.Builder on the current stage.
func (s *staged) RNGBitGenerator(state backends.Op, shape shapes.Shape) (backends.Op, backends.Op, error) {
	in, err := s.inputs(state)
	if err != nil {
		return nil, nil, err
	}
	_ = in
	r0, r1, r2 := s.cur().RNGBitGenerator(in[0], shape)
	return s.wrap(r0, r2), s.wrap(r1, r2), r2
}

// Round implements backends.Builder on the current stage.
func (s *staged) Round(x backends.Op) (backends.Op, error) {
	in, err := s.inputs(x)
	if err != nil {
		return nil, err
	}
	_ = in
	r0, r1 := s.cur().Round(in[0])
	return s.wrap(r0, r1), r1
}

// Rsqrt implements backends.Builder on the current stage.
func (s *staged) Rsqrt(x backends.Op) (backends.Op, error) {
	in, err := s.inputs(x)
	if err != nil {
		return nil, err
	}
	_ = in
	r0, r1 := s.cur().Rsqrt(in[0])
	return s.wrap(r0, r1), r1
}

// ScatterMax implements backends.Builder on the current stage.
func (s *staged) ScatterMax(operand backends.Op, scatterIndices backends.Op, updates backends.Op, indexVectorAxis int, updateWindowAxes []int, insertedWindowAxes []int, scatterAxesToOperandAxes []int, indicesAreSorted bool, uniqueIndices bool) (backends.Op, error) {
	in, err := s.inputs(operand, scatterIndices, updates)
	if err != nil {
		return nil, err
	}
	_ = in
	r0, r1 := s.cur().ScatterMax(in[0], in[1], in[2], indexVectorAxis, updateWindowAxes, insertedWindowAxes, scatterAxesToOperandAxes, indicesAreSorted, uniqueIndices)
	return s.wrap(r0, r1), r1
}

// ScatterMin implements backends.Builder on the current stage.
func (s *staged) ScatterMin(operand backends.Op, scatterIndices backends.Op, updates backends.Op, indexVectorAxis int, updateWindowAxes []int, insertedWindowAxes []int, scatterAxesToOperandAxes []int, indicesAreSorted bool, uniqueIndices bool) (backends.Op, error) {
	in, err := s.inputs(operand, scatterIndices, updates)
	if err != nil {
		return nil, err
	}
	_ = in
	r0, r1 := s.cur().ScatterMin(in[0], in[1], in[2], indexVectorAxis, updateWindowAxes, insertedWindowAxes, scatterAxesToOperandAxes, indicesAreSorted, uniqueIndices)
	return s.wrap(r0, r1), r1
}

// ScatterSum implements backends.Builder on the current stage.
func (s *staged) ScatterSum(operand backends.Op, scatterIndices backends.Op, updates backends.Op, indexVectorAxis int, updateWindowAxes []int, insertedWindowAxes []int, scatterAxesToOperandAxes []int, indicesAreSorted bool, uniqueIndices bool) (backends.Op, error) {
	in, err := s.inputs(operand, scatterIndices, updates)
	if err != nil {
		return nil, err
	}
	_ = in
	r0, r1 := s.cur().ScatterSum(in[0], in[1], in[2], indexVectorAxis, updateWindowAxes, insertedWindowAxes, scatterAxesToOperandAxes, indicesAreSorted, uniqueIndices)
	return s.wrap(r0, r1), r1
}

// SelectAndScatterMax implements backends.Builder on the current stage.
func (s *staged) SelectAndScatterMax(operand backends.Op, source backends.Op, windowDimensions []int, windowStrides []int, paddings [][2]int) (backends.Op, error) {
	in, err := s.inputs(operand, source)
	if err != nil {
		return nil, err
	}
	_ = in
	r0, r1 := s.cur().SelectAndScatterMax(in[0], in[1], windowDimensions, windowStrides, paddings)
	return s.wrap(r0, r1), r1
}

// SelectAndScatterMin implements backends.Builder on the current stage.
func (s *staged) SelectAndScatterMin(operand backends.Op, source backends.Op, windowDimensions []int, windowStrides []int, paddings [][2]int) (backends.Op, error) {
	in, err := s.inputs(operand, source)
	if err != nil {
		return nil, err
	}
	_ = in
	r0, r1 := s.cur().SelectAndScatterMin(in[0], in[1], windowDimensions, windowStrides, paddings)
	return s.wrap(r0, r1), r1
}

// ShiftLeft implements backends.Builder on the current stage.
func (s *staged) ShiftLeft(lhs backends.Op, rhs backends.Op) (backends.Op, error) {
	in, err := s.inputs(lhs, rhs)
	if err != nil {
		return nil, err
	}
	_ = in
	r0, r1 := s.cur().ShiftLeft(in[0], in[1])
	return s.wrap(r0, r1), r1
}

// ShiftRightArithmetic implements backends.Builder on the current stage.
func (s *staged) ShiftRightArithmetic(lhs backends.Op, rhs backends.Op) (backends.Op, error) {
	in, err := s.inputs(lhs, rhs)
	if err != nil {
		return nil, err
	}
	_ = in
	r0, r1 := s.cur().ShiftRightArithmetic(in[0], in[1])
	return s.wrap(r0, r1), r1
}

// ShiftRightLogical implements backends.Builder on the current stage.
func (s *staged) ShiftRightLogical(lhs backends.Op, rhs backends.Op) (backends.Op, error) {
	in, err := s.inputs(lhs, rhs)
	if err != nil {
		return nil, err
	}
	_ = in
	r0, r1 := s.cur().ShiftRightLogical(in[0], in[1])
	return s.wrap(r0, r1), r1
}

// Sign implements backends.Builder on the current stage.
func (s *staged) Sign(x backends.Op) (backends.Op, error) {
	in, err := s.inputs(x)
	if err != nil {
		return nil, err
	}
	_ = in
	r0, r1 := s.cur().Sign(in[0])
	return s.wrap(r0, r1), r1
}

// Sin implements backends.Builder on the current stage.
func (s *staged) Sin(x backends.Op) (backends.Op, error) {
	in, err := s.inputs(x)
	if err != nil {
		return nil, err
	}
	_ = in
	r0, r1 := s.cur().Sin(in[0])
	return s.wrap(r0, r1), r1
}

// Slice implements backends.Builder on the current stage.
func (s *staged) Slice(x backends.Op, starts []int, limits []int, strides []int) (backends.Op, error) {
	in, err := s.inputs(x)
	if err != nil {
		return nil, err
	}
	_ = in
	r0, r1 := s.cur().Slice(in[0], starts, limits, strides)
	return s.wrap(r0, r1), r1
}

// Sqrt implements backends.Builder on the current stage.
func (s *staged) Sqrt(x backends.Op) (backends.Op, error) {
	in, err := s.inputs(x)
	if err != nil {
		return nil, err
	}
	_ = in
	r0, r1 := s.cur().Sqrt(in[0])
	return s.wrap(r0, r1), r1
}

// Sub implements backends.Builder on the current stage.
func (s *staged) Sub(lhs backends.Op, rhs backends.Op) (backends.Op, error) {
	in, err := s.inputs(lhs, rhs)
	if err != nil {
		return nil, err
	}
	_ = in
	r0, r1 := s.cur().Sub(in[0], in[1])
	return s.wrap(r0, r1), r1
}

// Tanh implements backends.Builder on the current stage.
func (s *staged) Tanh(x backends.Op) (backends.Op, error) {
	in, err := s.inputs(x)
	if err != nil {
		return nil, err
	}
	_ = in
	r0, r1 := s.cur().Tanh(in[0])
	return s.wrap(r0, r1), r1
}

// Transpose implements backends.Builder on the current stage.
func (s *staged) Transpose(x backends.Op, permutation ...int) (backends.Op, error) {
	in, err := s.inputs(x)
	if err != nil {
		return nil, err
	}
	_ = in
	r0, r1 := s.cur().Transpose(in[0], permutation...)
	return s.wrap(r0, r1), r1
}

// Where implements backends.Builder on the current stage.
func (s *staged) Where(condition backends.Op, onTrue backends.Op, onFalse backends.Op) (backends.Op, error) {
	in, err := s.inputs(condition, onTrue, onFalse)
	if err != nil {
		return nil, err
	}
	_ = in
	r0, r1 := s.cur().Where(in[0], in[1], in[2])
	return s.wrap(r0, r1), r1
}

// AllReduce implements backends.Builder on the current stage.
func (s *staged) AllReduce(operands []backends.Op, reductionType backends.ReduceOpType, replicaGroups [][]int) ([]backends.Op, error) {
	in, err := s.inputs()
	if err != nil {
		return nil, err
	}
	_ = in
	operandsIn, err := s.inputs(operands...)
	if err != nil {
		return nil, err
	}
	r0, r1 := s.cur().AllReduce(operandsIn, reductionType, replicaGroups)
	return s.wrapAll(r0, r1), r1
}
