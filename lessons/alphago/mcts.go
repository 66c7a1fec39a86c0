package alphago

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"

	"github.com/dl4go/dl4go/plotting"
)

// Evaluator evaluates a batch of positions for the search: for each, priors over the N·N+1
// moves (any non-negative scores: the search keeps the legal moves and normalises) and the value
// in [−1, 1] for the player to move. Networks evaluate the whole batch in one call; that is
// how the search stays fast on a CPU.
type Evaluator interface {
	Evaluate(ps []*Position) (priors [][]float32, values []float32, err error)
}

// SearchConfig configures MCTS.
type SearchConfig struct {
	Sims  int     // simulations (leaf evaluations) per move.
	CPuct float64 // exploration constant c_puct of PUCT.
	// Dirichlet noise mixed into the root priors during self-play (AlphaGo Zero): Noise is the
	// weight ε (0 disables it), Alpha the Dirichlet concentration.
	Noise, Alpha float64
}

// node is a position in the search tree with its edges (one per legal move).
type node struct {
	pos      Position
	moves    []int     // legal moves.
	prior    []float32 // P(s, a), normalised over moves.
	n        []int     // N(s, a): visits.
	w        []float64 // W(s, a): summed values, for the player to move at s.
	child    []*node
	visits   int
	expanded bool
}

// Tree is the search tree of one root position, after Search.
type Tree struct {
	root *node
}

// Root returns the root position.
func (t *Tree) Root() Position { return t.root.pos }

// Visits returns the root's visit counts per move, length N·N+1 (0 for illegal moves).
func (t *Tree) Visits() []int {
	out := make([]int, t.root.pos.N*t.root.pos.N+1)
	for i, m := range t.root.moves {
		out[m] = t.root.n[i]
	}
	return out
}

// Policy returns the root's visit distribution π(a) = N(s,a)/Σ N, length N·N+1: the search's
// improved policy, AlphaGo Zero's training target.
func (t *Tree) Policy() []float32 {
	v := t.Visits()
	total := 0
	for _, x := range v {
		total += x
	}
	out := make([]float32, len(v))
	for i, x := range v {
		if total > 0 {
			out[i] = float32(x) / float32(total)
		}
	}
	return out
}

// Value returns the root's mean value for the player to move.
func (t *Tree) Value() float64 {
	var w float64
	n := 0
	for i := range t.root.moves {
		w += t.root.w[i]
		n += t.root.n[i]
	}
	if n == 0 {
		return 0
	}
	return w / float64(n)
}

// BestMove returns the most visited move (ties: the higher prior).
func (t *Tree) BestMove() int {
	best := -1
	for i := range t.root.moves {
		if best < 0 || t.root.n[i] > t.root.n[best] || (t.root.n[i] == t.root.n[best] && t.root.prior[i] > t.root.prior[best]) {
			best = i
		}
	}
	if best < 0 {
		return Pass(t.root.pos.N)
	}
	return t.root.moves[best]
}

// SampleMove draws a move with probability ∝ N(s,a) (temperature 1: self-play's first moves).
func (t *Tree) SampleMove(rng *rand.Rand) int {
	total := 0
	for _, x := range t.root.n {
		total += x
	}
	if total == 0 {
		return t.BestMove()
	}
	r := rng.IntN(total)
	for i, x := range t.root.n {
		if r < x {
			return t.root.moves[i]
		}
		r -= x
	}
	return t.BestMove()
}

// Chart returns the tree's most visited part as a plotting tree: at most width children per
// node, depth levels deep, each labelled with its move and visit count.
func (t *Tree) Chart(title string, depth, width int) (*plotting.Chart, error) {
	var build func(nd *node, name string, visits, d int) *plotting.TreeNode
	build = func(nd *node, name string, visits, d int) *plotting.TreeNode {
		tn := &plotting.TreeNode{Name: name, Value: float64(visits)}
		if nd == nil || d == depth {
			return tn
		}
		idx := make([]int, len(nd.moves))
		for i := range idx {
			idx[i] = i
		}
		sort.Slice(idx, func(a, b int) bool { return nd.n[idx[a]] > nd.n[idx[b]] })
		for _, i := range idx[:min(width, len(idx))] {
			if nd.n[i] == 0 {
				break
			}
			tn.Children = append(tn.Children, build(nd.child[i], MoveString(nd.pos.N, nd.moves[i]), nd.n[i], d+1))
		}
		return tn
	}
	total := 0
	for _, x := range t.root.n {
		total += x
	}
	return plotting.Tree(title, build(t.root, "root", total, 0))
}

// SearchMoves returns the moves the search considers in p: the legal moves that do not fill
// one of the player's own eyes, and pass only when there is no other such move or when the
// opponent has just passed and passing now wins on the board. Without this rule a search
// would "win" by passing early (area scoring counts an almost empty board for the only player
// with stones) against any opponent who does not pass back.
func SearchMoves(p *Position) []int {
	var out []int
	if p.Over() {
		return out
	}
	for m := range p.N * p.N {
		if !p.IsEye(m, p.ToPlay) && p.Legal(m) {
			out = append(out, m)
		}
	}
	if len(out) == 0 || (p.Passes == 1 && p.Winner() == p.ToPlay) {
		out = append(out, Pass(p.N))
	}
	return out
}

