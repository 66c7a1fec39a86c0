package alphago

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"

	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context/checkpoints"

	"github.com/dl4go/dl4go/gomlxext"
	"github.com/dl4go/dl4go/lessons"
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
	// CheckpointDir is where the network and the history are saved after each iteration and
	// resumed from; "" disables checkpoints. DefaultZeroConfig puts it under the user cache.
	CheckpointDir string `json:"-"`
}

// DefaultZeroConfig returns the full or the quick (lessons.Quick) configuration, with its
// checkpoint directory under the user cache.
func DefaultZeroConfig() ZeroConfig {
	c := ZeroConfig{Size: 5, Komi: 0.5, Net: NetConfig{Size: 5, Channels: 16, Blocks: 2},
		Iterations: 7, Games: 64, Sims: 24, CPuct: 1.5, TempMoves: 6, Buffer: 40000,
		TrainSteps: 200, Batch: 64, LR: 2e-3, EvalGames: 20, FinalGames: 200, Seed: 1}
	if lessons.Quick() {
		c.Iterations, c.Games, c.Sims, c.TrainSteps, c.EvalGames, c.FinalGames = 3, 24, 24, 150, 6, 50
	}
	if dir, err := gomlxext.CheckpointDir("02-alphago", c.Key()); err == nil {
		c.CheckpointDir = dir
	}
	return c
}

