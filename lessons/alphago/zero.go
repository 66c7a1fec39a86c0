package alphago

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/gomlx/gomlx/pkg/core/tensors"

	"github.com/dl4go/dl4go/gomlxext"
	"github.com/dl4go/dl4go/plotting"
)

// ZeroConfig sizes the AlphaGo Zero experiment.
type ZeroConfig struct {
	Size       int     // board size.
	Komi       float64 // komi for white.
	Net        NetConfig
	Iterations int     // self-play → train → evaluate iterations.
	Games      int     // self-play games per iteration, played side by side.
	Sims       int     // MCTS simulations per move (self-play and evaluation).
	CPuct      float64 // PUCT exploration constant.
	TempMoves  int     // moves sampled ∝ visit counts at the start of each self-play game.
	Buffer     int     // replay buffer capacity (positions, after the 8 symmetries).
	TrainSteps int     // gradient steps per iteration.
	Batch      int     // training batch size.
	LR         float64 // Adam learning rate.
	EvalGames  int     // games vs each opponent after every iteration (the win-rate chart).
	FinalGames int     // games vs each opponent at the end (the asserted outcome).
	Seed       uint64
}

// ZeroIter records one training iteration.
type ZeroIter struct {
	Iter        int
	PolicyLoss  float64 // mean over the iteration's steps.
	ValueLoss   float64
	WinVsRandom float64 // net+MCTS win rate vs the random player (EvalGames games).
	WinVsMCTS   float64 // vs pure MCTS with the same number of simulations.
	Seconds     float64 // wall time of the iteration.
}

// Outcome is what Run returns: AlphaGo Zero's training and its final win rates.
type Outcome struct {
	Config      Config
	History     []ZeroIter
	ResumedFrom int // iterations loaded from the checkpoint.
	// FinalRandom and FinalMCTS are net+MCTS's win rates in the FinalGames final games against
	// the random player and against pure MCTS.
	FinalRandom float64
	FinalMCTS   float64
	// FinalReplayed says that the final win rates were read back from the run's saved outcome
	// (the same configuration, code and engine measured them before) instead of played again.
	FinalReplayed bool
	TrainTime     time.Duration // self-play + training + per-iteration evaluation, all runs.
	FinalTime     time.Duration // the final evaluation (when it was played).
	Net           *Net
	// Dir is the run's folder ("" when nothing is saved).
	Dir string
}

// sample is one training example: input planes, the search's visit distribution, the outcome
// for the player to move.
type sample struct {
	planes []float32
	pi     []float32
	z      float32
}

// replay is AlphaGo Zero's replay buffer: the most recent positions of self-play.
type replay struct {
	cap  int
	data []sample
	next int
}

func (r *replay) add(s sample) {
	if len(r.data) < r.cap {
		r.data = append(r.data, s)
		return
	}
	r.data[r.next] = s
	r.next = (r.next + 1) % r.cap
}

// batch draws b examples uniformly: planes [b, N, N, NumPlanes], π [b, N·N+1], z [b].
func (r *replay) batch(b, n int, rng *rand.Rand) (planes, pi, z *tensors.Tensor) {
	per, m := n*n*NumPlanes, n*n+1
	pl, pv, zv := make([]float32, b*per), make([]float32, b*m), make([]float32, b)
	for i := range b {
		s := r.data[rng.IntN(len(r.data))]
		copy(pl[i*per:], s.planes)
		copy(pv[i*m:], s.pi)
		zv[i] = s.z
	}
	return tensors.FromFlatDataAndDimensions(pl, b, n, n, NumPlanes),
		tensors.FromFlatDataAndDimensions(pv, b, m), tensors.FromFlatDataAndDimensions(zv, b)
}

// augment returns the 8 symmetric copies of a position's planes and policy.
func augment(n int, planes, pi []float32, z float32) []sample {
	out := make([]sample, 8)
	for k := range 8 {
		pl := make([]float32, len(planes))
		pv := make([]float32, len(pi))
		for pt := range n * n {
			q := symmetry(n, k, pt)
			copy(pl[q*NumPlanes:(q+1)*NumPlanes], planes[pt*NumPlanes:(pt+1)*NumPlanes])
			pv[q] = pi[pt]
		}
		pv[n*n] = pi[n*n]
		out[k] = sample{pl, pv, z}
	}
	return out
}

