package maml_test

import (
	"fmt"

	"github.com/dl4go/dl4go/lessons/maml"
)

// A tiny run: 20 meta-steps of each method, 10 test tasks, no checkpoints, no live view. The notebook runs
// maml.RunFewShot(maml.Size()) and shows the Outcome's charts.
func ExampleRunFewShot() {
	cfg := maml.Quick()
	cfg.MetaSteps, cfg.CostSteps, cfg.EvalTasks, cfg.CheckpointDir, cfg.Live = 20, 2, 10, "-", false
	out, err := maml.RunFewShot(cfg)
	if err != nil {
		panic(err)
	}
	for _, m := range out.Methods {
		fmt.Printf("%s: %d meta-steps, query MSE after 0..%d adaptation steps: %d values\n",
			m.Method, len(m.Loss), cfg.EvalSteps, len(m.MSE))
	}
	// Output:
	// MAML: 20 meta-steps, query MSE after 0..10 adaptation steps: 11 values
	// FOMAML: 20 meta-steps, query MSE after 0..10 adaptation steps: 11 values
	// Reptile: 20 meta-steps, query MSE after 0..10 adaptation steps: 11 values
	// joint baseline: 20 meta-steps, query MSE after 0..10 adaptation steps: 11 values
}
