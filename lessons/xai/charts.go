package xai

import (
	"fmt"
	"image"
	"sort"

	"github.com/dl4go/dl4go/data/shapes"
	"github.com/dl4go/dl4go/plotting"
)

// overlay is one tile: the image with heat (if any) blended over it (blue → red), the boxes outlined and
// the map's peak as a white dot; flat RGB [size·size·3] for an image grid.
func overlay(im Image, size int, heat [][]float64, boxes ...shapes.Box) ([]float32, error) {
	img, err := plotting.RGBImage(im.Pixels, size, size)
	if err != nil {
		return nil, err
	}
	var pic = &plotting.Picture{Image: img}
	if heat != nil {
		if pic, err = plotting.HeatOverlay(img, heat, plotting.PicScale(1)); err != nil {
			return nil, err
		}
	}
	var marks []plotting.Mark
	for _, b := range boxes {
		x0, y0, x1, y1 := b.X0, b.Y0, b.X1-1, b.Y1-1
		for _, s := range [][4]float64{{x0, y0, x1, y0}, {x1, y0, x1, y1}, {x1, y1, x0, y1}, {x0, y1, x0, y0}} {
			marks = append(marks, plotting.Mark{X0: s[0] + 0.5, Y0: s[1] + 0.5, X1: s[2] + 0.5, Y1: s[3] + 0.5, RGB: "#ffffff"})
		}
	}
	if heat != nil {
		x, y := Peak(heat, size)
		marks = append(marks, plotting.Mark{X0: float64(x) + 0.5, Y0: float64(y) + 0.5, Dot: true, Width: 1, RGB: "#ffffff"})
	}
	if pic, err = plotting.Marks(pic.Image, marks, plotting.PicScale(1)); err != nil {
		return nil, err
	}
	return rgbFloats(pic.Image), nil
}

// rgbFloats is an image's pixels as flat RGB values in [0, 1].
func rgbFloats(img image.Image) []float32 {
	b := img.Bounds()
	out := make([]float32, 0, b.Dx()*b.Dy()*3)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			out = append(out, float32(r)/65535, float32(g)/65535, float32(bl)/65535)
		}
	}
	return out
}

// heatGrid lays out tiles with captions, cols per row, each enlarged scale times.
func heatGrid(tiles [][]float32, captions []string, size, cols, scale int) (*plotting.Picture, error) {
	return plotting.ImageGrid(tiles, size, size, plotting.PicCaptions(captions), plotting.GridCols(cols), plotting.PicScale(scale))
}

// GradCAMPicture shows the first n held-out images, one row each: the image with its box, the
// GAP model's Grad-CAM, its CAM (the same map) and the Grad-CAM of the model without GAP; the
// white dot is each map's peak, the white frame the object's box.
func (o *Outcome) GradCAMPicture(n int) (*plotting.Picture, error) {
	s, size := o.Set, o.Config.Data.Shapes.Size
	n = min(n, len(s.Test))
	var tiles [][]float32
	var captions []string
	for i := range n {
		im := s.Test[i]
		plain, err := overlay(im, size, nil, im.Box)
		if err != nil {
			return nil, err
		}
		tiles, captions = append(tiles, plain), append(captions, shapes.ClassNames[im.Class])
		for _, m := range []struct {
			name string
			heat Heat
		}{{"Grad-CAM", o.GradCAM[i]}, {"CAM", o.CAM[i]}, {"no GAP", o.FlatCAM[i]}} {
			t, err := overlay(im, size, m.heat.Map, im.Box)
			if err != nil {
				return nil, err
			}
			tiles, captions = append(tiles, t), append(captions, fmt.Sprintf("%s: %s", m.name, shapes.ClassNames[m.heat.Class]))
		}
	}
	return heatGrid(tiles, captions, size, 4, 4)
}

// CuePicture shows the first n held-out images with the spurious cue painted in: for each, the
// Grad-CAM of the model trained without the cue and of the model trained with it (frames: the
// object's box and the cue).
func (o *Outcome) CuePicture(n int) (*plotting.Picture, error) {
	s, size := o.Set, o.Config.Data.Shapes.Size
	n = min(n, len(s.CueTest))
	heats, err := o.GAPModel.GradCAM(s.CueTest[:n], size)
	if err != nil {
		return nil, err
	}
	var tiles [][]float32
	var captions []string
	for i := range n {
		im := s.CueTest[i]
		for _, m := range []struct {
			name string
			heat Heat
		}{{"shape model", heats[i]}, {"cue model", o.CueCAM[i]}} {
			t, err := overlay(im, size, m.heat.Map, im.Box, im.Cue)
			if err != nil {
				return nil, err
			}
			tiles, captions = append(tiles, t), append(captions, fmt.Sprintf("%s: %s", m.name, shapes.ClassNames[m.heat.Class]))
		}
	}
	return heatGrid(tiles, captions, size, 2, 6) // large enough for the cue to show beside its caption
}

