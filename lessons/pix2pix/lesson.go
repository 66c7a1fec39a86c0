package pix2pix

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/dl4go/dl4go/gomlxext"
	"github.com/dl4go/dl4go/lessons"
	"github.com/dl4go/dl4go/plotting"
)

// Outcome is what Run measured: one trained model per Config.Models, in that order, the
// baselines, and the shown held-out pairs (see charts.go for the charts).
type Outcome struct {
	Config Config
	Models []Trained
	// MeanImageL1 is the held-out L1 error of the baseline that predicts, whatever the outline,
	// the per-pixel mean of the training scenes (the RESULT line's baseline); MedianImageL1 that of
	// the per-pixel median (the best constant image under L1) and IdentityL1 that of the outline
	// itself taken as the scene (white borders on black).
	MeanImageL1, MedianImageL1, IdentityL1 float64
	// TargetEnergy is the gradient energy (GradientEnergy) of the held-out scenes.
	TargetEnergy float64
	// ShowOutlines [Show, S, S, 1] and ShowScenes [Show, S, S, 3] are the first held-out pairs,
	// drawn in the pictures.
	ShowOutlines, ShowScenes []float32
	// Wall is the time of the call that trained and measured; Restored reports a saved outcome
	// returned at once; Dir is the run's folder ("" when nothing is saved).
	Wall     time.Duration
	Restored bool
	Dir      string
}

// Trained is one model after Config.Steps iterations, measured on the held-out pairs.
type Trained struct {
	Model   Model
	History History
	// HeldOutL1 is its mean |G(x) − y| over the held-out pairs (pixels and channels, [0, 1]
	// scale); Energy the gradient energy of its held-out outputs, Sharpness Energy ÷ the targets'.
	HeldOutL1, Energy, Sharpness float64
	// Shown are its outputs on the shown held-out outlines, [Show, S, S, 3] in [0, 1].
	Shown []float32
	// StartStep is the iteration its training resumed from (0: fresh, Steps: finished),
	// StepTime the median wall time of one iteration, Wall its training and measuring time.
	StartStep      int
	StepTime, Wall time.Duration
}

// Model returns the trained model m, or nil if the outcome has none.
func (o *Outcome) Model(m Model) *Trained {
	for i := range o.Models {
		if o.Models[i].Model == m {
			return &o.Models[i]
		}
	}
	return nil
}

// Run trains every model of cfg.Models in turn for cfg.Steps iterations on the same batches of
// training pairs (resuming from its checkpoint), with live losses and a live picture of its
// outputs on held-out outlines unless cfg.Quiet, and measures each on the held-out pairs: L1
// error and sharpness, beside the mean-image, median-image and identity baselines. The outcome is
// saved in the run's folder (see Lesson.Open), so a finished run returns at once and every
// notebook cell can call Run. An interrupt saves a checkpoint and returns an error wrapping
// gomlxext.ErrInterrupted; running it again resumes.
func Run(cfg Config) (*Outcome, error) {
	t0 := time.Now()
	if err := cfg.check(); err != nil {
		return nil, err
	}
	backend, err := gomlxext.Backend()
	if err != nil {
		return nil, fmt.Errorf("pix2pix: %w", err)
	}
	run, err := Lesson.Open(cfg)
	if err != nil {
		return nil, err
	}
	saved := &Outcome{}
	if ok, err := run.LoadOutcome(saved); err != nil {
		return nil, err
	} else if ok {
		saved.Config, saved.Restored, saved.Dir = cfg, true, run.Dir
		return saved, nil
	}
	ps, err := newPairs(cfg)
	if err != nil {
		return nil, err
	}
	trainSet := ps.get(0, cfg.TrainPairs)
	testOutlines, testScenes := flatten(ps.get(HeldOutStart, cfg.TestPairs))
	s := cfg.ImageSize
	per := s * s * 3
	_, trainScenes := flatten(trainSet)
	out := &Outcome{Config: cfg, Dir: run.Dir,
		MeanImageL1:   MeanAbs(repeat(meanImage(trainScenes, per), cfg.TestPairs), testScenes),
		MedianImageL1: MeanAbs(repeat(medianImage(trainScenes, per), cfg.TestPairs), testScenes),
		IdentityL1:    MeanAbs(gray3(testOutlines), testScenes),
		TargetEnergy:  GradientEnergy(testScenes, s, 3),
		ShowOutlines:  testOutlines[:cfg.Show*s*s], ShowScenes: testScenes[:cfg.Show*per],
	}
	for _, m := range cfg.Models {
		t1 := time.Now()
		dir, err := run.Part(strings.NewReplacer(" ", "", "+", "-", ",", "").Replace(m.String()))
		if err != nil {
			return nil, err
		}
		var live *plotting.LivePicture
		if !cfg.Quiet {
			live = plotting.NewLivePicture(fmt.Sprintf("%v on held-out outlines (rows: input, output, target)", m))
		}
		frame := func(pix []float32) (*plotting.Picture, error) { return out.framePicture(pix) }
		t, hist, st, err := train(backend, cfg, m, dir, trainSet, out.ShowOutlines, live, frame, cfg.Quiet)
		if err != nil {
			return nil, err
		}
		pred, err := t.translate(testOutlines)
		if err != nil {
			return nil, err
		}
		tr := Trained{Model: m, History: *hist, HeldOutL1: MeanAbs(pred, testScenes), Energy: GradientEnergy(pred, s, 3),
			Shown: pred[:cfg.Show*per], StartStep: st.startStep, StepTime: st.median}
		tr.Sharpness = tr.Energy / out.TargetEnergy
		tr.Wall = time.Since(t1)
		out.Models = append(out.Models, tr)
	}
	out.Wall = time.Since(t0)
	return out, run.SaveOutcome(out)
}

// L1Ratio is GAN + L1's held-out L1 error ÷ the mean-image baseline's (NaN without GAN + L1).
func (o *Outcome) L1Ratio() float64 {
	g := o.Model(GANL1)
	if g == nil {
		return math.NaN()
	}
	return g.HeldOutL1 / o.MeanImageL1
}

// SharperThanL1 reports whether GAN + L1's sharpness is closer to the targets' than L1 only's
// (SharpnessGap smaller), and false if either was not trained.
func (o *Outcome) SharperThanL1() bool {
	g, l := o.Model(GANL1), o.Model(L1Only)
	return g != nil && l != nil && SharpnessGap(g.Sharpness) < SharpnessGap(l.Sharpness)
}

// Result is the lesson's RESULT line: GAN + L1's held-out L1 error over the mean-image baseline's
// against Config.Threshold (lower is better). When that is met but Config.RequireSharper and GAN
// + L1 is not closer to the targets' sharpness than L1 only, the line reports the ratio of the
// two sharpness gaps, |log sharpness(GAN + L1)| ÷ |log sharpness(L1 only)|, against 1, with
// ok=false.
func (o *Outcome) Result() lessons.Result {
	r := lessons.Result{Lesson: Lesson.ID, Metric: "heldout_l1_gan_l1_over_mean_image_baseline",
		Value: o.L1Ratio(), Threshold: o.Config.Threshold, LowerIsBetter: true}
	if r.OK() && o.Config.RequireSharper && !o.SharperThanL1() {
		r.Metric, r.Threshold = "sharpness_gap_gan_l1_over_l1_only", 1
		r.Value = math.NaN()
		if g, l := o.Model(GANL1), o.Model(L1Only); g != nil && l != nil {
			r.Value = SharpnessGap(g.Sharpness) / SharpnessGap(l.Sharpness)
		}
	}
	return r
}
