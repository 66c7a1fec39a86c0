package maml

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

var nan = math.NaN()

// evalSet is the fixed set of new tasks every method is tested on: support points [tasks, K, 1],
// query points [tasks, EvalQ, 1] and a plotting grid [tasks, GridPoints, 1] (the same for all tasks).
type evalSet struct {
	batch
	Grid  []float64
	XGrid [][][]float32
}

// newEvalSet draws cfg.EvalTasks tasks from a random stream separate from meta-training's.
func newEvalSet(cfg Config) evalSet {
	rng := rand.New(rand.NewPCG(cfg.Seed+1, 1<<62))
	e := evalSet{batch: sampleBatch(rng, cfg.EvalTasks, cfg.K, cfg.EvalQ), Grid: grid(cfg.GridPoints)}
	col := make([][]float32, len(e.Grid))
	for i, x := range e.Grid {
		col[i] = []float32{float32(x)}
	}
	e.XGrid = make([][][]float32, cfg.EvalTasks)
	for i := range e.XGrid {
		e.XGrid[i] = col
	}
	return e
}

// evaluation is what fine-tuning the shared weights on each new task's K support points gives.
type evaluation struct {
	// MSE[s] is the query MSE after s adaptation steps, averaged over the evaluation tasks; s = 0..EvalSteps.
	MSE []float64
	// Predictions[i] are the predictions on the grid for the demo task after cfg.PlotSteps[i] steps.
	Predictions [][]float64
}

// evaluate fine-tunes the shared weights of ctx with cfg.EvalSteps SGD steps (rate cfg.InnerLR) on
// the K support points of every evaluation task at once, and measures the query MSE after each step.
//
// demo is the index of the task whose predictions on the grid are returned.
func evaluate(backend backends.Backend, ctx *context.Context, cfg Config, set evalSet, demo int) (evaluation, error) {
	fn := func(ctx *context.Context, xs, ys, xq, yq, xg *graph.Node) (mse, preds *graph.Node) {
		w := perTask(params(ctx, xs.Graph()), cfg.EvalTasks)
		var mses, grids []*graph.Node
		for s := 0; ; s++ {
			mses = append(mses, taskMSE(forward(w, xq), yq))
			for _, p := range cfg.PlotSteps {
				if p == s {
					grids = append(grids, forward(w, xg))
				}
			}
			if s == cfg.EvalSteps {
				break
			}
			w = sgdStep(w, xs, ys, cfg.InnerLR, true)
		}
		return graph.Stack(mses, 1), graph.Stack(grids, 0) // [tasks, EvalSteps+1], [plots, tasks, grid, 1]
	}
	e, err := context.NewExec(backend, ctx.Reuse(), fn)
	if err != nil {
		return evaluation{}, fmt.Errorf("maml: compile evaluation: %w", err)
	}
	defer e.Finalize()
	out, err := e.Exec(set.XS, set.YS, set.XQ, set.YQ, set.XGrid)
	if err != nil {
		return evaluation{}, fmt.Errorf("maml: evaluate: %w", err)
	}
	mse := out[0].Value().([][]float32)
	var ev evaluation
	ev.MSE = make([]float64, cfg.EvalSteps+1)
	for _, row := range mse {
		for s, v := range row {
			ev.MSE[s] += float64(v) / float64(len(mse))
		}
	}
	preds := out[1].Value().([][][][]float32)
	for _, p := range preds {
		curve := make([]float64, len(p[demo]))
		for i, v := range p[demo] {
			curve[i] = float64(v[0])
		}
		ev.Predictions = append(ev.Predictions, curve)
	}
	return ev, nil
}
