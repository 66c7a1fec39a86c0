package a3c

import (
	"fmt"
	"math"
	"runtime"
	"slices"
	"strings"

	"github.com/dl4go/dl4go/lessons/rl"
	"github.com/dl4go/dl4go/plotting"
)

// firstSeed returns the runs of the configuration's first seed, in Variants order: the runs the
// curves are drawn for.
func (o *Outcome) firstSeed() []*RunOutcome {
	var rs []*RunOutcome
	for i := range o.Runs {
		if o.Runs[i].Seed == o.Config.Seed {
			rs = append(rs, &o.Runs[i])
		}
	}
	return rs
}

// LearningCurves draws the return of every training episode (sampled actions, with a moving
// average over SolveWindow episodes) of each variant's first-seed run, against environment steps
// and against training wall time.
func (o *Outcome) LearningCurves() (bySteps, bySeconds *plotting.Chart, err error) {
	var steps, secs []plotting.Series
	for _, r := range o.firstSeed() {
		var x, t, y []float64
		for _, e := range r.Episodes {
			x, t, y = append(x, float64(e.EnvSteps)), append(t, e.Seconds), append(y, e.Return)
		}
		if len(y) == 0 {
			return nil, nil, fmt.Errorf("a3c: run %s has no training episodes to draw", r.Variant)
		}
		steps = append(steps, plotting.Series{Name: r.Variant.String(), X: x, Y: y})
		secs = append(secs, plotting.Series{Name: r.Variant.String(), X: t, Y: y})
	}
	smooth := plotting.WithSmoothing(o.Config.SolveWindow)
	if bySteps, err = plotting.Line("CartPole: training return vs environment steps (all workers together)", nil, steps,
		plotting.WithAxisNames("environment steps", "return"), smooth); err != nil {
		return nil, nil, err
	}
	bySeconds, err = plotting.Line("CartPole: training return vs wall time on this machine", nil, secs,
		plotting.WithAxisNames("training seconds", "return"), smooth)
	return bySteps, bySeconds, err
}

// workerLabels names the worker counts of the configuration ("1 worker", "2 workers", ...).
func (o *Outcome) workerLabels() []string {
	var l []string
	for _, w := range o.Config.Workers {
		l = append(l, workersLabel(w))
	}
	return l
}

// perWorkers returns, for method m and each worker count, the mean over seeds of f(run) (NaN
// where a run never got there), and how many runs got there.
func (o *Outcome) perWorkers(m Method, f func(*RunOutcome) float64) (means []float64, reached []int) {
	for _, w := range o.Config.Workers {
		var s float64
		n := 0
		for i := range o.Runs {
			r := &o.Runs[i]
			if r.Method == m && r.Workers == w {
				if v := f(r); !math.IsNaN(v) {
					s += v
					n++
				}
			}
		}
		means, reached = append(means, s/float64(max(n, 1))), append(reached, n)
		if n == 0 {
			means[len(means)-1] = math.NaN()
		}
	}
	return means, reached
}

// SpeedCharts draws what the workers buy on this machine: the time each method needed to solve
// CartPole (the last SolveWindow training episodes averaging SolvedReturn), wall time and CPU
// time, mean over the seeds; and the training throughput, environment steps per second of wall
// time and per second of CPU time.
func (o *Outcome) SpeedCharts() (solve, throughput *plotting.Chart, err error) {
	var solveS, rateS []plotting.Series
	for _, m := range []Method{A3C, A2C} {
		wall, reached := o.perWorkers(m, func(r *RunOutcome) float64 { return r.SolvedSeconds })
		cpu, _ := o.perWorkers(m, func(r *RunOutcome) float64 { return r.SolvedCPUSeconds })
		note := ""
		if slices.ContainsFunc(reached, func(n int) bool { return n < o.Config.Seeds }) {
			// A run that never solved has no time to average: say so in the legend, draw 0.
			note = fmt.Sprintf(" (seeds solved: %v of %d)", reached, o.Config.Seeds)
			for i := range wall {
				if math.IsNaN(wall[i]) {
					wall[i], cpu[i] = 0, 0
				}
			}
		}
		perWall, _ := o.perWorkers(m, func(r *RunOutcome) float64 { return float64(r.EnvSteps) / r.TrainSeconds })
		perCPU, _ := o.perWorkers(m, func(r *RunOutcome) float64 { return float64(r.EnvSteps) / r.CPUSeconds })
		solveS = append(solveS, plotting.Series{Name: string(m) + " wall time" + note, Y: wall}, plotting.Series{Name: string(m) + " CPU time", Y: cpu})
		rateS = append(rateS, plotting.Series{Name: string(m) + " per wall second", Y: perWall}, plotting.Series{Name: string(m) + " per CPU second", Y: perCPU})
	}
	if solve, err = plotting.Bar(fmt.Sprintf("Seconds to solve CartPole (%d training episodes averaging ≥ %g), mean of %d seeds",
		o.Config.SolveWindow, o.Config.SolvedReturn, o.Config.Seeds), o.workerLabels(), solveS,
		plotting.WithAxisNames("", "seconds")); err != nil {
		return nil, nil, err
	}
	throughput, err = plotting.Bar("Training throughput: environment steps per second", o.workerLabels(), rateS,
		plotting.WithAxisNames("", "steps per second"))
	return solve, throughput, err
}

