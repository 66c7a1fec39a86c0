package detection

import (
	"fmt"
	"math"
	"time"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/train"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"

	"github.com/dl4go/dl4go/data/shapes"
	"github.com/dl4go/dl4go/gomlxext"
	"github.com/dl4go/dl4go/lessons"
	"github.com/dl4go/dl4go/plotting"
)

// Lesson describes lesson 07 to the lesson kit: its RESULT id, cache folder and source folder.
var Lesson = lessons.Lesson{ID: "07", Name: "detection"}

// Config sizes the lesson's two experiments, SSD-lite detection and FCN segmentation, on the same
// shapes. Full and Quick are the two standard sizes; Size picks one. Every exported field but the
// embedded Options is part of the run's key: change one and both experiments train afresh
// instead of resuming another configuration's checkpoints.
type Config struct {
	lessons.Options `json:"-"`

	Data       shapes.Config // the training images (Data.Seed) — the test images use TestSeed.
	TestImages int           // held-out images the metrics are measured on.
	TestSeed   uint64        // seed of the held-out images (never seen in training).

	SSD SSDConfig // the detector.
	Seg SegConfig // the two FCNs (with and without skip additions).
}

// SSDConfig is the SSD-lite experiment (RunSSD).
type SSDConfig struct {
	Batch        int     // images per training step.
	Steps        int     // training steps.
	LearningRate float64 // Adam's learning rate.
	Seed         int64   // initial weights.
	MAPThreshold float64 // mAP@0.5 on the held-out images the lesson must reach.
}

// SegConfig is the FCN segmentation experiment (RunSegmentation): both FCNs train with it.
type SegConfig struct {
	Batch         int     // images per training step (each carries S·S pixel labels).
	Steps         int     // training steps of each FCN.
	LearningRate  float64 // Adam's learning rate.
	Seed          int64   // initial weights.
	MIoUThreshold float64 // mean IoU (with skips) on the held-out images the lesson must reach.
}

// Full is the lesson's real experiment (the notebook default).
func Full() Config {
	return Config{
		Data: shapes.Default(), TestImages: 300, TestSeed: 1007,
		SSD: SSDConfig{Batch: 32, Steps: 600, LearningRate: 3e-3, Seed: 7, MAPThreshold: 0.8},
		Seg: SegConfig{Batch: 16, Steps: 400, LearningRate: 3e-3, Seed: 7, MIoUThreshold: 0.75},
	}
}

// Quick is the same experiment with fewer steps and a weaker bar, for tests and CI (DL4GO_QUICK=1).
func Quick() Config {
	c := Full()
	c.SSD.Steps, c.Seg.Steps, c.TestImages = 100, 100, 100
	c.SSD.MAPThreshold, c.Seg.MIoUThreshold = 0.5, 0.5
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
		return nil, err
	}
	return gen.Samples(0, c.TestImages), nil
}

// Outcome is what Run measured: both experiments.
type Outcome struct {
	Config Config
	SSD    *SSDOutcome
	Seg    *SegOutcome
}

// Run trains and evaluates both experiments, RunSSD then RunSegmentation (each resumes an
// interrupted run, and restores and evaluates again a finished one).
func Run(cfg Config) (*Outcome, error) {
	ssd, err := RunSSD(cfg)
	if err != nil {
		return nil, err
	}
	seg, err := RunSegmentation(cfg)
	if err != nil {
		return nil, err
	}
	return &Outcome{Config: cfg, SSD: ssd, Seg: seg}, nil
}

// Result is the lesson's asserted outcome. Both experiments must pass, so the metric is
// min(mAP@0.5 / its threshold, mIoU / its threshold) — the worse of the two relative to its
// goal — and the threshold is 1: ok=true exactly when mAP@0.5 ≥ SSD.MAPThreshold and
// mIoU ≥ Seg.MIoUThreshold of the configuration that ran.
func (o *Outcome) Result() lessons.Result {
	v := math.Min(o.SSD.MAP50/o.Config.SSD.MAPThreshold, o.Seg.MIoU/o.Config.Seg.MIoUThreshold)
	return lessons.Result{Lesson: Lesson.ID, Metric: "min_of_map50_and_miou_over_threshold", Value: v, Threshold: 1}
}

// fitted is a trained model: its context and the training run.
type fitted struct {
	ctx       *context.Context
	loss      []float64 // loss at every step, the steps before a resume included.
	seconds   float64   // wall time of the training in this call.
	median    time.Duration
	startStep int
}

// lossLog is a model's training loss at every step, kept in its checkpoints (FitOptions.State) so
// that a resumed or restored run draws the whole curve; it passes the values on to the live view.
type lossLog struct {
	Loss []float64
	live *plotting.Live
}

