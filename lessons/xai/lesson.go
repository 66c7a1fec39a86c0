package xai

import (
	"fmt"
	"time"

	"github.com/dl4go/dl4go/data/shapes"
	"github.com/dl4go/dl4go/gomlxext"
	"github.com/dl4go/dl4go/lessons"
)

// Lesson describes lesson 22 to the lesson kit.
var Lesson = lessons.Lesson{ID: "22", Name: "xai"}

// Config sizes the lesson.
type Config struct {
	lessons.Options `json:"-"`

	Data  DataConfig
	Model ModelConfig
	// LIMEGrid is the side of LIME's patch grid, LIMESamples its perturbations, LIMESigma the
	// width of its locality kernel (in share of patches off).
	LIMEGrid, LIMESamples int
	LIMESigma             float64
	// SHAPGrid is the side of SHAP's patch grid (SHAPGrid² features, 2^that coalitions),
	// SHAPImages the held-out images explained, SHAPBackgrounds the images E[f] averages over,
	// KernelSamples KernelSHAP's coalition draws.
	SHAPGrid, SHAPImages, SHAPBackgrounds, KernelSamples int
	// Thresholds: Grad-CAM's peak inside the object's box (GAP model), on the cue (cue model);
	// the exact Shapley values' efficiency gap; KernelSHAP's relative L1 distance from them.
	MinPeakInBox, MinPeakOnCue, EfficiencyTolerance, KernelTolerance float64
	// Margin is how many pixels a box is widened on every side before a peak is scored: one
	// cell of the heat map (4 pixels), its resolution, since a map cell sees the object's edge
	// from just outside it. The same margin applies to every model, the cue and the baseline.
	Margin int
}

// Full is the notebook's lesson.
func Full() Config {
	return Config{
		Data: DataConfig{Shapes: shapes.Config{Size: 48, MinObjects: 1, MaxObjects: 1, MinSide: 10, MaxSide: 18, Noise: 0.05, Seed: 22},
			TrainSize: 3000, TestSize: 400, CueSide: 5},
		Model:    ModelConfig{Channels: 32, Steps: 800, Batch: 32, LearningRate: 2e-3, Seed: 22},
		LIMEGrid: 6, LIMESamples: 400, LIMESigma: 0.25,
		SHAPGrid: 3, SHAPImages: 2, SHAPBackgrounds: 8, KernelSamples: 300,
		MinPeakInBox: 0.80, MinPeakOnCue: 0.70, EfficiencyTolerance: 1e-6, KernelTolerance: 0.05, Margin: 4,
	}
}

// Quick is the same lesson with fewer images and steps, for tests and CI.
func Quick() Config {
	c := Full()
	c.Data.TrainSize, c.Data.TestSize = 1000, 150
	c.Model.Steps = 250
	c.SHAPImages, c.SHAPBackgrounds = 1, 4
	c.MinPeakInBox = 0.60
	return c
}

// Size returns Quick when lessons.Quick() (DL4GO_QUICK=1), else Full.
func Size() Config {
	if lessons.Quick() {
		return Quick()
	}
	return Full()
}

// Outcome is what Run measured.
type Outcome struct {
	Config Config
	Set    *Set
	// The three models and their held-out accuracies (the cue model's on images with and without
	// the cue).
	GAPModel, FlattenModel, CueModel *Model
	// GradCAM (GAP model), CAM (GAP model), FlatCAM (Grad-CAM of the model without GAP), CueCAM
	// (Grad-CAM of the cue model on held-out images with the cue): one map per held-out image.
	GradCAM, CAM, FlatCAM, CueCAM []Heat
	// CAMGradCAMDiff is the largest difference between the normalised CAM and Grad-CAM maps.
	CAMGradCAMDiff float64
	// Peak shares on the held-out images: inside the object's box for Grad-CAM of the GAP and
	// the flatten models, for the baseline that always points at the image centre; on the cue for
	// the cue model (and inside the object's box for it, for contrast).
	PeakInBox, FlatPeakInBox, CentrePeakInBox, CuePeakOnCue, CuePeakInBox float64
	// LIME is the surrogate for held-out image 0 and the GAP model.
	LIME *LIMEResult
	// Shapley are the exact values for the first SHAPImages held-out images, Kernel KernelSHAP's.
	Shapley, Kernel []*ShapleyResult
	Wall            time.Duration
}

