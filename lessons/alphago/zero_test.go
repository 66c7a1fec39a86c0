package alphago

import (
	"testing"
	"time"

	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"

	"github.com/dl4go/dl4go/lessons"
)

// TestZeroQuick trains AlphaGo Zero at the quick size and asserts the quick outcome: net+MCTS
// beats the random player in ≥ 90% of 50 games.
func TestZeroQuick(t *testing.T) {
	t.Setenv(lessons.QuickEnvVar, "1")
	cfg := DefaultZeroConfig()
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
	if r := Result(out); r.OK() != (out.FinalRandom >= 0.9) {
		t.Errorf("Result %v disagrees with the outcome", r)
	}
	// Resuming a finished run loads every iteration and trains no more.
	cfg.FinalGames = 2
	again, err := RunZero(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if again.ResumedFrom != cfg.Iterations || len(again.History) != cfg.Iterations {
		t.Errorf("resume: from %d with %d iterations, want %d", again.ResumedFrom, len(again.History), cfg.Iterations)
	}
}

// TestZeroResume: a run stopped after one iteration continues from its checkpoint.
func TestZeroResume(t *testing.T) {
	cfg := DefaultZeroConfig()
	cfg.Games, cfg.Sims, cfg.TrainSteps, cfg.EvalGames, cfg.FinalGames = 4, 4, 5, 2, 2
	cfg.CheckpointDir = t.TempDir()
	cfg.Iterations = 1
	first, err := RunZero(cfg)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Iterations = 2
	second, err := RunZero(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if second.ResumedFrom != 1 || len(second.History) != 2 || second.History[0] != first.History[0] {
		t.Fatalf("resumed from %d with history %+v; first run %+v", second.ResumedFrom, second.History, first.History)
	}
	if second.Net.Steps != cfg.TrainSteps {
		t.Fatalf("the resumed run took %d steps, want %d", second.Net.Steps, cfg.TrainSteps)
	}
	// The variables came from the checkpoint: the optimizer's global step counts both runs.
	if got := optimizers.GetGlobalStep(second.Net.Ctx); got != int64(2*cfg.TrainSteps) {
		t.Fatalf("global step after resume = %d, want %d", got, 2*cfg.TrainSteps)
	}
}
