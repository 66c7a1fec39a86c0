package maml

import (
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/dl4go/dl4go/gomlxext"
	"github.com/dl4go/dl4go/lessons"
	"github.com/dl4go/dl4go/plotting"
)

// Lesson describes lesson 20 to the lesson kit: its RESULT id, cache folder and source folder.
var Lesson = lessons.Lesson{ID: "20", Name: "maml"}

// Config sizes the few-shot sine experiment. Full and Quick give the two standard sizes. Every
// exported field but the embedded Options is part of the run's key: change one and the run trains
// afresh instead of resuming another configuration's checkpoints.
type Config struct {
	lessons.Options `json:"-"`

	Hidden    int // units in each of the MLP's two hidden layers (40).
	K         int // support points per task: the "shots" (5).
	Q         int // query points per task during meta-training (10).
	MetaBatch int // tasks per meta-step (25).
	MetaSteps int // meta-training steps of every method (the baseline gets as many Adam steps).

	InnerSteps   int     // MAML/FOMAML inner SGD steps during meta-training (2: with 1, 10-step fine-tuning could diverge).
	ReptileSteps int     // Reptile inner SGD steps per task (it needs several: one step is joint training).
	InnerLR      float64 // α: the inner-loop (and fine-tuning) SGD learning rate.
	MetaLR       float64 // β: the outer-loop Adam learning rate at the start (cosine decay to β/20).

	EvalTasks  int   // new tasks the methods are tested on (100).
	EvalQ      int   // query points per evaluation task.
	EvalSteps  int   // fine-tuning steps measured at test time (10).
	PlotSteps  []int // adaptation steps whose predictions are drawn (0, 1, 10).
	GridPoints int   // points of the drawn curves.

	SaveEvery int    // meta-steps between checkpoints.
	Seed      uint64 // fixes weights, tasks and points: a run is reproducible on the same backend.

	// Threshold is the largest MAML/baseline query-MSE ratio (after EvalSteps steps) that passes.
	Threshold float64
}

// Full is the lesson's real experiment (the notebook default).
func Full() Config {
	return Config{
		Hidden: 40, K: 5, Q: 10, MetaBatch: 25, MetaSteps: 4000,
		InnerSteps: 2, ReptileSteps: 5, InnerLR: 0.01, MetaLR: 0.01,
		EvalTasks: 100, EvalQ: 100, EvalSteps: 10, PlotSteps: []int{0, 1, 10}, GridPoints: 100,
		SaveEvery: 500, Seed: 20, Threshold: 0.5,
	}
}

// Quick is the same experiment with fewer meta-steps and a weaker bar, for tests and CI
// (DL4GO_QUICK=1).
func Quick() Config {
	c := Full()
	c.MetaSteps, c.Threshold = 800, 0.8
	return c
}

// Size returns Quick when lessons.Quick() (DL4GO_QUICK=1), else Full.
func Size() Config {
	if lessons.Quick() {
		return Quick()
	}
	return Full()
}

// MethodOutcome is what one method reached.
type MethodOutcome struct {
	Method Method
	// Loss is the meta-training loss of every meta-step.
	Loss []float64
	// MSE[s] is the mean query MSE over the evaluation tasks after s fine-tuning steps on K points.
	MSE []float64
	// Predictions[i] is the curve predicted for the demo task after Config.PlotSteps[i] steps.
	Predictions [][]float64
	// SecondsPerStep is the median wall time of one meta-step while training (the compute cost).
	SecondsPerStep float64
	// StartStep is the meta-step this call started from: 0 for a fresh run, MetaSteps for a
	// finished one restored from its checkpoint.
	StartStep int
}

// Outcome is what Run measured.
type Outcome struct {
	Config  Config
	Methods []MethodOutcome // in the order of Methods.
	// The demo task drawn by TaskChart (the first evaluation task with amplitude ≥ 2, so that its
	// curve is clearly visible; chosen from the task alone, never from the results): its K support
	// points and a grid.
	DemoTask       Task
	DemoXS, DemoYS []float64
	Grid           []float64
	TrainSeconds   float64 // wall time of meta-training in this call (0 when all was restored).
	Dir            string  // the run's folder, with a checkpoint folder per method ("" when nothing is saved).
}

// Method returns the outcome of method m.
func (o *Outcome) Method(m Method) *MethodOutcome {
	for i := range o.Methods {
		if o.Methods[i].Method == m {
			return &o.Methods[i]
		}
	}
	return nil
}

// Ratio returns method m's mean query MSE after Config.EvalSteps steps divided by the joint baseline's.
func (o *Outcome) Ratio(m Method) float64 {
	s := o.Config.EvalSteps
	return o.Method(m).MSE[s] / o.Method(Joint).MSE[s]
}

// Result is the lesson's asserted outcome: MAML's post-adaptation MSE over the baseline's, against
// the threshold of the configuration that ran.
func (o *Outcome) Result() lessons.Result {
	return lessons.Result{
		Lesson: Lesson.ID, Metric: "maml_over_baseline_mse", Value: o.Ratio(MAML),
		Threshold: o.Config.Threshold, LowerIsBetter: true,
	}
}

