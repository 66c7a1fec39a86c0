package efficiency

import (
	"fmt"
	"slices"
	"time"

	G "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/ml/context"

	"github.com/dl4go/dl4go/data/mnist"
	"github.com/dl4go/dl4go/gomlxext"
	"github.com/dl4go/dl4go/lessons"
)

// Lesson describes lesson 03 to the lesson kit.
var Lesson = lessons.Lesson{ID: "03", Name: "efficiency"}

// Config sizes the lesson. Accuracies are shares (0..1); thresholds named Pts are in percentage
// points.
type Config struct {
	lessons.Options `json:"-"`

	// TrainSize training images (the first of MNIST's training set), TestSize held-out images
	// (the first of its test set; a multiple of 500). Seed fixes data order and initial weights.
	TrainSize, TestSize int
	Seed                uint64
	// The teacher CNN, trained TeacherSteps steps of Batch images with Adam at LearningRate (the
	// batch and learning rate every model of the lesson uses).
	Teacher      CNNConfig
	TeacherSteps int
	Batch        int
	LearningRate float64

	// Distillation: the Student MLP trains StudentSteps steps on the first DistillSize training
	// images only (the reduced data), alone (cross entropy) and distilled at each of
	// Temperatures with weight Alpha on the soft term. The temperature the outcome scores is the
	// one with the best accuracy on ValSize validation images (training images after the first
	// TrainSize: no model trains on them), never chosen on the held-out test images.
	Student      MLPConfig
	DistillSize  int
	StudentSteps int
	Temperatures []float64
	Alpha        float64
	ValSize      int

	// Pruning: the teacher pruned by magnitude to each of Sparsities in turn, retrained
	// PruneSteps steps at PruneLearningRate after each; ScoredSparsity is the level the outcome
	// compares with the dense baseline: the teacher trained on, unpruned, for as many steps as
	// the pruned model retrained up to that level (so extra training is not mistaken for
	// pruning's doing).
	Sparsities        []float64
	PruneSteps        int
	PruneLearningRate float64
	ScoredSparsity    float64

	// Data parallelism: the DP MLP trained DPSteps batches of DPBatch images with each of
	// Workers goroutine workers, synchronously and asynchronously.
	DP      MLPConfig
	DPSteps int
	DPBatch int
	Workers []int

	// Model parallelism: MicroBatches micro-batches of MicroBatch held-out images through the
	// teacher split in two stages.
	MicroBatches, MicroBatch int

	// GRU vs LSTM: RNNUnits units, RNNSteps timed training steps of RNNBatch images.
	RNNUnits, RNNBatch, RNNSteps int

	// Thresholds: int8's size over fp32's (1/4 plus the per-channel scales and the float32
	// biases), int8's accuracy drop; the distilled student's gain over the student alone; the
	// pruned model's drop from the dense teacher at ScoredSparsity; the 2-worker synchronous
	// run's drop from the 1-worker run.
	MaxInt8SizeRatio, MaxInt8DropPts, MinDistillGainPts, MaxPruneDropPts, MaxSyncDropPts float64
}

// Full is the notebook's lesson.
func Full() Config {
	return Config{
		TrainSize: 20000, TestSize: 10000, Seed: 3,
		Teacher: CNNConfig{C1: 16, C2: 32, Hidden: 64}, TeacherSteps: 800, Batch: 64, LearningRate: 2e-3,
		Student: MLPConfig{Hidden: 32}, DistillSize: 1000, StudentSteps: 1500,
		Temperatures: []float64{1, 2, 4, 8}, Alpha: 0.5, ValSize: 1000,
		Sparsities: []float64{0.5, 0.75, 0.9, 0.95}, PruneSteps: 150, PruneLearningRate: 1e-3, ScoredSparsity: 0.9,
		DP: MLPConfig{Hidden: 64}, DPSteps: 500, DPBatch: 64, Workers: []int{1, 2, 4},
		MicroBatches: 8, MicroBatch: 64,
		RNNUnits: 64, RNNBatch: 32, RNNSteps: 5,
		MaxInt8SizeRatio: 0.26, MaxInt8DropPts: 1, MinDistillGainPts: 1, MaxPruneDropPts: 1, MaxSyncDropPts: 0.5,
	}
}

// Quick is the same lesson with less data and fewer steps, and weaker bars, for tests and CI.
func Quick() Config {
	c := Full()
	c.TrainSize, c.TestSize = 5000, 1000
	c.TeacherSteps, c.StudentSteps, c.PruneSteps, c.DPSteps = 200, 400, 40, 100
	c.DistillSize, c.ValSize = 500, 500
	c.Temperatures = []float64{2, 8}
	c.MicroBatches, c.MicroBatch = 4, 32
	c.RNNSteps = 2
	c.MaxInt8DropPts, c.MinDistillGainPts, c.MaxPruneDropPts, c.MaxSyncDropPts = 2, 0, 4, 2
	return c
}

