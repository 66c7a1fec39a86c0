package alphago

import (
	"math"
	"math/rand/v2"
	"runtime"
	"sync"
)

// RandomMove returns a uniformly random legal move of the player to move that does not fill
// one of its own eyes, or pass when there is none: the random player, and pure MCTS's playouts.
func RandomMove(p *Position, rng *rand.Rand) int {
	n := p.N * p.N
	var cand [MaxSize * MaxSize]int
	k := 0
	for m := range n {
		if p.Stones[m] == Empty && m != p.Ko {
			cand[k] = m
			k++
		}
	}
	for k > 0 {
		j := rng.IntN(k)
		m := cand[j]
		if !p.IsEye(m, p.ToPlay) && p.Legal(m) {
			return m
		}
		k--
		cand[j] = cand[k]
	}
	return Pass(p.N)
}

// playout plays p to its end with pick and returns the winner.
func playout(p Position, pick func(*Position) int) int8 {
	for !p.Over() {
		p.play(pick(&p))
	}
	return p.Winner()
}

// RandomRollouts is the evaluator of pure MCTS: uniform priors (own-eye fills nearly excluded)
// and, as value, the result of one random playout from the leaf. Playouts of a batch run on
// all cores; each leaf's playout has its own seeded generator, so searches are reproducible.
type RandomRollouts struct {
	Seed  uint64
	calls uint64
}

// Evaluate implements Evaluator.
func (r *RandomRollouts) Evaluate(ps []*Position) ([][]float32, []float32, error) {
	r.calls++
	base := r.calls * 1_000_003
	return rolloutEval(ps, func(k int, p *Position) float32 {
		rng := rand.New(rand.NewPCG(r.Seed, base+uint64(k)))
		w := playout(*p, func(q *Position) int { return RandomMove(q, rng) })
		return resultFor(w, p.ToPlay)
	})
}

func resultFor(winner, player int8) float32 {
	switch winner {
	case player:
		return 1
	case Empty:
		return 0
	}
	return -1
}

// rolloutEval gives uniform priors and value(k, p) for each position, in parallel.
func rolloutEval(ps []*Position, value func(k int, p *Position) float32) ([][]float32, []float32, error) {
	priors := make([][]float32, len(ps))
	values := make([]float32, len(ps))
	for k, p := range ps {
		pr := make([]float32, p.N*p.N+1)
		for m := range pr {
			pr[m] = 1
			if m < p.N*p.N && p.IsEye(m, p.ToPlay) {
				pr[m] = 0.01
			}
		}
		priors[k] = pr
	}
	parallelFor(len(ps), func(k int) { values[k] = value(k, ps[k]) })
	return priors, values, nil
}

// parallelFor runs f(0..n-1) on GOMAXPROCS goroutines.
func parallelFor(n int, f func(i int)) {
	workers := min(runtime.GOMAXPROCS(0), n)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += workers {
				f(i)
			}
		}()
	}
	wg.Wait()
}

// Features of the rollout policy. Each candidate move m switches on a few binary features:
// its 3×3 pattern (the 8 neighbours, each empty / own / opponent / off-board: 4⁸ patterns) and
// a handful of tactical flags. The policy is linear: score(m) = Σ w_f over m's features,
// π(m) = softmax(score) over the legal moves. No network: a move costs a few microseconds,
// which is why AlphaGo Lee could play thousands of rollouts per second.
const (
	numPatterns  = 1 << 16
	fCapture     = numPatterns + iota - 1 // the move captures stones.
	fAtariEscape                          // the move gives a friendly group in atari more liberties.
	fSelfAtari                            // the move leaves its own group in atari.
	fNearLast                             // the move is next to (8-neighbourhood) the last move.
	fPass                                 // the pass move.
	fEyeFill                              // the move fills one of the player's own eyes.
	numFeatures
)

// RolloutPolicy is AlphaGo Lee's fast rollout policy: a linear softmax over simple pattern
// features (see the f… constants), trained by supervised learning on expert moves.
type RolloutPolicy struct {
	W []float32 // one weight per feature.
}

// NewRolloutPolicy returns the policy with all weights zero (uniformly random play).
func NewRolloutPolicy() *RolloutPolicy { return &RolloutPolicy{W: make([]float32, numFeatures)} }

// moveFeatures appends the active features of move m in p to buf.
func moveFeatures(p *Position, m int, buf []int) []int {
	n := p.N
	if m == Pass(n) {
		return append(buf, fPass)
	}
	r, c := m/n, m%n
	pat := 0
	for dr := -1; dr <= 1; dr++ {
		for dc := -1; dc <= 1; dc++ {
			if dr == 0 && dc == 0 {
				continue
			}
			rr, cc := r+dr, c+dc
			v := 3
			if rr >= 0 && rr < n && cc >= 0 && cc < n {
				switch p.Stones[rr*n+cc] {
				case Empty:
					v = 0
				case p.ToPlay:
					v = 1
				default:
					v = 2
				}
			}
			pat = pat*4 + v
		}
	}
	buf = append(buf, pat)
	if p.Last >= 0 && p.Last < n*n {
		lr, lc := p.Last/n, p.Last%n
		if abs(lr-r) <= 1 && abs(lc-c) <= 1 {
			buf = append(buf, fNearLast)
		}
	}
	if p.IsEye(m, p.ToPlay) {
		buf = append(buf, fEyeFill)
	}
	inAtari := false
	var nb [4]int
	for _, q := range p.neighbours(m, &nb) {
		if p.Stones[q] == p.ToPlay && p.Liberties(q) == 1 {
			inAtari = true
		}
	}
	after := *p
	after.play(m)
	if after.capture > 0 {
		buf = append(buf, fCapture)
	}
	libs := after.Liberties(m)
	if inAtari && libs >= 2 {
		buf = append(buf, fAtariEscape)
	}
	if libs == 1 {
		buf = append(buf, fSelfAtari)
	}
	return buf
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// Probs returns the legal moves of p and the policy's probabilities for them.
func (rp *RolloutPolicy) Probs(p *Position) (moves []int, probs []float64) {
	moves = p.LegalMoves()
	probs = make([]float64, len(moves))
	var buf [8]int
	maxS := math.Inf(-1)
	for i, m := range moves {
		var s float64
		for _, f := range moveFeatures(p, m, buf[:0]) {
			s += float64(rp.W[f])
		}
		probs[i] = s
		maxS = math.Max(maxS, s)
	}
	var sum float64
	for i := range probs {
		probs[i] = math.Exp(probs[i] - maxS)
		sum += probs[i]
	}
	for i := range probs {
		probs[i] /= sum
	}
	return moves, probs
}

// Move samples a move from the policy.
func (rp *RolloutPolicy) Move(p *Position, rng *rand.Rand) int {
	moves, probs := rp.Probs(p)
	u := rng.Float64()
	for i, q := range probs {
		if u < q {
			return moves[i]
		}
		u -= q
	}
	return moves[len(moves)-1]
}

// TrainStep does one stochastic gradient ascent step on log π(expert | p) and returns the
// log-likelihood before the step: w_f += lr·(1[m = expert] − π(m)) for each feature f of m.
func (rp *RolloutPolicy) TrainStep(p *Position, expert int, lr float64) float64 {
	moves, probs := rp.Probs(p)
	var buf [8]int
	ll := math.Inf(-1)
	for i, m := range moves {
		g := -probs[i]
		if m == expert {
			g += 1
			ll = math.Log(max(probs[i], 1e-12))
		}
		for _, f := range moveFeatures(p, m, buf[:0]) {
			rp.W[f] += float32(lr * g)
		}
	}
	return ll
}
