package a3c_test

import (
	"fmt"

	"github.com/janpfeifer/must"

	"github.com/dl4go/dl4go/lessons/a3c"
)

// The n-step returns of a segment of three rewards 1, 2, 3 whose last state the critic values
// at 10, with γ = ½: R_0 = 1 + ½·2 + ¼·3 + ⅛·10 = 4, and one step less of lookahead for each
// later sample (R_2 = 3 + ½·10 = 8).
func ExampleNStepReturns() {
	r := a3c.NStepReturns([]float64{1, 2, 3}, 10, 0.5)
	fmt.Println(r)
	// Output: [4 6 8]
}

// A notebook's last cell: train A3C (and A2C) with the lesson's configuration, then print the
// RESULT line; a finished run is restored from its checkpoints and only evaluated.
func ExampleRun() {
	cfg := a3c.Quick()
	cfg.Quiet = true // no live view here; a notebook leaves it on
	cfg.Workers = []int{2}
	out := must.M1(a3c.Run(cfg))
	fmt.Println(out.Result().Metric, out.Result().OK())
	// Output: a3c_min_over_workers_heldout_greedy_mean_return true
}