// MaxEfficiencyGap and MaxKernelError are the worst efficiency gap of the exact values and
// KernelSHAP's worst relative L1 distance from them.
func (o *Outcome) MaxEfficiencyGap() float64 {
	var m float64
	for _, s := range o.Shapley {
		m = max(m, s.EfficiencyGap())
	}
	return m
}

// MaxKernelError is KernelSHAP's worst relative L1 distance from the exact values.
func (o *Outcome) MaxKernelError() float64 {
	var m float64
	for i := range o.Shapley {
		m = max(m, RelativeL1(o.Kernel[i].Values, o.Shapley[i].Values))
	}
	return m
}

// Result is the lesson's RESULT line: the share of held-out images where Grad-CAM peaks inside
// the object's box. When that passes but another check misses (the cue model's peak on the cue,
// Shapley efficiency, KernelSHAP's error), the line reports that check instead.
func (o *Outcome) Result() lessons.Result {
	c := o.Config
	r := lessons.Result{Lesson: Lesson.ID, Metric: "gradcam_peak_in_object_box_heldout", Value: o.PeakInBox, Threshold: c.MinPeakInBox}
	if !r.OK() {
		return r
	}
	for _, other := range []lessons.Result{
		{Metric: "gradcam_peak_on_spurious_cue_heldout", Value: o.CuePeakOnCue, Threshold: c.MinPeakOnCue},
		{Metric: "shapley_efficiency_gap", Value: o.MaxEfficiencyGap(), Threshold: c.EfficiencyTolerance, LowerIsBetter: true},
		{Metric: "kernelshap_relative_l1_vs_exact", Value: o.MaxKernelError(), Threshold: c.KernelTolerance, LowerIsBetter: true},
	} {
		if other.Lesson = Lesson.ID; !other.OK() {
			return other
		}
	}
	return r
}

// Summary is a short table of the lesson's numbers.
func (o *Outcome) Summary() string {
	return fmt.Sprintf("held-out accuracy: GAP model %.3f, flatten model %.3f, cue model %.3f with the cue, %.3f without\n"+
		"Grad-CAM peak in the object's box: GAP model %.3f, flatten model %.3f; always the image centre %.3f\n"+
		"cue model: Grad-CAM peak on the cue %.3f, in the object's box %.3f\n"+
		"CAM vs Grad-CAM (GAP model): max difference %.1e\n"+
		"LIME surrogate fidelity (weighted R²) %.3f\n"+
		"Shapley efficiency gap %.1e; KernelSHAP vs exact: relative L1 %.3f (%d of %d coalitions)\n",
		o.GAPModel.TestAcc, o.FlattenModel.TestAcc, o.CueModel.TestAcc, o.CueModel.CueFreeAcc,
		o.PeakInBox, o.FlatPeakInBox, o.CentrePeakInBox, o.CuePeakOnCue, o.CuePeakInBox, o.CAMGradCAMDiff,
		o.LIME.Fidelity, o.MaxEfficiencyGap(), o.MaxKernelError(), o.Kernel[0].Coalitions, o.Shapley[0].Coalitions)
}