// Size returns Quick when lessons.Quick() (DL4GO_QUICK=1), else Full.
func Size() Config {
	if lessons.Quick() {
		return Quick()
	}
	return Full()
}

// StudentRun is one distilled student's accuracy on the validation and the held-out images.
type StudentRun struct {
	Temperature           float64
	ValAccuracy, Accuracy float64
}

// PruneRun is one pruning level after retraining.
type PruneRun struct {
	Sparsity float64
	// ZeroShare is the share of kernel weights that are exactly zero after retraining (the mask
	// keeps at least Sparsity of them zero); Accuracy the held-out accuracy after retraining,
	// BeforeRetrain just after pruning.
	ZeroShare, BeforeRetrain, Accuracy float64
}

// Outcome is what Run measured.
type Outcome struct {
	Config Config
	// Held-out accuracies of the teacher and of the student alone; the distilled students, one
	// per temperature; the temperature chosen on the validation images.
	TeacherAcc, AloneAcc float64
	Distilled            []StudentRun
	ChosenT              float64
	// DenseAcc is the pruning baseline's held-out accuracy: the teacher trained on, unpruned,
	// as many steps as the pruned model retrained up to ScoredSparsity.
	DenseAcc      float64
	TeacherParams int
	StudentParams int
	Quant         []QuantResult
	Pruned        []PruneRun
	DP            []*DPRun
	Pipeline      *PipelineRun
	RNN           []RNNCell
	// StepTimes are the measured median training-step times of the lesson's models on this
	// machine's engine, by model (only for models trained in the call that measured them).
	StepTimes map[string]time.Duration
	Backend   string
	Wall      time.Duration
}

// DistilledAcc is the held-out accuracy of the student distilled at the temperature chosen on
// the validation images.
func (o *Outcome) DistilledAcc() float64 {
	for _, s := range o.Distilled {
		if s.Temperature == o.ChosenT {
			return s.Accuracy
		}
	}
	return 0
}

// QuantFor returns the measurement of format f.
func (o *Outcome) QuantFor(f Format) QuantResult {
	for _, q := range o.Quant {
		if q.Format == f {
			return q
		}
	}
	return QuantResult{}
}

// PrunedAt returns the pruning level s.
func (o *Outcome) PrunedAt(s float64) PruneRun {
	for _, p := range o.Pruned {
		if p.Sparsity == s {
			return p
		}
	}
	return PruneRun{}
}

// DPRunOf returns the data-parallel run of mode with workers (1 worker: the sync run).
func (o *Outcome) DPRunOf(mode Mode, workers int) *DPRun {
	for _, r := range o.DP {
		if r.Workers == workers && (r.Mode == mode || workers == 1) {
			return r
		}
	}
	return nil
}

// Checks are the lesson's five asserted numbers, each a RESULT with its threshold.
func (o *Outcome) Checks() []lessons.Result {
	c := o.Config
	fp32, int8 := o.QuantFor(FP32), o.QuantFor(INT8)
	pts := func(a, b float64) float64 { return 100 * (a - b) }
	sync1, sync2 := o.DPRunOf(Sync, 1), o.DPRunOf(Sync, 2)
	syncDrop := 100.0
	if sync1 != nil && sync2 != nil {
		syncDrop = pts(sync1.Accuracy, sync2.Accuracy)
	}
	ratio := 1.0
	if fp32.Bytes > 0 {
		ratio = float64(int8.Bytes) / float64(fp32.Bytes)
	}
	id := Lesson.ID
	return []lessons.Result{
		{Lesson: id, Metric: "distilled_minus_alone_student_heldout_acc_pts", Value: pts(o.DistilledAcc(), o.AloneAcc), Threshold: c.MinDistillGainPts},
		{Lesson: id, Metric: "int8_vs_fp32_heldout_acc_drop_pts", Value: pts(fp32.Accuracy, int8.Accuracy), Threshold: c.MaxInt8DropPts, LowerIsBetter: true},
		{Lesson: id, Metric: "int8_over_fp32_model_bytes", Value: ratio, Threshold: c.MaxInt8SizeRatio, LowerIsBetter: true},
		{Lesson: id, Metric: fmt.Sprintf("pruned%.0f_vs_dense_heldout_acc_drop_pts", 100*c.ScoredSparsity), Value: pts(o.DenseAcc, o.PrunedAt(c.ScoredSparsity).Accuracy), Threshold: c.MaxPruneDropPts, LowerIsBetter: true},
		{Lesson: id, Metric: "sync2_vs_1worker_heldout_acc_drop_pts", Value: syncDrop, Threshold: c.MaxSyncDropPts, LowerIsBetter: true},
	}
}

