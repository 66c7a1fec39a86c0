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
	outs, err := s.record(func(b backends.Builder, in []backends.Op) ([]backends.Op, error) {
		r0, r1 := b.Abs(in[0])
		return []backends.Op{r0}, r1
	}, concatOps([]backends.Op{x}))
	return s.at(outs, 0), err
}

// Add implements backends.Builder on the current stage.
func (s *staged) Add(lhs backends.Op, rhs backends.Op) (backends.Op, error) {
	outs, err := s.record(func(b backends.Builder, in []backends.Op) ([]backends.Op, error) {
		r0, r1 := b.Add(in[0], in[1])
		return []backends.Op{r0}, r1
	}, concatOps([]backends.Op{lhs}, []backends.Op{rhs}))
	return s.at(outs, 0), err
}

// ArgMinMax implements backends.Builder on the current stage.
func (s *staged) ArgMinMax(x backends.Op, axis int, outputDType dtypes.DType, isMin bool) (backends.Op, error) {
	outs, err := s.record(func(b backends.Builder, in []backends.Op) ([]backends.Op, error) {
		r0, r1 := b.ArgMinMax(in[0], axis, outputDType, isMin)
		return []backends.Op{r0}, r1
	}, concatOps([]backends.Op{x}))
	return s.at(outs, 0), err
}

// BatchNormForInference implements backends.Builder on the current stage.
func (s *staged) BatchNormForInference(operand backends.Op, scale backends.Op, offset backends.Op, mean backends.Op, variance backends.Op, epsilon float32, featureAxis int) (backends.Op, error) {
	outs, err := s.record(func(b backends.Builder, in []backends.Op) ([]backends.Op, error) {
		r0, r1 := b.BatchNormForInference(in[0], in[1], in[2], in[3], in[4], epsilon, featureAxis)
		return []backends.Op{r0}, r1
	}, concatOps([]backends.Op{operand}, []backends.Op{scale}, []backends.Op{offset}, []backends.Op{mean}, []backends.Op{variance}))
	return s.at(outs, 0), err
}

// BatchNormForTraining implements backends.Builder on the current stage.
func (s *staged) BatchNormForTraining(operand backends.Op, scale backends.Op, offset backends.Op, epsilon float32, featureAxis int) (backends.Op, backends.Op, backends.Op, error) {
	outs, err := s.record(func(b backends.Builder, in []backends.Op) ([]backends.Op, error) {
		r0, r1, r2, r3 := b.BatchNormForTraining(in[0], in[1], in[2], epsilon, featureAxis)
		return []backends.Op{r0, r1, r2}, r3
	}, concatOps([]backends.Op{operand}, []backends.Op{scale}, []backends.Op{offset}))
	return s.at(outs, 0), s.at(outs, 1), s.at(outs, 2), err
}

// BatchNormGradient implements backends.Builder on the current stage.
func (s *staged) BatchNormGradient(operand backends.Op, scale backends.Op, mean backends.Op, variance backends.Op, gradOutput backends.Op, epsilon float32, featureAxis int) (backends.Op, backends.Op, backends.Op, error) {
	outs, err := s.record(func(b backends.Builder, in []backends.Op) ([]backends.Op, error) {
		r0, r1, r2, r3 := b.BatchNormGradient(in[0], in[1], in[2], in[3], in[4], epsilon, featureAxis)
		return []backends.Op{r0, r1, r2}, r3
	}, concatOps([]backends.Op{operand}, []backends.Op{scale}, []backends.Op{mean}, []backends.Op{variance}, []backends.Op{gradOutput}))
	return s.at(outs, 0), s.at(outs, 1), s.at(outs, 2), err
}

// Bitcast implements backends.Builder on the current stage.
func (s *staged) Bitcast(x backends.Op, targetDType dtypes.DType) (backends.Op, error) {
	outs, err := s.record(func(b backends.Builder, in []backends.Op) ([]backends.Op, error) {
		r0, r1 := b.Bitcast(in[0], targetDType)
		return []backends.Op{r0}, r1
	}, concatOps([]backends.Op{x}))
	return s.at(outs, 0), err
}

// BitCount implements backends.Builder on the current stage.
func (s *staged) BitCount(operand backends.Op) (backends.Op, error) {
	outs, err := s.record(func(b backends.Builder, in []backends.Op) ([]backends.Op, error) {
		r0, r1 := b.BitCount(in[0])
		return []backends.Op{r0}, r1
	}, concatOps([]backends.Op{operand}))
	return s.at(outs, 0), err
}

// BitwiseAnd implements backends.Builder on the current stage.
func (s *staged) BitwiseAnd(lhs backends.Op, rhs backends.Op) (backends.Op, error) {
	outs, err := s.record(func(b backends.Builder, in []backends.Op) ([]backends.Op, error) {
		r0, r1 := b.BitwiseAnd(in[0], in[1])
		return []backends.Op{r0}, r1
	}, concatOps([]backends.Op{lhs}, []backends.Op{rhs}))
	return s.at(outs, 0), err
}

// BitwiseNot implements backends.Builder on the current stage.
func (s *staged) BitwiseNot(x backends.Op) (backends.Op, error) {
	outs, err := s.record(func(b backends.Builder, in []backends.Op) ([]backends.Op, error) {
		r0, r1 := b.BitwiseNot(in[0])
		return []backends.Op{r0}, r1
	}, concatOps([]backends.Op{x}))
	return s.at(outs, 0), err
}

// BitwiseOr implements backends.Builder on the current stage.
func (s *staged) BitwiseOr(lhs backends.Op, rhs backends.Op) (backends.Op, error) {
	outs, err := s.record(func(b backends.Builder, in []backends.Op) ([]backends.Op, error) {
		r0, r1 := b.BitwiseOr(in[0], in[1])
		return []backends.Op{r0}, r1
	}, concatOps([]backends.Op{lhs}, []backends.Op{rhs}))
	return s.at(outs, 0), err
}

