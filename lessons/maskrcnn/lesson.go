package maskrcnn

import (
	"fmt"
	"time"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/train"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"

	"github.com/dl4go/dl4go/data/shapes"
	"github.com/dl4go/dl4go/gomlxext"
	"github.com/dl4go/dl4go/lessons"
	"github.com/dl4go/dl4go/lessons/detection"
	"github.com/dl4go/dl4go/plotting"
)

// Lesson describes lesson 08 to the lesson kit; it measures with lesson 07's metrics and NMS.
var Lesson = lessons.Lesson{ID: "08", Name: "maskrcnn", Uses: []string{"detection"}}

// Config sizes the lesson: the data, the network, its training and its inference, and the bar.
// Every exported field but the embedded Options is part of the run's key.
type Config struct {
	lessons.Options `json:"-"`

	Data       shapes.Config // the training images (Data.Seed); the held-out ones use TestSeed.
	TestImages int           // held-out images the metrics are measured on.
	TestSeed   uint64

	Model  ModelConfig
	Train  TrainConfig
	Detect DetectConfig

	// MinMaskIoU is the bar for RoI Align's mean mask IoU over the matched held-out objects;
	// with AlignMustBeatPool, RoI Align's must also exceed RoI Pool's by MinAlignGain.
	MinMaskIoU        float64
	AlignMustBeatPool bool
	MinAlignGain      float64
}

// Full is the notebook's experiment.
func Full() Config {
	data := shapes.Default()
	data.MinObjects, data.MaxObjects, data.MaxOcclusion = 1, 4, 0.4
	return Config{
		Data: data, TestImages: 300, TestSeed: 1008,
		Model: ModelConfig{Channels: []int{16, 32, 48, 48}, AnchorSizes: []float64{12, 20}, AnchorRatios: []float64{0.5, 1, 2},
			RoISize: 7, Hidden: 128, MaskChannels: 32},
		Train:      TrainConfig{Steps: 600, Batch: 8, LearningRate: 2e-3, Seed: 8, AnchorSamples: 64, RoIs: 16, MaskRoIs: 4, FgFraction: 0.5},
		Detect:     DetectConfig{PreNMS: 64, Proposals: 16, RPNNMS: 0.7, MinScore: 0.05, NMS: 0.5, MaxDetections: 8, MaskScore: 0.5},
		MinMaskIoU: 0.7, AlignMustBeatPool: true, MinAlignGain: 0.01,
	}
}

// Quick is the same experiment, shorter, with a weaker bar (mask IoU only), for tests and CI.
func Quick() Config {
	c := Full()
	c.Train.Steps, c.TestImages = 100, 100
	c.MinMaskIoU, c.AlignMustBeatPool = 0.4, false
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
		return nil, fmt.Errorf("maskrcnn: held-out images: %w", err)
	}
	return gen.Samples(0, c.TestImages), nil
}

func (c Config) check() error {
	t := c.Train
	switch {
	case c.TestImages < 1:
		return fmt.Errorf("maskrcnn: TestImages %d: measure on at least one held-out image", c.TestImages)
	case t.Steps < 1 || t.Batch < 1:
		return fmt.Errorf("maskrcnn: Train.Steps %d and Train.Batch %d must be positive", t.Steps, t.Batch)
	case t.RoIs < 1 || t.MaskRoIs < 1 || t.AnchorSamples < 2:
		return fmt.Errorf("maskrcnn: Train.RoIs %d, MaskRoIs %d and AnchorSamples %d must be positive (AnchorSamples ≥ 2)", t.RoIs, t.MaskRoIs, t.AnchorSamples)
	case !(t.FgFraction*float64(t.RoIs) >= 1) || t.FgFraction > 1:
		return fmt.Errorf("maskrcnn: Train.FgFraction %g leaves no foreground among %d RoIs", t.FgFraction, t.RoIs)
	case c.Detect.Proposals < 1 || c.Detect.PreNMS < c.Detect.Proposals || c.Detect.MaxDetections < 1:
		return fmt.Errorf("maskrcnn: Detect.PreNMS %d ≥ Proposals %d ≥ 1 and MaxDetections %d ≥ 1 are needed",
			c.Detect.PreNMS, c.Detect.Proposals, c.Detect.MaxDetections)
	}
	return nil
}

