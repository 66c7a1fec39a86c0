package rl

import (
	"fmt"

	"github.com/dl4go/dl4go/lessons"
)

// Lesson describes lesson 01 to the lesson kit: its RESULT id, its cache folder and its source
// folder.
var Lesson = lessons.Lesson{ID: "01", Name: "rl"}

// Config holds the three experiments of the lesson and the threshold of its RESULT line. Every
// exported field but the embedded Options is part of the run's key: CartPole's checkpoints are
// kept under the key of the whole Config, so any other setting trains CartPole anew instead of
// resuming another configuration's run.
type Config struct {
	lessons.Options `json:"-"`

	Bandit   BanditConfig   // the 10-armed bandit (RunBandit).
	Cliff    CliffConfig    // SARSA, Q-learning and Monte Carlo on the cliff (RunCliff).
	CartPole CartPoleConfig // REINFORCE with a baseline on CartPole (RunCartPole).
	// Threshold is the CartPole mean greedy evaluation return that passes (CartPole's classic
	// "solved" level, 195, at full size).
	Threshold float64
}

// Full is the notebook's experiment: bandit curves over 2000 problems, 100 runs of each cliff
// method, CartPole trained until the last 5 updates average ≥ 475 (at most 300 updates of 16
// episodes), and the bar at 195. About 3 s of experiments on 2 cores.
func Full() Config {
	return Config{
		Bandit: BanditConfig{Arms: 10, Runs: 2000, Steps: 1000, Seed: 1, Methods: DefaultBanditMethods()},
		Cliff: CliffConfig{Episodes: 2000, Runs: 100, Alpha: 0.1, Epsilon: 0.1, Gamma: 1,
			MCEpisodes: 10000, MaxSteps: 200, Seed: 7},
		CartPole: CartPoleConfig{Hidden: 64, Envs: 16, MaxIters: 300, LearningRate: 0.01, Gamma: 0.99,
			StopReturn: 475, StopWindow: 5, EvalEpisodes: 100, Seed: 1},
		Threshold: 195,
	}
}

// Quick is the same code with fewer runs (300 bandit problems, 20 cliff runs), CartPole trained
// until 3 updates average ≥ 200 (at most 60), and the bar at 100.
func Quick() Config {
	c := Full()
	c.Bandit.Runs = 300
	c.Cliff.Runs = 20
	c.CartPole.MaxIters, c.CartPole.StopReturn, c.CartPole.StopWindow = 60, 200, 3
	c.Threshold = 100
	return c
}

// Size returns Quick when lessons.Quick() (DL4GO_QUICK=1), else Full.
func Size() Config {
	if lessons.Quick() {
		return Quick()
	}
	return Full()
}

// Outcome is what Run measured, one part per experiment.
type Outcome struct {
	Config   Config
	Bandit   BanditOutcome
	Cliff    CliffOutcome
	CartPole CartPoleOutcome
}

// Run runs the three experiments of cfg: the bandit, the cliff and CartPole (which resumes from
// its checkpoint, or only evaluates a finished run: see RunCartPole).
func Run(cfg Config) (*Outcome, error) {
	out := &Outcome{Config: cfg}
	var err error
	if out.Bandit, err = RunBandit(cfg.Bandit); err != nil {
		return nil, err
	}
	if out.Cliff, err = RunCliff(cfg.Cliff); err != nil {
		return nil, err
	}
	if out.CartPole, err = RunCartPole(cfg); err != nil {
		return nil, err
	}
	return out, nil
}

// Result is the lesson's RESULT line. Its metric is the CartPole mean greedy evaluation return,
// counted only when the cliff results hold (CliffOutcome.OK): if they do not, the value is 0, so
// ok=false. The threshold is the Config's (195 at full size, 100 quick).
func (o *Outcome) Result() lessons.Result {
	r := lessons.Result{Lesson: Lesson.ID, Metric: "cartpole_mean_return_cliff_ok",
		Value: o.CartPole.MeanReturn, Threshold: o.Config.Threshold}
	if !o.Cliff.OK() {
		r.Value = 0
	}
	return r
}

// Summary tells the three outcomes in a few lines.
func (o *Outcome) Summary() string {
	b := o.Bandit
	s := ""
	for m, meth := range b.Config.Methods {
		s += fmt.Sprintf("bandit %-20s %% optimal action %5.1f, average reward %.3f (last tenth of %d steps)\n",
			meth.Name, b.FinalPctOptimal(m), b.FinalAvgReward(m), b.Config.Steps)
	}
	return s + o.Cliff.Summary() + o.CartPole.Summary()
}