// terminalValue is the final result for the player to move: +1 win, −1 loss.
func terminalValue(p *Position) float32 {
	switch p.Winner() {
	case p.ToPlay:
		return 1
	case Empty:
		return 0
	}
	return -1
}

// expand sets nd's edges from the evaluator's priors (kept on legal moves, normalised).
func (nd *node) expand(prior []float32) {
	nd.moves = SearchMoves(&nd.pos)
	k := len(nd.moves)
	nd.prior = make([]float32, k)
	nd.n = make([]int, k)
	nd.w = make([]float64, k)
	nd.child = make([]*node, k)
	var sum float32
	for i, m := range nd.moves {
		p := max(prior[m], 0)
		nd.prior[i] = p
		sum += p
	}
	for i := range nd.prior {
		if sum > 0 {
			nd.prior[i] /= sum
		} else {
			nd.prior[i] = 1 / float32(k)
		}
	}
	nd.expanded = true
}

// addNoise mixes Dirichlet(α) noise into the root priors: P ← (1−ε)P + ε·η.
func (nd *node) addNoise(eps, alpha float64, rng *rand.Rand) {
	eta := make([]float64, len(nd.prior))
	var sum float64
	for i := range eta {
		eta[i] = gammaSample(alpha, rng)
		sum += eta[i]
	}
	for i := range nd.prior {
		nd.prior[i] = float32((1-eps)*float64(nd.prior[i]) + eps*eta[i]/sum)
	}
}

// gammaSample draws Gamma(a, 1) (Marsaglia–Tsang; boosted for a < 1).
func gammaSample(a float64, rng *rand.Rand) float64 {
	if a < 1 {
		return gammaSample(a+1, rng) * math.Pow(rng.Float64(), 1/a)
	}
	d := a - 1.0/3
	c := 1 / math.Sqrt(9*d)
	for {
		x := rng.NormFloat64()
		v := 1 + c*x
		if v <= 0 {
			continue
		}
		v = v * v * v
		u := rng.Float64()
		if math.Log(u) < 0.5*x*x+d-d*v+d*math.Log(v) {
			return d * v
		}
	}
}

// selectEdge is PUCT: argmax_a Q(s,a) + c_puct · P(s,a) · √N(s) / (1 + N(s,a)).
func (nd *node) selectEdge(cpuct float64) int {
	best, bestU := 0, math.Inf(-1)
	sq := math.Sqrt(float64(max(nd.visits, 1)))
	for i := range nd.moves {
		q := 0.0
		if nd.n[i] > 0 {
			q = nd.w[i] / float64(nd.n[i])
		}
		u := q + cpuct*float64(nd.prior[i])*sq/float64(1+nd.n[i])
		if u > bestU {
			best, bestU = i, u
		}
	}
	return best
}

type step struct {
	nd *node
	i  int
}

// backup adds value v (for the player to move at the leaf) along path, flipping its sign at
// every level: each edge's W is kept for the player who chose it.
func backup(path []step, leaf *node, v float32) {
	leaf.visits++
	val := float64(v)
	for k := len(path) - 1; k >= 0; k-- {
		val = -val
		s := path[k]
		s.nd.n[s.i]++
		s.nd.w[s.i] += val
		s.nd.visits++
	}
}

// Search runs cfg.Sims simulations of MCTS from each root, all roots in lockstep so that each
// simulation's leaves are evaluated in one batch by eval. Each simulation selects edges by PUCT
// down to a leaf, evaluates it (priors and value; the exact result if the game is over),
// expands it and backs the value up. rng is used for the root noise only.
func Search(eval Evaluator, roots []Position, cfg SearchConfig, rng *rand.Rand) ([]*Tree, error) {
	trees := make([]*Tree, len(roots))
	for i := range roots {
		trees[i] = &Tree{root: &node{pos: roots[i]}}
	}
	paths := make([][]step, len(roots))
	leaves := make([]*node, 0, len(roots))
	which := make([]int, 0, len(roots))
	batch := make([]*Position, 0, len(roots))
	for sim := 0; sim < max(cfg.Sims, 1); sim++ {
		leaves, which, batch = leaves[:0], which[:0], batch[:0]
		for ti, t := range trees {
			nd := t.root
			path := paths[ti][:0]
			for nd.expanded && !nd.pos.Over() {
				i := nd.selectEdge(cfg.CPuct)
				if nd.child[i] == nil {
					c := &node{pos: nd.pos}
					c.pos.play(nd.moves[i])
					nd.child[i] = c
				}
				path = append(path, step{nd, i})
				nd = nd.child[i]
			}
			paths[ti] = path
			if nd.pos.Over() {
				backup(path, nd, terminalValue(&nd.pos))
				continue
			}
			leaves = append(leaves, nd)
			which = append(which, ti)
			batch = append(batch, &nd.pos)
		}
		if len(batch) == 0 {
			continue
		}
		priors, values, err := eval.Evaluate(batch)
		if err != nil {
			return nil, fmt.Errorf("mcts: evaluate: %w", err)
		}
		for k, nd := range leaves {
			nd.expand(priors[k])
			if nd == trees[which[k]].root && cfg.Noise > 0 {
				nd.addNoise(cfg.Noise, cfg.Alpha, rng)
			}
			backup(paths[which[k]], nd, values[k])
		}
	}
	return trees, nil
}
