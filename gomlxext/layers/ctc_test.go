package layers

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/dl4go/dl4go/gomlxext"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // GoMLX graph-building style.
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// bruteCTC sums, over every path of length len(logp) through the classes, the probability of the
// paths that collapse (merge repeats, drop blanks) to labels, and returns −log of the sum.
func bruteCTC(logp [][]float64, labels []int) float64 {
	frames, classes := len(logp), len(logp[0])
	path := make([]int, frames)
	total := 0.0
	var walk func(t int, lp float64)
	walk = func(t int, lp float64) {
		if t == frames {
			var out []int
			for i, c := range path {
				if c != 0 && (i == 0 || c != path[i-1]) {
					out = append(out, c)
				}
			}
			if slices.Equal(out, labels) {
				total += math.Exp(lp)
			}
			return
		}
		for c := range classes {
			path[t] = c
			walk(t+1, lp+logp[t][c])
		}
	}
	walk(0, 0)
	return -math.Log(total)
}

// TestCTCLossMatchesBruteForce checks the batched loss, with padded frames and labels, against
// the sum over all alignments, and its gradient against finite differences.
func TestCTCLossMatchesBruteForce(t *testing.T) {
	backend := gomlxext.MustBackend()
	const batch, frames, classes, maxLabels = 4, 6, 3, 3
	rng := rand.New(rand.NewPCG(1, 2))
	logits := make([]float64, batch*frames*classes)
	for i := range logits {
		logits[i] = 2 * rng.NormFloat64()
	}
	labels := [][]int{{1, 2, 1}, {1, 1, 0}, {2, 0, 0}, {0, 0, 0}} // a repeat needs a blank between; the last has none
	labelLens := []int32{3, 2, 1, 0}
	logitLens := []int32{6, 5, 4, 3}
	flatLabels := make([]int32, 0, batch*maxLabels)
	for _, l := range labels {
		for _, v := range l {
			flatLabels = append(flatLabels, int32(v))
		}
	}
	exec := MustNewExec(backend, func(x, xl, y, yl *Node) []*Node {
		loss := CTCLoss(x, xl, y, yl)
		return []*Node{loss, Gradient(ReduceAllSum(loss), x)[0]}
	})
	run := func(l []float64) ([]float64, []float64) {
		out := exec.MustExec(tensors.FromFlatDataAndDimensions(l, batch, frames, classes), logitLens,
			tensors.FromFlatDataAndDimensions(flatLabels, batch, maxLabels), labelLens)
		return tensors.MustCopyFlatData[float64](out[0]), tensors.MustCopyFlatData[float64](out[1])
	}
	loss, grad := run(logits)
	for b := range batch {
		logp := make([][]float64, logitLens[b])
		for t := range logp {
			row := logits[(b*frames+t)*classes : (b*frames+t+1)*classes]
			m := slices.Max(row)
			var z float64
			for _, v := range row {
				z += math.Exp(v - m)
			}
			logp[t] = make([]float64, classes)
			for c, v := range row {
				logp[t][c] = v - m - math.Log(z)
			}
		}
		want := bruteCTC(logp, labels[b][:labelLens[b]])
		if math.Abs(loss[b]-want) > 1e-9 {
			t.Errorf("sequence %d: CTC loss %.12f, brute force over %d^%d paths %.12f", b, loss[b], classes, logitLens[b], want)
		}
	}
	// Finite differences, including a padded frame (whose gradient must be 0).
	for _, i := range []int{0, 5, 17, 20, 3*frames*classes + 2, 1*frames*classes + 5*classes} {
		const h = 1e-6
		up, down := slices.Clone(logits), slices.Clone(logits)
		up[i] += h
		down[i] -= h
		lu, _ := run(up)
		ld, _ := run(down)
		var num float64
		for b := range batch {
			num += (lu[b] - ld[b]) / (2 * h)
		}
		if math.Abs(num-grad[i]) > 1e-6 {
			t.Errorf("d loss / d logits[%d]: autodiff %.9f, finite differences %.9f", i, grad[i], num)
		}
	}
	if g := grad[1*frames*classes+5*classes]; g != 0 {
		t.Errorf("a padded frame has gradient %g", g)
	}
}
