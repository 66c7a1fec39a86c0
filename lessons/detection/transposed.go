package detection

import (
	"fmt"
	"strings"

	xlayers "github.com/dl4go/dl4go/gomlxext/layers"

	"github.com/gomlx/gomlx/backends"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// Transposed convolution (deconvolution), the report's three steps, on a single-channel map.
//
//  1. InsertZeros: put stride−1 zeros between neighbouring pixels (特徴マップの pixel 間隔を stride だけ空ける).
//  2. PadBorder: surround the map with kernel−1−padding zeros (まわりに (kernel size − 1) − padding の余白).
//  3. Correlate: an ordinary stride-1 convolution with the kernel turned by 180°.
//
// The output is (H−1)·stride + kernel − 2·padding pixels per side: an H×H map grows about
// stride times — the up-sampling FCN needs. The 180° turn makes the result the exact transpose
// (adjoint) of the strided convolution with the same kernel, which is what TransposedConvScatter
// computes directly and what the engine computes (TransposedConvEngine); with a learned kernel
// the turn does not matter, the network simply learns the turned kernel.

// InsertZeros is step 1: stride−1 zero rows and columns between the pixels of x.
func InsertZeros(x [][]float64, stride int) [][]float64 {
	h, w := len(x), len(x[0])
	out := zeros((h-1)*stride+1, (w-1)*stride+1)
	for i := range x {
		for j := range x[i] {
			out[i*stride][j*stride] = x[i][j]
		}
	}
	return out
}

// PadBorder is step 2: n rows/columns of zeros around x.
func PadBorder(x [][]float64, n int) [][]float64 {
	out := zeros(len(x)+2*n, len(x[0])+2*n)
	for i := range x {
		copy(out[i+n][n:], x[i])
	}
	return out
}

// Correlate is step 3: the "valid" stride-1 convolution (cross-correlation, as deep-learning
// libraries compute it) of x with kernel.
func Correlate(x, kernel [][]float64) [][]float64 {
	k := len(kernel)
	out := zeros(len(x)-k+1, len(x[0])-k+1)
	for i := range out {
		for j := range out[i] {
			s := 0.0
			for a := 0; a < k; a++ {
				for b := 0; b < k; b++ {
					s += x[i+a][j+b] * kernel[a][b]
				}
			}
			out[i][j] = s
		}
	}
	return out
}

// Rotate180 turns a kernel by 180°.
func Rotate180(kernel [][]float64) [][]float64 {
	k := len(kernel)
	out := zeros(k, k)
	for a := range kernel {
		for b := range kernel[a] {
			out[k-1-a][k-1-b] = kernel[a][b]
		}
	}
	return out
}

// TransposedConvRecipe runs the three steps on x (H×W) with a square kernel, returning every
// intermediate map: steps[0] after inserting zeros, steps[1] after padding, steps[2] the output.
// It requires padding ≤ kernel−1.
func TransposedConvRecipe(x, kernel [][]float64, stride, padding int) (steps [3][][]float64, err error) {
	k := len(kernel)
	if padding > k-1 || stride < 1 {
		return steps, fmt.Errorf("transposed conv: padding %d > kernel−1 = %d or stride %d < 1", padding, k-1, stride)
	}
	steps[0] = InsertZeros(x, stride)
	steps[1] = PadBorder(steps[0], k-1-padding)
	steps[2] = Correlate(steps[1], Rotate180(kernel))
	return steps, nil
}

// TransposedConvScatter is the definition of the transposed convolution as the transpose of a
// strided convolution: every input pixel x[i][j] adds x[i][j]·kernel into the output at
// (i·stride−padding, j·stride−padding) — each input pixel "paints" a copy of the kernel.
func TransposedConvScatter(x, kernel [][]float64, stride, padding int) [][]float64 {
	k := len(kernel)
	h, w := (len(x)-1)*stride+k-2*padding, (len(x[0])-1)*stride+k-2*padding
	out := zeros(h, w)
	for i := range x {
		for j := range x[i] {
			for a := 0; a < k; a++ {
				for b := 0; b < k; b++ {
					y, z := i*stride-padding+a, j*stride-padding+b
					if y >= 0 && y < h && z >= 0 && z < w {
						out[y][z] += x[i][j] * kernel[a][b]
					}
				}
			}
		}
	}
	return out
}

// TransposedConvEngine computes the transposed convolution of the single-channel map x on the
// engine twice: with gomlxext/layers.TransposedConvolve (the layer the FCN uses; kernel turned by
// 180°, to match the recipe) and as the gradient of a strided convolution — the transposed
// convolution's definition, computed by GoMLX's autodiff. Both must equal
// TransposedConvRecipe's output.
func TransposedConvEngine(backend backends.Backend, x, kernel [][]float64, stride, padding int) (op, grad [][]float64, err error) {
	k := len(kernel)
	h, w := len(x), len(x[0])
	oh, ow := (h-1)*stride+k-2*padding, (w-1)*stride+k-2*padding
	xt := tensors.FromFlatDataAndDimensions(flat32(x), 1, h, w, 1)
	kt := tensors.FromFlatDataAndDimensions(flat32(kernel), k, k, 1, 1)
	kr := tensors.FromFlatDataAndDimensions(flat32(Rotate180(kernel)), k, k, 1, 1)
	exec, err := NewExec(backend, func(x, kernel, turned *Node) []*Node {
		direct := xlayers.TransposedConvolve(x, turned, stride, padding)
		// y ↦ Conv(y, kernel, stride, padding) is linear: its transpose applied to x is the
		// gradient of <Conv(y), x> with respect to y.
		y := Zeros(x.Graph(), shapes.Make(x.DType(), 1, oh, ow, 1))
		conv := Convolve(y, kernel).StridePerAxis(stride, stride).
			PaddingPerDim([][2]int{{padding, padding}, {padding, padding}}).Dilations(1).Done()
		adj := Gradient(ReduceAllSum(Mul(conv, x)), y)[0]
		return []*Node{direct, adj}
	})
	if err != nil {
		return nil, nil, fmt.Errorf("transposed conv graph: %w", err)
	}
	outs, err := exec.Exec(xt, kt, kr)
	if err != nil {
		return nil, nil, fmt.Errorf("transposed conv: %w", err)
	}
	return unflat(outs[0], oh, ow), unflat(outs[1], oh, ow), nil
}

func zeros(h, w int) [][]float64 {
	out := make([][]float64, h)
	for i := range out {
		out[i] = make([]float64, w)
	}
	return out
}

func flat32(x [][]float64) []float32 {
	var out []float32
	for _, row := range x {
		for _, v := range row {
			out = append(out, float32(v))
		}
	}
	return out
}

func unflat(t *tensors.Tensor, h, w int) [][]float64 {
	data, _ := tensors.CopyFlatData[float32](t)
	out := zeros(h, w)
	for i := range out {
		for j := range out[i] {
			if i*w+j < len(data) {
				out[i][j] = float64(data[i*w+j])
			}
		}
	}
	return out
}

// FormatMap prints a small map row by row, for showing the recipe's steps.
func FormatMap(m [][]float64) string {
	var b strings.Builder
	for _, row := range m {
		for j, v := range row {
			if j > 0 {
				b.WriteByte(' ')
			}
			fmt.Fprintf(&b, "%4g", v)
		}
		b.WriteByte('\n')
	}
	return b.String()
}
