package gcn

import (
	"errors"
	"fmt"

	"github.com/gomlx/gomlx/backends"
	G "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/layers"
	"github.com/gomlx/gomlx/pkg/ml/layers/activations"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"

	"github.com/dl4go/dl4go/gomlxext"
	xlayers "github.com/dl4go/dl4go/gomlxext/layers"
	"github.com/dl4go/dl4go/lessons"
	"github.com/dl4go/dl4go/plotting"
)

// TrainConfig sizes the training of one node classifier: two layers (graph convolutions for the
// GCN, dense layers for the features-only MLP baseline), full-batch Adam on the labelled nodes.
type TrainConfig struct {
	Hidden       int     // units of the hidden layer (Kipf & Welling: 16).
	Dropout      float64 // dropout rate on the inputs of both layers while training (0.5).
	LearningRate float64 // Adam's learning rate (0.01).
	WeightDecay  float64 // AdamW weight decay (5e-4).
	Epochs       int     // full-batch steps.
	SaveEvery    int     // epochs between checkpoints.
	Seed         int64   // initial weights and dropout.
}

// Curve is a classifier's training history, one entry per epoch.
type Curve struct {
	Loss       []float64 // cross-entropy on the labelled nodes.
	TrainAcc   []float64 // accuracy on the labelled nodes.
	HeldOutAcc []float64 // accuracy on the held-out nodes (never trained on; reported, never used to choose).
}

// Fitted is a trained node classifier and what it reached.
type Fitted struct {
	Model string // "GCN" or "MLP (features only)".
	Curve Curve
	// HeldOutAcc is the final accuracy on the held-out nodes; Pred the predicted class of every node.
	HeldOutAcc float64
	Pred       []int
	// Resumed is the epoch training resumed from (Epochs when a finished run was restored).
	Resumed int
}

// nodeModel is the classifier: x [nodes, features], adj [nodes, nodes] → logits [nodes, classes].
// With useGraph, both layers are graph convolutions over adj (Kipf & Welling's GCN); without,
// they are dense layers that see each node's own features only.
func nodeModel(ctx *context.Context, x, adj *G.Node, useGraph bool, tc TrainConfig, classes int) *G.Node {
	layer := func(ctx *context.Context, h *G.Node, units int) *G.Node {
		if ctx.IsTraining(h.Graph()) && tc.Dropout > 0 {
			h = layers.DropoutStatic(ctx, h, tc.Dropout)
		}
		if useGraph {
			return xlayers.GraphConvolution(ctx, h, adj).Units(units).Done()
		}
		return layers.DenseWithBias(ctx, h, units)
	}
	h := activations.Relu(layer(ctx.In("layer1"), x, tc.Hidden)) // [nodes, hidden]
	return layer(ctx.In("layer2"), h, classes)                   // [nodes, classes]
}

// maskedCrossEntropy is the mean cross-entropy of logits [nodes, classes] against labels [nodes]
// (int32) over the nodes where mask [nodes] is 1.
func maskedCrossEntropy(logits, labels, mask *G.Node) *G.Node {
	logp := G.LogSoftmax(logits, -1)
	nll := G.Neg(G.ReduceSum(G.Mul(logp, G.OneHot(labels, logits.Shape().Dimensions[1], logp.DType())), -1)) // [nodes]
	return G.Div(G.ReduceAllSum(G.Mul(nll, mask)), G.ReduceAllSum(mask))
}

