package maml

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/layers/activations"
)

// The MLP 1 → hidden → hidden → 1 (ReLU) is written functionally: its six weights are plain graph
// values, so an inner-loop SGD step w' = w − α·∇L(w) is just more graph ops, and the outer loop can
// differentiate through it.

// paramNames are the MLP's variables, in the order params returns them.
var paramNames = []string{"w1", "b1", "w2", "b2", "w3", "b3"}

// mlpScope is the context scope holding the shared (meta-learned) initial weights.
const mlpScope = "mlp"

// InitParams creates the MLP's variables in ctx (scope "mlp") as the original MAML code does:
// weights from a normal distribution with standard deviation 0.01 truncated at 2σ, drawn from a
// fixed seed, and zero biases. (Larger, He-style weights make the loss so curved for inputs up to
// |x| = 5 that inner SGD steps with α = 0.01 diverge.) Variables already present, e.g. loaded from
// a checkpoint, are kept.
//
// Shapes: w1 [1, hidden], b1 [hidden], w2 [hidden, hidden], b2 [hidden], w3 [hidden, 1], b3 [1].
func InitParams(ctx *context.Context, hidden int, seed uint64) {
	rng := rand.New(rand.NewPCG(seed, 0x4d414d4c))
	dense := func(in, out int) [][]float32 {
		w := make([][]float32, in)
		for i := range w {
			w[i] = make([]float32, out)
			for j := range w[i] {
				v := rng.NormFloat64()
				for math.Abs(v) > 2 {
					v = rng.NormFloat64()
				}
				w[i][j] = float32(0.01 * v)
			}
		}
		return w
	}
	values := []any{
		dense(1, hidden), make([]float32, hidden),
		dense(hidden, hidden), make([]float32, hidden),
		dense(hidden, 1), make([]float32, 1),
	}
	mctx := ctx.In(mlpScope).Checked(false)
	for i, name := range paramNames {
		mctx.VariableWithValue(name, values[i])
	}
}

// QueryLoss is (first- or second-order) MAML's meta-training loss for the shared weights in ctx
// (made by InitParams): each task's copy of them takes steps inner SGD steps with learning rate
// alpha on its support points xs, ys [tasks, K, 1], and the loss is the mean query MSE of the
// adapted copies on xq, yq [tasks, Q, 1] (a scalar). Its gradient for the shared weights is the
// meta-gradient; with firstOrder, the inner gradients are held constant (FOMAML).
func QueryLoss(ctx *context.Context, xs, ys, xq, yq *graph.Node, steps int, alpha float64, firstOrder bool) *graph.Node {
	w := perTask(params(ctx, xs.Graph()), xs.Shape().Dimensions[0])
	adapted := adapt(w, xs, ys, steps, alpha, firstOrder)
	return graph.ReduceAllMean(taskMSE(forward(adapted, xq), yq))
}

// params returns the shared weights of ctx as graph values, in paramNames order.
func params(ctx *context.Context, g *graph.Graph) []*graph.Node {
	out := make([]*graph.Node, len(paramNames))
	scope := ctx.In(mlpScope).Scope()
	for i, name := range paramNames {
		v := ctx.GetVariableByScopeAndName(scope, name)
		if v == nil {
			panic(fmt.Sprintf("maml: variable %s/%s missing: call InitParams first", scope, name))
		}
		out[i] = v.ValueGraph(g)
	}
	return out
}

// perTask copies the shared weights once per task: each returned tensor gets a leading [tasks] axis.
// The gradient of this copy sums over tasks, which is exactly what the outer loop needs.
func perTask(shared []*graph.Node, numTasks int) []*graph.Node {
	out := make([]*graph.Node, len(shared))
	for i, w := range shared {
		out[i] = graph.BroadcastPrefix(w, numTasks)
	}
	return out
}

// forward runs the MLP with per-task weights w (each with a leading [tasks] axis, see perTask)
// on x [tasks, n, 1]; it returns predictions [tasks, n, 1].
func forward(w []*graph.Node, x *graph.Node) *graph.Node {
	layer := func(h, wt, b *graph.Node) *graph.Node {
		return graph.Add(graph.Einsum("tni,tij->tnj", h, wt), graph.InsertAxes(b, 1))
	}
	h := activations.Relu(layer(x, w[0], w[1]))
	h = activations.Relu(layer(h, w[2], w[3]))
	return layer(h, w[4], w[5])
}

// taskMSE is the mean squared error of each task: predictions and targets are [tasks, n, 1]; returns [tasks].
func taskMSE(pred, y *graph.Node) *graph.Node {
	return graph.ReduceMean(graph.Square(graph.Sub(pred, y)), 1, 2)
}

// sgdStep is one inner-loop step on every task at once: w' = w − α·∇_w L_support(w), with
// w per-task weights, xs, ys the support points [tasks, K, 1]. Summing the task losses keeps the
// tasks independent: task t's weights only receive task t's gradient.
//
// With firstOrder the gradient is treated as a constant (StopGradient): the outer loop then ignores
// the second-order terms, which is first-order MAML (FOMAML). Otherwise the outer gradient
// flows through ∇L itself — second-order MAML.
func sgdStep(w []*graph.Node, xs, ys *graph.Node, alpha float64, firstOrder bool) []*graph.Node {
	loss := graph.ReduceSum(taskMSE(forward(w, xs), ys))
	grads := graph.Gradient(loss, w...)
	out := make([]*graph.Node, len(w))
	for i := range w {
		gi := grads[i]
		if firstOrder {
			gi = graph.StopGradient(gi)
		}
		out[i] = graph.Sub(w[i], graph.MulScalar(gi, alpha))
	}
	return out
}

// adapt runs steps inner SGD steps (see sgdStep) from w on the support points xs, ys [tasks, K, 1].
func adapt(w []*graph.Node, xs, ys *graph.Node, steps int, alpha float64, firstOrder bool) []*graph.Node {
	for range steps {
		w = sgdStep(w, xs, ys, alpha, firstOrder)
	}
	return w
}
