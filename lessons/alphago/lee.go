package alphago

import (
	"fmt"
	"math/rand/v2"
	"time"

	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"

	"github.com/dl4go/dl4go/plotting"
)

// LeeConfig sizes the AlphaGo Lee pipeline in miniature.
type LeeConfig struct {
	Size        int
	Komi        float64
	Net         NetConfig // PolicyNet and ValueNet towers (plain convolutions, no residuals).
	ExpertGames int       // "expert" games, played by pure MCTS with ExpertSims playouts per move.
	ExpertSims  int
	RolloutEps  int     // epochs of SGD for the rollout policy.
	SLSteps     int     // supervised steps of the PolicyNet.
	RLIters     int     // REINFORCE iterations of the PolicyNet (games against the SL policy).
	RLGames     int     // games per REINFORCE iteration.
	ValueGames  int     // self-play games of the RL policy for the ValueNet's data.
	ValueSteps  int     // regression steps of the ValueNet.
	Batch       int     // batch size.
	LR          float64 // Adam learning rate.
	Lambda      float64 // leaf value = (1−λ)·ValueNet + λ·rollout (AlphaGo Lee used λ = 0.5).
	Sims        int     // MCTS simulations of the assembled AlphaGo Lee player.
	EvalGames   int     // games vs each opponent.
	Seed        uint64
}

// LeeOutcome is what RunLee returns: each stage's numbers.
type LeeOutcome struct {
	Config             LeeConfig
	ExpertMoves        int     // (position, move) pairs in the expert games.
	RolloutAccuracy    float64 // top-1 agreement of the rollout policy with the expert moves.
	RolloutBefore      float64 // the same for the untrained (uniform) rollout policy.
	PolicyAccuracy     float64 // top-1 agreement of the SL PolicyNet with the expert moves.
	SLLoss, RLWin      []float64
	ValueLoss          []float64
	RLVsSL             float64 // RL policy vs SL policy, no search (sampled moves).
	VsRandom, VsMCTS   float64 // AlphaGo Lee player (MCTS: SL priors, value+rollout leaves).
	Times              map[string]time.Duration
	SL, RL, Value      *Net
	Rollout            *RolloutPolicy
	RolloutMovesPerSec float64
	NetEvalsPerSec     float64
}

type expertMove struct {
	pos  Position
	move int
}

// expertGames plays games with pure MCTS (sims playouts per move; the first 4 moves sampled
// ∝ visits for variety) and returns every (position, chosen move): our stand-in for the human
// expert games AlphaGo Lee learned from.
func expertGames(games, sims, size int, komi float64, seed uint64) ([]expertMove, error) {
	rng := rand.New(rand.NewPCG(seed, 11))
	eval := &RandomRollouts{Seed: seed}
	pos := make([]Position, games)
	for i := range pos {
		pos[i] = NewPosition(size, komi)
	}
	var out []expertMove
	for {
		var idx []int
		var roots []Position
		for i := range pos {
			if !pos[i].Over() {
				idx, roots = append(idx, i), append(roots, pos[i])
			}
		}
		if len(idx) == 0 {
			return out, nil
		}
		trees, err := Search(eval, roots, SearchConfig{Sims: sims, CPuct: 1.5}, rng)
		if err != nil {
			return nil, fmt.Errorf("expert games: %w", err)
		}
		for k, i := range idx {
			m := trees[k].BestMove()
			if pos[i].Moves < 4 {
				m = trees[k].SampleMove(rng)
			}
			out = append(out, expertMove{pos[i], m})
			pos[i].play(m)
		}
	}
}

// NewPolicyNet returns AlphaGo Lee's PolicyNet with one training step for both of its stages:
// loss = −mean_b w_b · Σ_a target_{b,a} log π(a|s_b). Supervised learning uses one-hot expert
// moves and w = 1; REINFORCE uses the move played and w = z, the game's outcome (±1) for the
// player who played it, which is the policy gradient ∇ log π(a|s) · z.
func NewPolicyNet(cfg NetConfig, seed uint64, lr float64) (*Net, error) {
	return newNet(cfg, seed, lr,
		func(ctx *context.Context, planes *Node) []*Node {
			return []*Node{Softmax(PolicyNet(ctx, cfg, planes), -1)}
		},
		func(ctx *context.Context, planes, target, w *Node) []*Node {
			logp := LogSoftmax(PolicyNet(ctx, cfg, planes), -1)
			loss := ReduceAllMean(Neg(Mul(w, ReduceSum(Mul(target, logp), -1))))
			return []*Node{loss}
		})
}