// BitwiseXor implements backends.Builder on the current stage.
func (s *staged) BitwiseXor(lhs backends.Op, rhs backends.Op) (backends.Op, error) {
	outs, err := s.record(func(b backends.Builder, in []backends.Op) ([]backends.Op, error) {
		r0, r1 := b.BitwiseXor(in[0], in[1])
		return []backends.Op{r0}, r1
	}, concatOps([]backends.Op{lhs}, []backends.Op{rhs}))
	return s.at(outs, 0), err
}

// BroadcastInDim implements backends.Builder on the current stage.
func (s *staged) BroadcastInDim(x backends.Op, outputShape shapes.Shape, broadcastAxes []int) (backends.Op, error) {
	outs, err := s.record(func(b backends.Builder, in []backends.Op) ([]backends.Op, error) {
		r0, r1 := b.BroadcastInDim(in[0], outputShape, broadcastAxes)
		return []backends.Op{r0}, r1
	}, concatOps([]backends.Op{x}))
	return s.at(outs, 0), err
}

// Ceil implements backends.Builder on the current stage.
func (s *staged) Ceil(x backends.Op) (backends.Op, error) {
	outs, err := s.record(func(b backends.Builder, in []backends.Op) ([]backends.Op, error) {
		r0, r1 := b.Ceil(in[0])
		return []backends.Op{r0}, r1
	}, concatOps([]backends.Op{x}))
	return s.at(outs, 0), err
}

// Clamp implements backends.Builder on the current stage.
func (s *staged) Clamp(min backends.Op, x backends.Op, max backends.Op) (backends.Op, error) {
	outs, err := s.record(func(b backends.Builder, in []backends.Op) ([]backends.Op, error) {
		r0, r1 := b.Clamp(in[0], in[1], in[2])
		return []backends.Op{r0}, r1
	}, concatOps([]backends.Op{min}, []backends.Op{x}, []backends.Op{max}))
	return s.at(outs, 0), err
}

// Clz implements backends.Builder on the current stage.
func (s *staged) Clz(x backends.Op) (backends.Op, error) {
	outs, err := s.record(func(b backends.Builder, in []backends.Op) ([]backends.Op, error) {
		r0, r1 := b.Clz(in[0])
		return []backends.Op{r0}, r1
	}, concatOps([]backends.Op{x}))
	return s.at(outs, 0), err
}

// Complex implements backends.Builder on the current stage.
func (s *staged) Complex(lhs backends.Op, rhs backends.Op) (backends.Op, error) {
	outs, err := s.record(func(b backends.Builder, in []backends.Op) ([]backends.Op, error) {
		r0, r1 := b.Complex(in[0], in[1])
		return []backends.Op{r0}, r1
	}, concatOps([]backends.Op{lhs}, []backends.Op{rhs}))
	return s.at(outs, 0), err
}

// Concatenate implements backends.Builder on the current stage.
func (s *staged) Concatenate(axis int, operands ...backends.Op) (backends.Op, error) {
	outs, err := s.record(func(b backends.Builder, in []backends.Op) ([]backends.Op, error) {
		r0, r1 := b.Concatenate(axis, in[0:len(operands)]...)
		return []backends.Op{r0}, r1
	}, concatOps(operands))
	return s.at(outs, 0), err
}

// Conj implements backends.Builder on the current stage.
func (s *staged) Conj(x backends.Op) (backends.Op, error) {
	outs, err := s.record(func(b backends.Builder, in []backends.Op) ([]backends.Op, error) {
		r0, r1 := b.Conj(in[0])
		return []backends.Op{r0}, r1
	}, concatOps([]backends.Op{x}))
	return s.at(outs, 0), err
}

// ConvGeneral implements backends.Builder on the current stage.
func (s *staged) ConvGeneral(input backends.Op, kernel backends.Op, axes backends.ConvolveAxesConfig, strides []int, paddings [][2]int, inputDilations []int, kernelDilations []int, channelGroupCount int, batchGroupCount int) (backends.Op, error) {
	outs, err := s.record(func(b backends.Builder, in []backends.Op) ([]backends.Op, error) {
		r0, r1 := b.ConvGeneral(in[0], in[1], axes, strides, paddings, inputDilations, kernelDilations, channelGroupCount, batchGroupCount)
		return []backends.Op{r0}, r1
	}, concatOps([]backends.Op{input}, []backends.Op{kernel}))
	return s.at(outs, 0), err
}

// ConvertDType implements backends.Builder on the current stage.
func (s *staged) ConvertDType(x backends.Op, dtype dtypes.DType) (backends.Op, error) {
	outs, err := s.record(func(b backends.Builder, in []backends.Op) ([]backends.Op, error) {
		r0, r1 := b.ConvertDType(in[0], dtype)
		return []backends.Op{r0}, r1
	}, concatOps([]backends.Op{x}))
	return s.at(outs, 0), err
}

// Cos implements backends.Builder on the current stage.
func (s *staged) Cos(x backends.Op) (backends.Op, error) {
	outs, err := s.record(func(b backends.Builder, in []backends.Op) ([]backends.Op, error) {
		r0, r1 := b.Cos(in[0])
		return []backends.Op{r0}, r1
	}, concatOps([]backends.Op{x}))
	return s.at(outs, 0), err
}

// Div implements backends.Builder on the current stage.
func (s *staged) Div(lhs backends.Op, rhs backends.Op) (backends.Op, error) {
	outs, err := s.record(func(b backends.Builder, in []backends.Op) ([]backends.Op, error) {
		r0, r1 := b.Div(in[0], in[1])
		return []backends.Op{r0}, r1
	}, concatOps([]backends.Op{lhs}, []backends.Op{rhs}))
	return s.at(outs, 0), err
}

