package fcos

import (
	"fmt"
	"math"
	"path/filepath"
	"time"

	"github.com/gomlx/gomlx/backends"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // GoMLX graph-building style.
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/train"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"

	"github.com/dl4go/dl4go/data/shapes"
	"github.com/dl4go/dl4go/gomlxext"
	"github.com/dl4go/dl4go/lessons"
	"github.com/dl4go/dl4go/lessons/detection"
	"github.com/dl4go/dl4go/plotting"
)

// Lesson describes lesson 09 to the lesson kit. It measures with lesson 07's IoU, NMS and mAP and
// trains lesson 07's SSD-lite as its baseline, so lesson 07's code is part of its revision.
var Lesson = lessons.Lesson{ID: "09", Name: "fcos", Uses: []string{"detection"}}

// Config sizes the lesson. Every exported field but the embedded Options is part of the run's key.
type Config struct {
	lessons.Options `json:"-"`

	Data       shapes.Config // the training images (Data.Seed); the held-out ones use TestSeed.
	TestImages int           // held-out images every detector is measured on.
	TestSeed   uint64
	// AmbiguityImages is how many training images the ambiguous samples are counted on.
	AmbiguityImages int

	Model  ModelConfig
	Train  TrainConfig
	Detect DetectConfig

	// Ablation also trains the same FCOS without the center-ness head (same steps and seeds).
	Ablation bool
	// SSD is lesson 07's SSD-lite trained on the same images, the baseline of the comparison
	// table (its MAPThreshold is not used here); SSD.Steps 0 skips it.
	SSD detection.SSDConfig

	// MAPThreshold is the bar for FCOS's held-out mAP@0.5 (with center-ness). With
	// RequireGains, FPN's size ranges must also lower the share of ambiguous samples and the
	// center-ness head must raise mAP@0.5 over the ablation.
	MAPThreshold float64
	RequireGains bool
}

// TrainConfig is the training of each FCOS.
type TrainConfig struct {
	Batch        int
	Steps        int
	LearningRate float64 // Adam.
	Seed         int64   // initial weights.
}

// DetectConfig is the inference: scores below MinScore are dropped, then NMS at NMSIoU keeps at
// most MaxPerImage detections per image.
type DetectConfig struct {
	MinScore    float64
	NMSIoU      float64
	MaxPerImage int
}

// Data is the lesson's images: 48×48 with 1–4 shapes whose sides range from 6 to 28 pixels, so
// that small and large objects need different pyramid levels, and that may overlap (up to 40%
// of an object hidden) so that a location can lie inside two boxes.
func Data() shapes.Config {
	d := shapes.Default()
	d.MinObjects, d.MaxObjects, d.MinSide, d.MaxSide, d.MaxOcclusion = 1, 4, 6, 28, 0.4
	return d
}

// Full is the notebook's experiment.
func Full() Config {
	return Config{
		Data: Data(), TestImages: 300, TestSeed: 1009, AmbiguityImages: 500,
		Model: ModelConfig{Channels: []int{16, 32, 48, 64}, Features: 32,
			Levels:     []Level{{Stride: 4, MinReach: 0, MaxReach: 12}, {Stride: 8, MinReach: 12, MaxReach: 64}},
			CenterNess: true, FocalAlpha: 0.25, FocalGamma: 2},
		Train:        TrainConfig{Batch: 16, Steps: 600, LearningRate: 3e-3, Seed: 9},
		Detect:       DetectConfig{MinScore: 0.02, NMSIoU: 0.5, MaxPerImage: 20},
		Ablation:     true,
		SSD:          detection.SSDConfig{Batch: 16, Steps: 600, LearningRate: 3e-3, Seed: 9},
		MAPThreshold: 0.8, RequireGains: true,
	}
}

// Quick is the same experiment, shorter, with a weaker bar (mAP@0.5 only), for tests and CI.
func Quick() Config {
	c := Full()
	c.Train.Steps, c.SSD.Steps, c.TestImages, c.AmbiguityImages = 400, 400, 100, 200
	c.MAPThreshold, c.RequireGains = 0.5, false
	return c
}

// Size returns Quick when lessons.Quick() (DL4GO_QUICK=1), else Full.
func Size() Config {
	if lessons.Quick() {
		return Quick()
	}
	return Full()
}

// TestSet returns the held-out images: TestImages samples drawn with TestSeed.
func (c Config) TestSet() ([]shapes.Sample, error) {
	d := c.Data
	d.Seed = c.TestSeed
	gen, err := shapes.New(d)
	if err != nil {
		return nil, fmt.Errorf("fcos: held-out images: %w", err)
	}
	return gen.Samples(0, c.TestImages), nil
}

