package dcgan

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/dl4go/dl4go/gomlxext"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// TestTransposedConvPhases checks that the sub-pixel computation of the transposed convolution
// gives the same output as its definition by input dilation, and the expected output size.
func TestTransposedConvPhases(t *testing.T) {
	backend := gomlxext.MustBackend()
	rng := rand.New(rand.NewPCG(1, 2))
	randT := func(dims ...int) *tensors.Tensor {
		n := 1
		for _, d := range dims {
			n *= d
		}
		v := make([]float32, n)
		for i := range v {
			v[i] = float32(rng.NormFloat64())
		}
		return tensors.FromFlatDataAndDimensions(v, dims...)
	}
	for _, c := range []struct{ kernel, stride, padding int }{{4, 2, 1}, {2, 2, 0}, {6, 2, 2}, {5, 3, 1}, {3, 1, 1}} {
		t.Run(fmt.Sprintf("k%d-s%d-p%d", c.kernel, c.stride, c.padding), func(t *testing.T) {
			x, w := randT(2, 5, 4, 3), randT(c.kernel, c.kernel, 3, 2)
			out := MustExecOnceN(backend, func(x, w *Node) []*Node {
				return []*Node{transposedConvPhases(x, w, c.stride, c.padding), transposedConvDilated(x, w, c.stride, c.padding)}
			}, x, w)
			got, want := out[0], out[1]
			wantDims := []int{2, 5 * c.stride, 4 * c.stride, 2}
			if !got.Shape().Equal(want.Shape()) || fmt.Sprint(want.Shape().Dimensions) != fmt.Sprint(wantDims) {
				t.Fatalf("phases %s, dilated %s, want dims %v", got.Shape(), want.Shape(), wantDims)
			}
			g, d := tensors.MustCopyFlatData[float32](got), tensors.MustCopyFlatData[float32](want)
			for i := range g {
				if math.Abs(float64(g[i]-d[i])) > 1e-4 {
					t.Fatalf("value %d: phases %g, dilated %g", i, g[i], d[i])
				}
			}
		})
	}
}
