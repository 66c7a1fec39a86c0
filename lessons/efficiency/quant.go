package efficiency

import (
	"fmt"
	"math"

	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/x448/float16"

	"github.com/dl4go/dl4go/data/mnist"
	"github.com/dl4go/dl4go/gomlxext"
)

// Format is a number format the teacher's weights are stored in.
type Format string

const (
	FP64 Format = "fp64"
	FP32 Format = "fp32"
	FP16 Format = "fp16"
	INT8 Format = "int8"
)

// Formats are the formats compared, widest first.
var Formats = []Format{FP64, FP32, FP16, INT8}

// QuantizedModel is the teacher's weights stored in one format: truly so — float64 values for
// fp64, IEEE half floats for fp16, int8 values with a float32 scale per output channel for int8
// (kernels; biases, a few hundred numbers, stay float32). Weights returns them widened back to
// float32 for the engine to compute with (weight-only quantization: the arithmetic stays fp32).
type QuantizedModel struct {
	Format Format
	names  []string
	dims   [][]int
	f64    [][]float64
	f32    [][]float32
	f16    [][]float16.Float16
	i8     []*gomlxext.Int8Tensor // nil for the biases, which stay in f32
}

// Quantize stores ws in format f.
func Quantize(ws []Weight, f Format) (*QuantizedModel, error) {
	q := &QuantizedModel{Format: f}
	for _, w := range ws {
		q.names, q.dims = append(q.names, w.Name), append(q.dims, w.Dims)
		switch f {
		case FP64:
			v := make([]float64, len(w.Values))
			for i, x := range w.Values {
				v[i] = float64(x)
			}
			q.f64 = append(q.f64, v)
		case FP32:
			q.f32 = append(q.f32, append([]float32(nil), w.Values...))
		case FP16:
			q.f16 = append(q.f16, gomlxext.ToFloat16(w.Values))
		case INT8:
			if len(w.Dims) < 2 { // a bias
				q.i8, q.f32 = append(q.i8, nil), append(q.f32, append([]float32(nil), w.Values...))
				continue
			}
			t, err := gomlxext.QuantizeInt8(w.Values, w.Dims)
			if err != nil {
				return nil, fmt.Errorf("efficiency: %s: %w", w.Name, err)
			}
			q.i8, q.f32 = append(q.i8, t), append(q.f32, nil)
		default:
			return nil, fmt.Errorf("efficiency: unknown format %q (want one of %v)", f, Formats)
		}
	}
	return q, nil
}

// Bytes is the storage of the model's weights in its format: 8, 4 or 2 bytes a value; for int8
// one byte a kernel weight plus 4 bytes a channel scale, and 4 bytes a bias value.
func (q *QuantizedModel) Bytes() int {
	n := 0
	for i := range q.names {
		switch q.Format {
		case FP64:
			n += 8 * len(q.f64[i])
		case FP32:
			n += 4 * len(q.f32[i])
		case FP16:
			n += 2 * len(q.f16[i])
		case INT8:
			if q.i8[i] != nil {
				n += q.i8[i].Bytes()
			} else {
				n += 4 * len(q.f32[i])
			}
		}
	}
	return n
}

// Int8Kernels returns the int8 kernels (scope and name → tensor); empty unless the format is int8.
func (q *QuantizedModel) Int8Kernels() map[string]*gomlxext.Int8Tensor {
	out := map[string]*gomlxext.Int8Tensor{}
	for i, t := range q.i8 {
		if t != nil {
			out[q.names[i]] = t
		}
	}
	return out
}

// Weights returns the stored weights widened to float32.
func (q *QuantizedModel) Weights() []Weight {
	out := make([]Weight, len(q.names))
	for i, name := range q.names {
		var v []float32
		switch {
		case q.Format == FP64:
			v = make([]float32, len(q.f64[i]))
			for j, x := range q.f64[i] {
				v[j] = float32(x)
			}
		case q.Format == FP16:
			v = gomlxext.FromFloat16(q.f16[i])
		case q.Format == INT8 && q.i8[i] != nil:
			v = q.i8[i].Dequantize()
		default:
			v = append([]float32(nil), q.f32[i]...)
		}
		out[i] = Weight{Name: name, Dims: q.dims[i], Values: v}
	}
	return out
}

// QuantResult is one format's measurement.
type QuantResult struct {
	Format Format
	Bytes  int
	// Accuracy on the held-out images with the weights of this format.
	Accuracy float64
	// MaxError is the largest |w_format − w_fp32| over the kernel weights; Errors a sample of
	// w_format − w_fp32 (every kernel weight) for the histogram.
	MaxError float64
	Errors   []float32
	// HalfStep is, for int8, the largest half quantization step max_c s_c/2: the bound on any
	// kernel weight's error (0 for the float formats).
	HalfStep float64
}

// quantize measures every format on the teacher (ctx holds its trained weights; exec its logits
// on ctx). The trained weights are put back afterwards.
func quantize(ctx *context.Context, exec *context.Exec, test *mnist.Set) ([]QuantResult, error) {
	ws, err := weightsOf(ctx, teacherScope)
	if err != nil {
		return nil, err
	}
	defer func() { _ = setWeights(ctx, ws) }()
	var out []QuantResult
	for _, f := range Formats {
		q, err := Quantize(ws, f)
		if err != nil {
			return nil, err
		}
		back := q.Weights()
		r := QuantResult{Format: f, Bytes: q.Bytes()}
		for _, t := range q.Int8Kernels() {
			for _, sc := range t.Scales {
				r.HalfStep = math.Max(r.HalfStep, float64(sc)/2)
			}
		}
		for i, w := range ws {
			if len(w.Dims) < 2 {
				continue
			}
			for j, x := range w.Values {
				e := back[i].Values[j] - x
				r.Errors = append(r.Errors, e)
				r.MaxError = math.Max(r.MaxError, math.Abs(float64(e)))
			}
		}
		if err := setWeights(ctx, back); err != nil {
			return nil, err
		}
		if r.Accuracy, err = accuracy(exec, test); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}
