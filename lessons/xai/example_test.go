package xai_test

import (
	"fmt"
	"math"

	"github.com/janpfeifer/must"

	"github.com/dl4go/dl4go/lessons/xai"
)

// A predictor of a 4×4 image cut into 2×2 patches that adds patch 0's and patch 3's mean
// brightness and multiplies in patch 1: its exact Shapley values share f(x) − E[f] out exactly,
// and KernelSHAP finds them from 8 of the 16 coalitions (the empty and the full one included).
func ExampleExactShapley() {
	p := xai.Patches{Size: 4, Grid: 2}
	mean := func(im []float32, patch int) float64 {
		var s float64
		for y := range 4 {
			for x := range 4 {
				if p.Of(x, y) == patch {
					s += float64(im[(y*4+x)*3]) / 4
				}
			}
		}
		return s
	}
	f := func(images [][]float32) ([]float64, error) {
		y := make([]float64, len(images))
		for i, im := range images {
			y[i] = mean(im, 0) + mean(im, 3) + 2*mean(im, 0)*mean(im, 1)
		}
		return y, nil
	}
	x := make([]float32, 4*4*3)
	for i := range x {
		x[i] = 1 // a white image, explained against a black background
	}
	black := [][]float32{make([]float32, len(x))}
	exact := must.M1(xai.ExactShapley(f, p, x, black))
	kernel := must.M1(xai.KernelSHAP(f, p, x, black, 8, 1))
	round := func(v []float64) []float64 {
		out := make([]float64, len(v))
		for i := range v {
			out[i] = math.Round(v[i]*100)/100 + 0 // + 0: no "-0.00"
		}
		return out
	}
	fmt.Printf("exact φ = %.2f, sum %.2f = f(x) − E[f] = %.2f − %.2f\n", round(exact.Values), exact.Values[0]+exact.Values[1]+exact.Values[2]+exact.Values[3], exact.Full, exact.Base)
	fmt.Printf("KernelSHAP φ = %.2f from %d coalitions\n", round(kernel.Values), kernel.Coalitions)
	// Output:
	// exact φ = [2.00 1.00 0.00 1.00], sum 4.00 = f(x) − E[f] = 4.00 − 0.00
	// KernelSHAP φ = [2.00 1.00 0.00 1.00] from 8 coalitions
}

// Peak is where a Grad-CAM map, resized to the image, is highest: here the map's one hot cell,
// the second of the first row (pixels x 4–7, y 0–3 of a 16-pixel image; its lower neighbour
// pulls the peak to the top row).
func ExamplePeak() {
	heat := [][]float64{{0, 1, 0, 0}, {0, 0.5, 0, 0}, {0, 0, 0, 0}, {0, 0, 0, 0}}
	x, y := xai.Peak(heat, 16)
	fmt.Println(x, y)
	// Output: 5 0
}

// The whole lesson at quick size: its RESULT line (the models are restored from the
// checkpoints of TestQuickOutcome when it ran first in the same test binary).
func ExampleRun() {
	cfg := xai.Quick()
	cfg.Quiet = true
	out := must.M1(xai.Run(cfg))
	fmt.Println(out.Result().Metric, out.Result().OK())
	// Output: gradcam_peak_in_object_box_heldout true
}
