package alphago

import (
	"errors"
	"testing"
	"time"

	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"

	"github.com/dl4go/dl4go/gomlxext"
	"github.com/dl4go/dl4go/lessons"
)

// TestQuickOutcome trains AlphaGo Zero at the quick size and asserts the quick outcome (net+MCTS
// beats the random player in ≥ 90% of 100 games); a rerun restores the finished run and replays
// its final win rates.
func TestQuickOutcome(t *testing.T) {
	cfg := Quick()
	cfg.Quiet = true
	t0 := time.Now()
	out, err := Run(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range out.History {
		t.Logf("%+v", it)
	}
	t.Logf("%s\nfinal: vs random %.2f, vs pure MCTS %.2f; train %v, final eval %v, total %v",
		out.Result(), out.FinalRandom, out.FinalMCTS, out.TrainTime, out.FinalTime, time.Since(t0))
	if !out.Result().OK() {
		t.Errorf("quick outcome not reached: %s (net+MCTS beat random in %.0f%% of games, want ≥ 90%%)", out.Result(), 100*out.FinalRandom)
	}
	if out.FinalReplayed || out.ResumedFrom != 0 {
		t.Errorf("a fresh run: resumed from %d, final replayed %v", out.ResumedFrom, out.FinalReplayed)
	}
	again, err := Run(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if again.ResumedFrom != cfg.Zero.Iterations || len(again.History) != cfg.Zero.Iterations || !again.FinalReplayed ||
		again.FinalRandom != out.FinalRandom || again.FinalMCTS != out.FinalMCTS || again.Net.Steps != 0 {
		t.Errorf("rerun: resumed from %d with %d iterations, %d steps, final replayed %v (%.3f, %.3f); want the finished run restored (%d, %.3f, %.3f)",
			again.ResumedFrom, len(again.History), again.Net.Steps, again.FinalReplayed, again.FinalRandom, again.FinalMCTS,
			cfg.Zero.Iterations, out.FinalRandom, out.FinalMCTS)
	}
}

func TestFullOutcome(t *testing.T) {
	lessons.SkipUnlessFull(t)
	cfg := Full()
	cfg.Quiet = true
	out, err := Run(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range out.History {
		t.Logf("%+v", it)
	}
	t.Logf("%s\nfinal (%d games each): vs random %.3f, vs pure MCTS %.3f; train %v, final eval %v",
		out.Result(), cfg.Zero.FinalGames, out.FinalRandom, out.FinalMCTS, out.TrainTime, out.FinalTime)
	if !out.Result().OK() {
		t.Errorf("full outcome not reached: %s", out.Result())
	}
}

// tiny is a configuration that trains in seconds, for the tests of resuming and keys.
func tiny() Config {
	cfg := Quick()
	cfg.Quiet = true
	z := &cfg.Zero
	z.Iterations, z.Games, z.Sims, z.TrainSteps, z.EvalGames, z.FinalGames = 2, 4, 4, 5, 2, 2
	return cfg
}

// TestZeroResume: a run interrupted after its first iteration continues from its checkpoint.
func TestZeroResume(t *testing.T) {
	t.Setenv(gomlxext.CacheDirEnv, t.TempDir())
	cfg := tiny()
	whole := cfg
	whole.CacheDir = "-"
	want, err := Run(whole)
	if err != nil {
		t.Fatal(err)
	}

	afterIteration = func(iter int, stop *gomlxext.Interrupt) {
		if iter == 1 {
			stop.Request()
		}
	}
	_, err = Run(cfg)
	afterIteration = nil
	if !errors.Is(err, gomlxext.ErrInterrupted) {
		t.Fatalf("interrupted run: %v, want an error wrapping gomlxext.ErrInterrupted", err)
	}
	second, err := Run(cfg)
	if err != nil {
		t.Fatal(err)
	}
	sameIter := func(a, b ZeroIter) bool { // all but the wall time
		a.Seconds, b.Seconds = 0, 0
		return a == b
	}
	if second.ResumedFrom != 1 || len(second.History) != 2 || !sameIter(second.History[0], want.History[0]) {
		t.Fatalf("resumed from %d with history %+v; the uninterrupted run's first iteration %+v", second.ResumedFrom, second.History, want.History[0])
	}
	if second.Net.Steps != cfg.Zero.TrainSteps {
		t.Fatalf("the resumed run took %d steps, want %d", second.Net.Steps, cfg.Zero.TrainSteps)
	}
	// The variables came from the checkpoint: the optimizer's global step counts both runs.
	if got := optimizers.GetGlobalStep(second.Net.Ctx); got != int64(2*cfg.Zero.TrainSteps) {
		t.Fatalf("global step after resume = %d, want %d", got, 2*cfg.Zero.TrainSteps)
	}
}

// TestChangedKomiRetrains: the same settings restore a finished run and replay its final win
// rates; another Komi (which the old checkpoint key left out) trains anew in its own folder and
// plays its final games again.
func TestChangedKomiRetrains(t *testing.T) {
	t.Setenv(gomlxext.CacheDirEnv, t.TempDir())
	cfg := tiny()
	first, err := Run(cfg)
	if err != nil {
		t.Fatal(err)
	}
	again, err := Run(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if again.Dir != first.Dir || again.ResumedFrom != cfg.Zero.Iterations || !again.FinalReplayed {
		t.Errorf("same settings: folder %s (first %s), resumed from %d, replayed %v; want the finished run restored",
			again.Dir, first.Dir, again.ResumedFrom, again.FinalReplayed)
	}
	komi := cfg
	komi.Zero.Komi = 1.5
	k, err := Run(komi)
	if err != nil {
		t.Fatal(err)
	}
	if k.Dir == first.Dir || k.ResumedFrom != 0 || k.FinalReplayed || k.Net.Steps != cfg.Zero.Iterations*cfg.Zero.TrainSteps {
		t.Errorf("Komi %g → %g: same folder %v, resumed from %d, replayed %v, %d steps; want a fresh run of %d steps",
			cfg.Zero.Komi, komi.Zero.Komi, k.Dir == first.Dir, k.ResumedFrom, k.FinalReplayed, k.Net.Steps, cfg.Zero.Iterations*cfg.Zero.TrainSteps)
	}
}

func TestResult(t *testing.T) {
	tests := []struct {
		cfg          Config
		random, mcts float64
		ok           bool
		value        float64
	}{
		{Full(), 1, 0.89, true, 1 / 0.95},
		{Full(), 1, 0.5, false, 0.5 / 0.6},
		{Full(), 0.9, 0.9, false, 0.9 / 0.95},
		{Quick(), 0.9, 0, true, 1},
		{Quick(), 0.8, 1, false, 0.8 / 0.9},
	}
	for _, tt := range tests {
		r := (&Outcome{Config: tt.cfg, FinalRandom: tt.random, FinalMCTS: tt.mcts}).Result()
		if r.OK() != tt.ok || r.Lesson != "02" || r.Threshold != 1 || r.Value < tt.value-1e-9 || r.Value > tt.value+1e-9 {
			t.Errorf("vs random %g, vs MCTS %g (need %g, %g): %v; want value %g, ok=%v",
				tt.random, tt.mcts, tt.cfg.MinVsRandom, tt.cfg.MinVsMCTS, r, tt.value, tt.ok)
		}
	}
}
