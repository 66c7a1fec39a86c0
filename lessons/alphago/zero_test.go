package alphago

import (
	"testing"
	"time"

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
