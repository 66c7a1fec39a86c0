package alphago_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/janpfeifer/must"

	"github.com/dl4go/dl4go/lessons/alphago"
)

// A notebook's last cell: AlphaGo Zero at the quick size (trained, resumed, or restored with its
// saved final win rates) and its RESULT line.
func ExampleRun() {
	cfg := alphago.Quick()
	cfg.Quiet = true // no live chart here; a notebook leaves it on
	out := must.M1(alphago.Run(cfg))
	fmt.Println(len(out.History), "iterations;", out.Result().Metric, out.Result().OK())
	// Output: 4 iterations; min_win_rate_over_required true
}

// A hand-made position: black captures the white group of three at c2.
func ExamplePosition() {
	p, err := alphago.Setup([]string{
		".X...",
		"XOX..",
		"XOX..",
		"XO...",
		".X..."}, alphago.Black, 0.5)
	if err != nil {
		panic(err)
	}
	m, _ := alphago.ParseMove(5, "c2")
	if err := p.Play(m); err != nil {
		panic(err)
	}
	fmt.Println(p.String())
	fmt.Println("score:", p.Score())
	// Output:
	// 5 . X . . .
	// 4 X . X . .
	// 3 X . X . .
	// 2 X . X . .
	// 1 . X . . .
	//   a b c d e
	// score: 24.5
}

// Pure MCTS (uniform priors, random playouts) finds the capture.
func ExampleSearch() {
	p, _ := alphago.Setup(alphago.Tactics[0].Rows, alphago.Tactics[0].ToPlay, 0.5)
	trees, err := alphago.Search(&alphago.RandomRollouts{Seed: 1}, []alphago.Position{p},
		alphago.SearchConfig{Sims: 400, CPuct: 1.5}, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		panic(err)
	}
	fmt.Println(alphago.MoveString(5, trees[0].BestMove()))
	// Output: c2
}