// Update records the loss of step (1-based, as gomlxext.Fit counts).
func (l *lossLog) Update(step int, values map[string]float64) {
	l.Loss = append(l.Loss[:min(len(l.Loss), step-1)], values["loss"])
	if l.live != nil {
		l.live.Update(step, values)
	}
}

// fit trains model with loss on ds to steps with Adam (rate lr, initial weights from seed),
// checkpointed in dir ("" for none): a run resumes from its latest checkpoint, and a finished one
// only restores its weights. With quiet, no live view.
func fit(backend backends.Backend, dir, title string, steps int, lr float64, seed int64, quiet bool,
	ds train.Dataset, model train.ModelFn, loss train.LossFn) (*fitted, error) {
	ctx := context.New()
	if err := ctx.SetRNGStateFromSeed(seed); err != nil {
		return nil, errorf("seed", err)
	}
	tr := train.NewTrainer(backend, ctx, model, loss, optimizers.Adam().LearningRate(lr).Done(), nil, nil)
	start := time.Now()
	log := &lossLog{}
	if !quiet {
		log.live = plotting.NewLive(title, steps, "loss")
	}
	res, err := gomlxext.Fit(tr, ds, gomlxext.FitOptions{Steps: steps, CheckpointDir: dir, EveryN: max(steps/10, 20),
		Progress: log, State: log})
	if log.live != nil {
		log.live.Done()
	}
	if err != nil { // an interrupt included: the checkpoint holds the steps done, a rerun resumes.
		return nil, errorf(title, err)
	}
	if len(log.Loss) != res.GlobalStep {
		return nil, fmt.Errorf("detection: %s: the checkpoint in %s is at step %d but holds the loss of %d steps: delete the folder to train afresh",
			title, dir, res.GlobalStep, len(log.Loss))
	}
	return &fitted{ctx: ctx, loss: log.Loss, seconds: time.Since(start).Seconds(), median: res.MedianStep, startStep: res.StartStep}, nil
}

// SSDOutcome is what RunSSD measured.
type SSDOutcome struct {
	Config Config
	Model  *SSD
	Loss   []float64 // training loss per step.

	Test       []shapes.Sample // the held-out images.
	GT         []GroundTruth
	Detections []Detection // after NMS, on Test.

	MAP50     float64   // mAP@0.5, VOC all-point interpolation: the lesson's metric.
	AP50      []float64 // per class, all-point.
	MAP50VOC7 float64   // mAP@0.5 with VOC 2007's 11-point interpolation.
	COCO      float64   // mAP@[.5:.95] (101-point).
	Timing    Timing

	TrainSeconds float64       // wall time of training in this call (0 when restored).
	MedianStep   time.Duration // median training step in this call.
	StartStep    int           // the step training started from: 0 fresh, SSD.Steps when restored.
	Dir          string        // the run's folder ("" when nothing is saved).
}

// RunSSD trains SSD-lite on freshly generated shapes (checkpointed in the run's folder: rerunning
// resumes, and a finished run restores its weights), then detects the held-out images, computes
// mAP@0.5 (all-point and 11-point) and COCO mAP@[.5:.95], and times inference (batch 1 and
// batch 32). Evaluation takes seconds, so a restored run is evaluated again rather than replayed.
func RunSSD(cfg Config) (*SSDOutcome, error) {
	backend, err := gomlxext.Backend()
	if err != nil {
		return nil, errorf("backend", err)
	}
	run, err := Lesson.Open(cfg)
	if err != nil {
		return nil, err
	}
	gen, err := shapes.New(cfg.Data)
	if err != nil {
		return nil, errorf("training images", err)
	}
	m, err := NewSSD(cfg.Data.Size)
	if err != nil {
		return nil, err
	}
	test, err := cfg.TestSet()
	if err != nil {
		return nil, errorf("held-out images", err)
	}
	dir, err := run.Part("ssd")
	if err != nil {
		return nil, err
	}
	model := func(ctx *context.Context, _ any, in []*graph.Node) []*graph.Node {
		l, o := m.Model(ctx, in[0])
		return []*graph.Node{l, o}
	}
	c := cfg.SSD
	f, err := fit(backend, dir, "SSD-lite multibox loss", c.Steps, c.LearningRate, c.Seed, run.Quiet,
		ssdStream(gen, c.Batch, m), model, Loss)
	if err != nil {
		return nil, err
	}
	out := &SSDOutcome{Config: cfg, Model: m, Loss: f.loss, TrainSeconds: f.seconds, MedianStep: f.median,
		StartStep: f.startStep, Dir: run.Dir, Test: test}
	if f.startStep == c.Steps {
		out.TrainSeconds = 0
	}
	det, err := NewDetector(backend, f.ctx, m)
	if err != nil {
		return nil, err
	}
	out.GT = groundTruth(out.Test, 0)
	const chunk = 50
	for i := 0; i < len(out.Test); i += chunk {
		d, err := det.Detect(out.Test[i:min(i+chunk, len(out.Test))], i)
		if err != nil {
			return nil, err
		}
		out.Detections = append(out.Detections, d...)
	}
	out.MAP50, out.AP50 = MeanAP(out.Detections, out.GT, shapes.NumClasses, 0.5, AllPoint)
	out.MAP50VOC7, _ = MeanAP(out.Detections, out.GT, shapes.NumClasses, 0.5, Points11)
	out.COCO = COCOmAP(out.Detections, out.GT, shapes.NumClasses)
	if out.Timing, err = det.Time(out.Test[:min(32, len(out.Test))], 5); err != nil {
		return nil, err
	}
	return out, nil
}

