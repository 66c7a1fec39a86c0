package maml

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/dl4go/dl4go/gomlxext"
	"github.com/gomlx/gomlx/pkg/core/graph"
)

// TestMetaGradientMatchesFiniteDifferences checks that GoMLX differentiates through the inner
// gradient step: the second-order MAML meta-gradient must equal the finite-difference derivative
// of the post-adaptation query loss, and the first-order one must differ from it.
func TestMetaGradientMatchesFiniteDifferences(t *testing.T) {
	backend, err := gomlxext.Backend()
	if err != nil {
		t.Fatal(err)
	}
	const tasks, k, q, hidden, alpha = 3, 4, 6, 5, 0.05
	rng := rand.New(rand.NewPCG(1, 2))
	var randT func(dims ...int) any
	randT = func(dims ...int) any {
		switch len(dims) {
		case 1:
			v := make([]float64, dims[0])
			for i := range v {
				v[i] = rng.NormFloat64()
			}
			return v
		case 2:
			v := make([][]float64, dims[0])
			for i := range v {
				v[i] = randT(dims[1]).([]float64)
			}
			return v
		default:
			v := make([][][]float64, dims[0])
			for i := range v {
				v[i] = randT(dims[1:]...).([][]float64)
			}
			return v
		}
	}
	w := []any{randT(1, hidden), randT(hidden), randT(hidden, hidden), randT(hidden), randT(hidden, 1), randT(1)}
	data := []any{randT(tasks, k, 1), randT(tasks, k, 1), randT(tasks, q, 1), randT(tasks, q, 1)}

	for _, tc := range []struct {
		name       string
		firstOrder bool
		wantMatch  bool
	}{
		{"second-order MAML", false, true},
		{"first-order MAML", true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Inputs: the 6 weights, then xs, ys, xq, yq. Outputs: loss, then d loss / d w2.
			exec, err := graph.NewExec(backend, func(in []*graph.Node) []*graph.Node {
				shared := in[:6]
				adapted := adapt(perTask(shared, tasks), in[6], in[7], 2, alpha, tc.firstOrder)
				loss := graph.ReduceAllMean(taskMSE(forward(adapted, in[8]), in[9]))
				return []*graph.Node{loss, graph.Gradient(loss, shared[2])[0]}
			})
			if err != nil {
				t.Fatal(err)
			}
			defer exec.Finalize()
			run := func(w2 [][]float64) (float64, [][]float64) {
				args := append(append([]any{}, w...), data...)
				args[2] = w2
				out, err := exec.Exec(args...)
				if err != nil {
					t.Fatal(err)
				}
				return out[0].Value().(float64), out[1].Value().([][]float64)
			}
			w2 := w[2].([][]float64)
			_, grad := run(w2)
			const eps = 1e-6
			maxDiff, maxGrad := 0.0, 0.0
			for i := range w2 {
				for j := range w2[i] {
					plus, minus := clone2(w2), clone2(w2)
					plus[i][j] += eps
					minus[i][j] -= eps
					lp, _ := run(plus)
					lm, _ := run(minus)
					numeric := (lp - lm) / (2 * eps)
					maxDiff = math.Max(maxDiff, math.Abs(numeric-grad[i][j]))
					maxGrad = math.Max(maxGrad, math.Abs(numeric))
				}
			}
			rel := maxDiff / maxGrad
			maxAuto := 0.0
			for i := range grad {
				for _, v := range grad[i] {
					maxAuto = math.Max(maxAuto, math.Abs(v))
				}
			}
			t.Logf("max |autodiff − finite difference| / max |gradient| = %.3g (max |gradient|: %.3g finite differences, %.3g autodiff)",
				rel, maxGrad, maxAuto)
			if match := rel < 1e-5; match != tc.wantMatch {
				t.Errorf("relative difference %.2g: match=%v, want %v", rel, match, tc.wantMatch)
			}
		})
	}
}

func clone2(w [][]float64) [][]float64 {
	o := make([][]float64, len(w))
	for i := range w {
		o[i] = append([]float64(nil), w[i]...)
	}
	return o
}
