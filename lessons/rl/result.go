package rl

import "github.com/dl4go/dl4go/lessons"

// Thresholds of the CartPole mean evaluation return (CartPole's classic "solved" level, and the
// quick size's).
const (
	CartPoleThresholdFull  = 195
	CartPoleThresholdQuick = 100
)

// CliffOK reports whether the cliff-walking outcomes hold: Q-learning's greedy return is −13 (the
// shortest path, along the edge) and SARSA's greedy path reaches the goal without stepping on a
// cliff-edge cell.
func CliffOK(cliff CliffOutcome) bool {
	return cliff.QLearningReturn() == -13 && cliff.SARSASafe()
}

// Result is the lesson's RESULT line. Its metric is the CartPole mean evaluation return, counted
// only when the cliff results also hold (CliffOK): if they do not, the value is 0, so ok=false.
// The threshold is 195 at full size and 100 at quick size (lessons.Quick).
func Result(cliff CliffOutcome, cart CartPoleOutcome) lessons.Result {
	r := lessons.Result{Lesson: "01", Metric: "cartpole_mean_return_cliff_ok",
		Value: cart.MeanReturn, Threshold: CartPoleThresholdFull}
	if lessons.Quick() {
		r.Threshold = CartPoleThresholdQuick
	}
	if !CliffOK(cliff) {
		r.Value = 0
	}
	return r
}
