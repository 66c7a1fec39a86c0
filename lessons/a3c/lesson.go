package a3c

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/dl4go/dl4go/gomlxext"
	"github.com/dl4go/dl4go/lessons"
	"github.com/dl4go/dl4go/lessons/rl"
)

// Lesson describes lesson 18 to the lesson kit. It runs lesson 01's CartPole, so that code is
// part of its revision.
var Lesson = lessons.Lesson{ID: "18", Name: "a3c", Uses: []string{"rl"}}

// Config sizes the lesson: the actor-critic, its n-step advantage and entropy bonus, the worker
// counts each method is run with, when training stops, and the threshold of the RESULT line.
// Every exported field but the embedded Options is part of the run's key.
type Config struct {
	lessons.Options `json:"-"`

	Hidden    int     // hidden units of the actor (4-Hidden-2) and of the critic (4-Hidden-1).
	NSteps    int     // n of the n-step return: the steps a worker plays between updates.
	Gamma     float64 // discount γ.
	Entropy   float64 // β, the weight of the entropy bonus.
	ValueCoef float64 // the weight of the critic's squared error in the loss.
	// LearningRate, RMSDecay and RMSEpsilon are the shared RMSProp's (Mnih et al.'s optimizer: one
	// mean square of the gradients, on the parameter server, that every worker's update reads and
	// moves): θ ← θ − η·g/(√v + ε), v ← ρ·v + (1−ρ)·g².
	LearningRate, RMSDecay, RMSEpsilon float64
	GradClip                           float64 // the largest global gradient norm applied (0: no clipping).
	// Workers are the worker counts both methods are run with (A3C: goroutines; A2C: environments
	// stepped in lock step).
	Workers []int
	// MaxEnvSteps is each run's budget of environment steps (all workers together).
	MaxEnvSteps int
	// MonitorEvery is the number of environment steps between two greedy checks of the shared
	// policy (each one also saves a checkpoint); MonitorEpisodes the episodes of each check.
	MonitorEvery    int
	MonitorEpisodes int
	// SolveWindow is the number of consecutive training episodes (sampled actions) whose mean
	// return the two rules below read.
	SolveWindow int
	// SolvedReturn is the mean training return at which a run counts as solved (gym's
	// CartPole-v0 criterion, 195): its wall time, CPU time and environment steps to get there
	// are what the workers chart compares.
	SolvedReturn float64
	// StopReturn and StopGreedy end a run's training once its last SolveWindow training
	// episodes average StopReturn and its last two greedy checks StopGreedy.
	StopReturn, StopGreedy float64
	// EvalEpisodes is the number of held-out greedy episodes each trained policy is scored on
	// (start states from a stream no check or worker ever saw).
	EvalEpisodes int
	// Seeds is the number of runs of each variant, with seeds Seed, Seed+1, …: one run's time to
	// solve is a matter of luck, their spread says how much.
	Seeds int
	Seed  uint64
	// Threshold is the smallest mean greedy return, over EvalEpisodes, of every A3C run that
	// passes (195, CartPole's classic "solved", at full size).
	Threshold float64
}

// Full is the notebook's experiment: A3C and A2C with 1, 2 and 4 workers, 3 seeds each, every
// run trained until its last 20 training episodes average ≥ 400 and its last two greedy checks
// (50 episodes every 2000 steps) ≥ 475, at most 300 000 environment steps; n = 10, β = 0.01,
// shared RMSProp at 1e-3 (ρ = 0.99); the bar at 195 over 100 held-out greedy episodes for every
// A3C run.
func Full() Config {
	return Config{Hidden: 64, NSteps: 10, Gamma: 0.99, Entropy: 0.01, ValueCoef: 0.5, LearningRate: 1e-3, RMSDecay: 0.99, RMSEpsilon: 1e-5, GradClip: 1,
		Workers: []int{1, 2, 4}, MaxEnvSteps: 300_000, MonitorEvery: 2_000, MonitorEpisodes: 50,
		SolveWindow: 20, SolvedReturn: 195, StopReturn: 400, StopGreedy: 475, EvalEpisodes: 100, Seeds: 3, Seed: 1, Threshold: 195}
}

// Quick is the same code with 1 and 2 workers and one seed, training stopped once the last 20
// training episodes average ≥ 195 and two greedy checks ≥ 195 (at most 100 000 steps), and the
// bar at 100.
func Quick() Config {
	c := Full()
	c.Workers = []int{1, 2}
	c.MaxEnvSteps, c.StopReturn, c.StopGreedy, c.Seeds, c.Threshold = 100_000, 195, 195, 1, 100
	return c
}

// Size returns Quick when lessons.Quick() (DL4GO_QUICK=1), else Full.
func Size() Config {
	if lessons.Quick() {
		return Quick()
	}
	return Full()
}

