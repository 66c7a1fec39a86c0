package alphago

import (
	"math/rand/v2"
)

// Tactic is a hand-made position with the move(s) that solve it.
type Tactic struct {
	Name   string
	Rows   []string // "X" black, "O" white, "." empty; row 0 at the top.
	ToPlay int8
	Want   []string // acceptable answers, e.g. "c2".
}

// Tactics are the test positions of the quick outcome: capture a group in one move, or save
// one's own group from atari.
var Tactics = []Tactic{
	{"capture: white group of three in atari", []string{
		".X...",
		"XOX..",
		"XOX..",
		"XO...",
		".X..."}, Black, []string{"c2"}},
	{"escape atari: connect to the wall", []string{
		".X.X.",
		".X.X.",
		".OXO.",
		"..O..",
		"....."}, Black, []string{"c4"}},
	{"capture: the cutting stone", []string{
		".....",
		".XO..",
		"XO...",
		".X...",
		"....."}, Black, []string{"c3"}},
}

// TacticResult is one tactic as the search saw it.
type TacticResult struct {
	Tactic Tactic
	Move   string
	Solved bool
	Tree   *Tree
}

// SolveTactics searches each tactic with eval and sims simulations and reports the move chosen.
func SolveTactics(eval Evaluator, sims int, seed uint64) ([]TacticResult, error) {
	var out []TacticResult
	for _, tc := range Tactics {
		p, err := Setup(tc.Rows, tc.ToPlay, 0.5)
		if err != nil {
			return nil, err
		}
		trees, err := Search(eval, []Position{p}, SearchConfig{Sims: sims, CPuct: 1.5}, rand.New(rand.NewPCG(seed, 2)))
		if err != nil {
			return nil, err
		}
		r := TacticResult{Tactic: tc, Move: MoveString(p.N, trees[0].BestMove()), Tree: trees[0]}
		for _, w := range tc.Want {
			r.Solved = r.Solved || w == r.Move
		}
		out = append(out, r)
	}
	return out, nil
}
