package rl

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"strings"
	"sync"
)

// Cliff is the cliff-walking gridworld of Sutton & Barto (Example 6.6): a grid of Rows × Cols
// cells, start at the bottom-left, goal at the bottom-right, and the bottom-row cells between
// them a cliff. Every step costs −1; stepping into the cliff costs −100 and sends the agent
// back to the start (the episode goes on). Moves off the grid leave the agent in place.
//
// State s = row*Cols + col; actions are Up, Right, Down, Left.
type Cliff struct{ Rows, Cols int }

// Cliff actions.
const (
	Up = iota
	Right
	Down
	Left
)

// actionArrows are the arrows drawn for each action on the grid.
var actionArrows = [4]string{"↑", "→", "↓", "←"}

// NewCliff returns the classic 4 × 12 cliff.
func NewCliff() Cliff { return Cliff{Rows: 4, Cols: 12} }

// NumStates is Rows × Cols (cliff and goal cells included).
func (c Cliff) NumStates() int { return c.Rows * c.Cols }

// NumActions is 4: Up, Right, Down, Left.
func (c Cliff) NumActions() int { return 4 }

// Start is the bottom-left cell; Goal the bottom-right one.
func (c Cliff) Start() int { return (c.Rows-1)*c.Cols + 0 }
func (c Cliff) Goal() int  { return (c.Rows-1)*c.Cols + c.Cols - 1 }

// Reset returns the start state.
func (c Cliff) Reset() int { return c.Start() }

// IsCliff reports whether s is a cliff cell (bottom row, between start and goal).
func (c Cliff) IsCliff(s int) bool {
	row, col := s/c.Cols, s%c.Cols
	return row == c.Rows-1 && col > 0 && col < c.Cols-1
}

// IsEdge reports whether s is a cliff-edge cell: directly above a cliff cell. The optimal
// path runs along these cells; a cautious policy avoids them.
func (c Cliff) IsEdge(s int) bool { return s+c.Cols < c.NumStates() && c.IsCliff(s+c.Cols) }

// Step moves the agent; see Cliff.
func (c Cliff) Step(s, a int) (next int, reward float64, done bool) {
	row, col := s/c.Cols, s%c.Cols
	switch a {
	case Up:
		row = max(row-1, 0)
	case Down:
		row = min(row+1, c.Rows-1)
	case Right:
		col = min(col+1, c.Cols-1)
	case Left:
		col = max(col-1, 0)
	}
	next = row*c.Cols + col
	switch {
	case c.IsCliff(next):
		return c.Start(), -100, false
	case next == c.Goal():
		return next, -1, true
	}
	return next, -1, false
}

// CliffConfig sizes the cliff-walking comparison of SARSA, Q-learning and Monte Carlo control.
type CliffConfig struct {
	Episodes int     // training episodes per run for SARSA and Q-learning.
	Runs     int     // independent runs the online-return curves are averaged over.
	Alpha    float64 // TD step size α.
	Epsilon  float64 // ε of the ε-greedy behaviour policy (the same for all methods).
	Gamma    float64 // discount γ.
	// MCEpisodes is the number of episodes for Monte Carlo control, which needs more than TD.
	MCEpisodes int
	// MaxSteps caps an episode (Monte Carlo's early random walks can be very long); a capped
	// episode is treated as if it ended there.
	MaxSteps int
	Seed     uint64
}

// Cliff methods, the index into CliffOutcome's per-method slices.
const (
	SARSA = iota
	QLearning
	MonteCarlo
)

// CliffMethodNames names the methods in the order SARSA, QLearning, MonteCarlo.
var CliffMethodNames = []string{"SARSA", "Q-learning", "Monte Carlo"}

