package example_test

import (
	"fmt"

	"github.com/janpfeifer/must"

	"github.com/dl4go/dl4go/lessons/example"
)

// A notebook's last cell: run the lesson at its size (training, resuming or restoring) and print
// its RESULT line; must stops the cell on an error.
func ExampleRun() {
	cfg := example.Quick()
	cfg.Quiet = true // no live view here; a notebook leaves it on
	out := must.M1(example.Run(cfg))
	fmt.Println(out.Result().Metric, out.Result().OK())
	// Output: heldout_mse_over_mean_baseline true
}
