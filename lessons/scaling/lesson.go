package scaling

import (
	"fmt"
	"math"
	"slices"
	"sync"
	"time"

	"github.com/gomlx/gomlx/backends"

	"github.com/dl4go/dl4go/gomlxext"
	"github.com/dl4go/dl4go/lessons"
	"github.com/dl4go/dl4go/plotting"
)

// Lesson describes lesson 06 to the lesson kit: its RESULT id, cache folder and source folder.
var Lesson = lessons.Lesson{ID: "06", Name: "scaling"}

// Config sizes the experiment. Every exported field but the embedded Options is part of the
// run's key: change one and every model trains afresh instead of resuming another
// configuration's checkpoints.
type Config struct {
	lessons.Options `json:"-"`

	Task     Task     // the scenes and the question.
	Base     Base     // the baseline network (this lesson's "B0").
	Training Training // the same training for every model.
	Seeds    int      // models trained per point (initial weights and batch order): the error bars.
	Seed     uint64   // seed i of a point is Seed+i, the same for every point (paired comparisons).
	// Grid is the α, β, γ grid search at φ = 1, as rules (shares of log₂ FLOPs): the three
	// single-dimension rules first, then the compound candidates; the compound rule is the
	// candidate with the best mean validation accuracy.
	Grid []Rule
	// Budgets are the φ of the larger models after the grid search (e.g. 2: 4× the baseline's
	// FLOPs): each single-dimension rule and the compound rule is trained at each.
	Budgets []float64
	// Match is the largest relative difference between a model's multiply-adds and its budget
	// (2^φ × the baseline's) that counts as the same budget; Run fails if a rule cannot get that
	// close (the FLOPs of the compared models then differ by at most about 2·Match).
	Match float64
	// Workers is how many models train at once (2: one per core).
	Workers int
	// AgainstBaseline makes the asserted comparison compound vs the baseline (Quick) instead of
	// compound vs the best single-dimension rule at the largest budget (Full).
	AgainstBaseline bool
	// Threshold is the smallest passing difference of mean held-out accuracies (compound minus
	// the other), in accuracy points (0.01 = one percentage point).
	Threshold float64
}

// Full is the notebook's experiment: 9 rules at φ = 1 (the 3 single-dimension rules and the 6 of
// Lattice(5)) and 4 at φ = 2, 3 seeds each, 450 training steps per model, every residual block
// starting as the identity (zero-γ). Its bar is missed: compound 0.697 ± 0.025 vs resolution alone
// 0.769 ± 0.020 held-out accuracy at 4× the FLOPs (docs/experiments/scaling.md).
func Full() Config {
	return Config{
		Task: Task{Master: 64, Objects: 3, MinSide: 16, MaxSide: 26, Noise: 0.05, Train: 3000, Val: 400, Test: 800, Seed: 1},
		// ZeroInitResidual: without it depth alone hurt (validation 0.508 baseline, 0.482 at 2×,
		// 0.468 at 4× the FLOPs); with it every rule did better on validation, depth alone most
		// (0.562, 0.552), compound at 4× 0.699 → 0.712.
		Base: Base{Resolution: 16, Stem: 8, Head: 48, SERatio: 0.25, Classes: 3, WidthDivisor: 1, ZeroInitResidual: true,
			Stages: []Stage{
				{Expand: 1, Kernel: 3, Channels: 8, Layers: 1, Stride: 1},
				{Expand: 6, Kernel: 3, Channels: 12, Layers: 2, Stride: 2},
				{Expand: 6, Kernel: 3, Channels: 16, Layers: 2, Stride: 2},
				{Expand: 6, Kernel: 3, Channels: 24, Layers: 1, Stride: 1},
			}},
		// 450 steps (1.5× the first versions' 300), fixed from the time budget before any run with
		// them: a full run costs about 33 CPU-s besides training (scenes, graphs, evaluation) and
		// 1.0–1.1 CPU-s per step of all 42 models together, so 450 steps are an estimated 480–540
		// CPU-s, 4–4½ min on 2 idle cores, inside the 5-minute budget; 500 would leave no margin.
		// The same steps for every model: the wider and deeper models were thought the ones short
		// of training at 300. Measured at 450 (4× budget, vs 300): depth +0.023, width +0.034,
		// compound +0.084, resolution alone (no more weights than the baseline) +0.102.
		Training: Training{Steps: 450, Batch: 16, LearningRate: 5e-3},
		Seeds:    3, Seed: 1,
		// The compound candidates are the uniform 1/5 lattice of shares (Lattice(5): 6 rules, each
		// share 1/5…3/5). The first full run's 4 hand-picked candidates, (⅓,⅓,⅓) and one share of
		// ½ with the others ¼, never gave resolution more than half of the extra FLOPs, on a task
		// where resolution alone turned out best; the lattice replaced them.
		Grid:    append([]Rule{DepthOnly, WidthOnly, ResolutionOnly}, Lattice(5)...),
		Budgets: []float64{2}, Match: 0.05, Workers: 2, Threshold: 0,
	}
}

