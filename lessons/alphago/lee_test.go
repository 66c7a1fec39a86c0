package alphago

import (
	"testing"
	"time"
)

func TestLeeQuick(t *testing.T) {
	cfg := DefaultLeeConfig()
	cfg.ExpertGames, cfg.ExpertSims, cfg.RolloutEps, cfg.SLSteps, cfg.RLIters, cfg.RLGames = 8, 100, 2, 60, 3, 32
	cfg.ValueGames, cfg.ValueSteps, cfg.Sims, cfg.EvalGames = 64, 60, 16, 10
	t0 := time.Now()
	out, err := RunLee(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("expert moves %d, rollout acc %.2f (before %.2f), %0.f moves/s; policy acc %.2f; RL wins %v; RL vs SL %.2f; value loss %.3f→%.3f; Lee vs random %.2f vs MCTS %.2f; times %v; total %v",
		out.ExpertMoves, out.RolloutAccuracy, out.RolloutBefore, out.RolloutMovesPerSec, out.PolicyAccuracy, out.RLWin, out.RLVsSL,
		out.ValueLoss[0], out.ValueLoss[len(out.ValueLoss)-1], out.VsRandom, out.VsMCTS, out.Times, time.Since(t0))
	if out.RolloutAccuracy <= out.RolloutBefore {
		t.Errorf("rollout policy did not learn: accuracy %.2f, uniform %.2f", out.RolloutAccuracy, out.RolloutBefore)
	}
}