// NewValueNet returns AlphaGo Lee's ValueNet with its regression step: loss = mean (z − v)²;
// the unused third input keeps one training-step signature for every network.
func NewValueNet(cfg NetConfig, seed uint64, lr float64) (*Net, error) {
	return newNet(cfg, seed, lr,
		func(ctx *context.Context, planes *Node) []*Node {
			return []*Node{ValueNet(ctx, cfg, planes)}
		},
		func(ctx *context.Context, planes, z, _ *Node) []*Node {
			return []*Node{ReduceAllMean(Square(Sub(z, ValueNet(ctx, cfg, planes))))}
		})
}

// Policy returns the network's move probabilities [len(ps)][N·N+1] (a PolicyNet's output).
func (nt *Net) Policy(ps []*Position) ([][]float32, error) {
	outs, err := nt.run(ps)
	if err != nil {
		return nil, err
	}
	m := nt.Cfg.Size*nt.Cfg.Size + 1
	res := make([][]float32, len(ps))
	for i := range ps {
		res[i] = outs[0][i*m : (i+1)*m]
	}
	return res, nil
}

// PolicyPlayer plays straight from a PolicyNet, without search: it samples a move from π
// restricted to SearchMoves (or plays the most likely one when Greedy).
type PolicyPlayer struct {
	Label  string
	Net    *Net
	Greedy bool
}

// Name implements Player.
func (pp *PolicyPlayer) Name() string { return pp.Label }

// Moves implements Player.
func (pp *PolicyPlayer) Moves(ps []*Position, rng *rand.Rand) ([]int, error) {
	probs, err := pp.Net.Policy(ps)
	if err != nil {
		return nil, err
	}
	out := make([]int, len(ps))
	for i, p := range ps {
		out[i] = pickMove(SearchMoves(p), probs[i], pp.Greedy, rng)
	}
	return out, nil
}

func pickMove(moves []int, probs []float32, greedy bool, rng *rand.Rand) int {
	var sum float64
	best := moves[0]
	for _, m := range moves {
		sum += float64(probs[m])
		if probs[m] > probs[best] {
			best = m
		}
	}
	if greedy || sum <= 0 {
		return best
	}
	u := rng.Float64() * sum
	for _, m := range moves {
		u -= float64(probs[m])
		if u < 0 {
			return m
		}
	}
	return moves[len(moves)-1]
}

// LeeEvaluator is AlphaGo Lee's leaf evaluation: priors from the SL PolicyNet, value
// (1−λ)·v_θ(s) + λ·z where z is the result of one fast rollout with the linear policy.
type LeeEvaluator struct {
	Policy, Value *Net
	Rollout       *RolloutPolicy
	Lambda        float64
	Seed          uint64
	calls         uint64
}

// Evaluate implements Evaluator.
func (le *LeeEvaluator) Evaluate(ps []*Position) ([][]float32, []float32, error) {
	priors, err := le.Policy.Policy(ps)
	if err != nil {
		return nil, nil, err
	}
	outs, err := le.Value.run(ps)
	if err != nil {
		return nil, nil, err
	}
	le.calls++
	base := le.calls * 1_000_003
	values := make([]float32, len(ps))
	parallelFor(len(ps), func(k int) {
		z := float32(0)
		if le.Lambda > 0 {
			rng := rand.New(rand.NewPCG(le.Seed, base+uint64(k)))
			w := playout(*ps[k], func(q *Position) int { return le.Rollout.Move(q, rng) })
			z = resultFor(w, ps[k].ToPlay)
		}
		values[k] = float32(1-le.Lambda)*outs[0][k] + float32(le.Lambda)*z
	})
	return priors, values, nil
}

// policyBatch builds a training batch of b examples drawn from the samples: planes, the
// target distribution and the per-example weight.
func policyBatch(data []sample, b, n int, rng *rand.Rand) (*tensors.Tensor, *tensors.Tensor, *tensors.Tensor) {
	r := &replay{data: data}
	return r.batch(b, n, rng)
}

