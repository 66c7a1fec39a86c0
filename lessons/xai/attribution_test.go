package xai

import (
	"math"
	"testing"
)

// toy is a small non-linear predictor on 6×6 images cut into a 3×3 grid: a sigmoid of the
// patches' mean intensities with an interaction between patches 0 and 4.
func toy(p Patches) Predictor {
	return func(images [][]float32) ([]float64, error) {
		y := make([]float64, len(images))
		for i, im := range images {
			mean := make([]float64, p.N())
			for py := range p.Size {
				for px := range p.Size {
					mean[p.Of(px, py)] += float64(im[(py*p.Size+px)*3]) / 4
				}
			}
			z := -1.0
			for j, m := range mean {
				z += float64(j%4-1) * m
			}
			z += 3 * mean[0] * mean[4]
			y[i] = 1 / (1 + math.Exp(-z))
		}
		return y, nil
	}
}

func toyImages() (x []float32, backgrounds [][]float32) {
	x = make([]float32, 6*6*3)
	for i := range x {
		x[i] = float32(i%7) / 6
	}
	for b := range 3 {
		bg := make([]float32, len(x))
		for i := range bg {
			bg[i] = float32((i+b)%5) / 10
		}
		backgrounds = append(backgrounds, bg)
	}
	return x, backgrounds
}

func TestShapleyEfficiencyAndKernelSHAP(t *testing.T) {
	p := Patches{Size: 6, Grid: 3}
	x, bgs := toyImages()
	exact, err := ExactShapley(toy(p), p, x, bgs)
	if err != nil {
		t.Fatal(err)
	}
	if gap := exact.EfficiencyGap(); gap > 1e-12 {
		t.Errorf("exact Shapley values sum to f(x) − E[f] within %g, want 1e-12", gap)
	}
	// With a budget covering every coalition KernelSHAP's regression is solved exactly.
	all, err := KernelSHAP(toy(p), p, x, bgs, 510, 1)
	if err != nil {
		t.Fatal(err)
	}
	if e := RelativeL1(all.Values, exact.Values); e > 1e-9 || all.EfficiencyGap() > 1e-12 {
		t.Errorf("KernelSHAP over all 510 coalitions: relative L1 %g from exact, efficiency gap %g", e, all.EfficiencyGap())
	}
	for _, k := range []int{60, 120, 200, 300} {
		ks, err := KernelSHAP(toy(p), p, x, bgs, k, 1)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("KernelSHAP, %d samples (%d coalitions): relative L1 %.4f, efficiency gap %.1e", k, ks.Coalitions, RelativeL1(ks.Values, exact.Values), ks.EfficiencyGap())
		if ks.EfficiencyGap() > 1e-12 {
			t.Errorf("KernelSHAP efficiency gap %g", ks.EfficiencyGap())
		}
	}
}