// PeakChart compares where the heat maps peak on the held-out images: inside the object's box
// (widened by the margin) for Grad-CAM of the GAP and the flatten models and for the baseline
// that always points at the image centre, and for the cue model on the cue and in the box.
func (o *Outcome) PeakChart() (*plotting.Chart, error) {
	return plotting.Bar(fmt.Sprintf("where the heat map peaks (held-out images; boxes widened by %d px)", o.Config.Margin),
		[]string{"centre baseline: in box", "GAP model: in box", "flatten model: in box", "cue model: in box", "cue model: on cue"},
		[]plotting.Series{{Name: "share of images", Y: []float64{o.CentrePeakInBox, o.PeakInBox, o.FlatPeakInBox, o.CuePeakInBox, o.CuePeakOnCue}}},
		plotting.WithAxisNames("", "share of held-out images"))
}

// AccuracyChart shows the held-out accuracies: the shape-trained models, and the cue model on
// images with the cue and without it (Clever Hans: right for the wrong reason).
func (o *Outcome) AccuracyChart() (*plotting.Chart, error) {
	return plotting.Bar("held-out accuracy",
		[]string{"GAP model", "flatten model", "cue model, cue present", "cue model, cue-free"},
		[]plotting.Series{{Name: "accuracy", Y: []float64{o.GAPModel.TestAcc, o.FlattenModel.TestAcc, o.CueModel.TestAcc, o.CueModel.CueFreeAcc}}},
		plotting.WithAxisNames("", "accuracy (chance 0.33)"))
}

// FeaturesPicture shows the n channels of A that add most to the map (largest α_k·mean(A^k)),
// each captioned with its weight α_k.
func (s *GradCAMSteps) FeaturesPicture(n int) (*plotting.Picture, error) {
	k := len(s.Features)
	order := make([]int, k)
	contrib := make([]float64, k)
	for c := range k {
		order[c] = c
		var sum float64
		for _, row := range s.Features[c] {
			for _, v := range row {
				sum += v
			}
		}
		contrib[c] = s.Alpha[c] * sum
	}
	sort.SliceStable(order, func(a, b int) bool { return contrib[order[a]] > contrib[order[b]] })
	n = min(n, k)
	h, w := len(s.Heat), len(s.Heat[0])
	var maps [][]float32
	var captions []string
	for _, c := range order[:n] {
		flat := make([]float32, 0, h*w)
		for _, row := range s.Features[c] {
			for _, v := range row {
				flat = append(flat, float32(v))
			}
		}
		maps, captions = append(maps, flat), append(captions, fmt.Sprintf("A%d α=%.2g", c, s.Alpha[c]))
	}
	return plotting.ImageGrid(maps, h, w, plotting.PicCaptions(captions), plotting.GridCols(min(n, 4)), plotting.PicScale(12), plotting.PerImageRange())
}

// AlphaChart draws the channel weights α_k, and for a GAP model the classifier's weights
// w_k^c/(h·w) beside them (the same numbers).
func (s *GradCAMSteps) AlphaChart() (*plotting.Chart, error) {
	cats := make([]string, len(s.Alpha))
	for k := range cats {
		cats[k] = fmt.Sprint(k)
	}
	series := []plotting.Series{{Name: "α_k = mean ∂y^c/∂A^k", Y: s.Alpha}}
	if s.ClassWeights != nil {
		hw := float64(len(s.Heat) * len(s.Heat[0]))
		y := make([]float64, len(s.ClassWeights))
		for k, v := range s.ClassWeights {
			y[k] = v / hw
		}
		series = append(series, plotting.Series{Name: "w_k^c / (h·w)", Y: y})
	}
	return plotting.Bar(fmt.Sprintf("Grad-CAM's channel weights for class %s", shapes.ClassNames[s.Class]), cats, series,
		plotting.WithAxisNames("channel k", "weight"))
}