// selfPlay plays games side by side, both sides searching with eval, and returns the
// training examples (visit distributions and outcomes), already multiplied by the 8 symmetries.
func selfPlay(eval Evaluator, games, size int, komi float64, sc SearchConfig, tempMoves int, rng *rand.Rand) ([]sample, error) {
	type rec struct {
		planes []float32
		pi     []float32
		player int8
	}
	pos := make([]Position, games)
	hist := make([][]rec, games)
	for i := range pos {
		pos[i] = NewPosition(size, komi)
	}
	per := size * size * NumPlanes
	for {
		var idx []int
		var roots []Position
		for i := range pos {
			if !pos[i].Over() {
				idx, roots = append(idx, i), append(roots, pos[i])
			}
		}
		if len(idx) == 0 {
			break
		}
		trees, err := Search(eval, roots, sc, rng)
		if err != nil {
			return nil, fmt.Errorf("self-play: %w", err)
		}
		for k, i := range idx {
			pl := make([]float32, per)
			Encode(&pos[i], pl)
			hist[i] = append(hist[i], rec{pl, trees[k].Policy(), pos[i].ToPlay})
			m := trees[k].BestMove()
			if pos[i].Moves < tempMoves {
				m = trees[k].SampleMove(rng)
			}
			pos[i].play(m)
		}
	}
	var out []sample
	for i := range pos {
		w := pos[i].Winner()
		for _, r := range hist[i] {
			out = append(out, augment(size, r.planes, r.pi, resultFor(w, r.player))...)
		}
	}
	return out, nil
}

// afterIteration, when set (by tests), is called after each training iteration is saved, with
// the run's interrupt watcher, e.g. to request an interrupt at a chosen iteration.
var afterIteration func(iter int, stop *gomlxext.Interrupt)

// Run trains AlphaGo Zero from nothing but the rules: each iteration plays cfg.Zero.Games
// self-play games with MCTS guided by the current DualNet (Dirichlet noise at the root), stores
// (planes, π, z) in the replay buffer, takes TrainSteps gradient steps on random batches of it,
// and measures the win rates against the random player and pure MCTS (EvalGames each). At the
// end, net+MCTS plays FinalGames against each opponent, colours alternated.
//
// Training saves a checkpoint in the "zero" part of cfg's run (Lesson.Open) after every
// iteration; a rerun resumes after the last saved one (with an empty replay buffer, so a
// resumed run is not game-for-game the uninterrupted one). A kernel interrupt (SIGINT) during
// training stops it before the next gradient step, evaluation match or iteration and returns
// an error wrapping gomlxext.ErrInterrupted (an iteration cut short is not saved). The final
// games take minutes, so their win rates are saved with the run (run.SaveOutcome) and a
// finished run replays them; an interrupt while they are played ends the program as usual, and
// the next run plays them again.
func Run(cfg Config) (*Outcome, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	zc := cfg.Zero
	run, err := Lesson.Open(cfg)
	if err != nil {
		return nil, err
	}
	dir, err := run.Part("zero")
	if err != nil {
		return nil, err
	}
	net, err := NewZeroNet(zc.Net, zc.Seed, zc.LR)
	if err != nil {
		return nil, fmt.Errorf("alphago zero: %w", err)
	}
	out := &Outcome{Config: cfg, Net: net, Dir: run.Dir}
	var hist zeroHistory
	var ck *gomlxext.Checkpoint
	if dir != "" {
		if ck, err = gomlxext.Checkpoints(net.Ctx, dir).Immediate().LoadState(&hist).Done(); err != nil {
			return nil, fmt.Errorf("alphago zero: %w", err)
		}
		if want := int64(len(hist.Iters) * zc.TrainSteps); ck.Step() != want {
			return nil, fmt.Errorf("alphago zero: the checkpoint in %s is at step %d but its history of %d iterations at %d: delete the folder to start over",
				dir, ck.Step(), len(hist.Iters), want)
		}
	}
	out.ResumedFrom = len(hist.Iters)
	sc := SearchConfig{Sims: zc.Sims, CPuct: zc.CPuct, Noise: 0.25, Alpha: 0.5}
	evalSC := SearchConfig{Sims: zc.Sims, CPuct: zc.CPuct}
	agent := &MCTSPlayer{Label: "net+MCTS", Eval: net, Search: evalSC}
	pure := PureMCTS(zc.Sims, zc.Seed+99)

	var live *plotting.Live // only when there is training to watch
	if !cfg.Quiet && len(hist.Iters) < zc.Iterations {
		live = plotting.NewLive("AlphaGo Zero self-play", zc.Iterations, "policy loss", "value loss", "win vs random", "win vs pure MCTS")
		for _, it := range hist.Iters {
			live.Update(it.Iter, it.values())
		}
	}
	if err := train(net, ck, &hist, zc, sc, agent, pure, live); err != nil {
		return nil, err
	}
	out.History = hist.Iters
	for _, it := range hist.Iters {
		out.TrainTime += time.Duration(it.Seconds * float64(time.Second))
	}

	// The final games: replayed from the saved outcome when this call trained nothing (the
	// saved win rates are those of the network in this run's checkpoint).
	var final finalGames
	if out.ResumedFrom == zc.Iterations {
		ok, err := run.LoadOutcome(&final)
		if err != nil {
			return nil, err
		}
		if ok {
			out.FinalRandom, out.FinalMCTS, out.FinalReplayed = final.Random, final.MCTS, true
			out.FinalTime = time.Duration(final.Seconds * float64(time.Second))
			return out, nil
		}
	}
	t0 := time.Now()
	if out.FinalRandom, err = Match(agent, RandomPlayer{}, zc.FinalGames, zc.Size, zc.Komi, zc.Seed+1000); err != nil {
		return nil, err
	}
	if out.FinalMCTS, err = Match(agent, pure, zc.FinalGames, zc.Size, zc.Komi, zc.Seed+2000); err != nil {
		return nil, err
	}
	out.FinalTime = time.Since(t0)
	final = finalGames{Random: out.FinalRandom, MCTS: out.FinalMCTS, Seconds: out.FinalTime.Seconds()}
	if err := run.SaveOutcome(final); err != nil {
		return nil, err
	}
	return out, nil
}