// Outcome is what Run measured: the same Mask R-CNN trained with each pooler.
type Outcome struct {
	Config      Config
	Align, Pool *ModelOutcome
}

// Result is the lesson's RESULT line: RoI Align's mean mask IoU over the matched held-out
// objects, against MinMaskIoU. When AlignMustBeatPool and RoI Align does not beat RoI Pool by
// MinAlignGain, the line reports that difference instead (and fails).
func (o *Outcome) Result() lessons.Result {
	c := o.Config
	if c.AlignMustBeatPool && o.Pool != nil {
		if gain := o.Align.MaskIoU - o.Pool.MaskIoU; !(gain >= c.MinAlignGain) {
			return lessons.Result{Lesson: Lesson.ID, Metric: "mask_iou_heldout_roialign_minus_roipool", Value: gain, Threshold: c.MinAlignGain}
		}
	}
	return lessons.Result{Lesson: Lesson.ID, Metric: "mask_iou_heldout_matched_objects_roialign", Value: o.Align.MaskIoU, Threshold: c.MinMaskIoU}
}

// Summary is the lesson's numbers side by side.
func (o *Outcome) Summary() string {
	s := fmt.Sprintf("%-10s %9s %10s %8s %10s %11s %9s %8s\n", "pooler", "mask IoU", "box-as-mask", "matched", "true boxes", "box mAP@0.5", "proposals", "train s")
	for _, m := range []*ModelOutcome{o.Align, o.Pool} {
		if m == nil {
			continue
		}
		s += fmt.Sprintf("%-10s %9.3f %10.3f %4d/%-4d %10.3f %11.3f %9.3f %8.0f\n", m.Pooler, m.MaskIoU, m.BoxMaskIoU,
			m.Matched, m.Objects, m.OracleMaskIoU, m.MAP50, m.ProposalRecall, m.TrainSeconds)
	}
	return s
}

// Run trains (or resumes, or restores) the lesson's Mask R-CNN twice, with RoI Align and with RoI
// Pool, the same steps and seeds, and measures both on the held-out images.
func Run(cfg Config) (*Outcome, error) {
	out := &Outcome{Config: cfg}
	var err error
	if out.Align, err = RunModel(cfg, Align); err != nil {
		return nil, err
	}
	if out.Pool, err = RunModel(cfg, Pool); err != nil {
		return nil, err
	}
	return out, nil
}

// ModelOutcome is one trained model measured on the held-out images.
type ModelOutcome struct {
	Pooler   Pooler
	Model    *Model
	Detector *Detector
	Loss     []float64 // training loss per step.
	Test     []shapes.Sample
	GT       []detection.GroundTruth
	Found    *Result // proposals and instances on Test (Image = index in Test).

	// MaskIoU is the mean mask IoU over the held-out objects matched by a detection (score ≥
	// MaskScore, same class, box IoU ≥ 0.5, best score first): the lesson's metric. Matched of
	// Objects were matched; MaskIoUAll counts the unmatched ones as 0. BoxMaskIoU is the
	// baseline of the same matches with the detected box filled as the mask, OracleMaskIoU the
	// mean over all objects of the mask head given the true box and class.
	MaskIoU, MaskIoUAll, BoxMaskIoU, OracleMaskIoU float64
	Matched, Objects                               int
	// MAP50 is box mAP@0.5 (VOC all-point, lesson 07's MeanAP); AP50 per class.
	MAP50 float64
	AP50  []float64
	// ProposalRecall is the fraction of held-out objects that some proposal overlaps with IoU ≥ 0.5.
	ProposalRecall float64

	TrainSeconds float64       // wall time of training in this call (0 when restored).
	MedianStep   time.Duration // median training step in this call.
	StartStep    int           // 0 fresh, Train.Steps when restored.
	Dir          string        // the model's checkpoint folder ("" when nothing is saved).
}

