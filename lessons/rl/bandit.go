package rl

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// BanditConfig sizes the k-armed bandit experiment (the 10-armed testbed of Sutton & Barto, ch. 2):
// each run draws true arm values q*(a) ~ N(0, 1); pulling arm a pays a reward ~ N(q*(a), 1).
type BanditConfig struct {
	Arms  int    // k, the number of arms.
	Runs  int    // independent bandit problems the curves are averaged over.
	Steps int    // pulls per run.
	Seed  uint64 // fixed seed: the same runs for every method.
	// Methods to compare; DefaultBanditMethods gives ε-greedy for several ε, optimistic
	// initial values and UCB.
	Methods []BanditMethod
}

// BanditMethod is one action-selection rule for the bandit.
type BanditMethod struct {
	Name    string
	Epsilon float64 // probability of a random arm.
	// Init is the initial estimate Q0 of every arm; a large value ("optimistic") makes a
	// greedy agent try every arm because each disappoints it in turn.
	Init float64
	// StepSize α of the update Q ← Q + α(R − Q); 0 means the sample average (α = 1/n).
	StepSize float64
	// UCB > 0 selects argmax_a Q(a) + c·sqrt(ln t / N(a)) with c = UCB instead of ε-greedy.
	UCB float64
}

// DefaultBanditMethods returns the classic comparison: greedy, ε = 0.01, ε = 0.1,
// optimistic greedy (Q0 = 5, α = 0.1) and UCB (c = 2).
func DefaultBanditMethods() []BanditMethod {
	return []BanditMethod{
		{Name: "greedy ε=0", Epsilon: 0},
		{Name: "ε=0.01", Epsilon: 0.01},
		{Name: "ε=0.1", Epsilon: 0.1},
		{Name: "optimistic Q0=5, ε=0", Init: 5, StepSize: 0.1},
		{Name: "UCB c=2", UCB: 2},
	}
}

// BanditOutcome holds one curve per method, each of length Steps, averaged over the runs.
type BanditOutcome struct {
	Config BanditConfig
	// AvgReward[m][t] is the reward at step t averaged over runs, for Methods[m].
	AvgReward [][]float64
	// PctOptimal[m][t] is the percentage of runs that pulled the best arm at step t.
	PctOptimal [][]float64
}

// FinalPctOptimal returns, for method m, the % optimal action averaged over the last tenth
// of the steps.
func (o BanditOutcome) FinalPctOptimal(m int) float64 { return tailMean(o.PctOptimal[m], 10) }

// FinalAvgReward returns, for method m, the average reward over the last tenth of the steps.
func (o BanditOutcome) FinalAvgReward(m int) float64 { return tailMean(o.AvgReward[m], 10) }

func tailMean(x []float64, frac int) float64 {
	n := max(1, len(x)/frac)
	var s float64
	for _, v := range x[len(x)-n:] {
		s += v
	}
	return s / float64(n)
}

// RunBandit runs every method on the same Runs bandit problems and returns the averaged curves.
func RunBandit(cfg BanditConfig) (BanditOutcome, error) {
	if cfg.Arms < 2 || cfg.Runs < 1 || cfg.Steps < 1 || len(cfg.Methods) == 0 {
		return BanditOutcome{}, fmt.Errorf("bandit: invalid config %+v", cfg)
	}
	out := BanditOutcome{Config: cfg}
	for _, m := range cfg.Methods {
		reward := make([]float64, cfg.Steps)
		optimal := make([]float64, cfg.Steps)
		for run := range cfg.Runs {
			// The problem depends on the run only, so every method meets the same bandits.
			problem := rand.New(rand.NewPCG(cfg.Seed, uint64(run)))
			qStar := make([]float64, cfg.Arms)
			best := 0
			for a := range qStar {
				qStar[a] = problem.NormFloat64()
				if qStar[a] > qStar[best] {
					best = a
				}
			}
			rng := rand.New(rand.NewPCG(cfg.Seed+1, uint64(run)))
			banditRun(m, qStar, best, rng, reward, optimal)
		}
		for t := range reward {
			reward[t] /= float64(cfg.Runs)
			optimal[t] *= 100 / float64(cfg.Runs)
		}
		out.AvgReward = append(out.AvgReward, reward)
		out.PctOptimal = append(out.PctOptimal, optimal)
	}
	return out, nil
}

// banditRun plays one run of method m and adds its rewards and optimal-arm indicators to the sums.
func banditRun(m BanditMethod, qStar []float64, best int, rng *rand.Rand, rewardSum, optimalSum []float64) {
	k := len(qStar)
	q := make([]float64, k) // Q(a): the agent's estimate of each arm's value.
	n := make([]float64, k) // N(a): how often each arm was pulled.
	for a := range q {
		q[a] = m.Init
	}
	ucb := make([]float64, k)
	for t := range rewardSum {
		var a int
		switch {
		case m.UCB > 0:
			for i := range ucb {
				if n[i] == 0 {
					ucb[i] = math.Inf(1) // an arm never tried is maximally uncertain.
				} else {
					ucb[i] = q[i] + m.UCB*math.Sqrt(math.Log(float64(t+1))/n[i])
				}
			}
			a = argmaxRandomTies(ucb, rng)
		case rng.Float64() < m.Epsilon:
			a = rng.IntN(k) // explore
		default:
			a = argmaxRandomTies(q, rng) // exploit
		}
		r := qStar[a] + rng.NormFloat64()
		n[a]++
		alpha := m.StepSize
		if alpha == 0 {
			alpha = 1 / n[a]
		}
		q[a] += alpha * (r - q[a])
		rewardSum[t] += r
		if a == best {
			optimalSum[t]++
		}
	}
}