// DynamicSlice implements backends.Builder on the current stage.
func (s *staged) DynamicSlice(operand backends.Op, startIndices []backends.Op, sliceDims []int) (backends.Op, error) {
	outs, err := s.record(func(b backends.Builder, in []backends.Op) ([]backends.Op, error) {
		r0, r1 := b.DynamicSlice(in[0], in[1:1+len(startIndices)], sliceDims)
		return []backends.Op{r0}, r1
	}, concatOps([]backends.Op{operand}, startIndices))
	return s.at(outs, 0), err
}

// DynamicUpdateSlice implements backends.Builder on the current stage.
func (s *staged) DynamicUpdateSlice(operand backends.Op, update backends.Op, startIndices []backends.Op) (backends.Op, error) {
	outs, err := s.record(func(b backends.Builder, in []backends.Op) ([]backends.Op, error) {
		r0, r1 := b.DynamicUpdateSlice(in[0], in[1], in[2:2+len(startIndices)])
		return []backends.Op{r0}, r1
	}, concatOps([]backends.Op{operand}, []backends.Op{update}, startIndices))
	return s.at(outs, 0), err
}

// Equal implements backends.Builder on the current stage.
func (s *staged) Equal(lhs backends.Op, rhs backends.Op) (backends.Op, error) {
	outs, err := s.record(func(b backends.Builder, in []backends.Op) ([]backends.Op, error) {
		r0, r1 := b.Equal(in[0], in[1])
		return []backends.Op{r0}, r1
	}, concatOps([]backends.Op{lhs}, []backends.Op{rhs}))
	return s.at(outs, 0), err
}

// EqualTotalOrder implements backends.Builder on the current stage.
func (s *staged) EqualTotalOrder(lhs backends.Op, rhs backends.Op) (backends.Op, error) {
	outs, err := s.record(func(b backends.Builder, in []backends.Op) ([]backends.Op, error) {
		r0, r1 := b.EqualTotalOrder(in[0], in[1])
		return []backends.Op{r0}, r1
	}, concatOps([]backends.Op{lhs}, []backends.Op{rhs}))
	return s.at(outs, 0), err
}

// Erf implements backends.Builder on the current stage.
func (s *staged) Erf(x backends.Op) (backends.Op, error) {
	outs, err := s.record(func(b backends.Builder, in []backends.Op) ([]backends.Op, error) {
		r0, r1 := b.Erf(in[0])
		return []backends.Op{r0}, r1
	}, concatOps([]backends.Op{x}))
	return s.at(outs, 0), err
}

// Exp implements backends.Builder on the current stage.
func (s *staged) Exp(x backends.Op) (backends.Op, error) {
	outs, err := s.record(func(b backends.Builder, in []backends.Op) ([]backends.Op, error) {
		r0, r1 := b.Exp(in[0])
		return []backends.Op{r0}, r1
	}, concatOps([]backends.Op{x}))
	return s.at(outs, 0), err
}

// Expm1 implements backends.Builder on the current stage.
func (s *staged) Expm1(x backends.Op) (backends.Op, error) {
	outs, err := s.record(func(b backends.Builder, in []backends.Op) ([]backends.Op, error) {
		r0, r1 := b.Expm1(in[0])
		return []backends.Op{r0}, r1
	}, concatOps([]backends.Op{x}))
	return s.at(outs, 0), err
}

// FFT implements backends.Builder on the current stage.
func (s *staged) FFT(operand backends.Op, fftType backends.FFTType, fftLength []int) (backends.Op, error) {
	outs, err := s.record(func(b backends.Builder, in []backends.Op) ([]backends.Op, error) {
		r0, r1 := b.FFT(in[0], fftType, fftLength)
		return []backends.Op{r0}, r1
	}, concatOps([]backends.Op{operand}))
	return s.at(outs, 0), err
}

// Floor implements backends.Builder on the current stage.
func (s *staged) Floor(x backends.Op) (backends.Op, error) {
	outs, err := s.record(func(b backends.Builder, in []backends.Op) ([]backends.Op, error) {
		r0, r1 := b.Floor(in[0])
		return []backends.Op{r0}, r1
	}, concatOps([]backends.Op{x}))
	return s.at(outs, 0), err
}

// Gather implements backends.Builder on the current stage.
func (s *staged) Gather(operand backends.Op, startIndices backends.Op, indexVectorAxis int, offsetOutputAxes []int, collapsedSliceAxes []int, startIndexMap []int, sliceSizes []int, indicesAreSorted bool) (backends.Op, error) {
	outs, err := s.record(func(b backends.Builder, in []backends.Op) ([]backends.Op, error) {
		r0, r1 := b.Gather(in[0], in[1], indexVectorAxis, offsetOutputAxes, collapsedSliceAxes, startIndexMap, sliceSizes, indicesAreSorted)
		return []backends.Op{r0}, r1
	}, concatOps([]backends.Op{operand}, []backends.Op{startIndices}))
	return s.at(outs, 0), err
}

// GreaterOrEqual implements backends.Builder on the current stage.
func (s *staged) GreaterOrEqual(lhs backends.Op, rhs backends.Op) (backends.Op, error) {
	outs, err := s.record(func(b backends.Builder, in []backends.Op) ([]backends.Op, error) {
		r0, r1 := b.GreaterOrEqual(in[0], in[1])
		return []backends.Op{r0}, r1
	}, concatOps([]backends.Op{lhs}, []backends.Op{rhs}))
	return s.at(outs, 0), err
}

// GreaterOrEqualTotalOrder implements backends.Builder on the current stage.
func (s *staged) GreaterOrEqualTotalOrder(lhs backends.Op, rhs backends.Op) (backends.Op, error) {
	outs, err := s.record(func(b backends.Builder, in []backends.Op) ([]backends.Op, error) {
		r0, r1 := b.GreaterOrEqualTotalOrder(in[0], in[1])
		return []backends.Op{r0}, r1
	}, concatOps([]backends.Op{lhs}, []backends.Op{rhs}))
	return s.at(outs, 0), err
}