// lossLog is the training loss at every step, kept in the checkpoints (FitOptions.State) so a
// resumed or restored run draws the whole curve; it passes the values on to the live view.
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

// RunModel trains the lesson's Mask R-CNN with one pooler on freshly generated shapes
// (checkpointed in the run's folder: a rerun resumes, a finished run restores its weights) and
// measures it on the held-out images, which takes seconds, so a restored run is measured again.
func RunModel(cfg Config, pooler Pooler) (*ModelOutcome, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	backend, err := gomlxext.Backend()
	if err != nil {
		return nil, fmt.Errorf("maskrcnn: %w", err)
	}
	run, err := Lesson.Open(cfg)
	if err != nil {
		return nil, err
	}
	gen, err := shapes.New(cfg.Data)
	if err != nil {
		return nil, fmt.Errorf("maskrcnn: training images: %w", err)
	}
	m, err := NewModel(cfg.Model, pooler, cfg.Data.Size)
	if err != nil {
		return nil, err
	}
	test, err := cfg.TestSet()
	if err != nil {
		return nil, err
	}
	name := "align"
	if pooler == Pool {
		name = "pool"
	}
	dir, err := run.Part(name)
	if err != nil {
		return nil, err
	}
	out := &ModelOutcome{Pooler: pooler, Model: m, Test: test, Dir: dir}
	ctx, err := out.fit(backend, cfg, gen, run.Quiet)
	if err != nil {
		return nil, err
	}
	if out.Detector, err = NewDetector(backend, ctx, m, cfg.Detect); err != nil {
		return nil, err
	}
	if err := out.evaluate(cfg); err != nil {
		return nil, err
	}
	return out, nil
}

// fit trains the model (or resumes, or restores it) and returns its context.
func (o *ModelOutcome) fit(backend backends.Backend, cfg Config, gen *shapes.Generator, quiet bool) (*context.Context, error) {
	t := cfg.Train
	ctx := context.New()
	if err := ctx.SetRNGStateFromSeed(t.Seed); err != nil {
		return nil, fmt.Errorf("maskrcnn: seed: %w", err)
	}
	tr := train.NewTrainer(backend, ctx, o.Model.ModelFn, Loss, optimizers.Adam().LearningRate(t.LearningRate).Done(), nil, nil)
	batches := &batcher{m: o.Model, gen: gen, cfg: cfg, backend: backend, ctx: ctx}
	ds := gomlxext.NewStepBatches("shapes-maskrcnn", batches.stepBatch)
	log := &lossLog{}
	if !quiet {
		log.live = plotting.NewLive(fmt.Sprintf("Mask R-CNN with %s: multi-task loss", o.Pooler), t.Steps, "loss")
	}
	start := time.Now()
	res, err := gomlxext.Fit(tr, ds, gomlxext.FitOptions{Steps: t.Steps, CheckpointDir: o.Dir, EveryN: max(t.Steps/10, 20),
		Progress: log, State: log})
	if log.live != nil {
		log.live.Done()
	}
	if err != nil { // an interrupt included: the checkpoint holds the steps done, a rerun resumes
		return nil, fmt.Errorf("maskrcnn: train with %s: %w", o.Pooler, err)
	}
	if len(log.Loss) != res.GlobalStep {
		return nil, fmt.Errorf("maskrcnn: the checkpoint in %s is at step %d but holds the loss of %d steps: delete the folder to train afresh",
			o.Dir, res.GlobalStep, len(log.Loss))
	}
	o.Loss, o.MedianStep, o.StartStep = log.Loss, res.MedianStep, res.StartStep
	if res.StartStep < t.Steps {
		o.TrainSeconds = time.Since(start).Seconds()
	}
	return ctx, nil
}

