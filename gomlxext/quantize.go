package gomlxext

import (
	"fmt"
	"math"

	"github.com/x448/float16"
)

// Int8Tensor is a float32 tensor quantized to int8, symmetric per channel: channel c (an index
// of the last axis, the output channel of a dense [in, out] or convolution [kh, kw, in, out]
// kernel) is stored as q = round(w / s_c) in [−127, 127] with s_c = max|w_c| / 127, so that
// w ≈ s_c·q. A rank-0 or rank-1 tensor (a bias) is one channel. The values are truly held as
// int8: one byte each, plus one float32 scale per channel.
type Int8Tensor struct {
	Dims   []int
	Values []int8    // row-major, len = product of Dims
	Scales []float32 // one per channel (the last axis), or one for rank ≤ 1
}

// QuantizeInt8 quantizes values (row-major, of shape dims) to int8, symmetric per channel.
func QuantizeInt8(values []float32, dims []int) (*Int8Tensor, error) {
	n, channels := 1, 1
	for _, d := range dims {
		n *= d
	}
	if len(dims) >= 2 {
		channels = dims[len(dims)-1]
	}
	if n != len(values) || channels < 1 {
		return nil, fmt.Errorf("quantize int8: %d values for shape %v", len(values), dims)
	}
	q := &Int8Tensor{Dims: append([]int(nil), dims...), Values: make([]int8, n), Scales: make([]float32, channels)}
	for i, v := range values {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return nil, fmt.Errorf("quantize int8: value %d is %v", i, v)
		}
		c := i % channels
		q.Scales[c] = max(q.Scales[c], float32(math.Abs(float64(v))))
	}
	for c := range q.Scales {
		q.Scales[c] /= 127
	}
	for i, v := range values {
		if s := q.Scales[i%channels]; s > 0 {
			q.Values[i] = int8(max(-127, min(127, math.Round(float64(v/s)))))
		}
	}
	return q, nil
}

// Dequantize returns s_c·q for every value, as float32.
func (q *Int8Tensor) Dequantize() []float32 {
	out := make([]float32, len(q.Values))
	channels := len(q.Scales)
	for i, v := range q.Values {
		out[i] = float32(v) * q.Scales[i%channels]
	}
	return out
}

// Bytes is the storage the quantized tensor needs: one byte per value and four per scale.
func (q *Int8Tensor) Bytes() int { return len(q.Values) + 4*len(q.Scales) }

// ToFloat16 rounds values to IEEE 754 half precision (round to nearest even; beyond ±65504 they
// become ±Inf), two bytes each.
func ToFloat16(values []float32) []float16.Float16 {
	out := make([]float16.Float16, len(values))
	for i, v := range values {
		out[i] = float16.Fromfloat32(v)
	}
	return out
}

// FromFloat16 widens half-precision values back to float32 (exactly).
func FromFloat16(values []float16.Float16) []float32 {
	out := make([]float32, len(values))
	for i, v := range values {
		out[i] = v.Float32()
	}
	return out
}
