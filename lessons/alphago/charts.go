package alphago

import (
	"fmt"

	"github.com/dl4go/dl4go/plotting"
)

// BoardPicture draws p with an optional move distribution (length N·N+1, pass last) as a
// heat map: plotting.GoBoard.
func BoardPicture(p Position, probs []float32) (*plotting.Picture, error) {
	stones := make([]int, p.N*p.N)
	for i := range stones {
		stones[i] = int(p.Stones[i])
	}
	var pr []float64
	if probs != nil {
		pr = make([]float64, len(probs))
		for i, v := range probs {
			pr[i] = float64(v)
		}
	}
	return plotting.GoBoard(p.N, stones, pr)
}

// WinRateChart plots the win rates of net+MCTS after each training iteration.
func (o *Outcome) WinRateChart() (*plotting.Chart, error) {
	x := make([]float64, len(o.History))
	r, m := make([]float64, len(o.History)), make([]float64, len(o.History))
	for i, it := range o.History {
		x[i], r[i], m[i] = float64(it.Iter), it.WinVsRandom, it.WinVsMCTS
	}
	return plotting.Line(fmt.Sprintf("AlphaGo Zero (net + %d-simulation MCTS): win rate during training", o.Config.Zero.Sims), x,
		[]plotting.Series{{Name: "vs random", Y: r}, {Name: fmt.Sprintf("vs pure MCTS (%d playouts)", o.Config.Zero.Sims), Y: m}},
		plotting.WithAxisNames("iteration", "win rate"), plotting.WithRange(0, 1))
}

// LossChart plots the DualNet's two losses per iteration.
func (o *Outcome) LossChart() (*plotting.Chart, error) {
	x := make([]float64, len(o.History))
	p, v := make([]float64, len(o.History)), make([]float64, len(o.History))
	for i, it := range o.History {
		x[i], p[i], v[i] = float64(it.Iter), it.PolicyLoss, it.ValueLoss
	}
	return plotting.Line("AlphaGo Zero: losses", x,
		[]plotting.Series{{Name: "policy: −πᵀlog p", Y: p}, {Name: "value: (z − v)²", Y: v}},
		plotting.WithAxisNames("iteration", "loss"))
}

// Charts returns the pipeline's learning curves: SL loss, RL win rate, ValueNet loss.
func (o LeeOutcome) Charts() ([]*plotting.Chart, error) {
	steps := func(n int) []float64 {
		x := make([]float64, n)
		for i := range x {
			x[i] = float64(i + 1)
		}
		return x
	}
	sl, err := plotting.Line("AlphaGo Lee ①: supervised PolicyNet on expert moves", steps(len(o.SLLoss)),
		[]plotting.Series{{Name: "cross-entropy", Y: o.SLLoss}}, plotting.WithAxisNames("step", "loss"), plotting.WithSmoothing(10))
	if err != nil {
		return nil, err
	}
	rl, err := plotting.Line("AlphaGo Lee ②: REINFORCE of the PolicyNet against the SL PolicyNet", steps(len(o.RLWin)),
		[]plotting.Series{{Name: "RL policy's win rate (no search)", Y: o.RLWin}}, plotting.WithAxisNames("iteration", "win rate"), plotting.WithRange(0, 1))
	if err != nil {
		return nil, err
	}
	vl, err := plotting.Line("AlphaGo Lee ③: ValueNet regression on self-play outcomes", steps(len(o.ValueLoss)),
		[]plotting.Series{{Name: "(z − v)²", Y: o.ValueLoss}}, plotting.WithAxisNames("step", "loss"), plotting.WithSmoothing(10))
	if err != nil {
		return nil, err
	}
	return []*plotting.Chart{sl, rl, vl}, nil
}

// Summary is a few lines on what each stage reached.
func (o LeeOutcome) Summary() string {
	return fmt.Sprintf(`expert games: %d moves by pure MCTS with %d playouts/move (%v)
rollout policy: top-1 agreement with the expert %.0f%% (uniform random: %.0f%%), %.0f moves/s
SL PolicyNet: top-1 agreement %.0f%%
RL PolicyNet vs SL PolicyNet (no search, sampled moves, %d games): %.0f%%
ValueNet loss: %.3f → %.3f
AlphaGo Lee player (MCTS %d sims, SL priors, λ=%.1f): vs random %.0f%%, vs pure MCTS %.0f%% (%d games each)`,
		o.ExpertMoves, o.Config.ExpertSims, o.Times["expert games"].Round(1e8),
		100*o.RolloutAccuracy, 100*o.RolloutBefore, o.RolloutMovesPerSec, 100*o.PolicyAccuracy,
		200, 100*o.RLVsSL, first(o.ValueLoss), last(o.ValueLoss),
		o.Config.Sims, o.Config.Lambda, 100*o.VsRandom, 100*o.VsMCTS, o.Config.EvalGames)
}

func first(x []float64) float64 {
	if len(x) == 0 {
		return 0
	}
	return x[0]
}

func last(x []float64) float64 {
	if len(x) == 0 {
		return 0
	}
	return x[len(x)-1]
}