// Result is the lesson's RESULT line: the distilled student's held-out accuracy gain over the
// same student trained alone, in points. When it passes but another check misses, the line
// reports that check instead.
func (o *Outcome) Result() lessons.Result {
	checks := o.Checks()
	for _, r := range checks {
		if !r.OK() {
			return r
		}
	}
	return checks[0]
}

// Run does the whole lesson: trains (or resumes, or restores) the teacher, the students and the
// pruned models through the kit's checkpoints, and measures everything. What depends on timing
// (data-parallel runs, the pipeline, step times) is saved with the run's outcome: a later call
// returns it instead of training and timing again.
func Run(cfg Config) (*Outcome, error) {
	t0 := time.Now()
	if err := cfg.check(); err != nil {
		return nil, err
	}
	backend, err := gomlxext.Backend()
	if err != nil {
		return nil, fmt.Errorf("efficiency: %w", err)
	}
	run, err := Lesson.Open(cfg)
	if err != nil {
		return nil, err
	}
	var saved Outcome
	if ok, err := run.LoadOutcome(&saved); err != nil {
		return nil, err
	} else if ok {
		saved.Config = cfg
		return &saved, nil
	}
	d, err := loadData(cfg.TrainSize, cfg.ValSize, cfg.TestSize)
	if err != nil {
		return nil, err
	}
	out := &Outcome{Config: cfg, StepTimes: map[string]time.Duration{}, Backend: backend.Name()}
	part := func(name string) (string, error) { return run.Part(name) }

	// The teacher.
	dir, err := part("teacher")
	if err != nil {
		return nil, err
	}
	teacher, step, err := trainTeacher(backend, cfg, d, dir, run.Quiet)
	if err != nil {
		return nil, err
	}
	out.StepTimes["teacher CNN"] = step
	teacherModel := func(ctx *context.Context, x *G.Node) *G.Node { return cnnLogits(ctx, x, cfg.Teacher) }
	texec, err := logitsExec(backend, teacher, teacherModel)
	if err != nil {
		return nil, err
	}
	if out.TeacherAcc, err = accuracy(texec, d.Test); err != nil {
		return nil, err
	}
	tw, err := weightsOf(teacher, teacherScope)
	if err != nil {
		return nil, err
	}
	out.TeacherParams = countParams(tw)

	// Quantization.
	if out.Quant, err = quantize(teacher, texec, d.Test); err != nil {
		return nil, err
	}

	// Distillation: the teacher's logits on the reduced training data are the soft targets.
	soft, err := logitsOf(texec, subset(d.Train, cfg.DistillSize))
	if err != nil {
		return nil, err
	}
	studentModel := func(ctx *context.Context, x *G.Node) *G.Node { return mlpLogits(ctx, studentScope, x, cfg.Student) }
	bestVal := -1.0
	for _, temp := range append([]float64{0}, cfg.Temperatures...) {
		name, alpha := "student-alone", 0.0
		if temp > 0 {
			name, alpha = fmt.Sprintf("student-T%g", temp), cfg.Alpha
		}
		dir, err := part(name)
		if err != nil {
			return nil, err
		}
		sctx, step, err := trainStudent(backend, cfg, d, soft, max(temp, 1), alpha, dir, run.Quiet)
		if err != nil {
			return nil, err
		}
		sexec, err := logitsExec(backend, sctx, studentModel)
		if err != nil {
			return nil, err
		}
		acc, err := accuracy(sexec, d.Test)
		if err != nil {
			return nil, err
		}
		if temp == 0 {
			out.StepTimes["student MLP"] = step
			sw, err := weightsOf(sctx, studentScope)
			if err != nil {
				return nil, err
			}
			out.StudentParams, out.AloneAcc = countParams(sw), acc
			continue
		}
		val, err := accuracy(sexec, d.Val)
		if err != nil {
			return nil, err
		}
		out.Distilled = append(out.Distilled, StudentRun{Temperature: temp, ValAccuracy: val, Accuracy: acc})
		if val > bestVal {
			bestVal, out.ChosenT = val, temp
		}
	}

	// Pruning, iterated: each level starts from the previous level's retrained weights.
	prev := teacher
	for level, s := range cfg.Sparsities {
		pctx, err := cloneWeights(prev, teacherScope)
		if err != nil {
			return nil, err
		}
		masks, err := gomlxext.MagnitudeMasks(pctx, teacherScope, s)
		if err != nil {
			return nil, fmt.Errorf("efficiency: %w", err)
		}
		if err := masks.Apply(pctx); err != nil {
			return nil, fmt.Errorf("efficiency: %w", err)
		}
		pexec, err := logitsExec(backend, pctx, teacherModel)
		if err != nil {
			return nil, err
		}
		pr := PruneRun{Sparsity: s}
		if pr.BeforeRetrain, err = accuracy(pexec, d.Test); err != nil {
			return nil, err
		}
		dir, err := part(fmt.Sprintf("prune-%g", s))
		if err != nil {
			return nil, err
		}
		if err := retrainPruned(backend, cfg, d, pctx, masks, level, dir, run.Quiet); err != nil {
			return nil, err
		}
		if pexec, err = logitsExec(backend, pctx, teacherModel); err != nil {
			return nil, err
		}
		if pr.Accuracy, err = accuracy(pexec, d.Test); err != nil {
			return nil, err
		}
		zeros, total, err := gomlxext.ZeroWeights(pctx, teacherScope)
		if err != nil {
			return nil, err
		}
		pr.ZeroShare = float64(zeros) / float64(total)
		out.Pruned = append(out.Pruned, pr)
		prev = pctx
	}

	// The pruning baseline: the dense teacher trained on as many steps as the scored level.
	dense, err := cloneWeights(teacher, teacherScope)
	if err != nil {
		return nil, err
	}
	if dir, err = part("dense-retrained"); err != nil {
		return nil, err
	}
	levels := slices.Index(cfg.Sparsities, cfg.ScoredSparsity) + 1
	if err := retrainDense(backend, cfg, d, dense, levels*cfg.PruneSteps, dir, run.Quiet); err != nil {
		return nil, err
	}
	dexec, err := logitsExec(backend, dense, teacherModel)
	if err != nil {
		return nil, err
	}
	if out.DenseAcc, err = accuracy(dexec, d.Test); err != nil {
		return nil, err
	}

	// Data parallelism.
	for _, w := range cfg.Workers {
		for _, mode := range []Mode{Sync, Async} {
			if w == 1 && mode == Async {
				continue // one worker: synchronous and asynchronous are the same run
			}
			r, err := dataParallel(backend, cfg, d, mode, w, run.Quiet)
			if err != nil {
				return nil, err
			}
			out.DP = append(out.DP, r)
		}
	}
	if r := out.DPRunOf(Sync, 1); r != nil {
		out.StepTimes["data-parallel MLP (1 worker)"] = r.Wall / time.Duration(cfg.DPSteps)
	}

	// Model parallelism.
	if out.Pipeline, err = pipeline(backend, cfg, teacher, d); err != nil {
		return nil, err
	}

	// GRU vs LSTM.
	if out.RNN, err = rnnCells(backend, cfg, d); err != nil {
		return nil, err
	}
	out.Wall = time.Since(t0)
	return out, run.SaveOutcome(out)
}