// CliffOutcome holds, per method (SARSA, QLearning, MonteCarlo):
type CliffOutcome struct {
	Config CliffConfig
	Env    Cliff
	// OnlineReturn[m][e] is the return of training episode e (what the ε-greedy agent actually
	// collected while learning), averaged over runs.
	OnlineReturn [][]float64
	// Q[m] is the table learned in run 0, the one drawn.
	Q []QTable
	// Path[m] is run 0's greedy path (states from start), GreedyReturn[m] its return and
	// Reached[m] whether it reaches the goal.
	Path         [][]int
	GreedyReturn []float64
	Reached      []bool
	// OptimalRuns[m] counts the runs whose greedy return is −13 (the shortest path);
	// SafeRuns[m] the runs whose greedy path reaches the goal without touching an edge cell;
	// ReachedRuns[m] the runs whose greedy path reaches the goal at all.
	OptimalRuns, SafeRuns, ReachedRuns []int
}

// QLearningReturn returns run 0's greedy return for Q-learning (−13 when it found the edge path).
func (o CliffOutcome) QLearningReturn() float64 { return o.GreedyReturn[QLearning] }

// SARSASafe reports whether run 0's SARSA greedy path reaches the goal without stepping on a
// cliff-edge cell.
func (o CliffOutcome) SARSASafe() bool {
	return o.Reached[SARSA] && o.Env.pathSafe(o.Path[SARSA])
}

// OK reports whether the lesson's cliff results hold: Q-learning's greedy return is −13 (the
// shortest path, along the edge) and SARSA's greedy path reaches the goal without stepping on a
// cliff-edge cell (both for run 0, the one drawn).
func (o CliffOutcome) OK() bool { return o.QLearningReturn() == -13 && o.SARSASafe() }

// MeanOnlineReturn returns the online return of method m averaged over all episodes but the
// first tenth (the learning phase).
func (o CliffOutcome) MeanOnlineReturn(m int) float64 {
	r := o.OnlineReturn[m]
	skip := len(r) / 10
	var s float64
	for _, v := range r[skip:] {
		s += v
	}
	return s / float64(len(r)-skip)
}

// Summary tells, per method, run 0's greedy return and how many runs found the shortest path,
// kept off the edge and reached the goal, and the mean online return.
func (o CliffOutcome) Summary() string {
	var b strings.Builder
	n := o.Config.Runs
	for m, name := range CliffMethodNames {
		fmt.Fprintf(&b, "%-11s run 0 greedy return %4.0f | runs: shortest path (−13) %3d/%d, off the edge %3d/%d, reach the goal %3d/%d | online return %6.1f\n",
			name, o.GreedyReturn[m], o.OptimalRuns[m], n, o.SafeRuns[m], n, o.ReachedRuns[m], n, o.MeanOnlineReturn(m))
	}
	return b.String()
}

func (c Cliff) pathSafe(path []int) bool {
	for _, s := range path {
		if c.IsEdge(s) || c.IsCliff(s) {
			return false
		}
	}
	return true
}

