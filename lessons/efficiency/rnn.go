package efficiency

import (
	"fmt"
	"slices"
	"time"

	"github.com/gomlx/gomlx/backends"
	G "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/layers"
	"github.com/gomlx/gomlx/pkg/ml/layers/lstm"
	"github.com/gomlx/gomlx/pkg/ml/train"
	"github.com/gomlx/gomlx/pkg/ml/train/losses"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"

	"github.com/dl4go/dl4go/data/mnist"
	xlayers "github.com/dl4go/dl4go/gomlxext/layers"
)

// RNNCell is one recurrent cell measured: its parameter count (the cell alone, counted from the
// model's variables, and by the formula) and the median time of a training step.
type RNNCell struct {
	Name                  string
	Params, FormulaParams int
	Step                  time.Duration
}

// GRUParams is the GRU's parameter count for f input features and h units: three gates (update,
// reset, candidate), each with input weights f·h, recurrent weights h·h and two biases of h
// (PyTorch's and gomlxext/layers' convention): 3·(f·h + h·h + 2h).
func GRUParams(f, h int) int { return 3 * (f*h + h*h + 2*h) }

// LSTMParams is the LSTM's: four gates (input, forget, cell, output), 4·(f·h + h·h + 2h) with
// GoMLX's (ONNX's) two bias vectors per gate.
func LSTMParams(f, h int) int { return 4 * (f*h + h*h + 2*h) }

// rnnCells times a training step of a GRU and of an LSTM classifier of the images read row by row
// (28 steps of 28 pixels), cfg.RNNUnits units, batch cfg.RNNBatch: the lighter cell, not
// distillation, is what makes GRU faster.
func rnnCells(backend backends.Backend, cfg Config, d *Data) ([]RNNCell, error) {
	h := cfg.RNNUnits
	cells := []struct {
		name    string
		formula int
		state   func(ctx *context.Context, x *G.Node) *G.Node // x [batch, 28, 28] → last state [batch, h]
	}{
		{"GRU", GRUParams(mnist.Width, h), func(ctx *context.Context, x *G.Node) *G.Node {
			_, last := xlayers.GRU(ctx.In("cell"), x).Units(h).Done()
			return last
		}},
		{"LSTM", LSTMParams(mnist.Width, h), func(ctx *context.Context, x *G.Node) *G.Node {
			_, last, _ := lstm.New(ctx.In("cell"), x, h).Done() // [1, batch, h]
			return G.Reshape(last, x.Shape().Dimensions[0], h)
		}},
	}
	var out []RNNCell
	for _, c := range cells {
		ctx := context.New()
		if err := ctx.SetRNGStateFromSeed(int64(cfg.Seed)); err != nil {
			return nil, fmt.Errorf("efficiency: %w", err)
		}
		model := func(ctx *context.Context, _ any, in []*G.Node) []*G.Node {
			return []*G.Node{layers.DenseWithBias(ctx.In("head"), c.state(ctx, in[0]), mnist.NumClasses)}
		}
		trainer := train.NewTrainer(backend, ctx, model, losses.SparseCategoricalCrossEntropyLogits,
			optimizers.Adam().LearningRate(cfg.LearningRate).Done(), nil, nil)
		var times []time.Duration
		for s := range cfg.RNNSteps + 1 { // the first step compiles: not timed
			x, y := batchOf(d.Train, sample(cfg.Seed+3, int64(s), cfg.RNNBatch, len(d.Train.Labels)))
			t0 := time.Now()
			if _, err := trainer.TrainStep(nil, []*tensors.Tensor{x}, []*tensors.Tensor{y}); err != nil {
				return nil, fmt.Errorf("efficiency: %s step: %w", c.name, err)
			}
			if s > 0 {
				times = append(times, time.Since(t0))
			}
		}
		slices.Sort(times)
		n := 0
		for v := range ctx.IterVariables() {
			if v.Trainable && v.Scope() != "/head/dense" && len(v.Scope()) >= 5 && v.Scope()[:5] == "/cell" {
				n += v.Shape().Size()
			}
		}
		out = append(out, RNNCell{Name: c.name, Params: n, FormulaParams: c.formula, Step: times[len(times)/2]})
	}
	return out, nil
}