// MapsPicture shows the last steps on image im: Σ_k α_k A^k (negative places blue), after the
// ReLU, and normalised and overlaid on the image.
func (s *GradCAMSteps) MapsPicture(im Image, size int) (*plotting.Picture, error) {
	h, w := len(s.Heat), len(s.Heat[0])
	flat := func(m [][]float64) []float32 {
		out := make([]float32, 0, h*w)
		for _, row := range m {
			for _, v := range row {
				out = append(out, float32(v))
			}
		}
		return out
	}
	steps, err := plotting.ImageGrid([][]float32{flat(s.Weighted), flat(s.ReLU), flat(s.Heat)}, h, w,
		plotting.PicCaptions([]string{"Σ α_k A^k", "ReLU", "÷ max"}), plotting.GridCols(3), plotting.PicScale(16), plotting.PerImageRange())
	if err != nil {
		return nil, err
	}
	over, err := overlay(im, size, s.Heat, im.Box)
	if err != nil {
		return nil, err
	}
	final, err := heatGrid([][]float32{over}, []string{"resized, overlaid"}, size, 1, 4)
	if err != nil {
		return nil, err
	}
	return plotting.Tile([][]*plotting.Picture{{steps, final}}), nil
}

// patchMap spreads per-patch values over a grid×grid map.
func patchMap(values []float64, side int) [][]float64 {
	return gridMap(side, side, func(y, x int) float64 { return values[y*side+x] })
}

// LIMEPicture shows LIME's explanation of held-out image 0: the image, the surrogate's weights
// as a heat map over the patches, and the image with only its top patches kept.
func (o *Outcome) LIMEPicture(top int) (*plotting.Picture, error) {
	c, size := o.Config, o.Config.Data.Shapes.Size
	im := o.Set.Test[0]
	p := Patches{Size: size, Grid: c.LIMEGrid}
	plain, err := overlay(im, size, nil, im.Box)
	if err != nil {
		return nil, err
	}
	weights, err := overlay(im, size, patchMap(o.LIME.Weights, c.LIMEGrid), im.Box)
	if err != nil {
		return nil, err
	}
	keep := make([]bool, p.N())
	for _, j := range o.LIME.Top(top) {
		keep[j] = true
	}
	kept := p.compose(im.Pixels, make([]float32, len(im.Pixels)), keep)
	return heatGrid([][]float32{plain, weights, kept},
		[]string{shapes.ClassNames[im.Class], fmt.Sprintf("LIME weights (R² %.2f)", o.LIME.Fidelity), fmt.Sprintf("top %d patches", top)}, size, 3, 4)
}

// ShapleyChart compares the exact Shapley values of the patches of held-out image i with
// KernelSHAP's estimates.
func (o *Outcome) ShapleyChart(i int) (*plotting.Chart, error) {
	if i < 0 || i >= len(o.Shapley) {
		return nil, fmt.Errorf("xai: Shapley values were computed for %d images, not image %d", len(o.Shapley), i)
	}
	ex, ks := o.Shapley[i], o.Kernel[i]
	cats := make([]string, len(ex.Values))
	g := o.Config.SHAPGrid
	for j := range cats {
		cats[j] = fmt.Sprintf("(%d,%d)", j/g, j%g)
	}
	return plotting.Bar(fmt.Sprintf("Shapley values of the patches (image %d): f(x) = %.3f, E[f] = %.3f", i, ex.Full, ex.Base), cats,
		[]plotting.Series{
			{Name: fmt.Sprintf("exact (%d coalitions)", ex.Coalitions), Y: ex.Values},
			{Name: fmt.Sprintf("KernelSHAP (%d coalitions)", ks.Coalitions), Y: ks.Values},
		}, plotting.WithAxisNames("patch (row, column)", "φ_j"))
}

// ShapleyPicture shows held-out image i with its exact Shapley values as a heat map over the
// patches.
func (o *Outcome) ShapleyPicture(i int) (*plotting.Picture, error) {
	if i < 0 || i >= len(o.Shapley) {
		return nil, fmt.Errorf("xai: Shapley values were computed for %d images, not image %d", len(o.Shapley), i)
	}
	size := o.Config.Data.Shapes.Size
	im := o.Set.Test[i]
	plain, err := overlay(im, size, nil, im.Box)
	if err != nil {
		return nil, err
	}
	phi, err := overlay(im, size, patchMap(o.Shapley[i].Values, o.Config.SHAPGrid), im.Box)
	if err != nil {
		return nil, err
	}
	return heatGrid([][]float32{plain, phi}, []string{shapes.ClassNames[im.Class], "Shapley values"}, size, 2, 4)
}