// RunLee runs AlphaGo Lee's pipeline in miniature: expert games by pure MCTS, supervised
// learning of the rollout policy and of the PolicyNet, REINFORCE self-play of the PolicyNet,
// regression of the ValueNet on the RL policy's self-play outcomes, and finally the assembled
// player (MCTS with SL priors and value+rollout leaves) against random and pure MCTS. It runs
// cfg.Lee, with live loss curves unless cfg.Quiet; nothing is saved (its outcome holds the
// trained networks, and it takes a minute or two).
func RunLee(c Config) (LeeOutcome, error) {
	cfg := c.Lee
	out := LeeOutcome{Config: cfg, Times: map[string]time.Duration{}}
	newLive := func(title string, total int, series string) *plotting.Live {
		if c.Quiet {
			return nil
		}
		return plotting.NewLive(title, total, series)
	}
	n := cfg.Size
	rng := rand.New(rand.NewPCG(cfg.Seed, 21))
	lap := func(name string, t0 time.Time) { out.Times[name] = time.Since(t0) }

	// 1. "Expert" games.
	t0 := time.Now()
	expert, err := expertGames(cfg.ExpertGames, cfg.ExpertSims, n, cfg.Komi, cfg.Seed)
	if err != nil {
		return out, fmt.Errorf("alphago lee: %w", err)
	}
	out.ExpertMoves = len(expert)
	lap("expert games", t0)

	// 2. Rollout policy: SGD on the log-likelihood of the expert moves.
	t0 = time.Now()
	rp := NewRolloutPolicy()
	for _, e := range expert { // a uniform policy's expected top-1 agreement
		out.RolloutBefore += 1 / float64(len(e.pos.LegalMoves())) / float64(len(expert))
	}
	for range cfg.RolloutEps {
		for _, i := range rng.Perm(len(expert)) {
			rp.TrainStep(&expert[i].pos, expert[i].move, 0.1)
		}
	}
	out.RolloutAccuracy = rolloutAccuracy(rp, expert)
	out.Rollout = rp
	lap("rollout policy", t0)
	t0 = time.Now()
	moves := 0
	for range 20 {
		p := NewPosition(n, cfg.Komi)
		for !p.Over() {
			p.play(rp.Move(&p, rng))
			moves++
		}
	}
	out.RolloutMovesPerSec = float64(moves) / time.Since(t0).Seconds()

	// 3. SL PolicyNet on the expert moves (×8 symmetries).
	t0 = time.Now()
	sl, err := NewPolicyNet(cfg.Net, cfg.Seed, cfg.LR)
	if err != nil {
		return out, fmt.Errorf("alphago lee: policy net: %w", err)
	}
	var slData []sample
	per := n * n * NumPlanes
	for _, e := range expert {
		pl := make([]float32, per)
		Encode(&e.pos, pl)
		pi := make([]float32, n*n+1)
		pi[e.move] = 1
		slData = append(slData, augment(n, pl, pi, 1)...)
	}
	live := newLive("AlphaGo Lee: supervised PolicyNet", cfg.SLSteps, "loss")
	for s := range cfg.SLSteps {
		l, err := sl.Step(policyBatch(slData, cfg.Batch, n, rng))
		if err != nil {
			return out, fmt.Errorf("alphago lee: SL: %w", err)
		}
		out.SLLoss = append(out.SLLoss, l[0])
		if live != nil {
			live.Update(s+1, map[string]float64{"loss": l[0]})
		}
	}
	if live != nil {
		live.Done()
	}
	if out.PolicyAccuracy, err = policyAccuracy(sl, expert); err != nil {
		return out, err
	}
	out.SL = sl
	lap("SL policy net", t0)

	// 4. RL: REINFORCE, starting from a copy of the SL weights, playing against the frozen SL
	// policy (AlphaGo drew its opponents from a pool of earlier versions; ours is a pool of one).
	t0 = time.Now()
	rl, err := NewPolicyNet(cfg.Net, cfg.Seed, cfg.LR/4)
	if err != nil {
		return out, fmt.Errorf("alphago lee: RL net: %w", err)
	}
	if err := copyVariables(sl, rl); err != nil {
		return out, err
	}
	rlPlayer := &PolicyPlayer{Label: "RL policy", Net: rl}
	slPlayer := &PolicyPlayer{Label: "SL policy", Net: sl}
	live = newLive("AlphaGo Lee: REINFORCE, RL policy vs SL policy", cfg.RLIters, "RL win rate")
	for it := range cfg.RLIters {
		data, w, err := policyGames(rl, sl, cfg.RLGames, n, cfg.Komi, rng)
		if err != nil {
			return out, fmt.Errorf("alphago lee: RL: %w", err)
		}
		for start := 0; start+cfg.Batch <= len(data); start += cfg.Batch {
			if _, err := rl.Step(stack(data[start:start+cfg.Batch], n)); err != nil {
				return out, fmt.Errorf("alphago lee: RL: %w", err)
			}
		}
		out.RLWin = append(out.RLWin, w)
		if live != nil {
			live.Update(it+1, map[string]float64{"RL win rate": w})
		}
	}
	if live != nil {
		live.Done()
	}
	if out.RLVsSL, err = Match(rlPlayer, slPlayer, 200, n, cfg.Komi, cfg.Seed+5); err != nil {
		return out, err
	}
	out.RL = rl
	lap("RL policy net", t0)

	// 5. ValueNet: regression on the outcomes of the RL policy's self-play.
	t0 = time.Now()
	vn, err := NewValueNet(cfg.Net, cfg.Seed+1, cfg.LR)
	if err != nil {
		return out, fmt.Errorf("alphago lee: value net: %w", err)
	}
	vData, err := policySelfPlay(rl, cfg.ValueGames, n, cfg.Komi, rng)
	if err != nil {
		return out, fmt.Errorf("alphago lee: value data: %w", err)
	}
	live = newLive("AlphaGo Lee: ValueNet regression", cfg.ValueSteps, "loss")
	for s := range cfg.ValueSteps {
		r := &replay{data: vData}
		pl, _, z := r.batch(cfg.Batch, n, rng)
		l, err := vn.Step(pl, z, z)
		if err != nil {
			return out, fmt.Errorf("alphago lee: value net: %w", err)
		}
		out.ValueLoss = append(out.ValueLoss, l[0])
		if live != nil {
			live.Update(s+1, map[string]float64{"loss": l[0]})
		}
	}
	if live != nil {
		live.Done()
	}
	out.Value = vn
	lap("value net", t0)

	// 6. The assembled AlphaGo Lee player.
	t0 = time.Now()
	lee := out.Player()
	if out.VsRandom, err = Match(lee, RandomPlayer{}, cfg.EvalGames, n, cfg.Komi, cfg.Seed+7); err != nil {
		return out, err
	}
	if out.VsMCTS, err = Match(lee, PureMCTS(cfg.Sims, cfg.Seed+8), cfg.EvalGames, n, cfg.Komi, cfg.Seed+8); err != nil {
		return out, err
	}
	lap("evaluation", t0)
	return out, nil
}

