package alphago

import (
	"fmt"
	"math"

	"github.com/dl4go/dl4go/lessons"
)

// Lesson describes lesson 02 to the lesson kit: its RESULT id, its cache folder and its source
// folder.
var Lesson = lessons.Lesson{ID: "02", Name: "alphago"}

// Config holds the lesson's two experiments and the thresholds of its RESULT line. Every
// exported field but the embedded Options is part of the run's key: AlphaGo Zero's checkpoints
// and its saved final win rates are kept under the key of the whole Config, so another Komi,
// CPuct, TempMoves, Buffer, ... trains anew instead of resuming or replaying another
// configuration's run.
type Config struct {
	lessons.Options `json:"-"`

	Lee  LeeConfig  // AlphaGo Lee's pipeline in miniature (RunLee).
	Zero ZeroConfig // AlphaGo Zero's self-play training (Run).
	// MinVsRandom and MinVsMCTS are the win rates that net+MCTS must reach in the final games
	// against the random player and against pure MCTS with the same number of simulations; a
	// MinVsMCTS of 0 asserts nothing against pure MCTS.
	MinVsRandom, MinVsMCTS float64
}

// Full is the notebook's experiment: AlphaGo Lee from 32 expert games; AlphaGo Zero trained for
// 7 iterations of 64 self-play games with 24 simulations per move, then 200 final games
// against each opponent, where it must win ≥ 95% against random and ≥ 60% against pure MCTS.
func Full() Config {
	return Config{
		Lee: LeeConfig{Size: 5, Komi: 0.5, Net: NetConfig{Size: 5, Channels: 16, Blocks: 2},
			ExpertGames: 32, ExpertSims: 300, RolloutEps: 3, SLSteps: 300, RLIters: 20, RLGames: 64,
			ValueGames: 256, ValueSteps: 300, Batch: 64, LR: 2e-3, Lambda: 0.5, Sims: 32, EvalGames: 40, Seed: 1},
		Zero: ZeroConfig{Size: 5, Komi: 0.5, Net: NetConfig{Size: 5, Channels: 16, Blocks: 2},
			Iterations: 7, Games: 64, Sims: 24, CPuct: 1.5, TempMoves: 6, Buffer: 40000,
			TrainSteps: 200, Batch: 64, LR: 2e-3, EvalGames: 20, FinalGames: 200, Seed: 1},
		MinVsRandom: 0.95, MinVsMCTS: 0.60,
	}
}

// Quick is the same code, smaller: AlphaGo Lee from 8 expert games, AlphaGo Zero trained for 4
// iterations of 24 games, 100 final games against each opponent, and a weaker bar: ≥ 90%
// against random, nothing asserted against pure MCTS. (With 3 iterations and 50 games, ±0.04,
// a change of the engine's rounding moved the lesson's own seed from 0.96 to 0.88; 4 iterations
// over 100 games gave 0.95–0.97 at five seeds, 3 iterations 0.90–0.98 at eight.)
func Quick() Config {
	c := Full()
	l := &c.Lee
	l.ExpertGames, l.ExpertSims, l.RolloutEps, l.SLSteps, l.RLIters, l.RLGames = 8, 100, 2, 200, 3, 32
	l.ValueGames, l.ValueSteps, l.Sims, l.EvalGames = 64, 60, 16, 10
	z := &c.Zero
	z.Iterations, z.Games, z.Sims, z.TrainSteps, z.EvalGames, z.FinalGames = 4, 24, 24, 150, 6, 100
	c.MinVsRandom, c.MinVsMCTS = 0.90, 0
	return c
}

// Size returns Quick when lessons.Quick() (DL4GO_QUICK=1), else Full.
func Size() Config {
	if lessons.Quick() {
		return Quick()
	}
	return Full()
}

// Result is the lesson's RESULT line: the worse of the ratios win rate / required rate over
// the final games (against random, and against pure MCTS when the Config requires a rate
// there), so that one line says whether every requirement held (ok when ≥ 1).
func (o *Outcome) Result() lessons.Result {
	v := o.FinalRandom / o.Config.MinVsRandom
	if o.Config.MinVsMCTS > 0 {
		v = math.Min(v, o.FinalMCTS/o.Config.MinVsMCTS)
	}
	return lessons.Result{Lesson: Lesson.ID, Metric: "min_win_rate_over_required", Value: v, Threshold: 1}
}

// validate checks the settings Run needs.
func (c Config) validate() error {
	z := c.Zero
	switch {
	case z.Size != z.Net.Size:
		return fmt.Errorf("alphago: Zero.Size %d and Zero.Net.Size %d must be equal", z.Size, z.Net.Size)
	case z.Iterations < 0 || z.Games < 1 || z.Sims < 1 || z.Batch < 1 || z.Buffer < 1 || z.FinalGames < 1:
		return fmt.Errorf("alphago: invalid Zero config %+v: Games, Sims, Batch, Buffer and FinalGames must be ≥ 1, Iterations ≥ 0", z)
	case !(c.MinVsRandom > 0) || c.MinVsMCTS < 0:
		return fmt.Errorf("alphago: MinVsRandom must be > 0 and MinVsMCTS ≥ 0, got %g and %g", c.MinVsRandom, c.MinVsMCTS)
	}
	return nil
}
