package maml

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/dl4go/dl4go/gomlxext"
	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
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
	backend backends.Backend
	ctx     *context.Context
	exec    *context.Exec        // compiled at the first step (a finished run never compiles it).
	ckpt    *gomlxext.Checkpoint // nil: no checkpoints.
	state   trainState
}

// trainState is what a method's checkpoint keeps beside the weights: the loss and the wall time of
// every meta-step done so far (one entry per step; NaN and ±Inf survive: gob encoding).
type trainState struct {
	Loss    []float64
	Seconds []float64
}

// newTrainer creates the context of method m, loading its latest checkpoint from dir if there is
// one (dir == "" disables checkpoints).
func newTrainer(backend backends.Backend, m Method, cfg Config, dir string) (*trainer, error) {
	t := &trainer{method: m, cfg: cfg, backend: backend, ctx: context.New()}
	if dir != "" {
		ck, err := gomlxext.Checkpoints(t.ctx, dir).Immediate().LoadState(&t.state).Done()
		if err != nil {
			return nil, fmt.Errorf("maml: %s: %w", m, err)
		}
		t.ckpt = ck
		if n := int(ck.Step()); len(t.state.Loss) != n || len(t.state.Seconds) != n {
			return nil, fmt.Errorf("maml: %s: the checkpoint in %s is at step %d but holds the history of %d steps: delete the folder to train afresh",
				m, dir, n, len(t.state.Loss))
		}
	}
	InitParams(t.ctx, cfg.Hidden, cfg.Seed)
	return t, nil
}

// step returns the number of meta-steps done so far.
func (t *trainer) step() int { return len(t.state.Loss) }

// finalize frees the compiled step, if any.
func (t *trainer) finalize() {
	if t.exec != nil {
		t.exec.Finalize()
	}
}

// runStep does one meta-step on a meta-batch drawn from a random stream fixed by (seed, step),
// so that a resumed run sees the same tasks as an uninterrupted one. It records the step's loss
// and its wall time (the compute cost; the first step of a process includes compiling it).
func (t *trainer) runStep() (float64, error) {
	if t.exec == nil {
		exec, err := context.NewExec(t.backend, t.ctx, metaStepFn(t.method, t.cfg))
		if err != nil {
			return 0, fmt.Errorf("maml: compile %s meta-step: %w", t.method, err)
		}
		t.exec = exec
	}
	rng := rand.New(rand.NewPCG(t.cfg.Seed, uint64(t.step())))
	b := sampleBatch(rng, t.cfg.MetaBatch, t.cfg.K, t.cfg.Q)
	start := time.Now()
	out, err := t.exec.Exec(b.XS, b.YS, b.XQ, b.YQ)
	if err != nil {
		return 0, fmt.Errorf("maml: %s meta-step %d: %w", t.method, t.step(), err)
	}
	loss := float64(tensors.ToScalar[float32](out[0]))
	t.state.Seconds = append(t.state.Seconds, time.Since(start).Seconds())
	t.state.Loss = append(t.state.Loss, loss)
	return loss, nil
}

// save writes a checkpoint with the history, if checkpoints are enabled.
func (t *trainer) save() error {
	if t.ckpt == nil {
		return nil
	}
	if err := t.ckpt.Save(t.state); err != nil {
		return fmt.Errorf("maml: %s: %w", t.method, err)
	}
	return nil
}

// secondsPerStep is the median wall time of the meta-steps recorded in the history (the first
// one of a process includes compiling, and the median leaves it out), 0 with none.
func (t *trainer) secondsPerStep() float64 {
	if len(t.state.Seconds) == 0 {
		return 0
	}
	s := slices.Clone(t.state.Seconds)
	slices.Sort(s)
	return s[len(s)/2]
}