// Quick is the same code path at two budgets (the baseline and φ = 1, one compound candidate:
// the paper's α, β, γ), 120 steps and two seeds; its bar is compound ≥ baseline.
func Quick() Config {
	c := Full()
	c.Task.Train, c.Task.Val, c.Task.Test = 1500, 200, 400
	c.Training.Steps = 120
	c.Seeds = 2
	c.Grid = []Rule{DepthOnly, WidthOnly, ResolutionOnly, PaperRule()}
	c.Budgets = nil
	c.AgainstBaseline = true
	return c
}

// Size returns Quick when lessons.Quick() (DL4GO_QUICK=1), else Full.
func Size() Config {
	if lessons.Quick() {
		return Quick()
	}
	return Full()
}

// SeedRun is one trained model of a point.
type SeedRun struct {
	Seed          uint64
	Val, Test     float64       // held-out accuracies (validation picks the rule; test scores it).
	TrainStep     time.Duration // median training step (0 if this call only restored it).
	InferPerImage time.Duration // median inference time per image, in batches of 100.
	Loss          []float64     // training loss per step of this call.
}

// Point is one network (a rule at a budget) and its trained models.
type Point struct {
	Name string // "baseline", "depth", "width", "resolution" or the compound rule's name.
	Sized
	Params int64 // trainable parameters.
	Runs   []SeedRun
}

// Mean and Std are the test accuracy's mean and (sample) standard deviation over the seeds.
func (p Point) Mean() float64 { m, _ := p.stats(func(r SeedRun) float64 { return r.Test }); return m }

// Std is the test accuracy's sample standard deviation over the seeds (0 for one seed).
func (p Point) Std() float64 { _, s := p.stats(func(r SeedRun) float64 { return r.Test }); return s }

// ValMean is the mean validation accuracy, which the grid search compares.
func (p Point) ValMean() float64 { m, _ := p.stats(func(r SeedRun) float64 { return r.Val }); return m }

func (p Point) stats(f func(SeedRun) float64) (mean, std float64) {
	v := make([]float64, len(p.Runs))
	for i, r := range p.Runs {
		v[i] = f(r)
	}
	return plotting.MeanStd(v)
}

// Outcome is what Run measured.
type Outcome struct {
	Config   Config
	Baseline Point
	Grid     []Point // at φ = 1, in the order of Config.Grid.
	Compound Rule    // the grid's best compound candidate (mean validation accuracy).
	// Larger holds, for each of Config.Budgets, the single-dimension rules and the compound rule
	// (in that order).
	Larger [][]Point
	// Seconds is the wall time of the trainings this call ran (0 when all were restored).
	Seconds float64
	Dir     string // the run's folder ("" when nothing is saved).
}