// Run does the whole lesson: trains (or resumes, or restores) the three models, then computes
// every explanation on the held-out images (cheap: a few forward and backward passes) and scores
// them.
func Run(cfg Config) (*Outcome, error) {
	t0 := time.Now()
	if err := cfg.check(); err != nil {
		return nil, err
	}
	backend, err := gomlxext.Backend()
	if err != nil {
		return nil, fmt.Errorf("xai: %w", err)
	}
	run, err := Lesson.Open(cfg)
	if err != nil {
		return nil, err
	}
	out := &Outcome{Config: cfg}
	if out.Set, err = MakeSet(cfg.Data); err != nil {
		return nil, err
	}
	s, size := out.Set, cfg.Data.Shapes.Size
	// What was measured after training is saved with the run: a later call restores the models
	// (for pictures) and this, instead of explaining thousands of perturbed images again.
	var saved measured
	restored, err := run.LoadOutcome(&saved)
	if err != nil {
		return nil, err
	}
	for _, k := range []Kind{GAP, Flatten, Cue} {
		images := s.Train
		if k == Cue {
			images = s.CueTrain
		}
		dir, err := run.Part(string(k))
		if err != nil {
			return nil, err
		}
		m, err := trainModel(backend, k, cfg.Model, images, size, dir, run.Quiet)
		if err != nil {
			return nil, err
		}
		test := s.Test
		switch {
		case restored:
		case k == Cue:
			test = s.CueTest
			if m.CueFreeAcc, err = m.Accuracy(s.Test, size); err != nil {
				return nil, err
			}
			fallthrough
		default:
			if m.TestAcc, err = m.Accuracy(test, size); err != nil {
				return nil, err
			}
		}
		switch k {
		case GAP:
			out.GAPModel = m
		case Flatten:
			out.FlattenModel = m
		case Cue:
			out.CueModel = m
		}
	}
	if restored {
		saved.restore(out)
		out.Wall = time.Since(t0)
		return out, nil
	}

	box := func(im Image) shapes.Box { return widen(im.Box, cfg.Margin) }
	if out.GradCAM, err = out.GAPModel.GradCAM(s.Test, size); err != nil {
		return nil, err
	}
	if out.CAM, err = out.GAPModel.CAM(s.Test, size); err != nil {
		return nil, err
	}
	out.CAMGradCAMDiff = MaxMapDiff(out.CAM, out.GradCAM)
	if out.FlatCAM, err = out.FlattenModel.GradCAM(s.Test, size); err != nil {
		return nil, err
	}
	if out.CueCAM, err = out.CueModel.GradCAM(s.CueTest, size); err != nil {
		return nil, err
	}
	out.PeakInBox = PeakInside(out.GradCAM, s.Test, size, box)
	out.FlatPeakInBox = PeakInside(out.FlatCAM, s.Test, size, box)
	out.CuePeakInBox = PeakInside(out.CueCAM, s.CueTest, size, box)
	out.CuePeakOnCue = PeakInside(out.CueCAM, s.CueTest, size, func(im Image) shapes.Box { return widen(im.Cue, cfg.Margin) })
	centre := 0
	for _, im := range s.Test {
		if inside(box(im), size/2, size/2) {
			centre++
		}
	}
	out.CentrePeakInBox = float64(centre) / float64(len(s.Test))

	predict := func(m *Model, class int) Predictor {
		return func(images [][]float32) ([]float64, error) {
			ims := make([]Image, len(images))
			for i, px := range images {
				ims[i] = Image{Pixels: px}
			}
			probs, err := m.Probs(ims, size)
			if err != nil {
				return nil, err
			}
			y := make([]float64, len(probs))
			for i, p := range probs {
				y[i] = p[class]
			}
			return y, nil
		}
	}
	dark := make([]float32, size*size*3) // LIME's "off": a black patch, the background's colour
	x0 := s.Test[0]
	if out.LIME, err = LIME(predict(out.GAPModel, out.GradCAM[0].Class), Patches{Size: size, Grid: cfg.LIMEGrid}, x0.Pixels, dark,
		cfg.LIMESamples, cfg.LIMESigma, 1); err != nil {
		return nil, err
	}
	var backgrounds [][]float32
	for _, im := range s.Test[len(s.Test)-cfg.SHAPBackgrounds:] {
		backgrounds = append(backgrounds, im.Pixels)
	}
	sp := Patches{Size: size, Grid: cfg.SHAPGrid}
	for i := range cfg.SHAPImages {
		f := predict(out.GAPModel, out.GradCAM[i].Class)
		exact, err := ExactShapley(f, sp, s.Test[i].Pixels, backgrounds)
		if err != nil {
			return nil, err
		}
		kernel, err := KernelSHAP(f, sp, s.Test[i].Pixels, backgrounds, cfg.KernelSamples, uint64(i+1))
		if err != nil {
			return nil, err
		}
		out.Shapley, out.Kernel = append(out.Shapley, exact), append(out.Kernel, kernel)
	}
	out.Wall = time.Since(t0)
	return out, run.SaveOutcome(measuredOf(out))
}

