package maml

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"

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

// historyFile holds a method's training-loss history next to its checkpoints.
const historyFile = "loss_history.json"

func loadHistory(dir string) ([]float64, error) {
	data, err := os.ReadFile(filepath.Join(dir, historyFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("maml: load loss history: %w", err)
	}
	var h []*float64 // JSON has no NaN: unknown losses are null.
	if err := json.Unmarshal(data, &h); err != nil {
		return nil, fmt.Errorf("maml: load loss history %s: %w", dir, err)
	}
	return fromNullable(h), nil
}

func saveHistory(dir string, h []float64) error {
	js := toNullable(h)
	data, err := json.Marshal(js)
	if err == nil {
		err = os.WriteFile(filepath.Join(dir, historyFile), data, 0o644)
	}
	if err != nil {
		return fmt.Errorf("maml: save loss history in %s: %w", dir, err)
	}
	return nil
}

// outcomeFile holds the Outcome of a finished run, in the run's checkpoint folder.
const outcomeFile = "outcome.json"

// jsonOutcome is Outcome with the curves that may hold NaN or ±Inf (a diverged fine-tuning) stored
// as nullable numbers, since JSON has neither.
type jsonOutcome struct {
	Outcome
	Losses, MSEs [][]*float64
	Predictions  [][][]*float64
}

// loadOutcome returns the saved Outcome of a finished run of cfg in dir, or nil if there is none.
func loadOutcome(dir string, cfg Config) (*Outcome, error) {
	if dir == "" {
		return nil, nil
	}
	data, err := os.ReadFile(filepath.Join(dir, outcomeFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("maml: load outcome: %w", err)
	}
	var js jsonOutcome
	if err := json.Unmarshal(data, &js); err != nil {
		return nil, fmt.Errorf("maml: load outcome from %s: %w", dir, err)
	}
	out := js.Outcome
	n := len(out.Methods)
	if len(js.Losses) != n || len(js.MSEs) != n || len(js.Predictions) != n {
		return nil, fmt.Errorf("maml: outcome in %s is corrupt: delete it to re-evaluate", dir)
	}
	for i := range out.Methods {
		mo := &out.Methods[i]
		mo.Loss, mo.MSE = fromNullable(js.Losses[i]), fromNullable(js.MSEs[i])
		for _, p := range js.Predictions[i] {
			mo.Predictions = append(mo.Predictions, fromNullable(p))
		}
		mo.Resumed = cfg.MetaSteps
	}
	out.Config, out.TrainSeconds, out.CheckpointLocation = cfg, 0, dir
	return &out, nil
}

// saveOutcome writes out in dir (if dir is not empty).
func saveOutcome(dir string, out *Outcome) error {
	if dir == "" {
		return nil
	}
	js := jsonOutcome{Outcome: *out}
	js.Methods = append([]MethodOutcome(nil), out.Methods...)
	for i := range js.Methods {
		mo := &js.Methods[i]
		js.Losses = append(js.Losses, toNullable(mo.Loss))
		js.MSEs = append(js.MSEs, toNullable(mo.MSE))
		var preds [][]*float64
		for _, p := range mo.Predictions {
			preds = append(preds, toNullable(p))
		}
		js.Predictions = append(js.Predictions, preds)
		mo.Loss, mo.MSE, mo.Predictions = nil, nil, nil
	}
	data, err := json.Marshal(js)
	if err == nil {
		err = os.WriteFile(filepath.Join(dir, outcomeFile), data, 0o644)
	}
	if err != nil {
		return fmt.Errorf("maml: save outcome in %s: %w", dir, err)
	}
	return nil
}

// toNullable and fromNullable map NaN and ±Inf to JSON null, and null to NaN.
func toNullable(h []float64) []*float64 {
	js := make([]*float64, len(h))
	for i := range h {
		if !math.IsNaN(h[i]) && !math.IsInf(h[i], 0) {
			js[i] = &h[i]
		}
	}
	return js
}

func fromNullable(h []*float64) []float64 {
	out := make([]float64, len(h))
	for i, v := range h {
		out[i] = nan
		if v != nil {
			out[i] = *v
		}
	}
	return out
}