// GreaterThan implements backends.Builder on the current stage.
func (s *staged) GreaterThan(lhs backends.Op, rhs backends.Op) (backends.Op, error) {
	outs, err := s.record(func(b backends.Builder, in []backends.Op) ([]backends.Op, error) {
		r0, r1 := b.GreaterThan(in[0], in[1])
		return []backends.Op{r0}, r1
	}, concatOps([]backends.Op{lhs}, []backends.Op{rhs}))
	return s.at(outs, 0), err
}

// GreaterThanTotalOrder implements backends.Builder on the current stage.
func (s *staged) GreaterThanTotalOrder(lhs backends.Op, rhs backends.Op) (backends.Op, error) {
	outs, err := s.record(func(b backends.Builder, in []backends.Op) ([]backends.Op, error) {
		r0, r1 := b.GreaterThanTotalOrder(in[0], in[1])
		return []backends.Op{r0}, r1
	}, concatOps([]backends.Op{lhs}, []backends.Op{rhs}))
	return s.at(outs, 0), err
}

// Identity implements backends.Builder on the current stage.
func (s *staged) Identity(x backends.Op) (backends.Op, error) {
	outs, err := s.record(func(b backends.Builder, in []backends.Op) ([]backends.Op, error) {
		r0, r1 := b.Identity(in[0])
		return []backends.Op{r0}, r1
	}, concatOps([]backends.Op{x}))
	return s.at(outs, 0), err
}

// Imag implements backends.Builder on the current stage.
func (s *staged) Imag(x backends.Op) (backends.Op, error) {
	outs, err := s.record(func(b backends.Builder, in []backends.Op) ([]backends.Op, error) {
		r0, r1 := b.Imag(in[0])
		return []backends.Op{r0}, r1
	}, concatOps([]backends.Op{x}))
	return s.at(outs, 0), err
}

// Iota implements backends.Builder on the current stage.
func (s *staged) Iota(shape shapes.Shape, iotaAxis int) (backends.Op, error) {
	outs, err := s.record(func(b backends.Builder, in []backends.Op) ([]backends.Op, error) {
		r0, r1 := b.Iota(shape, iotaAxis)
		return []backends.Op{r0}, r1
	}, nil)
	return s.at(outs, 0), err
}

// IsFinite implements backends.Builder on the current stage.
func (s *staged) IsFinite(x backends.Op) (backends.Op, error) {
	outs, err := s.record(func(b backends.Builder, in []backends.Op) ([]backends.Op, error) {
		r0, r1 := b.IsFinite(in[0])
		return []backends.Op{r0}, r1
	}, concatOps([]backends.Op{x}))
	return s.at(outs, 0), err
}

// IsNaN implements backends.Builder on the current stage.
func (s *staged) IsNaN(x backends.Op) (backends.Op, error) {
	outs, err := s.record(func(b backends.Builder, in []backends.Op) ([]backends.Op, error) {
		r0, r1 := b.IsNaN(in[0])
		return []backends.Op{r0}, r1
	}, concatOps([]backends.Op{x}))
	return s.at(outs, 0), err
}

// LessOrEqual implements backends.Builder on the current stage.
func (s *staged) LessOrEqual(lhs backends.Op, rhs backends.Op) (backends.Op, error) {
	outs, err := s.record(func(b backends.Builder, in []backends.Op) ([]backends.Op, error) {
		r0, r1 := b.LessOrEqual(in[0], in[1])
		return []backends.Op{r0}, r1
	}, concatOps([]backends.Op{lhs}, []backends.Op{rhs}))
	return s.at(outs, 0), err
}

// LessOrEqualTotalOrder implements backends.Builder on the current stage.
func (s *staged) LessOrEqualTotalOrder(lhs backends.Op, rhs backends.Op) (backends.Op, error) {
	outs, err := s.record(func(b backends.Builder, in []backends.Op) ([]backends.Op, error) {
		r0, r1 := b.LessOrEqualTotalOrder(in[0], in[1])
		return []backends.Op{r0}, r1
	}, concatOps([]backends.Op{lhs}, []backends.Op{rhs}))
	return s.at(outs, 0), err
}

// LessThan implements backends.Builder on the current stage.
func (s *staged) LessThan(lhs backends.Op, rhs backends.Op) (backends.Op, error) {
	outs, err := s.record(func(b backends.Builder, in []backends.Op) ([]backends.Op, error) {
		r0, r1 := b.LessThan(in[0], in[1])
		return []backends.Op{r0}, r1
	}, concatOps([]backends.Op{lhs}, []backends.Op{rhs}))
	return s.at(outs, 0), err
}

// LessThanTotalOrder implements backends.Builder on the current stage.
func (s *staged) LessThanTotalOrder(lhs backends.Op, rhs backends.Op) (backends.Op, error) {
	outs, err := s.record(func(b backends.Builder, in []backends.Op) ([]backends.Op, error) {
		r0, r1 := b.LessThanTotalOrder(in[0], in[1])
		return []backends.Op{r0}, r1
	}, concatOps([]backends.Op{lhs}, []backends.Op{rhs}))
	return s.at(outs, 0), err
}

// Log implements backends.Builder on the current stage.
func (s *staged) Log(x backends.Op) (backends.Op, error) {
	outs, err := s.record(func(b backends.Builder, in []backends.Op) ([]backends.Op, error) {
		r0, r1 := b.Log(in[0])
		return []backends.Op{r0}, r1
	}, concatOps([]backends.Op{x}))
	return s.at(outs, 0), err
}

// Log1p implements backends.Builder on the current stage.
func (s *staged) Log1p(x backends.Op) (backends.Op, error) {
	outs, err := s.record(func(b backends.Builder, in []backends.Op) ([]backends.Op, error) {
		r0, r1 := b.Log1p(in[0])
		return []backends.Op{r0}, r1
	}, concatOps([]backends.Op{x}))
	return s.at(outs, 0), err
}