// Player is the assembled AlphaGo Lee: MCTS with cfg.Sims simulations, SL PolicyNet priors,
// and leaves valued by (1−λ)·ValueNet + λ·one fast rollout.
func (o LeeOutcome) Player() *MCTSPlayer {
	return &MCTSPlayer{Label: "AlphaGo Lee",
		Eval:   &LeeEvaluator{Policy: o.SL, Value: o.Value, Rollout: o.Rollout, Lambda: o.Config.Lambda, Seed: o.Config.Seed},
		Search: SearchConfig{Sims: o.Config.Sims, CPuct: 1.5}}
}

// stack turns samples into a batch: planes, π, z.
func stack(data []sample, n int) (*tensors.Tensor, *tensors.Tensor, *tensors.Tensor) {
	per, m := n*n*NumPlanes, n*n+1
	pl, pv, zv := make([]float32, len(data)*per), make([]float32, len(data)*m), make([]float32, len(data))
	for i, s := range data {
		copy(pl[i*per:], s.planes)
		copy(pv[i*m:], s.pi)
		zv[i] = s.z
	}
	return tensors.FromFlatDataAndDimensions(pl, len(data), n, n, NumPlanes),
		tensors.FromFlatDataAndDimensions(pv, len(data), m), tensors.FromFlatDataAndDimensions(zv, len(data))
}