func (c Config) check() error {
	switch {
	case c.TestImages < 1 || c.AmbiguityImages < 1:
		return fmt.Errorf("fcos: TestImages %d and AmbiguityImages %d must be positive", c.TestImages, c.AmbiguityImages)
	case c.Train.Steps < 1 || c.Train.Batch < 1:
		return fmt.Errorf("fcos: Train.Steps %d and Train.Batch %d must be positive", c.Train.Steps, c.Train.Batch)
	case c.Detect.MaxPerImage < 1 || !(c.Detect.NMSIoU > 0 && c.Detect.NMSIoU <= 1):
		return fmt.Errorf("fcos: Detect.MaxPerImage %d ≥ 1 and Detect.NMSIoU %g in (0, 1] are needed", c.Detect.MaxPerImage, c.Detect.NMSIoU)
	case c.RequireGains && (!c.Ablation || !c.Model.CenterNess):
		return fmt.Errorf("fcos: RequireGains needs Ablation and Model.CenterNess (the gain is measured against the model without center-ness)")
	}
	return c.Model.check(c.Data.Size)
}

// Outcome is what Run measured.
type Outcome struct {
	Config    Config
	Ambiguity Ambiguity    // ambiguous samples on the training images, with and without FPN ranges.
	FCOS      *ModelResult // the lesson's model (with center-ness when Model.CenterNess).
	NoCenter  *ModelResult // the ablation: trained and run without center-ness (nil without Ablation).
	SSD       *detection.SSDOutcome
	// SSDTrainSeconds is SSD's training wall time, measured when it trained (NaN when a
	// restored run's time was never recorded).
	SSDTrainSeconds float64
	Test            []shapes.Sample
	GT              []detection.GroundTruth
}

// ModelResult is one trained FCOS measured on the held-out images.
type ModelResult struct {
	Model      ModelConfig
	Loss       []float64
	Detector   *Detector
	Detections []detection.Detection // after NMS, with the scores the model uses.
	MAP50      float64               // held-out mAP@0.5 (VOC all-point): the lesson's metric.
	AP50       []float64
	// MAP50ClassOnly is the same model ranking by the class score alone (center-ness trained but
	// not multiplied in): what the product adds at inference.
	MAP50ClassOnly float64
	COCO           float64 // mAP@[.5:.95]
	TrainSeconds   float64 // wall time of its training (summed over resumed calls).
	StartStep      int     // 0 fresh, Train.Steps when restored.
}

// timings is what Run saves beside the checkpoints: training times measured when they ran.
type timings struct{ SSDSeconds float64 }

// Result is the lesson's RESULT line: FCOS's held-out mAP@0.5 against MAPThreshold. With
// RequireGains, a failed gain is reported instead (and fails): the share of ambiguous samples
// FPN removes, or the mAP@0.5 center-ness adds.
func (o *Outcome) Result() lessons.Result {
	c := o.Config
	if c.RequireGains {
		if d := o.Ambiguity.Fraction() - o.Ambiguity.FPNFraction(); !(d > 0) {
			return lessons.Result{Lesson: Lesson.ID, Metric: "ambiguous_fraction_without_minus_with_fpn", Value: d, Threshold: 0}
		}
		if o.NoCenter != nil {
			if d := o.FCOS.MAP50 - o.NoCenter.MAP50; !(d > 0) {
				return lessons.Result{Lesson: Lesson.ID, Metric: "map50_heldout_centerness_minus_without", Value: d, Threshold: 0}
			}
		}
	}
	return lessons.Result{Lesson: Lesson.ID, Metric: "map50_heldout_fcos", Value: o.FCOS.MAP50, Threshold: c.MAPThreshold}
}

// Run counts the ambiguous samples, trains (or resumes, or restores) FCOS — and, as configured,
// the same FCOS without center-ness and lesson 07's SSD on the same images — and measures each
// on the held-out images.
func Run(cfg Config) (*Outcome, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	backend, err := gomlxext.Backend()
	if err != nil {
		return nil, fmt.Errorf("fcos: backend: %w", err)
	}
	run, err := Lesson.Open(cfg)
	if err != nil {
		return nil, err
	}
	gen, err := shapes.New(cfg.Data)
	if err != nil {
		return nil, fmt.Errorf("fcos: training images: %w", err)
	}
	out := &Outcome{Config: cfg, SSDTrainSeconds: math.NaN()}
	out.Ambiguity = CountAmbiguity(gen.Samples(0, cfg.AmbiguityImages), cfg.Model.Levels)
	if out.Test, err = cfg.TestSet(); err != nil {
		return nil, err
	}
	for i, s := range out.Test {
		for _, o := range s.Objects {
			out.GT = append(out.GT, detection.GroundTruth{Image: i, Class: o.Class, Box: o.Box})
		}
	}
	if out.FCOS, err = runModel(backend, run, cfg, cfg.Model, gen, out); err != nil {
		return nil, err
	}
	if cfg.Ablation && cfg.Model.CenterNess {
		m := cfg.Model
		m.CenterNess = false
		if out.NoCenter, err = runModel(backend, run, cfg, m, gen, out); err != nil {
			return nil, err
		}
	}
	if cfg.SSD.Steps > 0 {
		var t timings
		if _, err := run.LoadOutcome(&t); err != nil {
			return nil, err
		}
		opts := cfg.Options
		if opts.CacheDir != "" && opts.CacheDir != "-" {
			opts.CacheDir = filepath.Join(opts.CacheDir, "ssd")
		}
		sc := detection.Config{Options: opts, Data: cfg.Data, TestImages: cfg.TestImages, TestSeed: cfg.TestSeed, SSD: cfg.SSD}
		if out.SSD, err = detection.RunSSD(sc); err != nil {
			return nil, fmt.Errorf("fcos: the SSD baseline: %w", err)
		}
		if out.SSD.StartStep == 0 {
			t.SSDSeconds = out.SSD.TrainSeconds
			if err := run.SaveOutcome(t); err != nil {
				return nil, err
			}
		}
		if t.SSDSeconds > 0 {
			out.SSDTrainSeconds = t.SSDSeconds
		}
	}
	return out, nil
}

