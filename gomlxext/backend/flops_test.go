package backend_test

import (
	"testing"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // GoMLX graph-building style.
	"github.com/gomlx/gomlx/pkg/core/shapes"

	"github.com/dl4go/dl4go/gomlxext/backend"
)

// TestExecutedFLOPs checks the FLOPs counted per run against hand counts:
// matmuls (and their gradients, which the backend rewrites into matmuls),
// convolutions with and without padding, and a transposed convolution,
// which counts only the taps on real input elements.
func TestExecutedFLOPs(t *testing.T) {
	for _, cfg := range []string{"dl4go", "dl4go:nokernel", "dl4go:kernelall"} {
		b := newBackend(t, cfg)
		cases := []struct {
			name   string
			shapes [][]int
			fn     func(x []*Node) []*Node
			want   int64
		}{
			{"matmul [4,5]·[5,3]", [][]int{{4, 5}, {5, 3}}, func(x []*Node) []*Node { return []*Node{Dot(x[0], x[1])} }, 2 * 4 * 5 * 3},
			{"matmul and its two gradients", [][]int{{4, 5}, {5, 3}}, func(x []*Node) []*Node {
				y := Dot(x[0], x[1])
				return append([]*Node{y}, Gradient(ReduceAllSum(Mul(y, IotaFull(x[0].Graph(), shapes.Make(dtypes.Float32, 4, 3)))), x...)...)
			}, 3 * 2 * 4 * 5 * 3},
			{"conv 3×3 valid on 5×5", [][]int{{1, 5, 5, 2}, {3, 3, 2, 4}}, func(x []*Node) []*Node {
				return []*Node{ConvGeneral(x[0], x[1], nhwc, []int{1, 1}, nil, nil, nil, 1, 1)}
			}, 2 * 9 * 9 * 2 * 4},
			{"conv 3×3 same on 5×5 (padding taps not counted)", [][]int{{1, 5, 5, 2}, {3, 3, 2, 4}}, func(x []*Node) []*Node {
				return []*Node{ConvGeneral(x[0], x[1], nhwc, []int{1, 1}, [][2]int{{1, 1}, {1, 1}}, nil, nil, 1, 1)}
			}, 2 * 13 * 13 * 2 * 4},
			{"transposed conv: every input element meets every tap", [][]int{{1, 3, 3, 2}, {3, 3, 2, 4}}, func(x []*Node) []*Node {
				return []*Node{ConvGeneral(x[0], x[1], nhwc, []int{1, 1}, [][2]int{{2, 2}, {2, 2}}, []int{2, 2}, nil, 1, 1)}
			}, 2 * 9 * 9 * 2 * 4},
		}
		for _, c := range cases {
			exec := MustNewExec(b, func(x []*Node) []*Node {
				x32 := make([]*Node, len(x))
				for i := range x {
					x32[i] = ConvertDType(x[i], dtypes.Float32)
				}
				return c.fn(x32)
			})
			args := toTensors(randInputs(1, c.shapes), c.shapes)
			exec.MustExec(args...) // compile
			before := backend.ExecutedFLOPs()
			for _, out := range exec.MustExec(args...) {
				out.FinalizeAll()
			}
			if got := backend.ExecutedFLOPs() - before; got != c.want {
				t.Errorf("%s, %s: %d FLOPs per run, want %d", cfg, c.name, got, c.want)
			}
		}
	}
}