// fitNodes trains a node classifier on graph g, learning from the labelled nodes only, with
// checkpoints (and the curve) in dir: an interrupted run resumes, a finished one is restored.
func fitNodes(backend backends.Backend, dir, title string, g *Graph, labelled []bool, useGraph bool, tc TrainConfig, quiet bool) (*Fitted, error) {
	name := "GCN"
	if !useGraph {
		name = "MLP (features only)"
	}
	ctx := context.New().Checked(false) // the training and evaluation graphs share the variables
	ctx.SetParams(map[string]any{context.ParamInitialSeed: tc.Seed})
	opt := optimizers.Adam().LearningRate(tc.LearningRate).WeightDecay(tc.WeightDecay).Done()
	var curve Curve
	var ck *gomlxext.Checkpoint
	if dir != "" {
		var err error
		if ck, err = gomlxext.Checkpoints(ctx, dir).Immediate().LoadState(&curve).Done(); err != nil {
			return nil, fmt.Errorf("gcn: %s: %w", name, err)
		}
	}
	start := len(curve.Loss)
	out := &Fitted{Model: name, Resumed: start}

	x, f := g.FeatureMatrix()
	xt := tensors.FromFlatDataAndDimensions(x, g.N, f)
	adj := make([]float32, 0, g.N*g.N)
	for _, row := range g.Adjacency() {
		for _, v := range row {
			adj = append(adj, float32(v))
		}
	}
	at := tensors.FromFlatDataAndDimensions(adj, g.N, g.N)
	labels, mask := make([]int32, g.N), make([]float32, g.N)
	for i := range g.N {
		labels[i] = int32(g.Labels[i])
		if labelled[i] {
			mask[i] = 1
		}
	}
	lt, mt := tensors.FromFlatDataAndDimensions(labels, g.N), tensors.FromFlatDataAndDimensions(mask, g.N)
	classes := g.NumClasses()
	step, err := context.NewExec(backend, ctx, func(ctx *context.Context, x, a, labels, mask *G.Node) *G.Node {
		ctx.SetTraining(x.Graph(), true)
		loss := maskedCrossEntropy(nodeModel(ctx, x, xlayers.NormalizedAdjacency(a), useGraph, tc, classes), labels, mask)
		opt.UpdateGraph(ctx, x.Graph(), loss)
		return loss
	})
	if err != nil {
		return nil, fmt.Errorf("gcn: compile the %s training step: %w", name, err)
	}
	predict, err := context.NewExec(backend, ctx, func(ctx *context.Context, x, a *G.Node) *G.Node {
		return G.ArgMax(nodeModel(ctx, x, xlayers.NormalizedAdjacency(a), useGraph, tc, classes), -1) // [nodes]
	})
	if err != nil {
		return nil, fmt.Errorf("gcn: compile the %s prediction: %w", name, err)
	}
	evaluate := func() ([]int, float64, float64, error) {
		res, err := predict.Exec(xt, at)
		if err != nil {
			return nil, 0, 0, fmt.Errorf("gcn: %s prediction: %w", name, err)
		}
		p := tensors.MustCopyFlatData[int32](res[0])
		pred := make([]int, g.N)
		var tr, trN, ho, hoN float64
		for i, c := range p {
			pred[i] = int(c)
			ok := 0.0
			if pred[i] == g.Labels[i] {
				ok = 1
			}
			if labelled[i] {
				tr, trN = tr+ok, trN+1
			} else {
				ho, hoN = ho+ok, hoN+1
			}
		}
		return pred, tr / trN, ho / hoN, nil
	}

	var live *plotting.Live
	if !quiet && start < tc.Epochs {
		live = plotting.NewLive(title, tc.Epochs, "loss", "held-out accuracy")
		live.Resumed(start)
	}
	stop := gomlxext.WatchInterrupt()
	defer stop.Release()
	save := func() error {
		if ck == nil {
			return nil
		}
		return ck.Save(curve)
	}
	for epoch := start + 1; epoch <= tc.Epochs; epoch++ {
		res, err := step.Exec(xt, at, lt, mt)
		if err != nil {
			return nil, fmt.Errorf("gcn: %s epoch %d: %w", name, epoch, err)
		}
		_, trAcc, hoAcc, err := evaluate()
		if err != nil {
			return nil, err
		}
		loss := tensors.ToScalar[float32](res[0])
		curve.Loss = append(curve.Loss, float64(loss))
		curve.TrainAcc = append(curve.TrainAcc, trAcc)
		curve.HeldOutAcc = append(curve.HeldOutAcc, hoAcc)
		if live != nil {
			live.Update(epoch, map[string]float64{"loss": float64(loss), "held-out accuracy": hoAcc})
		}
		if stop.Requested() {
			if err := save(); err != nil {
				return nil, err
			}
			return nil, fmt.Errorf("gcn: %s stopped at epoch %d; rerun to resume from %s: %w", name, epoch, dir, gomlxext.ErrInterrupted)
		}
		if epoch%tc.SaveEvery == 0 || epoch == tc.Epochs {
			if err := save(); err != nil {
				return nil, err
			}
		}
	}
	if live != nil {
		live.Done()
	}
	out.Curve = curve
	if out.Pred, _, out.HeldOutAcc, err = evaluate(); err != nil {
		return nil, err
	}
	return out, nil
}

// partDir is the run's checkpoint folder for one classifier ("" when the run saves nothing).
func partDir(run *lessons.Run, name string) (string, error) {
	dir, err := run.Part(name)
	if err != nil {
		return "", errors.Join(fmt.Errorf("gcn: checkpoint folder for %s", name), err)
	}
	return dir, nil
}