// evaluate detects the held-out images and computes the metrics.
func (o *ModelOutcome) evaluate(cfg Config) error {
	o.Found = &Result{}
	const chunk = 50
	for i := 0; i < len(o.Test); i += chunk {
		r, err := o.Detector.Detect(o.Test[i:min(i+chunk, len(o.Test))], i)
		if err != nil {
			return err
		}
		o.Found.Proposals = append(o.Found.Proposals, r.Proposals...)
		o.Found.Instances = append(o.Found.Instances, r.Instances...)
	}
	var dets []detection.Detection
	covered := 0
	for i, s := range o.Test {
		for _, in := range o.Found.Instances[i] {
			dets = append(dets, in.Detection)
		}
		for _, obj := range s.Objects {
			o.GT = append(o.GT, detection.GroundTruth{Image: i, Class: obj.Class, Box: obj.Box})
			for _, p := range o.Found.Proposals[i] {
				if detection.IoU(p.Box, obj.Box) >= ForegroundIoU {
					covered++
					break
				}
			}
		}
	}
	o.Objects = len(o.GT)
	o.ProposalRecall = float64(covered) / float64(max(1, o.Objects))
	o.MAP50, o.AP50 = detection.MeanAP(dets, o.GT, shapes.NumClasses, 0.5, detection.AllPoint)

	var sum, boxSum float64
	for i, s := range o.Test {
		for _, mt := range MatchInstances(o.Found.Instances[i], s.Objects, cfg.Detect.MaskScore) {
			in, obj := o.Found.Instances[i][mt[0]], s.Objects[mt[1]]
			sum += MaskIoU(in.Mask, obj.Mask)
			boxSum += MaskIoU(BoxMask(in.Box, s.Size), obj.Mask)
			o.Matched++
		}
	}
	o.MaskIoU, o.BoxMaskIoU = sum/float64(max(1, o.Matched)), boxSum/float64(max(1, o.Matched))
	o.MaskIoUAll = sum / float64(max(1, o.Objects))
	if o.Matched == 0 {
		o.MaskIoU, o.BoxMaskIoU = 0, 0
	}
	var oracle float64
	ms := o.Model.Config.MaskSize()
	for i := 0; i < len(o.Test); i += chunk {
		part := o.Test[i:min(i+chunk, len(o.Test))]
		maps, err := o.Detector.TrueBoxMasks(part, o.Model.Config.RoISize)
		if err != nil {
			return err
		}
		for k, s := range part {
			for j, obj := range s.Objects {
				oracle += MaskIoU(PasteMask(maps[k][j], ms, obj.Box, s.Size), obj.Mask)
			}
		}
	}
	o.OracleMaskIoU = oracle / float64(max(1, o.Objects))
	return nil
}

// MatchInstances pairs detected instances (by decreasing score, those scoring ≥ minScore) with
// the objects of their image: each takes the unmatched object of its class it overlaps most,
// if that box IoU is ≥ 0.5. Returns (instance, object) index pairs.
func MatchInstances(ins []Instance, objs []shapes.Object, minScore float64) [][2]int {
	used := make([]bool, len(objs))
	var pairs [][2]int
	for k, in := range ins {
		if in.Score < minScore {
			continue
		}
		best, bestIoU := -1, 0.0
		for j, o := range objs {
			if v := detection.IoU(in.Box, o.Box); !used[j] && o.Class == in.Class && v >= 0.5 && v > bestIoU {
				best, bestIoU = j, v
			}
		}
		if best >= 0 {
			used[best] = true
			pairs = append(pairs, [2]int{k, best})
		}
	}
	return pairs
}

// BoxMask is the box filled as a mask: the size×size pixels whose centres lie in it.
func BoxMask(b detection.Box, size int) []bool {
	out := make([]bool, size*size)
	for y := range size {
		for x := range size {
			px, py := float64(x)+0.5, float64(y)+0.5
			out[y*size+x] = px >= b.X0 && px < b.X1 && py >= b.Y0 && py < b.Y1
		}
	}
	return out
}
