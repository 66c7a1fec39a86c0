package xai

import (
	"fmt"
	"math"

	G "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/layers/activations"

	"github.com/dl4go/dl4go/data/shapes"
)

// Heat is an explanation of one image: a map over the last conv layer's grid (each cell covers
// 4×4 pixels), normalised to a maximum of 1, for the class the model predicted.
type Heat struct {
	Class int
	Map   [][]float64 // [S/4][S/4]
}

// GradCAM explains each image the way the report's gradcam_func does, as one graph:
//
//  1. A = the last conv layer's feature maps [h, w, K], and the class scores y (logits);
//  2. c = the predicted class, y^c its score;
//  3. ∂y^c/∂A, by autodiff (the report's tf.GradientTape);
//  4. α_k = the mean of ∂y^c/∂A^k over the grid (global average pooling of the gradient): the
//     weight of channel k;
//  5. ReLU(Σ_k α_k A^k): the places whose features push y^c up;
//  6. divided by its maximum (then, for pictures: colour-mapped, resized to the image, overlaid).
//
// It needs no GAP in the model: it works on any differentiable head.
func (m *Model) GradCAM(images []Image, size int) ([]Heat, error) {
	return m.explain(images, size, func(ctx *context.Context, a, logits, onehot *G.Node) *G.Node {
		score := G.ReduceAllSum(G.Mul(logits, onehot)) // Σ over the batch of y^c: each image's own score
		grads := G.Gradient(score, a)[0]               // [n, h, w, K]
		weights := G.ReduceMean(grads, 1, 2)           // [n, K]
		return G.Einsum("nhwk,nk->nhw", a, weights)    // [n, h, w]
	})
}

// CAM is the class activation map (Zhou et al., 2016), for a GAP model only: the classifier's
// weights w_k^c applied at every place of the grid, Σ_k w_k^c A^k (ReLU and normalised as
// Grad-CAM). With GAP, y^c = Σ_k w_k^c · mean(A^k) + b, so ∂y^c/∂A^k is w_k^c/(h·w) everywhere
// and Grad-CAM's map is CAM's divided by h·w: the same after normalisation.
func (m *Model) CAM(images []Image, size int) ([]Heat, error) {
	if m.Kind == Flatten {
		return nil, fmt.Errorf("xai: CAM needs global average pooling before the classifier; the %s model has none (use GradCAM)", m.Kind)
	}
	return m.explain(images, size, func(ctx *context.Context, a, logits, onehot *G.Node) *G.Node {
		d := a.Shape().Dimensions
		perPlace := head(ctx, G.Reshape(a, d[0]*d[1]*d[2], 1, 1, d[3]), Flatten)                                      // dense on each place's K features
		bias := head(ctx, G.ZerosLike(G.Slice(G.Reshape(a, d[0]*d[1]*d[2], 1, 1, d[3]), G.AxisRange(0, 1))), Flatten) // [1, classes]: b
		maps := G.Reshape(G.Sub(perPlace, bias), d[0], d[1], d[2], shapes.NumClasses)                                 // Σ_k w_k^c A^k(i, j)
		return G.ReduceSum(G.Mul(maps, G.InsertAxes(onehot, 1, 1)), -1)                                               // [n, h, w] at the predicted class
	})
}

// explain runs one explanation graph over the images, in chunks, and normalises the maps.
func (m *Model) explain(images []Image, size int, fn func(ctx *context.Context, a, logits, onehot *G.Node) *G.Node) ([]Heat, error) {
	exec, err := context.NewExec(m.backend, m.ctx.Reuse(), func(ctx *context.Context, x *G.Node) []*G.Node {
		a := features(ctx, x, m.cfg)
		logits := head(ctx, a, m.Kind)
		pred := G.ArgMax(logits, -1)
		onehot := G.StopGradient(G.OneHot(pred, shapes.NumClasses, logits.DType()))
		return []*G.Node{activations.Relu(fn(ctx, a, logits, onehot)), pred}
	})
	if err != nil {
		return nil, fmt.Errorf("xai: %w", err)
	}
	var out []Heat
	err = inChunks(exec, images, size, func(res []*tensors.Tensor, n int) {
		d := res[0].Shape().Dimensions
		flat := tensors.MustCopyFlatData[float32](res[0])
		preds := tensors.MustCopyFlatData[int32](res[1])
		for i := range n {
			h := Heat{Class: int(preds[i]), Map: make([][]float64, d[1])}
			top := 0.0
			for y := range d[1] {
				h.Map[y] = make([]float64, d[2])
				for x := range d[2] {
					v := float64(flat[(i*d[1]+y)*d[2]+x])
					h.Map[y][x] = v
					top = math.Max(top, v)
				}
			}
			if top > 0 {
				for y := range h.Map {
					for x := range h.Map[y] {
						h.Map[y][x] /= top
					}
				}
			}
			out = append(out, h)
		}
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Upsample resizes a heat map to size×size pixels by bilinear interpolation (cell centres at the
// centres of their 4×4 pixel blocks).
func Upsample(m [][]float64, size int) [][]float64 {
	gh, gw := len(m), len(m[0])
	out := make([][]float64, size)
	for y := range out {
		out[y] = make([]float64, size)
		fy := math.Max(0, math.Min(float64(gh-1), (float64(y)+0.5)*float64(gh)/float64(size)-0.5))
		y0 := int(fy)
		y1 := min(y0+1, gh-1)
		ty := fy - float64(y0)
		for x := range out[y] {
			fx := math.Max(0, math.Min(float64(gw-1), (float64(x)+0.5)*float64(gw)/float64(size)-0.5))
			x0 := int(fx)
			x1 := min(x0+1, gw-1)
			tx := fx - float64(x0)
			out[y][x] = (1-ty)*((1-tx)*m[y0][x0]+tx*m[y0][x1]) + ty*((1-tx)*m[y1][x0]+tx*m[y1][x1])
		}
	}
	return out
}

// Peak is the pixel where a heat map, upsampled to the image, is highest.
func Peak(m [][]float64, size int) (x, y int) {
	up := Upsample(m, size)
	best := math.Inf(-1)
	for yy, row := range up {
		for xx, v := range row {
			if v > best {
				best, x, y = v, xx, yy
			}
		}
	}
	return x, y
}

// inside reports whether pixel (x, y) lies in box b.
func inside(b shapes.Box, x, y int) bool {
	return float64(x) >= b.X0 && float64(x) < b.X1 && float64(y) >= b.Y0 && float64(y) < b.Y1
}

// PeakInside is the share of images whose heat map peaks inside the box chosen by where (the
// object's box, the cue's box).
func PeakInside(heats []Heat, images []Image, size int, where func(Image) shapes.Box) float64 {
	n := 0
	for i, h := range heats {
		if x, y := Peak(h.Map, size); inside(where(images[i]), x, y) {
			n++
		}
	}
	return float64(n) / float64(len(heats))
}

// MaxMapDiff is the largest difference between two sets of maps.
func MaxMapDiff(a, b []Heat) float64 {
	var d float64
	for i := range a {
		for y := range a[i].Map {
			for x := range a[i].Map[y] {
				d = math.Max(d, math.Abs(a[i].Map[y][x]-b[i].Map[y][x]))
			}
		}
	}
	return d
}
