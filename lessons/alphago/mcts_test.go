package alphago

import (
	"math/rand/v2"
	"testing"
)

func TestMCTSTactics(t *testing.T) {
	tests := []struct {
		name   string
		rows   []string
		toPlay int8
		want   []string // acceptable moves
	}{
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
		{"escape atari (white): connect to the wall", []string{
			".....",
			"..X..",
			".XOX.",
			".O.O.",
			".O.O."}, White, []string{"c2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := mustSetup(t, tt.rows, tt.toPlay)
			trees, err := Search(&RandomRollouts{Seed: 1}, []Position{p}, SearchConfig{Sims: 1000, CPuct: 1.5}, rand.New(rand.NewPCG(1, 2)))
			if err != nil {
				t.Fatal(err)
			}
			got := MoveString(5, trees[0].BestMove())
			ok := false
			for _, w := range tt.want {
				ok = ok || got == w
			}
			if !ok {
				t.Errorf("MCTS played %s, want one of %v\n%s\nvisits %v", got, tt.want, p.String(), trees[0].Visits())
			}
		})
	}
}

func BenchmarkRandomPlayout(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	for b.Loop() {
		playout(NewPosition(5, 0.5), func(q *Position) int { return RandomMove(q, rng) })
	}
}
