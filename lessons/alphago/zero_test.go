package alphago

import (
	"testing"
	"time"
)

func TestZeroQuick(t *testing.T) {
	cfg := DefaultZeroConfig()
	cfg.Iterations, cfg.Games, cfg.Sims, cfg.TrainSteps, cfg.EvalGames, cfg.FinalGames = 2, 32, 16, 60, 10, 50
	cfg.CheckpointDir = t.TempDir()
	t0 := time.Now()
	out, err := RunZero(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range out.History {
		t.Logf("%+v", it)
	}
	t.Logf("final: vs random %.2f, vs pure MCTS %.2f; train %v, final eval %v, total %v", out.FinalRandom, out.FinalMCTS, out.TrainTime, out.FinalTime, time.Since(t0))
	if out.FinalRandom < 0.9 {
		t.Errorf("net+MCTS beat random in %.0f%% of games, want ≥ 90%%", 100*out.FinalRandom)
	}
}