// RunCliff trains SARSA, Q-learning and first-visit Monte Carlo control on the 4 × 12 cliff with
// the same ε-greedy exploration, Runs times each, and returns the averaged online returns and
// run 0's tables and greedy paths.
func RunCliff(cfg CliffConfig) (CliffOutcome, error) {
	if cfg.Episodes < 1 || cfg.Runs < 1 || cfg.MCEpisodes < 1 || cfg.MaxSteps < 1 {
		return CliffOutcome{}, fmt.Errorf("cliff: invalid config %+v", cfg)
	}
	env := NewCliff()
	out := CliffOutcome{Config: cfg, Env: env}
	for m := range CliffMethodNames {
		episodes := cfg.Episodes
		if m == MonteCarlo {
			episodes = cfg.MCEpisodes
		}
		// Runs are independent (each has its own seeded generator): play them on all cores, then
		// add them up in run order so that the result does not depend on scheduling.
		type result struct {
			q       QTable
			returns []float64
		}
		results := make([]result, cfg.Runs)
		var wg sync.WaitGroup
		next := make(chan int)
		for range runtime.GOMAXPROCS(0) {
			wg.Go(func() {
				for run := range next {
					rng := rand.New(rand.NewPCG(cfg.Seed, uint64(m*1_000_003+run)))
					r := &results[run]
					switch m {
					case SARSA:
						r.q, r.returns = TrainSARSA(env, cfg, rng)
					case QLearning:
						r.q, r.returns = TrainQLearning(env, cfg, rng)
					case MonteCarlo:
						r.q, r.returns = TrainMonteCarlo(env, cfg, rng)
					}
				}
			})
		}
		for run := range cfg.Runs {
			next <- run
		}
		close(next)
		wg.Wait()

		curve := make([]float64, episodes)
		optimal, safe, reachedRuns := 0, 0, 0
		for run, r := range results {
			for e, ret := range r.returns {
				curve[e] += ret / float64(cfg.Runs)
			}
			path, ret, reached := GreedyPath(env, r.q, 4*env.NumStates())
			if reached {
				reachedRuns++
			}
			if reached && ret == -13 {
				optimal++
			}
			if reached && env.pathSafe(path) {
				safe++
			}
			if run == 0 {
				out.Q = append(out.Q, r.q)
				out.Path = append(out.Path, path)
				out.GreedyReturn = append(out.GreedyReturn, ret)
				out.Reached = append(out.Reached, reached)
			}
		}
		out.OnlineReturn = append(out.OnlineReturn, curve)
		out.OptimalRuns = append(out.OptimalRuns, optimal)
		out.SafeRuns = append(out.SafeRuns, safe)
		out.ReachedRuns = append(out.ReachedRuns, reachedRuns)
	}
	return out, nil
}

// TrainSARSA runs cfg.Episodes episodes of SARSA (on-policy TD control) and returns the learned
// Q and each episode's online return. The update uses the action a' the ε-greedy policy will
// actually take next:
//
//	Q(s,a) ← Q(s,a) + α [ r + γ Q(s',a') − Q(s,a) ]
//
// so the exploration the agent will do is priced into Q: cells next to the cliff look bad.
func TrainSARSA(env Env, cfg CliffConfig, rng *rand.Rand) (QTable, []float64) {
	q := NewQTable(env.NumStates(), env.NumActions(), 0)
	returns := make([]float64, cfg.Episodes)
	for e := range returns {
		s := env.Reset()
		a := q.EpsilonGreedy(s, cfg.Epsilon, rng)
		for range cfg.MaxSteps {
			next, r, done := env.Step(s, a)
			returns[e] += r
			if done {
				q[s][a] += cfg.Alpha * (r - q[s][a])
				break
			}
			nextA := q.EpsilonGreedy(next, cfg.Epsilon, rng) // the action we will really take
			q[s][a] += cfg.Alpha * (r + cfg.Gamma*q[next][nextA] - q[s][a])
			s, a = next, nextA
		}
	}
	return q, returns
}

// TrainQLearning runs cfg.Episodes episodes of Q-learning (off-policy TD control) and returns the
// learned Q and each episode's online return. The update uses the best next action, whatever the
// behaviour policy will do:
//
//	Q(s,a) ← Q(s,a) + α [ r + γ max_a' Q(s',a') − Q(s,a) ]
//
// so Q converges to the values of the greedy (optimal) policy, learned while behaving ε-greedily.
func TrainQLearning(env Env, cfg CliffConfig, rng *rand.Rand) (QTable, []float64) {
	q := NewQTable(env.NumStates(), env.NumActions(), 0)
	returns := make([]float64, cfg.Episodes)
	for e := range returns {
		s := env.Reset()
		for range cfg.MaxSteps {
			a := q.EpsilonGreedy(s, cfg.Epsilon, rng)
			next, r, done := env.Step(s, a)
			returns[e] += r
			target := r
			if !done {
				target += cfg.Gamma * q.MaxQ(next) // the greedy action, not the one taken
			}
			q[s][a] += cfg.Alpha * (target - q[s][a])
			s = next
			if done {
				break
			}
		}
	}
	return q, returns
}

