package a3c

// End says how a sample's episode continued after it.
type End int8

const (
	// Continues: the episode went on; the next sample of the segment (or the bootstrap value
	// after its last one) follows.
	Continues End = iota
	// Terminated: the pole fell or the cart left the track; nothing follows, V = 0.
	Terminated
	// Truncated: the episode was cut off at 500 steps; the pole was still up, so the return
	// after it is V(s_final), not 0.
	Truncated
)

// NStepReturns returns the n-step returns of a segment of rewards r_0 … r_{n−1} that ends in a
// state whose value the critic puts at bootstrap:
//
//	R_t = r_t + γ r_{t+1} + … + γ^{n−1−t} r_{n−1} + γ^{n−t} V(s_n)
//
// so the first sample looks n steps ahead and the last one 1 step: A3C's "Advantage" part uses
// A_t = R_t − V(s_t).
func NStepReturns(rewards []float64, bootstrap, gamma float64) []float64 {
	return nStepTargets(rewards, nil, nil, bootstrap, gamma)
}

// nStepTargets is NStepReturns for a segment that may cross episode ends: ends[t] says what
// followed sample t (nil: Continues everywhere), truncV[t] the value of the final state where
// ends[t] is Truncated. A terminal end cuts the sum (nothing after it counts).
func nStepTargets(rewards []float64, ends []End, truncV []float64, bootstrap, gamma float64) []float64 {
	out := make([]float64, len(rewards))
	next := bootstrap
	for t := len(rewards) - 1; t >= 0; t-- {
		if ends != nil {
			switch ends[t] {
			case Terminated:
				next = 0
			case Truncated:
				next = truncV[t]
			}
		}
		next = rewards[t] + gamma*next
		out[t] = next
	}
	return out
}
