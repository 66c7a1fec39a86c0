package alphago

import (
	"fmt"

	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"

	"github.com/dl4go/dl4go/gomlxext"
)

// Encode writes p's input planes, [N, N, NumPlanes] row-major, into dst (len N·N·NumPlanes).
func Encode(p *Position, dst []float32) {
	n := p.N * p.N
	black := float32(0)
	if p.ToPlay == Black {
		black = 1
	}
	for pt := range n {
		o := pt * NumPlanes
		s := p.Stones[pt]
		dst[o] = b2f(s == p.ToPlay)
		dst[o+1] = b2f(s == -p.ToPlay)
		dst[o+2] = 1
		dst[o+3] = black
	}
}

func b2f(b bool) float32 {
	if b {
		return 1
	}
	return 0
}

// symmetry maps point pt of an n×n board by the k-th of the 8 symmetries of the square
// (k = 0 is the identity). Go is invariant under them: AlphaGo Zero uses them to multiply its
// training data by 8.
func symmetry(n, k, pt int) int {
	if pt == n*n {
		return pt
	}
	r, c := pt/n, pt%n
	if k&4 != 0 {
		r, c = c, r
	}
	if k&2 != 0 {
		r = n - 1 - r
	}
	if k&1 != 0 {
		c = n - 1 - c
	}
	return r*n + c
}

// Net holds a network (its variables in a GoMLX context), a compiled inference graph and a
// compiled training step. Batches are cut into chunks of at most maxBatch, each padded to a
// power of two, so that only a few graph shapes are ever compiled.
type Net struct {
	Cfg   NetConfig
	Ctx   *context.Context
	infer *context.Exec
	train *context.Exec
	Steps int // training steps done.
}

const maxBatch = 32 // measured: 32 positions per call give more evaluations/s than 64 on 2 cores (BenchmarkNetEvaluate)

// newNet builds the context (Adam, learning rate lr) and compiles the two graphs.
//
// inferFn maps planes [b, N, N, NumPlanes] to its outputs; trainFn takes planes and the
// targets and returns the scalar losses, the first one being minimised.
func newNet(cfg NetConfig, seed uint64, lr float64,
	inferFn func(ctx *context.Context, planes *Node) []*Node,
	trainFn func(ctx *context.Context, planes, a, b *Node) []*Node) (*Net, error) {
	backend, err := gomlxext.Backend()
	if err != nil {
		return nil, err
	}
	ctx := context.New().Checked(false)
	ctx.SetParams(map[string]any{
		context.ParamInitialSeed:     int64(seed),
		optimizers.ParamOptimizer:    "adam",
		optimizers.ParamLearningRate: lr,
	})
	infer, err := context.NewExec(backend, ctx, inferFn)
	if err != nil {
		return nil, fmt.Errorf("compile inference: %w", err)
	}
	train, err := context.NewExec(backend, ctx, func(ctx *context.Context, planes, a, b *Node) []*Node {
		g := planes.Graph()
		ctx.SetTraining(g, true)
		losses := trainFn(ctx, planes, a, b)
		optimizers.FromContext(ctx).UpdateGraph(ctx, g, losses[0])
		return losses
	})
	if err != nil {
		return nil, fmt.Errorf("compile training step: %w", err)
	}
	return &Net{Cfg: cfg, Ctx: ctx, infer: infer, train: train}, nil
}

// run evaluates the inference graph on ps and returns its outputs, each flattened per position.
func (nt *Net) run(ps []*Position) ([][]float32, error) {
	n := nt.Cfg.Size
	per := n * n * NumPlanes
	var outs [][]float32
	for start := 0; start < len(ps); start += maxBatch {
		chunk := ps[start:min(start+maxBatch, len(ps))]
		b := 8
		for b < len(chunk) {
			b *= 2
		}
		planes := make([]float32, b*per)
		for i, p := range chunk {
			Encode(p, planes[i*per:(i+1)*per])
		}
		res, err := nt.infer.Exec(tensors.FromFlatDataAndDimensions(planes, b, n, n, NumPlanes))
		if err != nil {
			return nil, fmt.Errorf("network: %w", err)
		}
		if outs == nil {
			outs = make([][]float32, len(res))
		}
		for k, r := range res {
			flat, err := tensors.CopyFlatData[float32](r)
			if err != nil {
				return nil, fmt.Errorf("network output: %w", err)
			}
			outs[k] = append(outs[k], flat[:len(chunk)*(len(flat)/b)]...)
		}
	}
	return outs, nil
}

// Step runs one training step on a batch: planes [b, N, N, NumPlanes] and two targets whose
// meaning depends on the network (see the training functions). It returns the losses.
func (nt *Net) Step(planes, a, b *tensors.Tensor) ([]float64, error) {
	res, err := nt.train.Exec(planes, a, b)
	if err != nil {
		return nil, fmt.Errorf("training step: %w", err)
	}
	out := make([]float64, len(res))
	for i, r := range res {
		out[i] = float64(tensors.ToScalar[float32](r))
	}
	nt.Steps++
	return out, nil
}

// NewZeroNet returns AlphaGo Zero's DualNet with its training step: loss = cross-entropy of the
// policy against the search's visit distribution π plus the squared error of the value
// against the game's outcome z: l = −πᵀ log p + (z − v)². (AlphaGo Zero also adds c‖θ‖².)
func NewZeroNet(cfg NetConfig, seed uint64, lr float64) (*Net, error) {
	return newNet(cfg, seed, lr,
		func(ctx *context.Context, planes *Node) []*Node {
			logits, v := DualNet(ctx, cfg, planes)
			return []*Node{Softmax(logits, -1), v}
		},
		func(ctx *context.Context, planes, pi, z *Node) []*Node {
			logits, v := DualNet(ctx, cfg, planes)
			pLoss := ReduceAllMean(Neg(ReduceSum(Mul(pi, LogSoftmax(logits, -1)), -1)))
			vLoss := ReduceAllMean(Square(Sub(z, v)))
			return []*Node{Add(pLoss, vLoss), pLoss, vLoss}
		})
}

// Evaluate implements Evaluator for a DualNet (AlphaGo Zero: no rollouts, the value head
// judges the leaf).
func (nt *Net) Evaluate(ps []*Position) ([][]float32, []float32, error) {
	outs, err := nt.run(ps)
	if err != nil {
		return nil, nil, err
	}
	if len(outs) != 2 {
		return nil, nil, fmt.Errorf("network has %d outputs, want policy and value", len(outs))
	}
	m := nt.Cfg.Size*nt.Cfg.Size + 1
	priors := make([][]float32, len(ps))
	for i := range ps {
		priors[i] = outs[0][i*m : (i+1)*m]
	}
	return priors, outs[1], nil
}
