package maml

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/context/checkpoints"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers/cosineschedule"
)

// Method is a way of learning the shared initial weights.
type Method int

const (
	// MAML (Finn et al., 2017): the outer loop differentiates the query loss after the inner SGD
	// steps with respect to the initial weights, through the inner gradients (second order).
	MAML Method = iota
	// FOMAML is first-order MAML: the same, but the inner gradients are treated as constants, so
	// the meta-gradient is simply the query-loss gradient at the adapted weights.
	FOMAML
	// Reptile (Nichol et al., 2018) does no outer backpropagation at all: it runs plain SGD on each
	// task and moves the initial weights toward the adapted ones (meta-gradient w − mean(w')).
	Reptile
	// Joint is the baseline: one model trained on all tasks at once (every task's points mixed),
	// like pre-training, then fine-tuned on the K points of a new task.
	Joint
)

// Methods lists every method in the order charts show them.
var Methods = []Method{MAML, FOMAML, Reptile, Joint}

// String returns the method's display name.
func (m Method) String() string {
	switch m {
	case MAML:
		return "MAML"
	case FOMAML:
		return "FOMAML"
	case Reptile:
		return "Reptile"
	case Joint:
		return "joint baseline"
	}
	return fmt.Sprintf("Method(%d)", int(m))
}

// key is the method's short name in checkpoint paths.
func (m Method) key() string {
	return [...]string{"maml", "fomaml", "reptile", "joint"}[m]
}

// metaStepFn returns the graph function of one meta-training step of method m: it takes the
// support points xs, ys [tasks, K, 1] and query points xq, yq [tasks, Q, 1], updates the shared
// weights in ctx with Adam, and returns the scalar training loss (for the meta-learners: the mean
// query MSE after adaptation; for Joint: the MSE on all points, without adaptation).
func metaStepFn(m Method, cfg Config) func(ctx *context.Context, xs, ys, xq, yq *graph.Node) *graph.Node {
	opt := optimizers.Adam().LearningRate(cfg.MetaLR).Done()
	return func(ctx *context.Context, xs, ys, xq, yq *graph.Node) *graph.Node {
		g := xs.Graph()
		// Adam's learning rate β decays along a cosine from MetaLR to MetaLR/20 over the run.
		ctx.SetTraining(g, true)
		cosineschedule.New(ctx, g, dtypes.Float32).LearningRate(cfg.MetaLR).
			MinLearningRate(cfg.MetaLR / 20).PeriodInSteps(cfg.MetaSteps).Done()
		shared := params(ctx, g)
		w := perTask(shared, cfg.MetaBatch)
		switch m {
		case MAML, FOMAML:
			loss := QueryLoss(ctx, xs, ys, xq, yq, cfg.InnerSteps, cfg.InnerLR, m == FOMAML)
			opt.UpdateGraph(ctx, g, loss)
			return loss
		case Reptile:
			adapted := adapt(w, xs, ys, cfg.ReptileSteps, cfg.InnerLR, true)
			loss := graph.StopGradient(graph.ReduceAllMean(taskMSE(forward(adapted, xq), yq)))
			// Meta-gradient: how far the task-adapted weights moved, averaged over tasks.
			grads := make([]*graph.Node, len(shared))
			for i := range shared {
				grads[i] = graph.StopGradient(graph.Sub(shared[i], graph.ReduceMean(adapted[i], 0)))
			}
			opt.(withGradients).UpdateGraphWithGradients(ctx, orderLike(ctx, g, grads), loss.DType())
			return loss
		default: // Joint
			x := graph.Concatenate([]*graph.Node{xs, xq}, 1)
			y := graph.Concatenate([]*graph.Node{ys, yq}, 1)
			loss := graph.ReduceAllMean(taskMSE(forward(w, x), y))
			opt.UpdateGraph(ctx, g, loss)
			return loss
		}
	}
}

// withGradients is an optimizer that can apply given gradients (GoMLX's Adam and SGD are).
type withGradients interface {
	UpdateGraphWithGradients(ctx *context.Context, grads []*graph.Node, lossDType dtypes.DType)
}