// Run meta-trains MAML, FOMAML and Reptile and trains the joint baseline on the sine tasks
// (round-robin, one meta-step each, so the live view shows them side by side), timing every
// meta-step, then fine-tunes each on the K support points of cfg.EvalTasks new tasks and measures
// the query MSE.
//
// Meta-training is checkpointed every cfg.SaveEvery steps in the run's folder (see
// lessons.Lesson.Open): calling Run again with the same config resumes where it stopped, and a
// finished run restores its weights and history at once and evaluates them again (a few
// seconds), so every notebook cell can call it. An interrupt (SIGINT, the kernel's stop button)
// saves a checkpoint and returns an error wrapping gomlxext.ErrInterrupted.
func Run(cfg Config) (*Outcome, error) {
	backend, err := gomlxext.Backend()
	if err != nil {
		return nil, fmt.Errorf("maml: %w", err)
	}
	run, err := Lesson.Open(cfg)
	if err != nil {
		return nil, err
	}
	out := &Outcome{Config: cfg, Dir: run.Dir}
	trainers := make([]*trainer, len(Methods))
	for i, m := range Methods {
		dir, err := run.Part(m.key())
		if err != nil {
			return nil, err
		}
		if trainers[i], err = newTrainer(backend, m, cfg, dir); err != nil {
			return nil, err
		}
		defer trainers[i].finalize()
		out.Methods = append(out.Methods, MethodOutcome{Method: m, StartStep: trainers[i].step()})
	}
	start := time.Now()
	if err := metaTrain(trainers, cfg, run.Quiet); err != nil {
		return nil, err
	}
	out.TrainSeconds = time.Since(start).Seconds()
	if out.Methods[0].StartStep == cfg.MetaSteps {
		out.TrainSeconds = 0
	}

	set := newEvalSet(cfg)
	demo := demoTask(set.Tasks)
	out.DemoTask, out.Grid = set.Tasks[demo], set.Grid
	for j := range cfg.K {
		out.DemoXS = append(out.DemoXS, float64(set.XS[demo][j][0]))
		out.DemoYS = append(out.DemoYS, float64(set.YS[demo][j][0]))
	}
	for i, t := range trainers {
		ev, err := evaluate(backend, t.ctx, cfg, set, demo)
		if err != nil {
			return nil, err
		}
		mo := &out.Methods[i]
		mo.Loss, mo.MSE, mo.Predictions = t.state.Loss, ev.MSE, ev.Predictions
		mo.SecondsPerStep = t.secondsPerStep()
	}
	return out, nil
}

// watchInterrupt starts watching for an interrupt (tests replace it).
var watchInterrupt = gomlxext.WatchInterrupt

// metaTrain runs the trainers round-robin, one meta-step each per round, up to cfg.MetaSteps,
// saving every cfg.SaveEvery steps and at the end. An interrupt is honoured after a round: every
// trainer saves and the error wraps gomlxext.ErrInterrupted.
func metaTrain(trainers []*trainer, cfg Config, quiet bool) error {
	var live *plotting.Live
	if !quiet && trainers[0].step() < cfg.MetaSteps {
		var names []string
		for _, m := range Methods {
			names = append(names, m.String())
		}
		live = plotting.NewLive("Meta-training loss (moving average)", cfg.MetaSteps, names...)
		defer live.Done()
	}
	stop := watchInterrupt()
	defer stop.Release()
	smooth := map[string]float64{}
	for {
		busy := false
		values := map[string]float64{}
		step := 0
		for i, t := range trainers {
			if t.step() >= cfg.MetaSteps {
				continue
			}
			busy = true
			loss, err := t.runStep()
			if err != nil {
				return err
			}
			step = max(step, t.step())
			name := Methods[i].String()
			if old, ok := smooth[name]; ok {
				loss = 0.98*old + 0.02*loss
			}
			smooth[name], values[name] = loss, loss
			if t.step()%cfg.SaveEvery == 0 || t.step() == cfg.MetaSteps {
				if err := t.save(); err != nil {
					return err
				}
			}
		}
		if !busy {
			return nil
		}
		if live != nil {
			live.Update(step, values)
		}
		if stop.Requested() {
			for _, t := range trainers {
				if err := t.save(); err != nil {
					return err
				}
			}
			where := ""
			if trainers[0].ckpt != nil {
				where = "; run it again to resume from the checkpoints in " + filepath.Dir(trainers[0].ckpt.Dir())
			}
			return fmt.Errorf("maml: meta-training stopped at step %d of %d%s: %w", step, cfg.MetaSteps, where, gomlxext.ErrInterrupted)
		}
	}
}

// demoTask returns the index of the first task with amplitude ≥ 2 (0 if none).
func demoTask(tasks []Task) int {
	for i, t := range tasks {
		if t.Amplitude >= 2 {
			return i
		}
	}
	return 0
}

// Summary returns a table of every method's query MSE after 0, 1 and EvalSteps adaptation steps,
// its ratio to the baseline and its cost per meta-step.
func (o *Outcome) Summary() string {
	s := o.Config.EvalSteps
	var b strings.Builder
	fmt.Fprintf(&b, "%-15s %9s %9s %9s %10s %12s\n", "method", "MSE@0", "MSE@1", fmt.Sprintf("MSE@%d", s), "÷ baseline", "ms/meta-step")
	for _, mo := range o.Methods {
		fmt.Fprintf(&b, "%-15s %9.3f %9.3f %9.3f %10.3f %12.2f\n", mo.Method, mo.MSE[0], mo.MSE[1], mo.MSE[s],
			o.Ratio(mo.Method), 1e3*mo.SecondsPerStep)
	}
	return b.String()
}
