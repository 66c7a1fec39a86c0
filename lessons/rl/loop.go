package rl

import (
	"math"
	"math/rand/v2"
)

// Env is an environment with a finite set of states and actions, the tabular case of
// the reinforcement-learning loop:
//
//	s := env.Reset()                 // the environment shows the agent a state S
//	for {
//	    a := policy(s)                // the agent acts according to its policy π(a|s)
//	    s, r, done = env.Step(s, a)   // the environment answers with a new state and a reward
//	    ...                           // the agent learns from (s, a, r, s')
//	}
//
// States are numbered 0..NumStates()-1, actions 0..NumActions()-1.
type Env interface {
	NumStates() int
	NumActions() int
	// Reset returns the start state of a new episode.
	Reset() int
	// Step applies action a in state s and returns the next state, the reward and whether
	// the episode ended (a terminal state was reached).
	Step(s, a int) (next int, reward float64, done bool)
}

// QTable is the tabular action-value function Q(s, a): the expected return of taking
// action a in state s and following the policy afterwards. Index it as q[s][a].
type QTable [][]float64

// NewQTable returns a Q table of numStates × numActions, every value set to init.
func NewQTable(numStates, numActions int, init float64) QTable {
	q := make(QTable, numStates)
	for s := range q {
		q[s] = make([]float64, numActions)
		for a := range q[s] {
			q[s][a] = init
		}
	}
	return q
}

// Greedy returns argmax_a Q(s, a), the first one on ties (deterministic, used to read out
// the learned policy).
func (q QTable) Greedy(s int) int {
	best := 0
	for a, v := range q[s] {
		if v > q[s][best] {
			best = a
		}
	}
	return best
}

// EpsilonGreedy samples an action from the ε-greedy policy: with probability ε a uniformly
// random action (explore), otherwise a greedy one (exploit), ties broken at random so that
// an untrained table does not always pick action 0.
func (q QTable) EpsilonGreedy(s int, eps float64, rng *rand.Rand) int {
	if rng.Float64() < eps {
		return rng.IntN(len(q[s]))
	}
	return argmaxRandomTies(q[s], rng)
}

// Pi returns π(·|s), the probabilities the ε-greedy policy gives each action in state s:
// ε/|A| for every action plus 1−ε shared by the greedy ones (several on ties, as EpsilonGreedy
// breaks ties at random).
func (q QTable) Pi(s int, eps float64) []float64 {
	n := len(q[s])
	p := make([]float64, n)
	best := q.MaxQ(s)
	ties := 0
	for _, v := range q[s] {
		if v == best {
			ties++
		}
	}
	for a, v := range q[s] {
		p[a] = eps / float64(n)
		if v == best {
			p[a] += (1 - eps) / float64(ties)
		}
	}
	return p
}

// V returns the state value under the ε-greedy policy: V(s) = Σ_a π(a|s) Q(s, a).
// With ε = 0 it is max_a Q(s, a).
func (q QTable) V(s int, eps float64) float64 {
	var v float64
	for a, p := range q.Pi(s, eps) {
		v += p * q[s][a]
	}
	return v
}

// MaxQ returns max_a Q(s, a).
func (q QTable) MaxQ(s int) float64 {
	m := math.Inf(-1)
	for _, v := range q[s] {
		m = max(m, v)
	}
	return m
}

// argmaxRandomTies returns an index of the largest value, choosing uniformly among ties.
func argmaxRandomTies(values []float64, rng *rand.Rand) int {
	best, count := 0, 0
	for i, v := range values {
		switch {
		case i == 0 || v > values[best]:
			best, count = i, 1
		case v == values[best]:
			count++
			if rng.IntN(count) == 0 {
				best = i
			}
		}
	}
	return best
}

// GreedyPath follows the greedy policy of q from env.Reset() for at most maxSteps steps and
// returns the visited states (the start included) and the undiscounted return. reached
// reports whether the episode ended within maxSteps.
func GreedyPath(env Env, q QTable, maxSteps int) (states []int, ret float64, reached bool) {
	s := env.Reset()
	states = append(states, s)
	for range maxSteps {
		next, r, done := env.Step(s, q.Greedy(s))
		ret += r
		s = next
		states = append(states, s)
		if done {
			return states, ret, true
		}
	}
	return states, ret, false
}
