package detection

import (
	"bytes"
	"encoding/gob"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
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

// Config sizes the lesson's two experiments (SSD-lite detection and FCN segmentation).
// Full and Quick are the two standard sizes; Size picks one.
type Config struct {
	Name string // "full" or "quick": part of the checkpoint key.

	Data         shapes.Config // the training images (Data.Seed) — the test images use TestSeed.
	Batch        int           // images per SSD training step.
	SegBatch     int           // images per FCN training step (each carries S·S pixel labels).
	SSDSteps     int           // SSD training steps.
	SegSteps     int           // FCN training steps.
	LearningRate float64       // Adam's learning rate (both models).
	Seed         int64         // initial weights.
	TestImages   int           // held-out images the metrics are measured on.
	TestSeed     uint64        // seed of the held-out images (never seen in training).

	MAPThreshold  float64 // SSD mAP@0.5 the lesson must reach.
	MIoUThreshold float64 // FCN mIoU the lesson must reach.

	// CheckpointDir is where training is saved and resumed from (a folder per model below it).
	// Empty means the user cache (DefaultCheckpointDir); "-" disables checkpoints.
	CheckpointDir string `json:"-"`
	// Quiet turns off the live training view.
	Quiet bool `json:"-"`
}

// Full is the lesson's real experiment (the notebook default).
func Full() Config {
	return Config{
		Name: "full", Data: shapes.Default(), Batch: 32, SegBatch: 16, SSDSteps: 600, SegSteps: 400,
		LearningRate: 3e-3, Seed: 7, TestImages: 300, TestSeed: 1007,
		MAPThreshold: 0.8, MIoUThreshold: 0.75,
	}
}

// Quick is the same experiment with fewer steps, for tests and CI (DL4GO_QUICK=1).
func Quick() Config {
	c := Full()
	c.Name, c.SSDSteps, c.SegSteps, c.TestImages = "quick", 100, 100, 100
	c.MAPThreshold, c.MIoUThreshold = 0.5, 0.5
	return c
}

// Size returns Quick when lessons.Quick() (DL4GO_QUICK=1), else Full.
func Size() Config {
	if lessons.Quick() {
		return Quick()
	}
	return Full()
}

// key identifies a configuration in checkpoint paths: its name and a hash of every setting.
func (c Config) key() string { return lessons.ConfigKey(c.Name, c) }

// DefaultCheckpointDir returns (and creates) the user-cache folder where cfg's training is
// saved: <user cache>/dl4go/detection/<name>-<hash of the config>. Delete it to start over.
func DefaultCheckpointDir(cfg Config) (string, error) {
	return gomlxext.CheckpointDir("detection", cfg.key())
}

func (c Config) checkpoint(model string) (string, error) {
	root := c.CheckpointDir
	if root == "-" {
		return "", nil
	}
	if root == "" {
		var err error
		if root, err = DefaultCheckpointDir(c); err != nil {
			return "", err
		}
	}
	dir := filepath.Join(root, model)
	return dir, os.MkdirAll(dir, 0o755)
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

// fitted is a trained model: its context and the training run.
type fitted struct {
	ctx      *context.Context
	loss     []float64 // loss at every step (from the saved history when resumed).
	seconds  float64   // wall time of the training in this call.
	median   time.Duration
	resumed  int
	location string
}

// fit trains model with loss on ds to steps, checkpointed in cfg.checkpoint(name).
func fit(backend backends.Backend, cfg Config, name, title string, steps int, ds train.Dataset,
	model train.ModelFn, loss train.LossFn) (*fitted, error) {
	ctx := context.New()
	if err := ctx.SetRNGStateFromSeed(cfg.Seed); err != nil {
		return nil, errorf("seed", err)
	}
	dir, err := cfg.checkpoint(name)
	if err != nil {
		return nil, errorf("checkpoint dir", err)
	}
	tr := train.NewTrainer(backend, ctx, model, loss, optimizers.Adam().LearningRate(cfg.LearningRate).Done(), nil, nil)
	start := time.Now()
	opts := gomlxext.FitOptions{Steps: steps, CheckpointDir: dir, EveryN: max(steps/10, 20)}
	var live *plotting.Live
	if !cfg.Quiet {
		live = plotting.NewLive(title, steps, "loss")
		opts.Progress = live
	}
	res, fitErr := gomlxext.Fit(tr, ds, opts)
	if live != nil {
		live.Done()
	}
	if fitErr != nil && !errors.Is(fitErr, gomlxext.ErrInterrupted) {
		return nil, errorf("train "+name, fitErr)
	}
	f := &fitted{ctx: ctx, seconds: time.Since(start).Seconds(), median: res.MedianStep, resumed: res.StartStep, location: dir}
	// The loss curve survives resumes in loss.json next to the checkpoints.
	if dir != "" {
		if js, err := os.ReadFile(filepath.Join(dir, "loss.json")); err == nil {
			var saved []*float64
			_ = json.Unmarshal(js, &saved)
			for _, v := range saved {
				if v == nil {
					f.loss = append(f.loss, math.NaN())
				} else {
					f.loss = append(f.loss, *v)
				}
			}
		}
	}
	if len(f.loss) > res.StartStep {
		f.loss = f.loss[:res.StartStep]
	}
	for len(f.loss) < res.StartStep {
		f.loss = append(f.loss, math.NaN())
	}
	for _, h := range res.History {
		f.loss = append(f.loss, h.Values["loss"])
	}
	if dir != "" {
		js, _ := json.Marshal(nanToNull(f.loss))
		if err := os.WriteFile(filepath.Join(dir, "loss.json"), js, 0o644); err != nil {
			return nil, errorf("save loss curve", err)
		}
	}
	if fitErr != nil { // interrupted: the checkpoint and the loss curve so far are saved.
		return nil, errorf("train "+name, fitErr)
	}
	return f, nil
}

// nanToNull keeps NaN losses (unknown steps) JSON-encodable as null.
func nanToNull(v []float64) []*float64 {
	out := make([]*float64, len(v))
	for i := range v {
		if !math.IsNaN(v[i]) {
			out[i] = &v[i]
		}
	}
	return out
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

	TrainSeconds float64       // wall time of training in this call.
	MedianStep   time.Duration // median training step.
	Resumed      int           // steps restored from a checkpoint.
	Checkpoint   string
}

// RunSSD trains SSD-lite on freshly generated shapes (checkpointed: rerunning resumes, and a
// finished run only reloads), then detects the held-out images, computes mAP@0.5 (all-point
// and 11-point), COCO mAP@[.5:.95], and times inference (batch 1 and batch 32).
func RunSSD(cfg Config) (*SSDOutcome, error) {
	backend, err := gomlxext.Backend()
	if err != nil {
		return nil, err
	}
	gen, err := shapes.New(cfg.Data)
	if err != nil {
		return nil, err
	}
	m, err := NewSSD(cfg.Data.Size)
	if err != nil {
		return nil, err
	}
	test, err := cfg.TestSet()
	if err != nil {
		return nil, err
	}
	dir, err := cfg.checkpoint("ssd")
	if err != nil {
		return nil, errorf("checkpoint dir", err)
	}
	saved := &SSDOutcome{}
	if ok, err := load(dir, saved); err != nil || ok {
		saved.Config, saved.Model, saved.Test, saved.Resumed = cfg, m, test, cfg.SSDSteps
		return saved, err
	}
	model := func(ctx *context.Context, _ any, in []*graph.Node) []*graph.Node {
		l, o := m.Model(ctx, in[0])
		return []*graph.Node{l, o}
	}
	f, err := fit(backend, cfg, "ssd", "SSD-lite multibox loss", cfg.SSDSteps, ssdStream(gen, cfg.Batch, m), model, Loss)
	if err != nil {
		return nil, err
	}
	out := &SSDOutcome{Config: cfg, Model: m, Loss: f.loss, TrainSeconds: f.seconds, MedianStep: f.median,
		Resumed: f.resumed, Checkpoint: f.location, Test: test}
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
	c := *out
	c.Model, c.Test = nil, nil
	return out, save(dir, &c)
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

	TrainSeconds float64       // wall time of training in this call (both models).
	MedianStep   time.Duration // median training step of the skip model.
	Resumed      int
	Checkpoint   string
}

// RunSegmentation trains the FCN twice on freshly generated shapes — with and without the skip
// additions, the same number of steps — (checkpointed like RunSSD), segments the held-out
// images and reports the mean IoU of each.
func RunSegmentation(cfg Config) (*SegOutcome, error) {
	backend, err := gomlxext.Backend()
	if err != nil {
		return nil, err
	}
	gen, err := shapes.New(cfg.Data)
	if err != nil {
		return nil, err
	}
	out := &SegOutcome{Config: cfg}
	if out.Test, err = cfg.TestSet(); err != nil {
		return nil, err
	}
	dir, err := cfg.checkpoint("fcn")
	if err != nil {
		return nil, errorf("checkpoint dir", err)
	}
	saved := &SegOutcome{}
	if ok, err := load(dir, saved); err != nil || ok {
		saved.Config, saved.Test, saved.Resumed = cfg, out.Test, cfg.SegSteps
		return saved, err
	}
	truth := shapes.Semantics(out.Test)
	for _, skips := range []bool{true, false} {
		m := &FCN{Skips: skips, Channels: []int{16, 32, 64, 64}}
		name, title := "fcn/skips", "FCN with skip additions: pixel cross entropy"
		if !skips {
			name, title = "fcn/noskip", "FCN without skips: pixel cross entropy"
		}
		model := func(ctx *context.Context, _ any, in []*graph.Node) []*graph.Node {
			return []*graph.Node{m.Model(ctx, in[0])}
		}
		f, err := fit(backend, cfg, name, title, cfg.SegSteps, segStream(gen, cfg.SegBatch), model, SegLoss)
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
		out.TrainSeconds += f.seconds
		if skips {
			out.Loss, out.Pred, out.MIoU, out.PerClass = f.loss, pred, mIoU, per
			out.MedianStep, out.Resumed, out.Checkpoint = f.median, f.resumed, dir
		} else {
			out.NoSkipLoss, out.NoSkipPred, out.NoSkipMIoU = f.loss, pred, mIoU
		}
	}
	c := *out
	c.Test = nil
	return out, save(dir, &c)
}

// Result is the lesson's asserted outcome. Both experiments must pass, so the metric is
// min(mAP@0.5 / its threshold, mIoU / its threshold) — the worse of the two relative to its
// goal — and the threshold is 1: ok=true exactly when mAP@0.5 ≥ MAPThreshold and
// mIoU ≥ MIoUThreshold.
func Result(ssd *SSDOutcome, seg *SegOutcome) lessons.Result {
	v := math.Min(ssd.MAP50/ssd.Config.MAPThreshold, seg.MIoU/seg.Config.MIoUThreshold)
	return lessons.Result{Lesson: "07", Metric: "min_of_map50_and_miou_over_threshold", Value: v, Threshold: 1}
}

// outcomeFile is where a finished run's outcome is kept, next to its checkpoints.
const outcomeFile = "outcome.gob"

// load reads the outcome saved in dir, if any (ok false when there is none or dir is "").
func load(dir string, v any) (ok bool, err error) {
	if dir == "" {
		return false, nil
	}
	f, err := os.Open(filepath.Join(dir, outcomeFile))
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, errorf("load outcome", err)
	}
	defer f.Close()
	if err := gob.NewDecoder(f).Decode(v); err != nil {
		return false, errorf("decode "+f.Name(), err)
	}
	return true, nil
}

// save writes a finished run's outcome into dir (nothing when dir is ""), so that rerunning a
// notebook cell shows the same numbers at once.
func save(dir string, v any) error {
	if dir == "" {
		return nil
	}
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(v); err != nil {
		return errorf("encode outcome", err)
	}
	if err := os.WriteFile(filepath.Join(dir, outcomeFile), buf.Bytes(), 0o644); err != nil {
		return errorf("save outcome", err)
	}
	return nil
}