// Run trains every point's models (resuming interrupted ones; finished ones are restored from
// their checkpoints) and scores them on the held-out scenes. The outcome is saved: a rerun of a
// finished configuration returns it without training or evaluating again, as 30-odd models take
// a while to evaluate.
func Run(cfg Config) (*Outcome, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	backend, err := gomlxext.Backend()
	if err != nil {
		return nil, fmt.Errorf("scaling: %w", err)
	}
	run, err := Lesson.Open(cfg)
	if err != nil {
		return nil, err
	}
	var saved Outcome
	if ok, err := run.LoadOutcome(&saved); err != nil {
		return nil, err
	} else if ok {
		saved.Config.Options = cfg.Options
		return &saved, nil
	}
	t := cfg.Task
	train, err := t.draw(t.Seed, t.Train)
	if err != nil {
		return nil, err
	}
	val, err := t.draw(t.Seed+1, t.Val)
	if err != nil {
		return nil, err
	}
	test, err := t.draw(t.Seed+2, t.Test)
	if err != nil {
		return nil, err
	}
	x := &experiment{cfg: cfg, backend: backend, run: run, train: train, val: val, test: test}
	total := (1 + len(cfg.Grid) + 4*len(cfg.Budgets)) * cfg.Seeds * cfg.Training.Steps
	if !run.Quiet {
		x.live = plotting.NewLive(fmt.Sprintf("scaling: %d models (training loss by rule)", total/cfg.Training.Steps), total)
	}
	start := time.Now()
	out := &Outcome{Config: cfg, Dir: run.Dir}
	points, err := sized(cfg, append([]Rule{{}}, cfg.Grid...), 1)
	if err != nil {
		return nil, err
	}
	points[0] = Point{Name: "baseline", Sized: Sized{Scale: Multipliers{1, 1, 1}, Net: cfg.Base.Scale(Multipliers{1, 1, 1}), Ratio: 1}}
	points[0].MACs = points[0].Net.MACs()
	if err := x.trainAll(points); err != nil {
		return nil, x.stop(err)
	}
	out.Baseline, out.Grid = points[0], points[1:]
	best := -1
	for i, p := range out.Grid {
		if p.Rule.Compound() && (best < 0 || p.ValMean() > out.Grid[best].ValMean()) {
			best = i
		}
	}
	out.Compound = out.Grid[best].Rule
	for _, phi := range cfg.Budgets {
		ps, err := sized(cfg, []Rule{DepthOnly, WidthOnly, ResolutionOnly, out.Compound}, phi)
		if err != nil {
			return nil, err
		}
		if err := x.trainAll(ps); err != nil {
			return nil, x.stop(err)
		}
		out.Larger = append(out.Larger, ps)
	}
	if x.live != nil {
		x.live.Done()
	}
	if x.trained {
		out.Seconds = time.Since(start).Seconds()
	}
	return out, run.SaveOutcome(out)
}

// check validates the settings a run depends on.
func (c Config) check() error {
	switch {
	case c.Seeds < 1 || c.Workers < 1 || c.Training.Steps < 1 || c.Training.Batch < 1:
		return fmt.Errorf("scaling: Seeds, Workers, Training.Steps and Training.Batch must be ≥ 1")
	case len(c.Grid) == 0 || slices.IndexFunc(c.Grid, Rule.Compound) < 0:
		return fmt.Errorf("scaling: Grid needs at least one compound rule (all three shares > 0)")
	case c.Match <= 0:
		return fmt.Errorf("scaling: Match must be > 0 (0.1: within 10%%)")
	}
	for _, r := range c.Grid {
		if err := r.check(); err != nil {
			return err
		}
	}
	for _, r := range []Rule{DepthOnly, WidthOnly, ResolutionOnly} {
		if !slices.Contains(c.Grid, r) {
			return fmt.Errorf("scaling: Grid must hold the single-dimension rule %q (the chart's φ = 1 point)", r.Name())
		}
	}
	// The largest resolution a budget can ask for: resolution alone, FLOPs at most 1+Match over.
	phi := slices.Max(append([]float64{1}, c.Budgets...))
	if maxRes := int(float64(c.Base.Resolution) * math.Sqrt(math.Exp2(phi)*(1+c.Match))); maxRes > c.Task.Master {
		return fmt.Errorf("scaling: the largest model looks at %d×%d pixels but the scenes are drawn at %d: raise Task.Master",
			maxRes, maxRes, c.Task.Master)
	}
	return nil
}

// sized returns the points of the rules at budget phi (a zero Rule is left empty).
func sized(cfg Config, rules []Rule, phi float64) ([]Point, error) {
	ps := make([]Point, len(rules))
	for i, r := range rules {
		if r == (Rule{}) {
			continue
		}
		s, err := cfg.Base.Size(r, phi, cfg.Match)
		if err != nil {
			return nil, err
		}
		ps[i] = Point{Name: r.Name(), Sized: s}
	}
	return ps, nil
}

// experiment is one Run's shared state.
type experiment struct {
	cfg              Config
	backend          backends.Backend
	run              *lessons.Run
	train, val, test *scenes
	live             *plotting.Live
	mu               sync.Mutex
	done             int  // steps reported to live
	trained          bool // some model trained in this call
}

func (x *experiment) stop(err error) error {
	if x.live != nil {
		x.live.StopEarly(err.Error())
	}
	return err
}