// LogicalAnd implements backends.Builder on the current stage.
func (s *staged) LogicalAnd(lhs backends.Op, rhs backends.Op) (backends.Op, error) {
	outs, err := s.record(func(b backends.Builder, in []backends.Op) ([]backends.Op, error) {
		r0, r1 := b.LogicalAnd(in[0], in[1])
		return []backends.Op{r0}, r1
	}, concatOps([]backends.Op{lhs}, []backends.Op{rhs}))
	return s.at(outs, 0), err
}

// LogicalNot implements backends.Builder on the current stage.
func (s *staged) LogicalNot(x backends.Op) (backends.Op, error) {
	outs, err := s.record(func(b backends.Builder, in []backends.Op) ([]backends.Op, error) {
		r0, r1 := b.LogicalNot(in[0])
		return []backends.Op{r0}, r1
	}, concatOps([]backends.Op{x}))
	return s.at(outs, 0), err
}

// LogicalOr implements backends.Builder on the current stage.
func (s *staged) LogicalOr(lhs backends.Op, rhs backends.Op) (backends.Op, error) {
	outs, err := s.record(func(b backends.Builder, in []backends.Op) ([]backends.Op, error) {
		r0, r1 := b.LogicalOr(in[0], in[1])
		return []backends.Op{r0}, r1
	}, concatOps([]backends.Op{lhs}, []backends.Op{rhs}))
	return s.at(outs, 0), err
}

// LogicalXor implements backends.Builder on the current stage.
func (s *staged) LogicalXor(lhs backends.Op, rhs backends.Op) (backends.Op, error) {
	outs, err := s.record(func(b backends.Builder, in []backends.Op) ([]backends.Op, error) {
		r0, r1 := b.LogicalXor(in[0], in[1])
		return []backends.Op{r0}, r1
	}, concatOps([]backends.Op{lhs}, []backends.Op{rhs}))
	return s.at(outs, 0), err
}

// Logistic implements backends.Builder on the current stage.
func (s *staged) Logistic(x backends.Op) (backends.Op, error) {
	outs, err := s.record(func(b backends.Builder, in []backends.Op) ([]backends.Op, error) {
		r0, r1 := b.Logistic(in[0])
		return []backends.Op{r0}, r1
	}, concatOps([]backends.Op{x}))
	return s.at(outs, 0), err
}

// Max implements backends.Builder on the current stage.
func (s *staged) Max(lhs backends.Op, rhs backends.Op) (backends.Op, error) {
	outs, err := s.record(func(b backends.Builder, in []backends.Op) ([]backends.Op, error) {
		r0, r1 := b.Max(in[0], in[1])
		return []backends.Op{r0}, r1
	}, concatOps([]backends.Op{lhs}, []backends.Op{rhs}))
	return s.at(outs, 0), err
}

// Min implements backends.Builder on the current stage.
func (s *staged) Min(lhs backends.Op, rhs backends.Op) (backends.Op, error) {
	outs, err := s.record(func(b backends.Builder, in []backends.Op) ([]backends.Op, error) {
		r0, r1 := b.Min(in[0], in[1])
		return []backends.Op{r0}, r1
	}, concatOps([]backends.Op{lhs}, []backends.Op{rhs}))
	return s.at(outs, 0), err
}

// Mul implements backends.Builder on the current stage.
func (s *staged) Mul(lhs backends.Op, rhs backends.Op) (backends.Op, error) {
	outs, err := s.record(func(b backends.Builder, in []backends.Op) ([]backends.Op, error) {
		r0, r1 := b.Mul(in[0], in[1])
		return []backends.Op{r0}, r1
	}, concatOps([]backends.Op{lhs}, []backends.Op{rhs}))
	return s.at(outs, 0), err
}

// Neg implements backends.Builder on the current stage.
func (s *staged) Neg(x backends.Op) (backends.Op, error) {
	outs, err := s.record(func(b backends.Builder, in []backends.Op) ([]backends.Op, error) {
		r0, r1 := b.Neg(in[0])
		return []backends.Op{r0}, r1
	}, concatOps([]backends.Op{x}))
	return s.at(outs, 0), err
}

// NotEqual implements backends.Builder on the current stage.
func (s *staged) NotEqual(lhs backends.Op, rhs backends.Op) (backends.Op, error) {
	outs, err := s.record(func(b backends.Builder, in []backends.Op) ([]backends.Op, error) {
		r0, r1 := b.NotEqual(in[0], in[1])
		return []backends.Op{r0}, r1
	}, concatOps([]backends.Op{lhs}, []backends.Op{rhs}))
	return s.at(outs, 0), err
}

// NotEqualTotalOrder implements backends.Builder on the current stage.
func (s *staged) NotEqualTotalOrder(lhs backends.Op, rhs backends.Op) (backends.Op, error) {
	outs, err := s.record(func(b backends.Builder, in []backends.Op) ([]backends.Op, error) {
		r0, r1 := b.NotEqualTotalOrder(in[0], in[1])
		return []backends.Op{r0}, r1
	}, concatOps([]backends.Op{lhs}, []backends.Op{rhs}))
	return s.at(outs, 0), err
}

// Pad implements backends.Builder on the current stage.
func (s *staged) Pad(x backends.Op, fillValue backends.Op, axesConfig ...backends.PadAxis) (backends.Op, error) {
	outs, err := s.record(func(b backends.Builder, in []backends.Op) ([]backends.Op, error) {
		r0, r1 := b.Pad(in[0], in[1], axesConfig...)
		return []backends.Op{r0}, r1
	}, concatOps([]backends.Op{x}, []backends.Op{fillValue}))
	return s.at(outs, 0), err
}

// Pow implements backends.Builder on the current stage.
func (s *staged) Pow(lhs backends.Op, rhs backends.Op) (backends.Op, error) {
	outs, err := s.record(func(b backends.Builder, in []backends.Op) ([]backends.Op, error) {
		r0, r1 := b.Pow(in[0], in[1])
		return []backends.Op{r0}, r1
	}, concatOps([]backends.Op{lhs}, []backends.Op{rhs}))
	return s.at(outs, 0), err
}