// SpeedSummary says, per method and worker count (mean over the seeds), the wall and CPU seconds
// to solve, the throughput and its speed-up over one worker, on wall time and on CPU time, and
// the machine they were measured on (cores, GOMAXPROCS, load average during training).
func (o *Outcome) SpeedSummary() string {
	var b strings.Builder
	var load []float64
	for _, r := range o.Runs {
		if !math.IsNaN(r.Load) {
			load = append(load, r.Load)
		}
	}
	loadText := "unknown"
	if len(load) > 0 {
		loadText = fmt.Sprintf("%.1f on average (%.1f–%.1f)", mean(load), slices.Min(load), slices.Max(load))
	}
	fmt.Fprintf(&b, "machine: %d CPUs, GOMAXPROCS %d, load average during training %s\n", runtime.NumCPU(), runtime.GOMAXPROCS(0), loadText)
	fmt.Fprintf(&b, "%-16s %14s %14s %16s %16s %10s %10s\n", "", "solve wall s", "solve CPU s", "steps/wall s", "steps/CPU s", "×wall", "×CPU")
	for _, m := range []Method{A3C, A2C} {
		wall, _ := o.perWorkers(m, func(r *RunOutcome) float64 { return r.SolvedSeconds })
		cpu, _ := o.perWorkers(m, func(r *RunOutcome) float64 { return r.SolvedCPUSeconds })
		perWall, _ := o.perWorkers(m, func(r *RunOutcome) float64 { return float64(r.EnvSteps) / r.TrainSeconds })
		perCPU, _ := o.perWorkers(m, func(r *RunOutcome) float64 { return float64(r.EnvSteps) / r.CPUSeconds })
		for i, w := range o.Config.Workers {
			fmt.Fprintf(&b, "%-16s %14.2f %14.2f %16.0f %16.0f %10.2f %10.2f\n", Variant{m, w}, wall[i], cpu[i], perWall[i], perCPU[i],
				perWall[i]/perWall[0], perCPU[i]/perCPU[0])
		}
	}
	b.WriteString("×wall, ×CPU: throughput over the same method's first worker count, per second of wall time and of CPU time\n")
	return b.String()
}

// CorrelationCharts draws the autocorrelation argument: for each variant (mean over seeds), the
// correlation between the states of update u and update u+k against k, and, side by side, the
// correlation within an update and between consecutive updates.
func (o *Outcome) CorrelationCharts() (lags, summary *plotting.Chart, err error) {
	var series []plotting.Series
	var within, lag1, same []float64
	var names []string
	for _, v := range o.Config.Variants() {
		var runs []*RunOutcome
		for i := range o.Runs {
			if o.Runs[i].Variant == v {
				runs = append(runs, &o.Runs[i])
			}
		}
		if len(runs) == 0 {
			continue
		}
		avg := make([]float64, maxLag)
		var wi, sw float64
		for _, r := range runs {
			for k := range avg {
				avg[k] += r.LagCorr[k] / float64(len(runs))
			}
			wi += r.WithinCorr / float64(len(runs))
			sw += r.SameWorker / float64(len(runs))
		}
		series = append(series, plotting.Series{Name: v.String(), Y: avg})
		names, within, lag1, same = append(names, v.String()), append(within, wi), append(lag1, avg[0]), append(same, sw)
	}
	x := make([]float64, maxLag)
	for k := range x {
		x[k] = float64(k + 1)
	}
	if lags, err = plotting.Line("Correlation of the states of update u and update u + k",
		x, series, plotting.WithAxisNames("k (updates apart)", "correlation")); err != nil {
		return nil, nil, err
	}
	summary, err = plotting.Bar("Correlation of the samples an update learns from", names, []plotting.Series{
		{Name: "two samples of one update", Y: within}, {Name: "consecutive updates (k = 1)", Y: lag1},
		{Name: "share of consecutive updates from one worker", Y: same}}, plotting.WithAxisNames("", "correlation / share"))
	return lags, summary, err
}

// stalenessBins is the number of staleness values StalenessChart draws one by one; the rest
// share the last bar.
const stalenessBins = 10

