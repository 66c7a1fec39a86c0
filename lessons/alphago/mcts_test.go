package alphago

import (
	"math/rand/v2"
	"testing"
)

// TestMCTSTactics: pure MCTS (400 playouts) must find each tactic's move with at least 2 of
// 3 seeds (random playouts are noisy: one unlucky first playout can bury a good move).
func TestMCTSTactics(t *testing.T) {
	solved := make([]int, len(Tactics))
	for seed := uint64(1); seed <= 3; seed++ {
		res, err := SolveTactics(&RandomRollouts{Seed: seed}, 400, seed)
		if err != nil {
			t.Fatal(err)
		}
		for i, r := range res {
			if r.Solved {
				solved[i]++
			} else {
				p := r.Tree.Root()
				t.Logf("seed %d: %s: MCTS played %s, want one of %v\n%s\nvisits %v", seed, r.Tactic.Name, r.Move, r.Tactic.Want, p.String(), r.Tree.Visits())
			}
		}
	}
	for i, n := range solved {
		if n < 2 {
			t.Errorf("%s: solved with %d of 3 seeds", Tactics[i].Name, n)
		}
	}
}

func BenchmarkRandomPlayout(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	for b.Loop() {
		playout(NewPosition(5, 0.5), func(q *Position) int { return RandomMove(q, rng) })
	}
}