// Key identifies the configuration (the checkpoint folder name).
func (c ZeroConfig) Key() string {
	return fmt.Sprintf("zero-n%d-c%db%d-it%d-g%d-s%d-t%d-b%d-lr%g-seed%d", c.Size, c.Net.Channels, c.Net.Blocks,
		c.Iterations, c.Games, c.Sims, c.TrainSteps, c.Batch, c.LR, c.Seed)
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

// ZeroOutcome is what RunZero returns.
type ZeroOutcome struct {
	Config       ZeroConfig
	History      []ZeroIter
	ResumedFrom  int // iterations loaded from the checkpoint.
	FinalRandom  float64
	FinalMCTS    float64
	TrainTime    time.Duration // self-play + training + per-iteration evaluation, all runs.
	FinalTime    time.Duration // the final evaluation.
	Net          *Net
	SampleRoot   Position // a self-play position, for the charts.
	SamplePolicy []float32
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

// RunZero trains AlphaGo Zero from nothing but the rules: each iteration plays cfg.Games
// self-play games with MCTS guided by the current DualNet (Dirichlet noise at the root),
// stores (planes, π, z) in the replay buffer, takes cfg.TrainSteps gradient steps on random
// batches of it, and measures the win rates against the random player and pure MCTS. If
// cfg.CheckpointDir holds a checkpoint of the same configuration, training resumes after its
// last iteration (with an empty replay buffer); a finished run returns at once with its saved
// results. At the end, net+MCTS plays cfg.FinalGames
// against each opponent, colours alternated.
func RunZero(cfg ZeroConfig) (ZeroOutcome, error) {
	out := ZeroOutcome{Config: cfg}
	if cfg.Size != cfg.Net.Size || cfg.Iterations < 0 || cfg.Games < 1 || cfg.Sims < 1 || cfg.Batch < 1 {
		return out, fmt.Errorf("alphago zero: invalid config %+v", cfg)
	}
	net, err := NewZeroNet(cfg.Net, cfg.Seed, cfg.LR)
	if err != nil {
		return out, fmt.Errorf("alphago zero: %w", err)
	}
	out.Net = net
	var hist zeroHistory
	var ckpt *checkpoints.Handler
	if cfg.CheckpointDir != "" {
		if ckpt, err = openCheckpoint(net, cfg.CheckpointDir, &hist); err != nil {
			return out, fmt.Errorf("alphago zero: %w", err)
		}
	}
	out.ResumedFrom = len(hist.Iters)
	sc := SearchConfig{Sims: cfg.Sims, CPuct: cfg.CPuct, Noise: 0.25, Alpha: 0.5}
	evalSC := SearchConfig{Sims: cfg.Sims, CPuct: cfg.CPuct}
	agent := &MCTSPlayer{Label: "net+MCTS", Eval: net, Search: evalSC}
	pure := PureMCTS(cfg.Sims, cfg.Seed+99)

	var live *plotting.Live // only when there is training to watch
	if len(hist.Iters) < cfg.Iterations {
		live = plotting.NewLive("AlphaGo Zero self-play", cfg.Iterations, "policy loss", "value loss", "win vs random", "win vs pure MCTS")
		for _, it := range hist.Iters {
			live.Update(it.Iter, it.values())
		}
	}
	buf := &replay{cap: cfg.Buffer}
	for iter := len(hist.Iters) + 1; iter <= cfg.Iterations; iter++ {
		t0 := time.Now()
		rng := rand.New(rand.NewPCG(cfg.Seed, uint64(iter)))
		samples, err := selfPlay(net, cfg.Games, cfg.Size, cfg.Komi, sc, cfg.TempMoves, rng)
		if err != nil {
			return out, fmt.Errorf("alphago zero: iteration %d: %w", iter, err)
		}
		for _, s := range samples {
			buf.add(s)
		}
		it := ZeroIter{Iter: iter}
		for range cfg.TrainSteps {
			pl, pi, z := buf.batch(cfg.Batch, cfg.Size, rng)
			l, err := net.Step(pl, pi, z)
			if err != nil {
				return out, fmt.Errorf("alphago zero: iteration %d: %w", iter, err)
			}
			it.PolicyLoss += l[1] / float64(cfg.TrainSteps)
			it.ValueLoss += l[2] / float64(cfg.TrainSteps)
		}
		if it.WinVsRandom, err = Match(agent, RandomPlayer{}, cfg.EvalGames, cfg.Size, cfg.Komi, cfg.Seed+uint64(iter)); err != nil {
			return out, err
		}
		if it.WinVsMCTS, err = Match(agent, pure, cfg.EvalGames, cfg.Size, cfg.Komi, cfg.Seed+uint64(iter)); err != nil {
			return out, err
		}
		it.Seconds = time.Since(t0).Seconds()
		hist.Iters = append(hist.Iters, it)
		live.Update(iter, it.values())
		if ckpt != nil {
			if err := saveCheckpoint(ckpt, cfg.CheckpointDir, hist); err != nil {
				return out, fmt.Errorf("alphago zero: %w", err)
			}
		}
	}
	if live != nil {
		live.Done()
	}
	out.History = hist.Iters
	for _, it := range hist.Iters {
		out.TrainTime += time.Duration(it.Seconds * float64(time.Second))
	}

	if hist.FinalGames == cfg.FinalGames && hist.FinalGames > 0 {
		out.FinalRandom, out.FinalMCTS = hist.FinalRandom, hist.FinalMCTS
		out.FinalTime = time.Duration(hist.FinalSeconds * float64(time.Second))
		return out, nil
	}
	t0 := time.Now()
	if out.FinalRandom, err = Match(agent, RandomPlayer{}, cfg.FinalGames, cfg.Size, cfg.Komi, cfg.Seed+1000); err != nil {
		return out, err
	}
	if out.FinalMCTS, err = Match(agent, pure, cfg.FinalGames, cfg.Size, cfg.Komi, cfg.Seed+2000); err != nil {
		return out, err
	}
	out.FinalTime = time.Since(t0)
	if ckpt != nil {
		hist.FinalGames, hist.FinalRandom, hist.FinalMCTS, hist.FinalSeconds = cfg.FinalGames, out.FinalRandom, out.FinalMCTS, out.FinalTime.Seconds()
		if err := saveCheckpoint(ckpt, cfg.CheckpointDir, hist); err != nil {
			return out, fmt.Errorf("alphago zero: %w", err)
		}
	}
	return out, nil
}

func (it ZeroIter) values() map[string]float64 {
	return map[string]float64{"policy loss": it.PolicyLoss, "value loss": it.ValueLoss,
		"win vs random": it.WinVsRandom, "win vs pure MCTS": it.WinVsMCTS}
}

// zeroHistory is what a checkpoint keeps beside the network's variables.
type zeroHistory struct {
	Iters []ZeroIter
	// The final evaluation, once done: a finished run that is resumed reports it again
	// without replaying the games.
	FinalGames             int
	FinalRandom, FinalMCTS float64
	FinalSeconds           float64
}

const historyFile = "history.json"

// openCheckpoint loads the latest checkpoint in dir (if any) into net and hist.
func openCheckpoint(net *Net, dir string, hist any) (*checkpoints.Handler, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("checkpoint dir: %w", err)
	}
	h, err := checkpoints.Build(net.Ctx).Dir(dir).Keep(2).Immediate().Done()
	if err != nil {
		return nil, fmt.Errorf("open checkpoint %s: %w", dir, err)
	}
	data, err := os.ReadFile(filepath.Join(dir, historyFile))
	switch {
	case errors.Is(err, os.ErrNotExist):
		return h, nil
	case err != nil:
		return nil, fmt.Errorf("read %s: %w", historyFile, err)
	}
	if err := json.Unmarshal(data, hist); err != nil {
		return nil, fmt.Errorf("parse %s: %w", historyFile, err)
	}
	return h, nil
}

func saveCheckpoint(h *checkpoints.Handler, dir string, hist any) error {
	if err := h.Save(); err != nil {
		return fmt.Errorf("save checkpoint: %w", err)
	}
	data, err := json.Marshal(hist)
	if err != nil {
		return fmt.Errorf("encode history: %w", err)
	}
	tmp := filepath.Join(dir, historyFile+".tmp")
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return fmt.Errorf("write history: %w", err)
	}
	return os.Rename(tmp, filepath.Join(dir, historyFile))
}
