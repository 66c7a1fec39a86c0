package alphago

import (
	"math"

	"github.com/dl4go/dl4go/lessons"
)

// Result is the lesson's asserted outcome. Full size: net+MCTS must beat the random player in
// ≥ 95% of the games and pure MCTS with the same number of simulations in ≥ 60%; quick size:
// ≥ 90% against random. The metric is the worse of the ratios win rate / required rate, so
// that one line says whether every requirement held (ok when ≥ 1).
func Result(o ZeroOutcome) lessons.Result {
	v := o.FinalRandom / 0.95
	if lessons.Quick() {
		v = o.FinalRandom / 0.90
	} else {
		v = math.Min(v, o.FinalMCTS/0.60)
	}
	return lessons.Result{Lesson: "02", Metric: "min_win_rate_over_required", Value: v, Threshold: 1}
}