// measured is what Run measures after training: saved with the run (its key covers the settings
// and the code), restored by a later call.
type measured struct {
	GAPAcc, FlattenAcc, CueAcc, CueFreeAcc                                                float64
	GradCAM, CAM, FlatCAM, CueCAM                                                         []Heat
	CAMGradCAMDiff, PeakInBox, FlatPeakInBox, CentrePeakInBox, CuePeakOnCue, CuePeakInBox float64
	LIME                                                                                  *LIMEResult
	Shapley, Kernel                                                                       []*ShapleyResult
}

func measuredOf(o *Outcome) measured {
	return measured{o.GAPModel.TestAcc, o.FlattenModel.TestAcc, o.CueModel.TestAcc, o.CueModel.CueFreeAcc,
		o.GradCAM, o.CAM, o.FlatCAM, o.CueCAM,
		o.CAMGradCAMDiff, o.PeakInBox, o.FlatPeakInBox, o.CentrePeakInBox, o.CuePeakOnCue, o.CuePeakInBox,
		o.LIME, o.Shapley, o.Kernel}
}

func (m measured) restore(o *Outcome) {
	o.GAPModel.TestAcc, o.FlattenModel.TestAcc, o.CueModel.TestAcc, o.CueModel.CueFreeAcc = m.GAPAcc, m.FlattenAcc, m.CueAcc, m.CueFreeAcc
	o.GradCAM, o.CAM, o.FlatCAM, o.CueCAM = m.GradCAM, m.CAM, m.FlatCAM, m.CueCAM
	o.CAMGradCAMDiff, o.PeakInBox, o.FlatPeakInBox, o.CentrePeakInBox, o.CuePeakOnCue, o.CuePeakInBox =
		m.CAMGradCAMDiff, m.PeakInBox, m.FlatPeakInBox, m.CentrePeakInBox, m.CuePeakOnCue, m.CuePeakInBox
	o.LIME, o.Shapley, o.Kernel = m.LIME, m.Shapley, m.Kernel
}

// check refuses settings the lesson cannot run with, naming the fix.
func (c Config) check() error {
	switch {
	case c.Data.TestSize < c.SHAPImages+c.SHAPBackgrounds || c.SHAPImages < 1 || c.SHAPBackgrounds < 1:
		return fmt.Errorf("xai: SHAP explains the first %d held-out images against the last %d: TestSize (%d) must hold both, and both must be ≥ 1",
			c.SHAPImages, c.SHAPBackgrounds, c.Data.TestSize)
	case c.SHAPGrid < 2 || c.SHAPGrid > 4:
		return fmt.Errorf("xai: SHAPGrid %d: exact Shapley values enumerate 2^(SHAPGrid²) coalitions; use 2, 3 or 4", c.SHAPGrid)
	case c.LIMEGrid < 2 || c.LIMEGrid > c.Data.Shapes.Size || c.LIMESamples <= c.LIMEGrid*c.LIMEGrid || c.LIMESigma <= 0:
		return fmt.Errorf("xai: LIME needs LIMEGrid in 2..image size (got %d), more samples than patches (got %d for %d) and LIMESigma > 0 (got %g)",
			c.LIMEGrid, c.LIMESamples, c.LIMEGrid*c.LIMEGrid, c.LIMESigma)
	case c.Data.Shapes.Size%4 != 0 || c.Data.CueSide < 1 || c.Data.TrainSize < 1:
		return fmt.Errorf("xai: the image size (%d) must be a multiple of 4 (two 2×2 poolings), CueSide (%d) and TrainSize (%d) ≥ 1",
			c.Data.Shapes.Size, c.Data.CueSide, c.Data.TrainSize)
	}
	return nil
}

// widen adds margin pixels on every side of b.
func widen(b shapes.Box, margin int) shapes.Box {
	m := float64(margin)
	return shapes.Box{X0: b.X0 - m, Y0: b.Y0 - m, X1: b.X1 + m, Y1: b.Y1 + m}
}
