package rl

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/dl4go/dl4go/gomlxext"
	"github.com/dl4go/dl4go/plotting"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:staticcheck // graph code reads like math.
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/layers"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"
)

// CartPoleConfig sizes REINFORCE-with-baseline training on CartPole.
type CartPoleConfig struct {
	Hidden       int     // hidden units of the policy and of the value MLP (4-Hidden-2 and 4-Hidden-1).
	Envs         int     // episodes played in parallel and used for one gradient update.
	MaxIters     int     // gradient updates at most.
	LearningRate float64 // Adam learning rate.
	Gamma        float64 // discount γ of the returns G_t.
	// StopReturn ends training early once the mean return of the last StopWindow updates'
	// episodes reaches it.
	StopReturn   float64
	StopWindow   int
	EvalEpisodes int // evaluation episodes of the trained policy (greedy: argmax_a π(a|s)).
	Seed         uint64
}

// checkpointEvery is the period, in updates, of CartPole's checkpoints (also saved at the end and
// on interrupt).
const checkpointEvery = 10

// CartPoleOutcome is the result of RunCartPole.
type CartPoleOutcome struct {
	Config CartPoleConfig
	// EpisodeReturns are the returns of every training episode, in order (sampled actions).
	EpisodeReturns []float64
	// EvalReturns are the returns of the EvalEpisodes greedy evaluation episodes.
	EvalReturns []float64
	MeanReturn  float64 // mean of EvalReturns: the lesson's metric.
	Iters       int     // gradient updates done in total (including resumed ones).
	ResumedFrom int     // updates loaded from a checkpoint (0: trained from scratch).
	TrainTime   time.Duration
	// Trajectory is the state sequence of the first evaluation episode, for drawing frames.
	Trajectory [][4]float64
}