// check refuses settings the lesson cannot run with, naming the fix.
func (c Config) check() error {
	switch {
	case c.TestSize%evalChunk != 0:
		return fmt.Errorf("efficiency: TestSize %d must be a multiple of %d", c.TestSize, evalChunk)
	case c.DistillSize < 1 || c.DistillSize > c.TrainSize:
		return fmt.Errorf("efficiency: DistillSize %d must be in 1..TrainSize (%d)", c.DistillSize, c.TrainSize)
	case len(c.Temperatures) == 0 || c.ValSize < 1 || c.TrainSize+c.ValSize > mnist.TrainSize:
		return fmt.Errorf("efficiency: Temperatures %v must not be empty, and ValSize %d ≥ 1 validation images must fit after TrainSize %d in MNIST's %d",
			c.Temperatures, c.ValSize, c.TrainSize, mnist.TrainSize)
	case !slices.Contains(c.Sparsities, c.ScoredSparsity) || !slices.IsSorted(c.Sparsities):
		return fmt.Errorf("efficiency: Sparsities %v must be increasing and hold ScoredSparsity %g", c.Sparsities, c.ScoredSparsity)
	case !slices.Contains(c.Workers, 1) || !slices.Contains(c.Workers, 2):
		return fmt.Errorf("efficiency: Workers %v must hold 1 and 2 (the outcome compares them)", c.Workers)
	case c.TeacherSteps < 1 || c.StudentSteps < 1 || c.PruneSteps < 1 || c.DPSteps < 1 || c.RNNSteps < 1:
		return fmt.Errorf("efficiency: every step count must be ≥ 1")
	}
	return nil
}