// TrainMonteCarlo runs cfg.MCEpisodes episodes of first-visit, ε-soft Monte Carlo control and
// returns the learned Q and each episode's online return. It waits for the end of an episode and
// sets Q(s,a) to the average of the returns G that followed the first visit of (s,a):
//
//	G ← γ G + r_{t+1}   (walking the episode backwards)
//	Q(s,a) ← Q(s,a) + (G − Q(s,a)) / N(s,a)
//
// No bootstrapping from Q(s') as in TD: the target is the real return.
func TrainMonteCarlo(env Env, cfg CliffConfig, rng *rand.Rand) (QTable, []float64) {
	q := NewQTable(env.NumStates(), env.NumActions(), 0)
	n := NewQTable(env.NumStates(), env.NumActions(), 0)
	returns := make([]float64, cfg.MCEpisodes)
	type step struct {
		s, a int
		r    float64
	}
	var episode []step
	firstVisit := make([]int, env.NumStates()*env.NumActions())
	for e := range returns {
		episode = episode[:0]
		s := env.Reset()
		for range cfg.MaxSteps {
			a := q.EpsilonGreedy(s, cfg.Epsilon, rng)
			next, r, done := env.Step(s, a)
			episode = append(episode, step{s, a, r})
			returns[e] += r
			s = next
			if done {
				break
			}
		}
		for i := range firstVisit {
			firstVisit[i] = -1
		}
		for t, st := range episode {
			if k := st.s*env.NumActions() + st.a; firstVisit[k] < 0 {
				firstVisit[k] = t
			}
		}
		var g float64
		for t := len(episode) - 1; t >= 0; t-- {
			st := episode[t]
			g = cfg.Gamma*g + st.r
			if firstVisit[st.s*env.NumActions()+st.a] == t {
				n[st.s][st.a]++
				q[st.s][st.a] += (g - q[st.s][st.a]) / n[st.s][st.a]
			}
		}
	}
	return q, returns
}

// ValueGrid returns max_a Q(s,a) laid out as the grid, [Rows][Cols].
func (c Cliff) ValueGrid(q QTable) [][]float64 {
	g := make([][]float64, c.Rows)
	for r := range g {
		g[r] = make([]float64, c.Cols)
		for col := range g[r] {
			g[r][col] = q.MaxQ(r*c.Cols + col)
		}
	}
	return g
}

// ArrowGrid returns the greedy action of every cell as an arrow, [Rows][Cols]; cliff cells are
// "C" and the goal "G".
func (c Cliff) ArrowGrid(q QTable) [][]string {
	g := make([][]string, c.Rows)
	for r := range g {
		g[r] = make([]string, c.Cols)
		for col := range g[r] {
			s := r*c.Cols + col
			switch {
			case c.IsCliff(s):
				g[r][col] = "C"
			case s == c.Goal():
				g[r][col] = "G"
			default:
				g[r][col] = actionArrows[q.Greedy(s)]
			}
		}
	}
	return g
}

// DrawPath renders the grid as text: "S" start, "G" goal, "C" cliff, "*" the path, "." other cells.
func (c Cliff) DrawPath(path []int) string {
	on := map[int]bool{}
	for _, s := range path {
		on[s] = true
	}
	var b strings.Builder
	for r := range c.Rows {
		for col := range c.Cols {
			s := r*c.Cols + col
			switch {
			case s == c.Start():
				b.WriteString("S")
			case s == c.Goal():
				b.WriteString("G")
			case c.IsCliff(s):
				b.WriteString("C")
			case on[s]:
				b.WriteString("*")
			default:
				b.WriteString(".")
			}
		}
		b.WriteString("\n")
	}
	return b.String()
}
