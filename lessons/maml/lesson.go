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

// Config sizes the few-shot sine experiment. Full and Quick give the two standard sizes.
type Config struct {
	Name string // "full" or "quick": part of the checkpoint key.

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

	CostSteps int    // meta-steps timed per method to measure compute cost (the median is kept).
	SaveEvery int    // meta-steps between checkpoints.
	Seed      uint64 // fixes weights, tasks and points: a run is reproducible on the same backend.

	// Threshold is the largest MAML/baseline query-MSE ratio (after EvalSteps steps) that passes.
	Threshold float64
	// CheckpointDir is where meta-training is saved and resumed from: a folder per method below it.
	// Empty means the user cache (see DefaultCheckpointDir); "-" disables checkpoints.
	CheckpointDir string `json:"-"`
	// Live shows the live training view (plotting.NewLive): progress and loss curves as they fall.
	Live bool `json:"-"`
}

// Full is the lesson's real experiment (the notebook default).
func Full() Config {
	return Config{
		Name: "full", Hidden: 40, K: 5, Q: 10, MetaBatch: 25, MetaSteps: 4000,
		InnerSteps: 2, ReptileSteps: 5, InnerLR: 0.01, MetaLR: 0.01,
		EvalTasks: 100, EvalQ: 100, EvalSteps: 10, PlotSteps: []int{0, 1, 10}, GridPoints: 100,
		CostSteps: 30, SaveEvery: 500, Seed: 20, Threshold: 0.5, Live: true,
	}
}

// Quick is the same experiment with fewer meta-steps, for tests and CI (DL4GO_QUICK=1).
func Quick() Config {
	c := Full()
	c.Name, c.MetaSteps, c.CostSteps, c.Threshold = "quick", 800, 10, 0.8
	return c
}

// Size returns Quick when lessons.Quick() (DL4GO_QUICK=1), else Full.
func Size() Config {
	if lessons.Quick() {
		return Quick()
	}
	return Full()
}

// revision changes when the lesson's code changes what a configuration trains or measures, so that
// checkpoints and saved outcomes of older code are not reused.
const revision = 2

// key identifies a configuration in checkpoint paths: its name and a hash of every setting.
func (c Config) key() string {
	return lessons.ConfigKey(c.Name, struct {
		Config
		Revision int
	}{c, revision})
}

// DefaultCheckpointDir returns (and creates) the user-cache folder where cfg's meta-training is
// saved: <user cache>/dl4go/maml/<name>-<hash of the config>. Delete it to start over.
func DefaultCheckpointDir(cfg Config) (string, error) {
	return gomlxext.CheckpointDir("maml", cfg.key())
}

// MethodOutcome is what one method reached.
type MethodOutcome struct {
	Method Method
	// Loss is the meta-training loss of every meta-step (NaN where unknown).
	Loss []float64
	// MSE[s] is the mean query MSE over the evaluation tasks after s fine-tuning steps on K points.
	MSE []float64
	// Predictions[i] is the curve predicted for the demo task after Config.PlotSteps[i] steps.
	Predictions [][]float64
	// SecondsPerStep is the measured wall time of one meta-step (the compute cost).
	SecondsPerStep float64
	// Resumed is the number of meta-steps restored from a checkpoint instead of run
	// (MetaSteps when the whole Outcome was restored).
	Resumed int
}

// Outcome is the result of RunFewShot.
type Outcome struct {
	Config  Config
	Methods []MethodOutcome // in the order of Methods.
	// The demo task drawn by TaskChart (the first evaluation task with amplitude ≥ 2, so that its
	// curve is clearly visible; chosen from the task alone, never from the results): its K support
	// points and a grid.
	DemoTask           Task
	DemoXS, DemoYS     []float64
	Grid               []float64
	TrainSeconds       float64 // wall time of the meta-training run in this call (0 when all was restored).
	CheckpointLocation string  // where meta-training was saved ("" when disabled).
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

// Result is the lesson's asserted outcome: MAML's post-adaptation MSE over the baseline's.
func (o *Outcome) Result() lessons.Result {
	return lessons.Result{
		Lesson: "20", Metric: "maml_over_baseline_mse", Value: o.Ratio(MAML),
		Threshold: o.Config.Threshold, LowerIsBetter: true,
	}
}

// RunFewShot meta-trains MAML, FOMAML and Reptile and trains the joint baseline on the sine tasks
// (round-robin, one meta-step each, so a live view shows them side by side), then fine-tunes each
// on the K support points of cfg.EvalTasks new tasks and measures the query MSE, and times one
// meta-step of each method.
//
// Meta-training is checkpointed every cfg.SaveEvery steps: calling RunFewShot again with the same
// config resumes where it stopped; once a run has finished, it returns the saved Outcome at once
// (so every notebook cell can call it).
func RunFewShot(cfg Config) (*Outcome, error) {
	backend, err := gomlxext.Backend()
	if err != nil {
		return nil, err
	}
	out := &Outcome{Config: cfg}
	root := cfg.CheckpointDir
	if root == "" {
		if root, err = DefaultCheckpointDir(cfg); err != nil {
			return nil, err
		}
	}
	if root == "-" {
		root = ""
	}
	out.CheckpointLocation = root
	if cached, err := loadOutcome(root, cfg); err != nil || cached != nil {
		return cached, err
	}

	trainers := make([]*trainer, len(Methods))
	for i, m := range Methods {
		dir := ""
		if root != "" {
			dir = filepath.Join(root, m.key())
		}
		if trainers[i], err = newTrainer(backend, m, cfg, dir); err != nil {
			return nil, err
		}
		defer trainers[i].exec.Finalize()
		out.Methods = append(out.Methods, MethodOutcome{Method: m, Resumed: trainers[i].step()})
	}

	var live *plotting.Live
	if cfg.Live && trainers[0].step() < cfg.MetaSteps {
		var names []string
		for _, m := range Methods {
			names = append(names, m.String())
		}
		live = plotting.NewLive("Meta-training loss (moving average)", cfg.MetaSteps, names...)
	}
	smooth := map[string]float64{}
	start := time.Now()
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
				return nil, err
			}
			step = max(step, t.step())
			name := Methods[i].String()
			if old, ok := smooth[name]; ok {
				loss = 0.98*old + 0.02*loss
			}
			smooth[name], values[name] = loss, loss
			if t.step()%cfg.SaveEvery == 0 || t.step() == cfg.MetaSteps {
				if err := t.save(); err != nil {
					return nil, err
				}
			}
		}
		if !busy {
			break
		}
		if live != nil {
			live.Update(step, values)
		}
	}
	if live != nil {
		live.Done()
	}
	out.TrainSeconds = time.Since(start).Seconds()

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
		mo.Loss, mo.MSE, mo.Predictions = t.history, ev.MSE, ev.Predictions
	}
	costs, err := measureCosts(backend, cfg, cfg.CostSteps)
	if err != nil {
		return nil, err
	}
	for i, c := range costs {
		out.Methods[i].SecondsPerStep = c.Seconds()
	}
	if err := saveOutcome(root, out); err != nil {
		return nil, err
	}
	return out, nil
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
