package layers

import (
	"math"
	"testing"

	"github.com/dl4go/dl4go/gomlxext"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // GoMLX graph-building style.
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// TestGraphConvolution checks NormalizedAdjacency and the layer against the formulas computed by
// hand in float64 on a path graph 0–1–2 plus an isolated node 3, for unbatched and batched x.
func TestGraphConvolution(t *testing.T) {
	backend := gomlxext.MustBackend()
	a := [][]float64{{0, 1, 0, 0}, {1, 0, 1, 0}, {0, 1, 0, 0}, {0, 0, 0, 0}}
	// Â = D̃^−½ (A+I) D̃^−½ with degrees of A+I: 2, 3, 2, 1.
	deg := []float64{2, 3, 2, 1}
	want := make([][]float64, 4)
	for i := range 4 {
		want[i] = make([]float64, 4)
		for j := range 4 {
			aij := a[i][j]
			if i == j {
				aij++
			}
			want[i][j] = aij / math.Sqrt(deg[i]*deg[j])
		}
	}
	flat := func(m [][]float64) []float32 {
		var out []float32
		for _, r := range m {
			for _, v := range r {
				out = append(out, float32(v))
			}
		}
		return out
	}
	got := MustExecOnce(backend, NormalizedAdjacency, tensors.FromFlatDataAndDimensions(flat(a), 4, 4))
	for i, v := range tensors.MustCopyFlatData[float32](got) {
		if math.Abs(float64(v)-want[i/4][i%4]) > 1e-6 {
			t.Fatalf("Â[%d][%d] = %g, want %g", i/4, i%4, v, want[i/4][i%4])
		}
	}

	x := []float32{1, 2, 0, -1, 3, 1, 0.5, 0.5} // [4 nodes, 2 features]
	for _, batched := range []bool{false, true} {
		ctx := context.New()
		exec := context.MustNewExec(backend, ctx, func(ctx *context.Context, x, adj *Node) []*Node {
			y := GraphConvolution(ctx, x, adj).Units(3).Done()
			return []*Node{y, ctx.In("graph_conv").GetVariable("weights").ValueGraph(x.Graph())}
		})
		xt := tensors.FromFlatDataAndDimensions(x, 4, 2)
		if batched {
			xt = tensors.FromFlatDataAndDimensions(append(append([]float32{}, x...), x...), 2, 4, 2)
		}
		exec.MustExec(xt, got) // creates the variables
		bias := []float32{0.5, -1, 2}
		ctx.In("graph_conv").GetVariable("biases").MustSetValue(tensors.FromFlatDataAndDimensions(bias, 3))
		out := exec.MustExec(xt, got)
		y, w := tensors.MustCopyFlatData[float32](out[0]), tensors.MustCopyFlatData[float32](out[1])
		for k := range len(y) {
			i, u := (k/3)%4, k%3
			var s float64
			for j := range 4 {
				for f := range 2 {
					s += want[i][j] * float64(x[2*j+f]) * float64(w[3*f+u])
				}
			}
			s += float64(bias[u])
			if math.Abs(float64(y[k])-s) > 1e-5 {
				t.Fatalf("batched %v: y[%d] = %g, want Â·x·W + b = %g", batched, k, y[k], s)
			}
		}
	}
}