// StalenessChart draws, for each A3C run of the first seed with more than one worker, the share
// of updates computed on weights k updates old (k ≥ stalenessBins in the last bar).
func (o *Outcome) StalenessChart() (*plotting.Chart, error) {
	var series []plotting.Series
	for _, r := range o.firstSeed() {
		if r.Method != A3C || r.Workers < 2 {
			continue
		}
		var total float64
		for _, c := range r.Staleness {
			total += float64(c)
		}
		share := make([]float64, stalenessBins+1)
		for k, c := range r.Staleness {
			share[min(k, stalenessBins)] += float64(c) / total
		}
		series = append(series, plotting.Series{Name: fmt.Sprintf("%s (mean %.2f, max %d)", r.Variant, r.MeanStaleness(), len(r.Staleness)-1), Y: share})
	}
	if len(series) == 0 {
		return nil, fmt.Errorf("a3c: no A3C run with more than one worker: nothing is stale")
	}
	var cats []string
	for k := range stalenessBins {
		cats = append(cats, fmt.Sprint(k))
	}
	cats = append(cats, fmt.Sprintf("≥ %d", stalenessBins))
	return plotting.Bar("A3C: staleness of the updates (others' updates between pull and push)", cats, series,
		plotting.WithAxisNames("staleness (updates)", "share of updates"))
}

// mainRun is the run the episode pictures show: the first seed's A3C run with the most workers.
func (o *Outcome) mainRun() (*RunOutcome, error) {
	var best *RunOutcome
	for _, r := range o.firstSeed() {
		if r.Method == A3C && (best == nil || r.Workers > best.Workers) {
			best = r
		}
	}
	if best == nil || len(best.Trace.States) == 0 {
		return nil, fmt.Errorf("a3c: no A3C run with a held-out episode to draw")
	}
	return best, nil
}

// actorSteps is the number of steps EpisodeCharts draws the actor for.
const actorSteps = 100

// EpisodeCharts draws what the actor and the critic of the main A3C run say over its first
// held-out episode: π(push right | s) beside the pole's angle and angular velocity, and the
// critic's V(s) beside the discounted return that actually followed each step.
func (o *Outcome) EpisodeCharts() (actor, criticChart *plotting.Chart, err error) {
	r, err := o.mainRun()
	if err != nil {
		return nil, nil, err
	}
	tr := r.Trace
	n := len(tr.PRight)
	// The actor acts every 0.02 s: its first actorSteps steps, where each push can be seen.
	m := min(n, actorSteps)
	theta, omega := make([]float64, m), make([]float64, m)
	for i, s := range tr.States[:m] {
		theta[i], omega[i] = s[2]/rl.CartPoleThetaLimit, s[3]
	}
	if actor, err = plotting.Line(fmt.Sprintf("%s: the actor's π(push right | s), first %d steps", r.Variant, m), nil,
		[]plotting.Series{{Name: "π(push right | s)", Y: tr.PRight[:m]}, {Name: "pole angle θ / 12°", Y: theta}, {Name: "angular velocity θ̇ (rad/s)", Y: omega}},
		plotting.WithAxisNames("step", "")); err != nil {
		return nil, nil, err
	}
	// The discounted return that followed step t: Σ_k γ^k r_{t+k}, with r = 1 per step.
	gamma := o.Config.Gamma
	actual := make([]float64, n)
	g := 0.0
	for t := n - 1; t >= 0; t-- {
		g = 1 + gamma*g
		actual[t] = g
	}
	criticChart, err = plotting.Line(fmt.Sprintf("%s: the critic's V(s) and the return that followed", r.Variant), nil,
		[]plotting.Series{{Name: "V(s) (critic)", Y: tr.Value}, {Name: "Σ γᵏ r after s (the episode as played)", Y: actual}},
		plotting.WithAxisNames("step", "discounted return"))
	return actor, criticChart, err
}

// FramesPicture draws n frames, evenly spaced in time, of the main A3C run's first held-out
// episode (lesson 01's renderer).
func (o *Outcome) FramesPicture(n int) (*plotting.Picture, error) {
	r, err := o.mainRun()
	if err != nil {
		return nil, err
	}
	traj := r.Trace.States
	n = min(max(n, 1), len(traj))
	var frames [][]float32
	var captions []string
	for i := range n {
		t := i * (len(traj) - 1) / max(n-1, 1)
		frames = append(frames, rl.RenderCartPole(traj[t]))
		captions = append(captions, fmt.Sprintf("t=%d", t))
	}
	return plotting.ImageGrid(frames, rl.FrameHeight, rl.FrameWidth, plotting.PicCaptions(captions),
		plotting.GridCols(min(n, 5)), plotting.PicScale(1))
}

// EvalChart draws the held-out greedy returns of every run: one bar per run, the threshold as
// the bar to clear.
func (o *Outcome) EvalChart() (*plotting.Chart, error) {
	var names []string
	var mean, lo []float64
	for _, r := range o.Runs {
		names = append(names, fmt.Sprintf("%s s%d", r.Variant, r.Seed))
		mean, lo = append(mean, r.MeanReturn), append(lo, slices.Min(r.EvalReturns))
	}
	return plotting.Bar(fmt.Sprintf("Held-out greedy return over %d episodes (random policy: %.1f; the bar: %g)",
		o.Config.EvalEpisodes, o.RandomReturn, o.Config.Threshold), names,
		[]plotting.Series{{Name: "mean", Y: mean}, {Name: "worst episode", Y: lo}}, plotting.WithAxisNames("", "return"))
}