// policyGames plays games of learner against opponent, both sampling from their policy
// networks, colours alternated, and returns the learner's moves as samples (planes, one-hot
// of the move, z = the game's outcome for the learner), shuffled, and the learner's win rate.
func policyGames(learner, opponent *Net, games, n int, komi float64, rng *rand.Rand) ([]sample, float64, error) {
	pos := make([]Position, games)
	var data [][]sample = make([][]sample, games)
	for i := range pos {
		pos[i] = NewPosition(n, komi)
	}
	learnerColour := func(i int) int8 {
		if i%2 == 0 {
			return Black
		}
		return White
	}
	per := n * n * NumPlanes
	for {
		var idxL, idxO []int
		var psL, psO []*Position
		for i := range pos {
			switch {
			case pos[i].Over():
			case pos[i].ToPlay == learnerColour(i):
				idxL, psL = append(idxL, i), append(psL, &pos[i])
			default:
				idxO, psO = append(idxO, i), append(psO, &pos[i])
			}
		}
		if len(idxL)+len(idxO) == 0 {
			break
		}
		if len(psL) > 0 {
			moves, err := (&PolicyPlayer{Net: learner}).Moves(psL, rng)
			if err != nil {
				return nil, 0, err
			}
			for k, i := range idxL {
				pl := make([]float32, per)
				Encode(&pos[i], pl)
				pi := make([]float32, n*n+1)
				pi[moves[k]] = 1
				data[i] = append(data[i], sample{pl, pi, 0})
				pos[i].play(moves[k])
			}
		}
		if len(psO) > 0 {
			moves, err := (&PolicyPlayer{Net: opponent}).Moves(psO, rng)
			if err != nil {
				return nil, 0, err
			}
			for k, i := range idxO {
				pos[i].play(moves[k])
			}
		}
	}
	var out []sample
	wins := 0
	for i := range pos {
		z := resultFor(pos[i].Winner(), learnerColour(i))
		if z > 0 {
			wins++
		}
		for _, s := range data[i] {
			s.z = z
			out = append(out, s)
		}
	}
	rng.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out, float64(wins) / float64(games), nil
}

// policySelfPlay plays games where both sides sample from the policy network and returns,
// shuffled, every move as a sample: planes, one-hot of the move, and z = the outcome for the
// player who made it.
func policySelfPlay(net *Net, games, n int, komi float64, rng *rand.Rand) ([]sample, error) {
	pos := make([]Position, games)
	type rec struct {
		planes []float32
		move   int
		player int8
	}
	hist := make([][]rec, games)
	for i := range pos {
		pos[i] = NewPosition(n, komi)
	}
	pp := &PolicyPlayer{Net: net}
	per := n * n * NumPlanes
	for {
		var idx []int
		var ps []*Position
		for i := range pos {
			if !pos[i].Over() {
				idx, ps = append(idx, i), append(ps, &pos[i])
			}
		}
		if len(idx) == 0 {
			break
		}
		moves, err := pp.Moves(ps, rng)
		if err != nil {
			return nil, err
		}
		for k, i := range idx {
			pl := make([]float32, per)
			Encode(&pos[i], pl)
			hist[i] = append(hist[i], rec{pl, moves[k], pos[i].ToPlay})
			pos[i].play(moves[k])
		}
	}
	var out []sample
	for i := range pos {
		w := pos[i].Winner()
		for _, r := range hist[i] {
			pi := make([]float32, n*n+1)
			pi[r.move] = 1
			out = append(out, sample{r.planes, pi, resultFor(w, r.player)})
		}
	}
	rng.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out, nil
}

func rolloutAccuracy(rp *RolloutPolicy, expert []expertMove) float64 {
	hit := 0
	for _, e := range expert {
		moves, probs := rp.Probs(&e.pos)
		best := 0
		for i := range probs {
			if probs[i] > probs[best] {
				best = i
			}
		}
		if moves[best] == e.move {
			hit++
		}
	}
	return float64(hit) / float64(max(len(expert), 1))
}

func policyAccuracy(net *Net, expert []expertMove) (float64, error) {
	ps := make([]*Position, len(expert))
	for i := range expert {
		ps[i] = &expert[i].pos
	}
	probs, err := net.Policy(ps)
	if err != nil {
		return 0, err
	}
	hit := 0
	for i, e := range expert {
		if pickMove(e.pos.LegalMoves(), probs[i], true, nil) == e.move {
			hit++
		}
	}
	return float64(hit) / float64(max(len(expert), 1)), nil
}

// copyVariables copies the model variables of src's context into dst's (same architecture):
// the variables dst's inference graph uses, which it creates on a first evaluation.
func copyVariables(src, dst *Net) error {
	p := NewPosition(dst.Cfg.Size, 0)
	if _, err := dst.run([]*Position{&p}); err != nil {
		return fmt.Errorf("copy variables: %w", err)
	}
	var err error
	copied := 0
	src.Ctx.EnumerateVariables(func(v *context.Variable) {
		if err != nil {
			return
		}
		d := dst.Ctx.GetVariableByScopeAndName(v.Scope(), v.Name())
		if d == nil || !d.Trainable && v.Scope() == "/" {
			return
		}
		copied++
		val, e := v.Value()
		if e != nil {
			err = e
			return
		}
		clone, e := val.LocalClone()
		if e != nil {
			err = e
			return
		}
		d.MustSetValue(clone)
	})
	if err == nil && copied == 0 {
		err = fmt.Errorf("copy variables: nothing copied")
	}
	return err
}
