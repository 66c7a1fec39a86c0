package a3c

import (
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:staticcheck // graph code reads like math.
	"github.com/gomlx/gomlx/pkg/ml/context"

	"github.com/dl4go/dl4go/gomlxext"
	"github.com/dl4go/dl4go/lessons/rl"
)

// The Actor is lesson 01's policy network rl.PolicyLogits (4 → hidden → 2 logits, π(·|s) =
// softmax) and the Critic its baseline network rl.StateValue (4 → hidden → 1, V(s) in units of
// (1−γ)·return): REINFORCE with a baseline used V only to reduce the variance of whole-episode
// returns; A3C's critic also bootstraps the n-step return.

// actGraph is what a worker runs at every step: states [batch, 4] → π(·|s) [batch, 2] and
// V(s) [batch].
func actGraph(ctx *context.Context, states *Node) (probs, value *Node) {
	return Softmax(rl.PolicyLogits(ctx, states), -1), rl.StateValue(ctx, states)
}

// lossGraph is the A3C objective of one update, averaged over the valid samples. Inputs, for n
// samples (a segment of one worker, or of all workers for A2C): states [n, 4], actions [n]
// (int32), targets [n] (the n-step returns R_t, scaled by 1−γ), mask [n] (1 for samples, 0 for
// padding). Returns the total loss (scalar) and its three parts: the policy loss
// −mean(log π(a|s)·A), the value loss mean((R − V(s))²) and the policy's mean entropy H(π(·|s)).
func lossGraph(ctx *context.Context, states, actions, targets, mask *Node) (loss, policyLoss, valueLoss, entropy *Node) {
	count := Max(ReduceAllSum(mask), ScalarOne(mask.Graph(), mask.DType()))
	mean := func(x *Node) *Node { return Div(ReduceAllSum(Mul(x, mask)), count) }

	// Actor: log π(·|s) for both actions [n, 2], and log π(a|s) of the action taken [n].
	logPi := LogSoftmax(rl.PolicyLogits(ctx, states), -1)
	logPiA := ReduceSum(Mul(logPi, OneHot(actions, 2, logPi.DType())), -1)
	// Critic: V(s) [n]. The advantage A = R − V(s) says how much better the action turned out
	// than the critic expected; for the actor it is a number (StopGradient), not a path to φ.
	v := rl.StateValue(ctx, states)
	advantage := StopGradient(Sub(targets, v))
	// Policy gradient: ascend E[∇ log π(a|s) · A]; the optimizer descends, hence the minus.
	policyLoss = Neg(mean(Mul(logPiA, advantage)))
	// Critic: least squares towards the n-step return.
	valueLoss = mean(Square(Sub(targets, v)))
	// Entropy H(π(·|s)) = −Σ_a π log π: the bonus β·H keeps the policy from collapsing onto one
	// action too early (exploration).
	entropy = mean(Neg(ReduceSum(Mul(Exp(logPi), logPi), -1)))
	vc := context.MustGetParam[float64](ctx, "value_coef")
	beta := context.MustGetParam[float64](ctx, "entropy")
	loss = Sub(Add(policyLoss, MulScalar(valueLoss, vc)), MulScalar(entropy, beta))
	return loss, policyLoss, valueLoss, entropy
}

// gradGraph is a worker's gradient computation for ps: the inputs of lossGraph → [policy loss,
// value loss, entropy, ∂loss/∂v for each of the server's variables v...].
func gradGraph(ps *gomlxext.ParamServer) func(ctx *context.Context, states, actions, targets, mask *Node) []*Node {
	return func(ctx *context.Context, states, actions, targets, mask *Node) []*Node {
		loss, pl, vl, h := lossGraph(ctx, states, actions, targets, mask)
		return append([]*Node{pl, vl, h}, ps.Gradients(ctx, loss)...)
	}
}