// finalGames is the outcome a run saves: the final win rates, expensive to measure again.
type finalGames struct {
	Random, MCTS float64
	Seconds      float64
}

// train runs the self-play iterations that remain after hist, saving a checkpoint after each
// (when ck is not nil); it returns an error wrapping gomlxext.ErrInterrupted on SIGINT.
func train(net *Net, ck *gomlxext.Checkpoint, hist *zeroHistory, zc ZeroConfig, sc SearchConfig, agent, pure Player, live *plotting.Live) error {
	if len(hist.Iters) >= zc.Iterations {
		return nil
	}
	if live != nil {
		defer live.Done()
	}
	stop := gomlxext.WatchInterrupt()
	defer stop.Release()
	resume := func() string {
		if ck == nil || len(hist.Iters) == 0 {
			return ""
		}
		return fmt.Sprintf("; run it again to resume after iteration %d from the checkpoint in %s", len(hist.Iters), ck.Dir())
	}
	interrupted := func(iter int) error {
		return fmt.Errorf("alphago zero: stopped in iteration %d (not saved)%s: %w", iter, resume(), gomlxext.ErrInterrupted)
	}
	buf := &replay{cap: zc.Buffer}
	for iter := len(hist.Iters) + 1; iter <= zc.Iterations; iter++ {
		t0 := time.Now()
		rng := rand.New(rand.NewPCG(zc.Seed, uint64(iter)))
		samples, err := selfPlay(net, zc.Games, zc.Size, zc.Komi, sc, zc.TempMoves, rng)
		if err != nil {
			return fmt.Errorf("alphago zero: iteration %d: %w", iter, err)
		}
		for _, s := range samples {
			buf.add(s)
		}
		it := ZeroIter{Iter: iter}
		for range zc.TrainSteps {
			if stop.Requested() {
				return interrupted(iter)
			}
			pl, pi, z := buf.batch(zc.Batch, zc.Size, rng)
			l, err := net.Step(pl, pi, z)
			if err != nil {
				return fmt.Errorf("alphago zero: iteration %d: %w", iter, err)
			}
			it.PolicyLoss += l[1] / float64(zc.TrainSteps)
			it.ValueLoss += l[2] / float64(zc.TrainSteps)
		}
		if it.WinVsRandom, err = Match(agent, RandomPlayer{}, zc.EvalGames, zc.Size, zc.Komi, zc.Seed+uint64(iter)); err != nil {
			return err
		}
		if stop.Requested() {
			return interrupted(iter)
		}
		if it.WinVsMCTS, err = Match(agent, pure, zc.EvalGames, zc.Size, zc.Komi, zc.Seed+uint64(iter)); err != nil {
			return err
		}
		it.Seconds = time.Since(t0).Seconds()
		hist.Iters = append(hist.Iters, it)
		if live != nil {
			live.Update(iter, it.values())
		}
		if ck != nil {
			if err := ck.Save(*hist); err != nil {
				return fmt.Errorf("alphago zero: %w", err)
			}
		}
		if afterIteration != nil {
			afterIteration(iter, stop)
		}
		if stop.Requested() { // even after the last iteration: the final games wait for the next run
			return fmt.Errorf("alphago zero: stopped after iteration %d%s: %w", iter, resume(), gomlxext.ErrInterrupted)
		}
	}
	return nil
}

func (it ZeroIter) values() map[string]float64 {
	return map[string]float64{"policy loss": it.PolicyLoss, "value loss": it.ValueLoss,
		"win vs random": it.WinVsRandom, "win vs pure MCTS": it.WinVsMCTS}
}

// zeroHistory is what a checkpoint keeps beside the network's variables.
type zeroHistory struct {
	Iters []ZeroIter
}
