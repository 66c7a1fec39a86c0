package maml_test

import (
	"fmt"

	"github.com/janpfeifer/must"

	"github.com/dl4go/dl4go/lessons/maml"
)

// A tiny run: 20 meta-steps of each method, 10 test tasks, nothing saved, no live view. The
// notebook runs maml.Run(maml.Size()) and shows the Outcome's charts.
func ExampleRun() {
	cfg := maml.Quick()
	cfg.MetaSteps, cfg.EvalTasks, cfg.CacheDir, cfg.Quiet = 20, 10, "-", true
	out := must.M1(maml.Run(cfg))
	for _, m := range out.Methods {
		fmt.Printf("%s: %d meta-steps, query MSE after 0..%d adaptation steps: %d values\n",
			m.Method, len(m.Loss), cfg.EvalSteps, len(m.MSE))
	}
	fmt.Println(out.Result().Metric)
	// Output:
	// MAML: 20 meta-steps, query MSE after 0..10 adaptation steps: 11 values
	// FOMAML: 20 meta-steps, query MSE after 0..10 adaptation steps: 11 values
	// Reptile: 20 meta-steps, query MSE after 0..10 adaptation steps: 11 values
	// joint baseline: 20 meta-steps, query MSE after 0..10 adaptation steps: 11 values
	// maml_over_baseline_mse
}
