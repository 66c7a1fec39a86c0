package xai

import (
	"fmt"
	"math"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	G "github.com/gomlx/gomlx/pkg/core/graph"
	gshapes "github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"

	"github.com/dl4go/dl4go/data/shapes"
)

// GradCAMSteps are Grad-CAM's intermediate values for one image, in the order of the report's
// gradcam_func: what a learner looks at to see how the heat map is made.
type GradCAMSteps struct {
	// Class is the predicted class c, Score its logit y^c.
	Class int
	Score float64
	// Features is the last conv layer's output A, [K][h][w] (channel first, for pictures).
	Features [][][]float64
	// Alpha[k] is the mean over the grid of ∂y^c/∂A^k: channel k's weight.
	Alpha []float64
	// ClassWeights[k] is the classifier's weight w_k^c from GAP feature k to class c (GAP models
	// only, else nil): with GAP, α_k = w_k^c / (h·w) exactly.
	ClassWeights []float64
	// Weighted is Σ_k α_k A^k, ReLU its positive part, Heat ReLU divided by its maximum: [h][w].
	Weighted, ReLU, Heat [][]float64
}

// GradCAMSteps computes Grad-CAM for one image step by step (the same graph as GradCAM, with the
// intermediate values returned): image pixels [size, size, 3] → A [h, w, K], y^c, ∂y^c/∂A,
// α [K], Σ_k α_k A^k [h, w].
func (m *Model) GradCAMSteps(im Image, size int) (*GradCAMSteps, error) {
	exec, err := context.NewExec(m.backend, m.ctx.Reuse(), func(ctx *context.Context, x *G.Node) []*G.Node {
		a := features(ctx, x, m.cfg) // [1, h, w, K]
		logits := head(ctx, a, m.Kind)
		pred := G.ArgMax(logits, -1)
		onehot := G.StopGradient(G.OneHot(pred, shapes.NumClasses, logits.DType()))
		score := G.ReduceAllSum(G.Mul(logits, onehot))
		grads := G.Gradient(score, a)[0]
		alpha := G.ReduceMean(grads, 1, 2)             // [1, K]
		weighted := G.Einsum("nhwk,nk->nhw", a, alpha) // [1, h, w]
		outs := []*G.Node{a, alpha, weighted, pred, score}
		if m.Kind != Flatten {
			k := a.Shape().Dimensions[3]
			eye := G.Reshape(G.OneHot(G.Iota(a.Graph(), gshapes.Make(dtypes.Int32, k), 0), k, a.DType()), k, 1, 1, k) // the identity [K, K]
			w := G.Sub(head(ctx, eye, Flatten), head(ctx, G.ZerosLike(G.Slice(eye, G.AxisRange(0, 1))), Flatten))     // [K, classes]
			outs = append(outs, G.Einsum("kc,nc->nk", w, onehot))                                                     // [1, K]: w_k^c
		}
		return outs
	})
	if err != nil {
		return nil, fmt.Errorf("xai: %w", err)
	}
	res, err := exec.Exec(pixels([]Image{im}, size))
	if err != nil {
		return nil, fmt.Errorf("xai: Grad-CAM steps: %w", err)
	}
	d := res[0].Shape().Dimensions
	h, w, k := d[1], d[2], d[3]
	a := tensors.MustCopyFlatData[float32](res[0])
	s := &GradCAMSteps{
		Class: int(tensors.MustCopyFlatData[int32](res[3])[0]),
		Score: float64(tensors.MustCopyFlatData[float32](res[4])[0]),
		Alpha: to64(tensors.MustCopyFlatData[float32](res[1])),
	}
	if len(res) > 5 {
		s.ClassWeights = to64(tensors.MustCopyFlatData[float32](res[5]))
	}
	s.Features = make([][][]float64, k)
	for c := range k {
		s.Features[c] = gridMap(h, w, func(y, x int) float64 { return float64(a[(y*w+x)*k+c]) })
	}
	weighted := tensors.MustCopyFlatData[float32](res[2])
	s.Weighted = gridMap(h, w, func(y, x int) float64 { return float64(weighted[y*w+x]) })
	s.ReLU = gridMap(h, w, func(y, x int) float64 { return math.Max(0, s.Weighted[y][x]) })
	top := 0.0
	for _, row := range s.ReLU {
		for _, v := range row {
			top = math.Max(top, v)
		}
	}
	s.Heat = gridMap(h, w, func(y, x int) float64 {
		if top == 0 {
			return 0
		}
		return s.ReLU[y][x] / top
	})
	return s, nil
}

// GAPIdentityGap is max_k |α_k·h·w − w_k^c| relative to max_k |w_k^c|: zero (to rounding) for a
// GAP model, where the gradient of y^c = Σ_k w_k^c·mean(A^k) + b is w_k^c/(h·w) at every place.
func (s *GradCAMSteps) GAPIdentityGap() (float64, error) {
	if s.ClassWeights == nil {
		return 0, fmt.Errorf("xai: the model has no GAP, so no classifier weights per channel")
	}
	hw := float64(len(s.Heat) * len(s.Heat[0]))
	var gap, top float64
	for k, wk := range s.ClassWeights {
		gap = math.Max(gap, math.Abs(s.Alpha[k]*hw-wk))
		top = math.Max(top, math.Abs(wk))
	}
	return gap / top, nil
}

func to64(v []float32) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = float64(x)
	}
	return out
}

func gridMap(h, w int, f func(y, x int) float64) [][]float64 {
	out := make([][]float64, h)
	for y := range out {
		out[y] = make([]float64, w)
		for x := range out[y] {
			out[y][x] = f(y, x)
		}
	}
	return out
}