// SegOutcome is what RunSegmentation measured.
type SegOutcome struct {
	Config Config
	Test   []shapes.Sample // the held-out images.

	// With skip additions (FCN-8s style): the lesson's model.
	Loss     []float64 // training loss per step.
	Pred     []int32   // predicted classes of the held-out images, flat [TestImages, S, S].
	MIoU     float64   // mean IoU over background and the three shapes.
	PerClass []float64 // IoU of background, circle, square, triangle.

	// Without skips (FCN-32s style, the same steps): how much the early layers' outlines add.
	NoSkipLoss []float64
	NoSkipPred []int32
	NoSkipMIoU float64

	TrainSeconds float64       // wall time of training in this call (both models; 0 when restored).
	MedianStep   time.Duration // median training step of the skip model in this call.
	StartStep    int           // the step the skip model started from: 0 fresh, Seg.Steps when restored.
	Dir          string        // the run's folder ("" when nothing is saved).
}

// RunSegmentation trains the FCN twice on freshly generated shapes — with and without the skip
// additions, the same number of steps — (checkpointed like RunSSD), segments the held-out
// images and reports the mean IoU of each. A restored run segments them again.
func RunSegmentation(cfg Config) (*SegOutcome, error) {
	backend, err := gomlxext.Backend()
	if err != nil {
		return nil, errorf("backend", err)
	}
	run, err := Lesson.Open(cfg)
	if err != nil {
		return nil, err
	}
	gen, err := shapes.New(cfg.Data)
	if err != nil {
		return nil, errorf("training images", err)
	}
	out := &SegOutcome{Config: cfg, Dir: run.Dir}
	if out.Test, err = cfg.TestSet(); err != nil {
		return nil, errorf("held-out images", err)
	}
	truth := shapes.Semantics(out.Test)
	c := cfg.Seg
	for _, skips := range []bool{true, false} {
		m := &FCN{Skips: skips, Channels: []int{16, 32, 64, 64}}
		name, title := "fcn/skips", "FCN with skip additions: pixel cross entropy"
		if !skips {
			name, title = "fcn/noskip", "FCN without skips: pixel cross entropy"
		}
		dir, err := run.Part(name)
		if err != nil {
			return nil, err
		}
		model := func(ctx *context.Context, _ any, in []*graph.Node) []*graph.Node {
			return []*graph.Node{m.Model(ctx, in[0])}
		}
		f, err := fit(backend, dir, title, c.Steps, c.LearningRate, c.Seed, run.Quiet, segStream(gen, c.Batch), model, SegLoss)
		if err != nil {
			return nil, err
		}
		seg, err := m.segmenter(backend, f.ctx)
		if err != nil {
			return nil, err
		}
		var pred []int32
		const chunk = 50
		for i := 0; i < len(out.Test); i += chunk {
			p, err := seg(out.Test[i:min(i+chunk, len(out.Test))])
			if err != nil {
				return nil, err
			}
			pred = append(pred, p...)
		}
		mIoU, per := MeanIoU(pred, truth, NumLabels)
		if f.startStep < c.Steps {
			out.TrainSeconds += f.seconds
		}
		if skips {
			out.Loss, out.Pred, out.MIoU, out.PerClass = f.loss, pred, mIoU, per
			out.MedianStep, out.StartStep = f.median, f.startStep
		} else {
			out.NoSkipLoss, out.NoSkipPred, out.NoSkipMIoU = f.loss, pred, mIoU
		}
	}
	return out, nil
}