// validate says what is wrong with a configuration, and how to fix it.
func (c Config) validate() error {
	var bad []string
	if c.Hidden < 1 || c.NSteps < 1 || c.Seeds < 1 || c.SolveWindow < 1 || c.MonitorEvery < 1 || c.MonitorEpisodes < 1 || c.EvalEpisodes < 1 {
		bad = append(bad, "Hidden, NSteps, MonitorEvery, SolveWindow, MonitorEpisodes and EvalEpisodes must be ≥ 1")
	}
	if !(c.Gamma > 0 && c.Gamma < 1) {
		bad = append(bad, fmt.Sprintf("Gamma %g must lie in (0, 1)", c.Gamma))
	}
	if !(c.LearningRate > 0) || c.Entropy < 0 || c.ValueCoef <= 0 || c.GradClip < 0 {
		bad = append(bad, "LearningRate and ValueCoef must be > 0, Entropy and GradClip ≥ 0")
	}
	if !(c.RMSDecay > 0 && c.RMSDecay < 1) || !(c.RMSEpsilon > 0) {
		bad = append(bad, fmt.Sprintf("RMSDecay %g must lie in (0, 1) and RMSEpsilon %g be > 0", c.RMSDecay, c.RMSEpsilon))
	}
	if len(c.Workers) == 0 || slices.ContainsFunc(c.Workers, func(w int) bool { return w < 1 || w > 64 }) {
		bad = append(bad, fmt.Sprintf("Workers %v: give at least one count, each from 1 to 64", c.Workers))
	}
	if c.MaxEnvSteps < c.MonitorEvery {
		bad = append(bad, fmt.Sprintf("MaxEnvSteps %d is below MonitorEvery %d: no greedy check would run", c.MaxEnvSteps, c.MonitorEvery))
	}
	if len(bad) > 0 {
		return fmt.Errorf("a3c: invalid config: %s", strings.Join(bad, "; "))
	}
	return nil
}

// Variants are the runs of cfg in the order Run trains them: A3C with each worker count, then
// A2C with each.
func (c Config) Variants() []Variant {
	var vs []Variant
	for _, m := range []Method{A3C, A2C} {
		for _, w := range c.Workers {
			vs = append(vs, Variant{Method: m, Workers: w})
		}
	}
	return vs
}

// Outcome is what Run measured: one RunOutcome per variant, and the baseline.
type Outcome struct {
	Config Config
	Runs   []RunOutcome
	// RandomReturn is the mean return of the uniformly random policy on the same held-out
	// episodes the trained policies are scored on: the baseline.
	RandomReturn float64
}

// Result is the lesson's RESULT line: the smallest held-out greedy mean return of the A3C runs
// (every worker count must solve CartPole), against the Config's threshold.
func (o *Outcome) Result() lessons.Result {
	v := math.Inf(1)
	for _, r := range o.Runs {
		if r.Method == A3C {
			v = math.Min(v, r.MeanReturn)
		}
	}
	if math.IsInf(v, 1) {
		v = 0
	}
	return lessons.Result{Lesson: Lesson.ID, Metric: "a3c_min_over_workers_heldout_greedy_mean_return",
		Value: v, Threshold: o.Config.Threshold}
}

// Find returns the run of method m with w workers, and whether there is one.
func (o *Outcome) Find(m Method, w int) (*RunOutcome, bool) {
	for i := range o.Runs {
		if o.Runs[i].Method == m && o.Runs[i].Workers == w {
			return &o.Runs[i], true
		}
	}
	return nil, false
}

// Run trains every variant of cfg (each resuming from its checkpoint), scores each trained policy
// on EvalEpisodes held-out greedy episodes and the random policy on the same episodes. A kernel
// interrupt (SIGINT) saves the running variant's checkpoint and returns an error wrapping
// gomlxext.ErrInterrupted; run it again to go on. The whole outcome is saved with the run's key:
// scoring 18 policies on 100 episodes each takes seconds (the greedy episodes are played in
// full, 500 steps each), so a finished run is restored from it at once instead.
func Run(cfg Config) (*Outcome, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	run, err := Lesson.Open(cfg)
	if err != nil {
		return nil, err
	}
	out := &Outcome{}
	if ok, err := run.LoadOutcome(out); err != nil {
		return nil, err
	} else if ok {
		out.Config = cfg // the same settings (the key says so), with this call's Options
		return out, nil
	}
	out.Config = cfg
	stop := gomlxext.WatchInterrupt()
	defer stop.Release()
	for _, v := range cfg.Variants() {
		for i := range cfg.Seeds {
			c := cfg
			c.Seed = cfg.Seed + uint64(i)
			r, err := runVariant(c, run, v, stop)
			if err != nil {
				return nil, err
			}
			out.Runs = append(out.Runs, *r)
		}
	}
	out.RandomReturn = randomReturn(cfg)
	return out, run.SaveOutcome(out)
}

// randomReturn is the mean return of uniformly random actions on the held-out episodes.
func randomReturn(cfg Config) float64 {
	rng := rand.New(rand.NewPCG(cfg.Seed, evalStream))
	act := rand.New(rand.NewPCG(cfg.Seed, evalStream+1))
	var sum float64
	for range cfg.EvalEpisodes {
		var env rl.CartPole
		env.Reset(rng)
		for !env.Done {
			sum += env.Step(act.IntN(2))
		}
	}
	return sum / float64(cfg.EvalEpisodes)
}

// Summary tells each run's training and score in a table, and the baseline.
func (o *Outcome) Summary() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%-16s %4s %12s %12s %12s %12s %10s %10s\n", "run", "seed", "env steps", "solved at s", "solved CPU s", "solved steps", "staleness", "held-out")
	for _, r := range o.Runs {
		solved := func(x float64) string {
			if math.IsNaN(x) {
				return "never"
			}
			return fmt.Sprintf("%.1f", x)
		}
		steps := "never"
		if r.SolvedSteps >= 0 {
			steps = fmt.Sprint(r.SolvedSteps)
		}
		fmt.Fprintf(&b, "%-16s %4d %12d %12s %12s %12s %10.2f %10.1f\n", r.Variant, r.Seed, r.EnvSteps, solved(r.SolvedSeconds),
			solved(r.SolvedCPUSeconds), steps, r.MeanStaleness(), r.MeanReturn)
	}
	fmt.Fprintf(&b, "random policy on the same %d held-out episodes: mean return %.1f\n", o.Config.EvalEpisodes, o.RandomReturn)
	return b.String()
}

// errStopped is the sentinel a worker returns when the run was stopped (not a failure).
var errStopped = errors.New("stopped")