// trainAll trains and scores every seed of every point, Workers at a time, after checking that
// each point's multiply-adds are within Match of its budget.
func (x *experiment) trainAll(points []Point) error {
	for _, p := range points {
		if math.Abs(p.Ratio/math.Exp2(p.Phi)-1) > x.cfg.Match {
			return fmt.Errorf("scaling: rule %s cannot reach %.3g× the baseline's multiply-adds within %.0f%% (best: %.3g×, %s): "+
				"give the Base more layers per stage or more channels so that rounding matters less",
				p.Name, math.Exp2(p.Phi), 100*x.cfg.Match, p.Ratio, p.Net)
		}
	}
	type job struct{ p, s int }
	jobs := make(chan job)
	errs := make([]error, len(points)*x.cfg.Seeds)
	for i := range points {
		points[i].Runs = make([]SeedRun, x.cfg.Seeds)
	}
	var wg sync.WaitGroup
	failed := make(chan struct{}) // closed at the first error (an interrupt included): no new trainings
	var once sync.Once
	for range x.cfg.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				r, params, err := x.one(points[j.p], x.cfg.Seed+uint64(j.s))
				errs[j.p*x.cfg.Seeds+j.s] = err
				if err != nil {
					once.Do(func() { close(failed) })
					continue
				}
				x.mu.Lock()
				points[j.p].Runs[j.s], points[j.p].Params = r, params
				x.mu.Unlock()
			}
		}()
	}
dispatch:
	for p := range points {
		for s := range x.cfg.Seeds {
			select {
			case jobs <- job{p, s}:
			case <-failed:
				break dispatch
			}
		}
	}
	close(jobs)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// Update forwards a training's step to the live view under the rule's name.
type ruleView struct {
	x    *experiment
	name string
	loss []float64
}

func (v *ruleView) Update(_ int, values map[string]float64) {
	v.loss = append(v.loss, values["loss"])
	if v.x.live == nil {
		return
	}
	v.x.mu.Lock()
	v.x.done++
	step := v.x.done
	v.x.mu.Unlock()
	v.x.live.Update(step, map[string]float64{v.name: values["loss"]})
}

// one trains (or restores) the model of point p with seed and scores it.
func (x *experiment) one(p Point, seed uint64) (SeedRun, int64, error) {
	r := p.Rule
	m := p.Scale
	dir, err := x.run.Part(fmt.Sprintf("d%.4f-w%.4f-r%.4f/seed%d", m.Depth, m.Width, m.Resolution, seed))
	if err != nil {
		return SeedRun{}, 0, err
	}
	name := p.Name
	if p.Phi == 0 {
		name = "baseline"
	} else if r.Compound() {
		name = "compound"
	}
	view := &ruleView{x: x, name: name}
	t, err := fit(x.backend, p.Net, x.cfg.Training, x.train, seed, dir, view)
	if err != nil {
		return SeedRun{}, 0, err
	}
	if t.startStep < x.cfg.Training.Steps {
		x.mu.Lock()
		x.trained = true
		x.mu.Unlock()
	} else if x.live != nil { // restored: count its steps as done
		x.mu.Lock()
		x.done += x.cfg.Training.Steps
		x.mu.Unlock()
	}
	run := SeedRun{Seed: seed, TrainStep: t.medianStep, Loss: view.loss}
	v, err := evaluate(x.backend, p.Net, t, x.val)
	if err != nil {
		return SeedRun{}, 0, err
	}
	te, err := evaluate(x.backend, p.Net, t, x.test)
	if err != nil {
		return SeedRun{}, 0, err
	}
	run.Val, run.Test, run.InferPerImage = v.accuracy, te.accuracy, te.perImage
	var params int64
	for v := range t.ctx.IterVariables() {
		if v.Trainable {
			params += int64(v.Shape().Size())
		}
	}
	return run, params, nil
}

// Final returns the compared points at the largest budget: the compound rule's and the best
// single-dimension rule's (by mean test accuracy); with no larger budgets, those of the grid.
func (o *Outcome) Final() (compound, bestSingle Point) {
	ps := o.Grid
	if len(o.Larger) > 0 {
		ps = o.Larger[len(o.Larger)-1]
	}
	bestSingle.Runs = nil
	first := true
	for _, p := range ps {
		switch {
		case p.Rule == o.Compound:
			compound = p
		case !p.Rule.Compound() && (first || p.Mean() > bestSingle.Mean()):
			bestSingle, first = p, false
		}
	}
	return compound, bestSingle
}

// Result is the lesson's RESULT line: the compound rule's mean held-out accuracy minus the best
// single-dimension rule's at the largest budget (Full), or minus the baseline's (Quick), against
// Threshold.
func (o *Outcome) Result() lessons.Result {
	c, s := o.Final()
	other, name := s, "best_single_rule"
	if o.Config.AgainstBaseline {
		other, name = o.Baseline, "baseline"
	}
	return lessons.Result{Lesson: Lesson.ID,
		Metric:    fmt.Sprintf("heldout_acc_compound_minus_%s_at_%.0fx_flops", name, math.Exp2(c.Phi)),
		Value:     c.Mean() - other.Mean(),
		Threshold: o.Config.Threshold}
}