// runModel trains one FCOS (checkpointed in the run's part "fcos" or "fcos-noctr") and
// detects the held-out images.
func runModel(backend backends.Backend, run *lessons.Run, cfg Config, m ModelConfig, gen *shapes.Generator, out *Outcome) (*ModelResult, error) {
	part, title := "fcos", "FCOS: focal + GIoU + center-ness BCE"
	if !m.CenterNess {
		part, title = "fcos-noctr", "FCOS without center-ness: focal + GIoU"
	}
	dir, err := run.Part(part)
	if err != nil {
		return nil, err
	}
	ctx := context.New()
	if err := ctx.SetRNGStateFromSeed(cfg.Train.Seed); err != nil {
		return nil, fmt.Errorf("fcos: seed: %w", err)
	}
	model := func(ctx *context.Context, _ any, in []*Node) []*Node {
		c, b, ct := m.Model(ctx, in[0])
		return []*Node{c, b, ct}
	}
	tr := train.NewTrainer(backend, ctx, model, m.Loss, optimizers.Adam().LearningRate(cfg.Train.LearningRate).Done(), nil, nil)
	log := &trainLog{}
	if !run.Quiet {
		log.live = plotting.NewLive(title, cfg.Train.Steps, "loss")
	}
	log.callStart = time.Now()
	res, err := gomlxext.Fit(tr, batches(gen, cfg.Train.Batch, m), gomlxext.FitOptions{
		Steps: cfg.Train.Steps, CheckpointDir: dir, EveryN: max(cfg.Train.Steps/10, 20), Progress: log, State: log})
	if log.live != nil {
		log.live.Done()
	}
	if err != nil { // an interrupt included: the checkpoint holds the steps done, a rerun resumes.
		return nil, fmt.Errorf("fcos: %s: %w", title, err)
	}
	r := &ModelResult{Model: m, Loss: log.Loss, TrainSeconds: log.Seconds, StartStep: res.StartStep}
	if r.Detector, err = NewDetector(backend, ctx, m, cfg.Data.Size, cfg.Detect); err != nil {
		return nil, err
	}
	if err := r.Detector.detectAll(out.Test); err != nil {
		return nil, err
	}
	r.Detections = r.Detector.last
	r.MAP50, r.AP50 = detection.MeanAP(r.Detections, out.GT, shapes.NumClasses, 0.5, detection.AllPoint)
	r.COCO = detection.COCOmAP(r.Detections, out.GT, shapes.NumClasses)
	r.MAP50ClassOnly = r.MAP50
	if m.CenterNess {
		r.Detector.ClassOnly = true
		if err := r.Detector.detectAll(out.Test); err != nil {
			return nil, err
		}
		r.MAP50ClassOnly, _ = detection.MeanAP(r.Detector.last, out.GT, shapes.NumClasses, 0.5, detection.AllPoint)
		r.Detector.ClassOnly = false
	}
	return r, nil
}

// trainLog is a model's training loss at every step and its training time, kept in its
// checkpoints (FitOptions.State) so that a resumed or restored run draws the whole curve.
type trainLog struct {
	Loss    []float64
	Seconds float64 // wall time from the start of training (compilation included) to the last step.

	callStart time.Time // when this call started training.
	base      float64   // Seconds of the checkpoint this call resumed from.
	started   bool
	live      *plotting.Live
}

// Update records the loss of step (1-based, as gomlxext.Fit counts).
func (l *trainLog) Update(step int, values map[string]float64) {
	if !l.started { // Fit has loaded the checkpoint's state by now.
		l.base, l.started = l.Seconds, true
	}
	l.Seconds = l.base + time.Since(l.callStart).Seconds()
	l.Loss = append(l.Loss[:min(len(l.Loss), step-1)], values["loss"])
	if l.live != nil {
		l.live.Update(step, values)
	}
}

// batches is the endless training stream of freshly generated shapes with FCOS targets: the
// batch of step s holds samples s·batch ... s·batch+batch−1, so a resumed run sees exactly the
// batches an uninterrupted one would.
func batches(gen *shapes.Generator, batch int, m ModelConfig) *gomlxext.StepBatches {
	return gomlxext.NewStepBatches("shapes-fcos", func(step int64) ([]*tensors.Tensor, []*tensors.Tensor, error) {
		ss := gen.Samples(int(step)*batch, batch)
		s := ss[0].Size
		return []*tensors.Tensor{tensors.FromFlatDataAndDimensions(shapes.Images(ss), len(ss), s, s, 3)}, m.Targets(ss), nil
	})
}