// Real implements backends.Builder on the current stage.
func (s *staged) Real(x backends.Op) (backends.Op, error) {
	outs, err := s.record(func(b backends.Builder, in []backends.Op) ([]backends.Op, error) {
		r0, r1 := b.Real(in[0])
		return []backends.Op{r0}, r1
	}, concatOps([]backends.Op{x}))
	return s.at(outs, 0), err
}

// ReduceBitwiseAnd implements backends.Builder on the current stage.
func (s *staged) ReduceBitwiseAnd(x backends.Op, axes ...int) (backends.Op, error) {
	outs, err := s.record(func(b backends.Builder, in []backends.Op) ([]backends.Op, error) {
		r0, r1 := b.ReduceBitwiseAnd(in[0], axes...)
		return []backends.Op{r0}, r1
	}, concatOps([]backends.Op{x}))
	return s.at(outs, 0), err
}

// ReduceBitwiseOr implements backends.Builder on the current stage.
func (s *staged) ReduceBitwiseOr(x backends.Op, axes ...int) (backends.Op, error) {
	outs, err := s.record(func(b backends.Builder, in []backends.Op) ([]backends.Op, error) {
		r0, r1 := b.ReduceBitwiseOr(in[0], axes...)
		return []backends.Op{r0}, r1
	}, concatOps([]backends.Op{x}))
	return s.at(outs, 0), err
}

// ReduceBitwiseXor implements backends.Builder on the current stage.
func (s *staged) ReduceBitwiseXor(x backends.Op, axes ...int) (backends.Op, error) {
	outs, err := s.record(func(b backends.Builder, in []backends.Op) ([]backends.Op, error) {
		r0, r1 := b.ReduceBitwiseXor(in[0], axes...)
		return []backends.Op{r0}, r1
	}, concatOps([]backends.Op{x}))
	return s.at(outs, 0), err
}

// ReduceLogicalAnd implements backends.Builder on the current stage.
func (s *staged) ReduceLogicalAnd(x backends.Op, axes ...int) (backends.Op, error) {
	outs, err := s.record(func(b backends.Builder, in []backends.Op) ([]backends.Op, error) {
		r0, r1 := b.ReduceLogicalAnd(in[0], axes...)
		return []backends.Op{r0}, r1
	}, concatOps([]backends.Op{x}))
	return s.at(outs, 0), err
}

// ReduceLogicalOr implements backends.Builder on the current stage.
func (s *staged) ReduceLogicalOr(x backends.Op, axes ...int) (backends.Op, error) {
	outs, err := s.record(func(b backends.Builder, in []backends.Op) ([]backends.Op, error) {
		r0, r1 := b.ReduceLogicalOr(in[0], axes...)
		return []backends.Op{r0}, r1
	}, concatOps([]backends.Op{x}))
	return s.at(outs, 0), err
}

// ReduceLogicalXor implements backends.Builder on the current stage.
func (s *staged) ReduceLogicalXor(x backends.Op, axes ...int) (backends.Op, error) {
	outs, err := s.record(func(b backends.Builder, in []backends.Op) ([]backends.Op, error) {
		r0, r1 := b.ReduceLogicalXor(in[0], axes...)
		return []backends.Op{r0}, r1
	}, concatOps([]backends.Op{x}))
	return s.at(outs, 0), err
}

// ReduceMax implements backends.Builder on the current stage.
func (s *staged) ReduceMax(x backends.Op, axes ...int) (backends.Op, error) {
	outs, err := s.record(func(b backends.Builder, in []backends.Op) ([]backends.Op, error) {
		r0, r1 := b.ReduceMax(in[0], axes...)
		return []backends.Op{r0}, r1
	}, concatOps([]backends.Op{x}))
	return s.at(outs, 0), err
}

// ReduceMin implements backends.Builder on the current stage.
func (s *staged) ReduceMin(x backends.Op, axes ...int) (backends.Op, error) {
	outs, err := s.record(func(b backends.Builder, in []backends.Op) ([]backends.Op, error) {
		r0, r1 := b.ReduceMin(in[0], axes...)
		return []backends.Op{r0}, r1
	}, concatOps([]backends.Op{x}))
	return s.at(outs, 0), err
}

// ReduceProduct implements backends.Builder on the current stage.
func (s *staged) ReduceProduct(x backends.Op, axes ...int) (backends.Op, error) {
	outs, err := s.record(func(b backends.Builder, in []backends.Op) ([]backends.Op, error) {
		r0, r1 := b.ReduceProduct(in[0], axes...)
		return []backends.Op{r0}, r1
	}, concatOps([]backends.Op{x}))
	return s.at(outs, 0), err
}

// ReduceSum implements backends.Builder on the current stage.
func (s *staged) ReduceSum(x backends.Op, axes ...int) (backends.Op, error) {
	outs, err := s.record(func(b backends.Builder, in []backends.Op) ([]backends.Op, error) {
		r0, r1 := b.ReduceSum(in[0], axes...)
		return []backends.Op{r0}, r1
	}, concatOps([]backends.Op{x}))
	return s.at(outs, 0), err
}

// ReduceWindow implements backends.Builder on the current stage.
func (s *staged) ReduceWindow(x backends.Op, reductionType backends.ReduceOpType, windowDimensions []int, strides []int, baseDilations []int, windowDilations []int, paddings [][2]int) (backends.Op, error) {
	outs, err := s.record(func(b backends.Builder, in []backends.Op) ([]backends.Op, error) {
		r0, r1 := b.ReduceWindow(in[0], reductionType, windowDimensions, strides, baseDilations, windowDilations, paddings)
		return []backends.Op{r0}, r1
	}, concatOps([]backends.Op{x}))
	return s.at(outs, 0), err
}