// orderLike reorders grads (given in paramNames order) into the order the optimizer walks the
// trainable variables of ctx used by g.
func orderLike(ctx *context.Context, g *graph.Graph, grads []*graph.Node) []*graph.Node {
	byVar := map[*context.Variable]*graph.Node{}
	scope := ctx.In(mlpScope).Scope()
	for i, name := range paramNames {
		byVar[ctx.GetVariableByScopeAndName(scope, name)] = grads[i]
	}
	var out []*graph.Node
	for v := range ctx.IterVariables() {
		if v.Trainable && v.InUseByGraph(g) {
			out = append(out, byVar[v])
		}
	}
	return out
}

// trainer meta-trains one method, step by step, with its own context, compiled step and checkpoints.
type trainer struct {
	method  Method
	cfg     Config
	ctx     *context.Context
	exec    *context.Exec
	ckpt    *checkpoints.Handler // nil: no checkpoints.
	history []float64            // training loss of every meta-step done so far.
}

// newTrainer creates the context of method m, loading its checkpoint from dir if one exists
// (dir == "" disables checkpoints), and compiles its meta-step once.
func newTrainer(backend backends.Backend, m Method, cfg Config, dir string) (*trainer, error) {
	t := &trainer{method: m, cfg: cfg, ctx: context.New()}
	if dir != "" {
		h, err := checkpoints.Build(t.ctx).Dir(dir).Keep(2).Immediate().Done()
		if err != nil {
			return nil, fmt.Errorf("maml: checkpoint %s: %w", dir, err)
		}
		t.ckpt = h
		t.history, err = loadHistory(dir)
		if err != nil {
			return nil, err
		}
	}
	InitParams(t.ctx, cfg.Hidden, cfg.Seed)
	done := int(optimizers.GetGlobalStep(t.ctx))
	if len(t.history) > done {
		t.history = t.history[:done]
	}
	for len(t.history) < done { // loss of steps done before the history was saved: unknown.
		t.history = append(t.history, nan)
	}
	var err error
	t.exec, err = context.NewExec(backend, t.ctx, metaStepFn(m, cfg))
	if err != nil {
		return nil, fmt.Errorf("maml: compile %s meta-step: %w", m, err)
	}
	return t, nil
}

// step returns the number of meta-steps done so far.
func (t *trainer) step() int { return len(t.history) }

// runStep does one meta-step on a meta-batch drawn from a random stream fixed by (seed, step),
// so that a resumed run sees the same tasks as an uninterrupted one.
func (t *trainer) runStep() (float64, error) {
	rng := rand.New(rand.NewPCG(t.cfg.Seed, uint64(t.step())))
	b := sampleBatch(rng, t.cfg.MetaBatch, t.cfg.K, t.cfg.Q)
	out, err := t.exec.Exec(b.XS, b.YS, b.XQ, b.YQ)
	if err != nil {
		return 0, fmt.Errorf("maml: %s meta-step %d: %w", t.method, t.step(), err)
	}
	loss := float64(tensors.ToScalar[float32](out[0]))
	t.history = append(t.history, loss)
	return loss, nil
}

// save writes a checkpoint and the loss history, if checkpoints are enabled.
func (t *trainer) save() error {
	if t.ckpt == nil {
		return nil
	}
	if err := t.ckpt.Save(); err != nil {
		return fmt.Errorf("maml: save %s checkpoint: %w", t.method, err)
	}
	return saveHistory(t.ckpt.Dir(), t.history)
}

// measureCosts times n meta-steps of every method of Methods on fresh weights (after compiling and
// one warm-up step each) and returns the median wall time of one meta-step per method. The methods
// take turns step by step, so that other work on the machine slows them all alike.
func measureCosts(backend backends.Backend, cfg Config, n int) ([]time.Duration, error) {
	trainers := make([]*trainer, len(Methods))
	for i, m := range Methods {
		t, err := newTrainer(backend, m, cfg, "")
		if err != nil {
			return nil, err
		}
		defer t.exec.Finalize()
		if _, err := t.runStep(); err != nil {
			return nil, err
		}
		trainers[i] = t
	}
	times := make([][]time.Duration, len(Methods))
	for range max(n, 1) {
		for i, t := range trainers {
			start := time.Now()
			if _, err := t.runStep(); err != nil {
				return nil, err
			}
			times[i] = append(times[i], time.Since(start))
		}
	}
	medians := make([]time.Duration, len(Methods))
	for i, ts := range times {
		slices.Sort(ts)
		medians[i] = ts[len(ts)/2]
	}
	return medians, nil
}
