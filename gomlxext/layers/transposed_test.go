package layers

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/dl4go/dl4go/gomlxext"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // GoMLX graph-building style.
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// TestTransposedConvolve checks, for kernels, strides and paddings with and without the
// sub-pixel path, the output size, and that the output and the gradients (for x and the kernel)
// equal those of the definition by input dilation.
func TestTransposedConvolve(t *testing.T) {
	backend, err := gomlxext.Backend()
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	random := func(dims ...int) *tensors.Tensor { return randomTensor(rng, dims...) }
	for _, c := range []struct {
		kernel, stride, padding int
		subPixel                bool
	}{{4, 2, 1, true}, {2, 2, 0, true}, {6, 2, 2, true}, {5, 3, 1, true}, {3, 2, 1, false}, {3, 1, 1, false}} {
		t.Run(fmt.Sprintf("k%d-s%d-p%d", c.kernel, c.stride, c.padding), func(t *testing.T) {
			x, w := random(2, 5, 4, 3), random(c.kernel, c.kernel, 3, 2)
			weights := random(2, (5-1)*c.stride+c.kernel-2*c.padding, (4-1)*c.stride+c.kernel-2*c.padding, 2)
			withGrads := func(y, x, w, weights *Node) []*Node {
				return append([]*Node{y}, Gradient(ReduceAllSum(Mul(y, weights)), x, w)...)
			}
			out := MustExecOnceN(backend, func(x, w, weights *Node) []*Node {
				return append(withGrads(TransposedConvolve(x, w, c.stride, c.padding), x, w, weights),
					withGrads(dilated(x, w, c.stride, c.padding), x, w, weights)...)
			}, x, w, weights)
			if got := fmt.Sprint(out[0].Shape().Dimensions); got != fmt.Sprint(weights.Shape().Dimensions) {
				t.Fatalf("output dims %s, want %v", got, weights.Shape().Dimensions)
			}
			for i, name := range []string{"output", "gradient for x", "gradient for the kernel"} {
				got, want := tensors.MustCopyFlatData[float32](out[i]), tensors.MustCopyFlatData[float32](out[i+3])
				for j := range want {
					if math.Abs(float64(got[j]-want[j])) > 1e-4*(1+math.Abs(float64(want[j]))) {
						t.Fatalf("%s [%d]: %g, by definition %g", name, j, got[j], want[j])
					}
				}
			}
			if uses := c.kernel-2*c.padding == c.stride && c.stride > 1; uses != c.subPixel {
				t.Fatalf("sub-pixel path %v, want %v", uses, c.subPixel)
			}
		})
	}
}

// TestTransposedConvolutionBuilder checks the builder against the op it wraps: with the same
// weights it gives the op's output plus the bias, and its variables live where its doc says.
func TestTransposedConvolutionBuilder(t *testing.T) {
	backend := gomlxext.MustBackend()
	x := tensors.FromFlatDataAndDimensions([]float32{1, -2, 3, 0.5, 2, -1, 0, 4}, 1, 2, 2, 2)
	for _, bias := range []bool{false, true} {
		ctx := context.New()
		exec := context.MustNewExec(backend, ctx, func(ctx *context.Context, x *Node) []*Node {
			y := TransposedConvolution(ctx, x).Channels(3).KernelSize(4).Strides(2).Padding(1).UseBias(bias).Done()
			w := ctx.In("transposed_conv").GetVariable("weights").ValueGraph(x.Graph())
			return []*Node{y, TransposedConvolve(x, w, 2, 1)}
		})
		exec.MustExec(x) // creates the variables
		b := []float32{0, 0, 0}
		if bias {
			b = []float32{1, 2, -3}
			ctx.In("transposed_conv").GetVariable("biases").MustSetValue(tensors.FromFlatDataAndDimensions(b, 3))
		}
		out := exec.MustExec(x)
		if got := out[0].Shape().Dimensions; fmt.Sprint(got) != "[1 4 4 3]" {
			t.Fatalf("bias %v: output %v, want [1 4 4 3]", bias, got)
		}
		y, ref := tensors.MustCopyFlatData[float32](out[0]), tensors.MustCopyFlatData[float32](out[1])
		for i := range y {
			if d := y[i] - ref[i] - b[i%3]; math.Abs(float64(d)) > 1e-5 {
				t.Fatalf("bias %v: output[%d] = %g, op %g + bias %g", bias, i, y[i], ref[i], b[i%3])
			}
		}
		if has := ctx.In("transposed_conv").GetVariable("biases") != nil; has != bias {
			t.Errorf("UseBias(%v): biases variable present = %v", bias, has)
		}
	}
}