// Rem implements backends.Builder on the current stage.
func (s *staged) Rem(lhs backends.Op, rhs backends.Op) (backends.Op, error) {
	outs, err := s.record(func(b backends.Builder, in []backends.Op) ([]backends.Op, error) {
		r0, r1 := b.Rem(in[0], in[1])
		return []backends.Op{r0}, r1
	}, concatOps([]backends.Op{lhs}, []backends.Op{rhs}))
	return s.at(outs, 0), err
}

// Reshape implements backends.Builder on the current stage.
func (s *staged) Reshape(x backends.Op, dimensions ...int) (backends.Op, error) {
	outs, err := s.record(func(b backends.Builder, in []backends.Op) ([]backends.Op, error) {
		r0, r1 := b.Reshape(in[0], dimensions...)
		return []backends.Op{r0}, r1
	}, concatOps([]backends.Op{x}))
	return s.at(outs, 0), err
}

// Reverse implements backends.Builder on the current stage.
func (s *staged) Reverse(x backends.Op, axes ...int) (backends.Op, error) {
	outs, err := s.record(func(b backends.Builder, in []backends.Op) ([]backends.Op, error) {
		r0, r1 := b.Reverse(in[0], axes...)
		return []backends.Op{r0}, r1
	}, concatOps([]backends.Op{x}))
	return s.at(outs, 0), err
}

// RNGBitGenerator implements backends.Builder on the current stage.
func (s *staged) RNGBitGenerator(state backends.Op, shape shapes.Shape) (backends.Op, backends.Op, error) {
	outs, err := s.record(func(b backends.Builder, in []backends.Op) ([]backends.Op, error) {
		r0, r1, r2 := b.RNGBitGenerator(in[0], shape)
		return []backends.Op{r0, r1}, r2
	}, concatOps([]backends.Op{state}))
	return s.at(outs, 0), s.at(outs, 1), err
}

// Round implements backends.Builder on the current stage.
func (s *staged) Round(x backends.Op) (backends.Op, error) {
	outs, err := s.record(func(b backends.Builder, in []backends.Op) ([]backends.Op, error) {
		r0, r1 := b.Round(in[0])
		return []backends.Op{r0}, r1
	}, concatOps([]backends.Op{x}))
	return s.at(outs, 0), err
}

// Rsqrt implements backends.Builder on the current stage.
func (s *staged) Rsqrt(x backends.Op) (backends.Op, error) {
	outs, err := s.record(func(b backends.Builder, in []backends.Op) ([]backends.Op, error) {
		r0, r1 := b.Rsqrt(in[0])
		return []backends.Op{r0}, r1
	}, concatOps([]backends.Op{x}))
	return s.at(outs, 0), err
}

// ScatterMax implements backends.Builder on the current stage.
func (s *staged) ScatterMax(operand backends.Op, scatterIndices backends.Op, updates backends.Op, indexVectorAxis int, updateWindowAxes []int, insertedWindowAxes []int, scatterAxesToOperandAxes []int, indicesAreSorted bool, uniqueIndices bool) (backends.Op, error) {
	outs, err := s.record(func(b backends.Builder, in []backends.Op) ([]backends.Op, error) {
		r0, r1 := b.ScatterMax(in[0], in[1], in[2], indexVectorAxis, updateWindowAxes, insertedWindowAxes, scatterAxesToOperandAxes, indicesAreSorted, uniqueIndices)
		return []backends.Op{r0}, r1
	}, concatOps([]backends.Op{operand}, []backends.Op{scatterIndices}, []backends.Op{updates}))
	return s.at(outs, 0), err
}

// ScatterMin implements backends.Builder on the current stage.
func (s *staged) ScatterMin(operand backends.Op, scatterIndices backends.Op, updates backends.Op, indexVectorAxis int, updateWindowAxes []int, insertedWindowAxes []int, scatterAxesToOperandAxes []int, indicesAreSorted bool, uniqueIndices bool) (backends.Op, error) {
	outs, err := s.record(func(b backends.Builder, in []backends.Op) ([]backends.Op, error) {
		r0, r1 := b.ScatterMin(in[0], in[1], in[2], indexVectorAxis, updateWindowAxes, insertedWindowAxes, scatterAxesToOperandAxes, indicesAreSorted, uniqueIndices)
		return []backends.Op{r0}, r1
	}, concatOps([]backends.Op{operand}, []backends.Op{scatterIndices}, []backends.Op{updates}))
	return s.at(outs, 0), err
}

// ScatterSum implements backends.Builder on the current stage.
func (s *staged) ScatterSum(operand backends.Op, scatterIndices backends.Op, updates backends.Op, indexVectorAxis int, updateWindowAxes []int, insertedWindowAxes []int, scatterAxesToOperandAxes []int, indicesAreSorted bool, uniqueIndices bool) (backends.Op, error) {
	outs, err := s.record(func(b backends.Builder, in []backends.Op) ([]backends.Op, error) {
		r0, r1 := b.ScatterSum(in[0], in[1], in[2], indexVectorAxis, updateWindowAxes, insertedWindowAxes, scatterAxesToOperandAxes, indicesAreSorted, uniqueIndices)
		return []backends.Op{r0}, r1
	}, concatOps([]backends.Op{operand}, []backends.Op{scatterIndices}, []backends.Op{updates}))
	return s.at(outs, 0), err
}

// SelectAndScatterMax implements backends.Builder on the current stage.
func (s *staged) SelectAndScatterMax(operand backends.Op, source backends.Op, windowDimensions []int, windowStrides []int, paddings [][2]int) (backends.Op, error) {
	outs, err := s.record(func(b backends.Builder, in []backends.Op) ([]backends.Op, error) {
		r0, r1 := b.SelectAndScatterMax(in[0], in[1], windowDimensions, windowStrides, paddings)
		return []backends.Op{r0}, r1
	}, concatOps([]backends.Op{operand}, []backends.Op{source}))
	return s.at(outs, 0), err
}