// Summary describes the run in two lines: training and evaluation.
func (o CartPoleOutcome) Summary() string {
	resumed := ""
	if o.ResumedFrom > 0 {
		resumed = fmt.Sprintf(", resumed from update %d", o.ResumedFrom)
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, r := range o.EvalReturns {
		lo, hi = min(lo, r), max(hi, r)
	}
	return fmt.Sprintf("trained %d updates (%d episodes) in %s%s\ngreedy policy: mean return %.1f over %d episodes (min %.0f, max %.0f)",
		o.Iters, len(o.EpisodeReturns), o.TrainTime.Round(time.Millisecond), resumed, o.MeanReturn, len(o.EvalReturns), lo, hi)
}

// cartPoleScale brings the state [x, ẋ, θ, θ̇] to roughly unit range before the network.
var cartPoleScale = []float32{1 / CartPoleXLimit, 1 / 3.0, 1 / CartPoleThetaLimit, 1 / 3.0}

// mlp is the tiny network 4 → hidden (tanh) → out. states is [batch, 4]; returns [batch, out].
func mlp(ctx *context.Context, states *Node, hidden, out int) *Node {
	x := Mul(states, Const(states.Graph(), [][]float32{cartPoleScale})) // [1, 4] broadcasts over the batch
	x = Tanh(layers.DenseWithBias(ctx.In("hidden"), x, hidden))
	return layers.DenseWithBias(ctx.In("output"), x, out)
}

// PolicyLogits is π_θ's network, 4 → hidden (tanh) → 2 in the context's scope "policy", with
// the context parameter "hidden" as its width: states [batch, 4] → logits [batch, 2];
// π(·|s) = softmax(logits). Lesson 18 (A3C) uses it as its actor.
func PolicyLogits(ctx *context.Context, states *Node) *Node {
	return mlp(ctx.In("policy"), states, context.MustGetParam[int](ctx, "hidden"), 2)
}

// StateValue is the baseline network V_φ, 4 → hidden (tanh) → 1 in the context's scope "value":
// states [batch, 4] → V(s) [batch] (in units of (1−γ)·return, so that its targets lie in
// [0, 1)). Lesson 18 (A3C) uses it as its critic.
func StateValue(ctx *context.Context, states *Node) *Node {
	v := mlp(ctx.In("value"), states, context.MustGetParam[int](ctx, "hidden"), 1)
	return Reshape(v, states.Shape().Dimensions[0])
}

// actGraph returns π(·|s): states [batch, 4] → probabilities [batch, 2].
func actGraph(ctx *context.Context, states *Node) *Node {
	return Softmax(PolicyLogits(ctx, states), -1)
}

// reinforceGraph is one gradient step of REINFORCE with a baseline. Inputs, all flattened over
// [Envs × 500] steps: states [n, 4], actions [n] (int32), returns [n] (the discounted return G_t
// that followed step t, scaled by 1−γ), mask [n] (1 for steps that happened, 0 for padding).
// Returns the policy loss and the baseline's loss (scalars).
func reinforceGraph(ctx *context.Context, states, actions, returns, mask *Node) (policyLoss, valueLoss *Node) {
	g := states.Graph()
	count := ReduceAllSum(mask)
	meanOverSteps := func(x *Node) *Node { return Div(ReduceAllSum(Mul(x, mask)), count) }

	// The policy-gradient theorem (report 1-1):
	//
	//   ∇_θ J(θ) = E_{π_θ}[ ∇_θ log π_θ(a|s) · Q^π(s,a) ]
	//
	// line by line:
	//
	// log π_θ(·|s): the network's log-probabilities of both actions, [n, 2].
	logPi := LogSoftmax(PolicyLogits(ctx, states), -1)
	// log π_θ(a|s): pick the action that was actually taken, [n].
	logPiA := ReduceSum(Mul(logPi, OneHot(actions, 2, logPi.DType())), -1)
	// Q^π(s,a): estimated by the return G_t that followed (s_t, a_t) in the sampled episode;
	// subtracting the baseline V(s_t) does not change the expectation but shrinks the variance,
	// so the weight is the advantage G_t − V(s_t). StopGradient: it is a number, not a path for θ.
	v := StateValue(ctx, states)
	advantage := StopGradient(Sub(returns, v))
	// Normalise the advantages over the batch (a common, expectation-preserving rescaling).
	advMean := meanOverSteps(advantage)
	advStd := Sqrt(AddScalar(meanOverSteps(Square(Sub(advantage, advMean))), 1e-8))
	advantage = Div(Sub(advantage, advMean), advStd)
	// E_{π_θ}[ … ]: the average over every step of the episodes sampled from π_θ.
	// J's gradient is then ∇_θ of this surrogate; the optimiser minimises, so we negate it
	// (gradient ascent θ ← θ + ε∇J).
	policyLoss = Neg(meanOverSteps(Mul(logPiA, advantage)))
	// The baseline learns V(s) ≈ E[G_t | s_t] by least squares.
	valueLoss = meanOverSteps(Square(Sub(returns, v)))

	optimizers.FromContext(ctx).UpdateGraph(ctx, g, Add(policyLoss, valueLoss))
	return policyLoss, valueLoss
}

// trainHistory is what a checkpoint keeps beside the GoMLX variables.
type trainHistory struct {
	EpisodeReturns []float64
	IterMeans      []float64
	TrainSeconds   float64
}

// afterUpdate, when set (by tests), is called after each training update with the run's
// interrupt watcher, e.g. to request an interrupt at a chosen update.
var afterUpdate func(iter int, stop *gomlxext.Interrupt)

// RunCartPole trains cfg.CartPole's 4-Hidden-2 policy network with REINFORCE and a learned
// baseline, then evaluates the greedy policy on EvalEpisodes episodes. Its checkpoints live in
// the "cartpole" part of cfg's run (Lesson.Open): a rerun resumes from the latest one, playing
// exactly the episodes an uninterrupted run would, and a finished run only evaluates (100
// episodes, well under a second). A kernel interrupt (SIGINT) saves a checkpoint and returns an
// error wrapping gomlxext.ErrInterrupted.
func RunCartPole(cfg Config) (CartPoleOutcome, error) {
	cp := cfg.CartPole
	out := CartPoleOutcome{Config: cp}
	if cp.Hidden < 1 || cp.Envs < 1 || cp.MaxIters < 0 || cp.EvalEpisodes < 1 || cp.StopWindow < 1 {
		return out, fmt.Errorf("cartpole: invalid config %+v: Hidden, Envs, EvalEpisodes and StopWindow must be ≥ 1, MaxIters ≥ 0", cp)
	}
	backend, err := gomlxext.Backend()
	if err != nil {
		return out, fmt.Errorf("cartpole: %w", err)
	}
	run, err := Lesson.Open(cfg)
	if err != nil {
		return out, err
	}
	dir, err := run.Part("cartpole")
	if err != nil {
		return out, err
	}
	// Unchecked: the acting graph, the training graph and the evaluation graph share the variables.
	ctx := context.New().Checked(false)
	ctx.SetParams(map[string]any{
		"hidden":                     cp.Hidden,
		context.ParamInitialSeed:     int64(cp.Seed),
		optimizers.ParamOptimizer:    "adam",
		optimizers.ParamLearningRate: cp.LearningRate,
	})
	var hist trainHistory
	var ck *gomlxext.Checkpoint
	if dir != "" {
		if ck, err = gomlxext.Checkpoints(ctx, dir).Immediate().LoadState(&hist).Done(); err != nil {
			return out, fmt.Errorf("cartpole: %w", err)
		}
		if ck.Step() != int64(len(hist.IterMeans)) {
			return out, fmt.Errorf("cartpole: the checkpoint in %s is at step %d but its history at %d: delete the folder to start over",
				dir, ck.Step(), len(hist.IterMeans))
		}
	}
	start := len(hist.IterMeans)
	out.ResumedFrom = start

	act, err := context.NewExec(backend, ctx, actGraph)
	if err != nil {
		return out, fmt.Errorf("cartpole: compile policy: %w", err)
	}
	step, err := context.NewExec(backend, ctx, reinforceGraph)
	if err != nil {
		return out, fmt.Errorf("cartpole: compile training step: %w", err)
	}

	var live *plotting.Live // the live chart, only if there is training left to do
	if !cfg.Quiet && start < cp.MaxIters && !stopReached(hist.IterMeans, cp) {
		live = plotting.NewLive("CartPole: REINFORCE with baseline, mean return per update", cp.MaxIters, "mean return")
		for i, m := range hist.IterMeans { // a resumed run shows its past too
			live.Update(i+1, map[string]float64{"mean return": m})
		}
		defer live.Done()
	}
	stop := gomlxext.WatchInterrupt()
	defer stop.Release()
	t0 := time.Now()
	save := func() error {
		hist.TrainSeconds += time.Since(t0).Seconds()
		t0 = time.Now()
		if ck == nil {
			return nil
		}
		if err := ck.Save(hist); err != nil {
			return fmt.Errorf("cartpole: %w", err)
		}
		return nil
	}
	b := newRolloutBuffer(cp.Envs)
	for iter := start; iter < cp.MaxIters && !stopReached(hist.IterMeans, cp); iter++ {
		// Each update's episodes come from their own seeded generator, so a resumed run plays
		// exactly the episodes an uninterrupted one would.
		rng := rand.New(rand.NewPCG(cp.Seed, uint64(iter)))
		rets, err := b.play(act, rng, false, nil)
		if err != nil {
			return out, err
		}
		b.discountedReturns(cp.Gamma)
		if _, err := step.Exec(b.tensors()); err != nil {
			return out, fmt.Errorf("cartpole: training step %d: %w", iter, err)
		}
		hist.EpisodeReturns = append(hist.EpisodeReturns, rets...)
		hist.IterMeans = append(hist.IterMeans, mean(rets))
		if live != nil {
			live.Update(iter+1, map[string]float64{"mean return": mean(rets)})
		}
		if afterUpdate != nil {
			afterUpdate(iter+1, stop)
		}
		if stop.Requested() {
			if err := save(); err != nil {
				return out, err
			}
			where := ""
			if ck != nil {
				where = "; run it again to resume from the checkpoint in " + dir
			}
			return out, fmt.Errorf("cartpole: stopped after update %d%s: %w", iter+1, where, gomlxext.ErrInterrupted)
		}
		if last := iter+1 == cp.MaxIters || stopReached(hist.IterMeans, cp); (iter+1)%checkpointEvery == 0 || last {
			if err := save(); err != nil {
				return out, err
			}
		}
	}
	if live != nil && stopReached(hist.IterMeans, cp) {
		live.StopEarly(fmt.Sprintf("solved: mean return ≥ %g over the last %d updates", cp.StopReturn, cp.StopWindow))
	}
	out.EpisodeReturns = hist.EpisodeReturns
	out.Iters = len(hist.IterMeans)
	out.TrainTime = time.Duration(hist.TrainSeconds * float64(time.Second))

	// Evaluation: EvalEpisodes episodes at once, greedy actions, its own seed. Cheap, so a
	// finished run is evaluated again from its restored weights rather than replayed.
	eval := newRolloutBuffer(cp.EvalEpisodes)
	rng := rand.New(rand.NewPCG(cp.Seed, math.MaxUint64))
	if out.EvalReturns, err = eval.play(act, rng, true, &out.Trajectory); err != nil {
		return out, err
	}
	out.MeanReturn = mean(out.EvalReturns)
	return out, nil
}

func stopReached(iterMeans []float64, cfg CartPoleConfig) bool {
	if len(iterMeans) < cfg.StopWindow {
		return false
	}
	return mean(iterMeans[len(iterMeans)-cfg.StopWindow:]) >= cfg.StopReturn
}

// rolloutBuffer holds n episodes played side by side, padded to CartPoleMaxSteps: fixed shapes,
// so the policy and the training graphs are compiled once.
type rolloutBuffer struct {
	n       int
	envs    []CartPole
	obs     []float32 // [n, 4]: the current states, the policy's input.
	states  []float32 // [n, T, 4]
	actions []int32   // [n, T]
	returns []float32 // [n, T]
	mask    []float32 // [n, T]
	length  []int     // [n]: steps taken by each episode.
}

func newRolloutBuffer(n int) *rolloutBuffer {
	const T = CartPoleMaxSteps
	return &rolloutBuffer{n: n, envs: make([]CartPole, n), obs: make([]float32, n*4),
		states: make([]float32, n*T*4), actions: make([]int32, n*T), returns: make([]float32, n*T),
		mask: make([]float32, n*T), length: make([]int, n)}
}

// play runs the n episodes to their end with the policy act (sampling a ~ π(·|s), or the most
// probable action if greedy) and returns their returns. If traj is not nil, it receives episode
// 0's states.
func (b *rolloutBuffer) play(act *context.Exec, rng *rand.Rand, greedy bool, traj *[][4]float64) ([]float64, error) {
	const T = CartPoleMaxSteps
	clear(b.mask)
	clear(b.returns)
	for i := range b.envs {
		b.envs[i].Reset(rng)
		b.length[i] = 0
	}
	rets := make([]float64, b.n)
	for t := range T {
		active := 0
		for i := range b.envs {
			b.envs[i].Observe(b.obs[i*4:])
			if !b.envs[i].Done {
				active++
			}
		}
		if active == 0 {
			break
		}
		if traj != nil && !b.envs[0].Done {
			*traj = append(*traj, b.envs[0].State)
		}
		res, err := act.Exec(tensors.FromFlatDataAndDimensions(b.obs, b.n, 4))
		if err != nil {
			return nil, fmt.Errorf("cartpole: policy: %w", err)
		}
		probs, err := tensors.CopyFlatData[float32](res[0])
		if err != nil {
			return nil, fmt.Errorf("cartpole: policy output: %w", err)
		}
		for i := range b.envs {
			env := &b.envs[i]
			if env.Done {
				continue
			}
			pRight := float64(probs[i*2+1])
			a := 0
			if (greedy && pRight > 0.5) || (!greedy && rng.Float64() < pRight) {
				a = 1
			}
			k := i*T + t
			copy(b.states[k*4:k*4+4], b.obs[i*4:i*4+4])
			b.actions[k] = int32(a)
			b.returns[k] = float32(env.Step(a)) // the reward r_{t+1}; turned into G_t later.
			b.mask[k] = 1
			b.length[i]++
			rets[i] += float64(b.returns[k])
		}
	}
	if traj != nil {
		*traj = append(*traj, b.envs[0].State)
	}
	return rets, nil
}

// discountedReturns turns the rewards in b.returns into G_t = Σ_k γ^k r_{t+k+1}, scaled by 1−γ.
func (b *rolloutBuffer) discountedReturns(gamma float64) {
	const T = CartPoleMaxSteps
	for i := range b.n {
		var g float64
		for t := b.length[i] - 1; t >= 0; t-- {
			k := i*T + t
			g = float64(b.returns[k]) + gamma*g
			b.returns[k] = float32(g * (1 - gamma))
		}
	}
}

// tensors returns the training step's inputs: states [n·T, 4], actions, returns, mask [n·T].
func (b *rolloutBuffer) tensors() (states, actions, returns, mask *tensors.Tensor) {
	n := b.n * CartPoleMaxSteps
	return tensors.FromFlatDataAndDimensions(b.states, n, 4),
		tensors.FromFlatDataAndDimensions(b.actions, n),
		tensors.FromFlatDataAndDimensions(b.returns, n),
		tensors.FromFlatDataAndDimensions(b.mask, n)
}

func mean(x []float64) float64 {
	if len(x) == 0 {
		return math.NaN()
	}
	var s float64
	for _, v := range x {
		s += v
	}
	return s / float64(len(x))
}
