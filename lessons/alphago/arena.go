package alphago

import (
	"fmt"
	"math/rand/v2"
)

// Player chooses moves for a batch of positions (one per game being played).
type Player interface {
	Name() string
	Moves(ps []*Position, rng *rand.Rand) ([]int, error)
}

// RandomPlayer plays RandomMove: any legal move except filling its own eyes.
type RandomPlayer struct{}

// Name implements Player.
func (RandomPlayer) Name() string { return "random" }

// Moves implements Player.
func (RandomPlayer) Moves(ps []*Position, rng *rand.Rand) ([]int, error) {
	out := make([]int, len(ps))
	for i, p := range ps {
		out[i] = RandomMove(p, rng)
	}
	return out, nil
}

// MCTSPlayer plays the most visited move of a search guided by Eval.
type MCTSPlayer struct {
	Label  string
	Eval   Evaluator
	Search SearchConfig
}

// Name implements Player.
func (m *MCTSPlayer) Name() string { return m.Label }

// Moves implements Player.
func (m *MCTSPlayer) Moves(ps []*Position, rng *rand.Rand) ([]int, error) {
	roots := make([]Position, len(ps))
	for i, p := range ps {
		roots[i] = *p
	}
	trees, err := Search(m.Eval, roots, m.Search, rng)
	if err != nil {
		return nil, err
	}
	out := make([]int, len(ps))
	for i, t := range trees {
		out[i] = t.BestMove()
	}
	return out, nil
}

// PureMCTS returns the pure Monte-Carlo tree search player: uniform priors, one random playout
// per simulation.
func PureMCTS(sims int, seed uint64) *MCTSPlayer {
	return &MCTSPlayer{Label: fmt.Sprintf("pure MCTS (%d playouts)", sims), Eval: &RandomRollouts{Seed: seed},
		Search: SearchConfig{Sims: sims, CPuct: 1.5}}
}

// Match plays games between a and b on size×size boards with komi, all games side by side,
// a taking black in the even games and white in the odd ones. It returns a's win rate.
func Match(a, b Player, games, size int, komi float64, seed uint64) (float64, error) {
	rng := rand.New(rand.NewPCG(seed, 7))
	pos := make([]Position, games)
	for i := range pos {
		pos[i] = NewPosition(size, komi)
	}
	colourA := func(i int) int8 {
		if i%2 == 0 {
			return Black
		}
		return White
	}
	for {
		var idxA, idxB []int
		var psA, psB []*Position
		for i := range pos {
			if pos[i].Over() {
				continue
			}
			if pos[i].ToPlay == colourA(i) {
				idxA, psA = append(idxA, i), append(psA, &pos[i])
			} else {
				idxB, psB = append(idxB, i), append(psB, &pos[i])
			}
		}
		if len(idxA)+len(idxB) == 0 {
			break
		}
		for _, side := range []struct {
			pl  Player
			idx []int
			ps  []*Position
		}{{a, idxA, psA}, {b, idxB, psB}} {
			if len(side.ps) == 0 {
				continue
			}
			moves, err := side.pl.Moves(side.ps, rng)
			if err != nil {
				return 0, fmt.Errorf("match %s vs %s: %s: %w", a.Name(), b.Name(), side.pl.Name(), err)
			}
			for k, i := range side.idx {
				if err := pos[i].Play(moves[k]); err != nil {
					return 0, fmt.Errorf("match: %s: %w", side.pl.Name(), err)
				}
			}
		}
	}
	wins := 0
	for i := range pos {
		if pos[i].Winner() == colourA(i) {
			wins++
		}
	}
	return float64(wins) / float64(games), nil
}