// SelectAndScatterMin implements backends.Builder on the current stage.
func (s *staged) SelectAndScatterMin(operand backends.Op, source backends.Op, windowDimensions []int, windowStrides []int, paddings [][2]int) (backends.Op, error) {
	outs, err := s.record(func(b backends.Builder, in []backends.Op) ([]backends.Op, error) {
		r0, r1 := b.SelectAndScatterMin(in[0], in[1], windowDimensions, windowStrides, paddings)
		return []backends.Op{r0}, r1
	}, concatOps([]backends.Op{operand}, []backends.Op{source}))
	return s.at(outs, 0), err
}

// ShiftLeft implements backends.Builder on the current stage.
func (s *staged) ShiftLeft(lhs backends.Op, rhs backends.Op) (backends.Op, error) {
	outs, err := s.record(func(b backends.Builder, in []backends.Op) ([]backends.Op, error) {
		r0, r1 := b.ShiftLeft(in[0], in[1])
		return []backends.Op{r0}, r1
	}, concatOps([]backends.Op{lhs}, []backends.Op{rhs}))
	return s.at(outs, 0), err
}

// ShiftRightArithmetic implements backends.Builder on the current stage.
func (s *staged) ShiftRightArithmetic(lhs backends.Op, rhs backends.Op) (backends.Op, error) {
	outs, err := s.record(func(b backends.Builder, in []backends.Op) ([]backends.Op, error) {
		r0, r1 := b.ShiftRightArithmetic(in[0], in[1])
		return []backends.Op{r0}, r1
	}, concatOps([]backends.Op{lhs}, []backends.Op{rhs}))
	return s.at(outs, 0), err
}

// ShiftRightLogical implements backends.Builder on the current stage.
func (s *staged) ShiftRightLogical(lhs backends.Op, rhs backends.Op) (backends.Op, error) {
	outs, err := s.record(func(b backends.Builder, in []backends.Op) ([]backends.Op, error) {
		r0, r1 := b.ShiftRightLogical(in[0], in[1])
		return []backends.Op{r0}, r1
	}, concatOps([]backends.Op{lhs}, []backends.Op{rhs}))
	return s.at(outs, 0), err
}

// Sign implements backends.Builder on the current stage.
func (s *staged) Sign(x backends.Op) (backends.Op, error) {
	outs, err := s.record(func(b backends.Builder, in []backends.Op) ([]backends.Op, error) {
		r0, r1 := b.Sign(in[0])
		return []backends.Op{r0}, r1
	}, concatOps([]backends.Op{x}))
	return s.at(outs, 0), err
}

// Sin implements backends.Builder on the current stage.
func (s *staged) Sin(x backends.Op) (backends.Op, error) {
	outs, err := s.record(func(b backends.Builder, in []backends.Op) ([]backends.Op, error) {
		r0, r1 := b.Sin(in[0])
		return []backends.Op{r0}, r1
	}, concatOps([]backends.Op{x}))
	return s.at(outs, 0), err
}

// Slice implements backends.Builder on the current stage.
func (s *staged) Slice(x backends.Op, starts []int, limits []int, strides []int) (backends.Op, error) {
	outs, err := s.record(func(b backends.Builder, in []backends.Op) ([]backends.Op, error) {
		r0, r1 := b.Slice(in[0], starts, limits, strides)
		return []backends.Op{r0}, r1
	}, concatOps([]backends.Op{x}))
	return s.at(outs, 0), err
}

// Sqrt implements backends.Builder on the current stage.
func (s *staged) Sqrt(x backends.Op) (backends.Op, error) {
	outs, err := s.record(func(b backends.Builder, in []backends.Op) ([]backends.Op, error) {
		r0, r1 := b.Sqrt(in[0])
		return []backends.Op{r0}, r1
	}, concatOps([]backends.Op{x}))
	return s.at(outs, 0), err
}

// Sub implements backends.Builder on the current stage.
func (s *staged) Sub(lhs backends.Op, rhs backends.Op) (backends.Op, error) {
	outs, err := s.record(func(b backends.Builder, in []backends.Op) ([]backends.Op, error) {
		r0, r1 := b.Sub(in[0], in[1])
		return []backends.Op{r0}, r1
	}, concatOps([]backends.Op{lhs}, []backends.Op{rhs}))
	return s.at(outs, 0), err
}

// Tanh implements backends.Builder on the current stage.
func (s *staged) Tanh(x backends.Op) (backends.Op, error) {
	outs, err := s.record(func(b backends.Builder, in []backends.Op) ([]backends.Op, error) {
		r0, r1 := b.Tanh(in[0])
		return []backends.Op{r0}, r1
	}, concatOps([]backends.Op{x}))
	return s.at(outs, 0), err
}

// Transpose implements backends.Builder on the current stage.
func (s *staged) Transpose(x backends.Op, permutation ...int) (backends.Op, error) {
	outs, err := s.record(func(b backends.Builder, in []backends.Op) ([]backends.Op, error) {
		r0, r1 := b.Transpose(in[0], permutation...)
		return []backends.Op{r0}, r1
	}, concatOps([]backends.Op{x}))
	return s.at(outs, 0), err
}

// Where implements backends.Builder on the current stage.
func (s *staged) Where(condition backends.Op, onTrue backends.Op, onFalse backends.Op) (backends.Op, error) {
	outs, err := s.record(func(b backends.Builder, in []backends.Op) ([]backends.Op, error) {
		r0, r1 := b.Where(in[0], in[1], in[2])
		return []backends.Op{r0}, r1
	}, concatOps([]backends.Op{condition}, []backends.Op{onTrue}, []backends.Op{onFalse}))
	return s.at(outs, 0), err
}

// AllReduce implements backends.Builder on the current stage.
func (s *staged) AllReduce(operands []backends.Op, reductionType backends.ReduceOpType, replicaGroups [][]int) ([]backends.Op, error) {
	outs, err := s.record(func(b backends.Builder, in []backends.Op) ([]backends.Op, error) {
		r0, r1 := b.AllReduce(in[0:len(operands)], reductionType, replicaGroups)
		return r0, r1
	}, concatOps(operands))
	return outs, err
}
