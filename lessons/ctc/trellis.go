package ctc

import (
	"math"
	"slices"
	"sort"
)

// Blank is the class id of CTC's blank label (ブランク): "no new symbol in this frame".
const Blank = 0

// Collapse applies CTC's rule to a frame-by-frame path: merge runs of the same label, then drop
// the blanks. A blank between two equal labels keeps both ("hel-lo" → "hello", "hello" → "helo").
func Collapse(path []int) []int {
	var out []int
	for i, c := range path {
		if c != Blank && (i == 0 || c != path[i-1]) {
			out = append(out, c)
		}
	}
	return out
}

// Extend returns the extended label sequence of the forward–backward algorithm: a blank before,
// between and after the labels (拡張ラベル), length 2·len(labels)+1.
func Extend(labels []int) []int {
	ext := make([]int, 2*len(labels)+1)
	for i, l := range labels {
		ext[2*i+1] = l
	}
	return ext
}

// logAdd is log(e^a + e^b), exact for −∞.
func logAdd(a, b float64) float64 {
	if math.IsInf(a, -1) {
		return b
	}
	if math.IsInf(b, -1) {
		return a
	}
	m := math.Max(a, b)
	return m + math.Log(math.Exp(a-m)+math.Exp(b-m))
}

// canSkip reports whether a path may go from ext[s−2] to ext[s] directly (skipping the blank):
// only onto a label that differs from the one two back.
func canSkip(ext []int, s int) bool { return s >= 2 && ext[s] != Blank && ext[s] != ext[s-2] }

// Forward returns the log forward probabilities (前向き確率) α[t][s]: the log of the summed
// probability of every path prefix of frames 0 … t that ends at extended label s and is
// consistent with the labels so far. logp[t][c] is the log probability of class c at frame t.
func Forward(logp [][]float64, labels []int) [][]float64 {
	ext := Extend(labels)
	alpha := make([][]float64, len(logp))
	for t := range alpha {
		alpha[t] = make([]float64, len(ext))
		for s := range ext {
			alpha[t][s] = math.Inf(-1)
			switch {
			case t == 0 && s < 2:
				alpha[t][s] = logp[0][ext[s]]
			case t > 0:
				v := alpha[t-1][s]
				if s >= 1 {
					v = logAdd(v, alpha[t-1][s-1])
				}
				if canSkip(ext, s) {
					v = logAdd(v, alpha[t-1][s-2])
				}
				alpha[t][s] = v + logp[t][ext[s]]
			}
		}
	}
	return alpha
}

// Backward returns the log backward probabilities (後ろ向き確率) β[t][s]: the log of the summed
// probability of every path suffix from frame t at extended label s to the end (frame t
// included, as in Graves' definition, so that α_t(s)·β_t(s)/p_t(ext_s) sums paths through (t, s)).
func Backward(logp [][]float64, labels []int) [][]float64 {
	ext := Extend(labels)
	last := len(logp) - 1
	beta := make([][]float64, len(logp))
	for t := last; t >= 0; t-- {
		beta[t] = make([]float64, len(ext))
		for s := range ext {
			beta[t][s] = math.Inf(-1)
			switch {
			case t == last && s >= len(ext)-2:
				beta[t][s] = logp[t][ext[s]]
			case t < last:
				v := beta[t+1][s]
				if s+1 < len(ext) {
					v = logAdd(v, beta[t+1][s+1])
				}
				if s+2 < len(ext) && canSkip(ext, s+2) {
					v = logAdd(v, beta[t+1][s+2])
				}
				beta[t][s] = v + logp[t][ext[s]]
			}
		}
	}
	return beta
}

// LogLikelihood is log p(labels | x) from the forward probabilities: the paths that end in the
// last label or the final blank at the last frame.
func LogLikelihood(alpha [][]float64) float64 {
	a := alpha[len(alpha)-1]
	if len(a) == 1 {
		return a[0]
	}
	return logAdd(a[len(a)-1], a[len(a)-2])
}

// Occupancy returns γ[t][s] = P(the path is at extended label s at frame t | x, labels):
// α_t(s)·β_t(s) / (p_t(ext_s) · p(labels|x)), the trellis picture.
func Occupancy(logp [][]float64, labels []int) [][]float64 {
	alpha, beta := Forward(logp, labels), Backward(logp, labels)
	ll := LogLikelihood(alpha)
	ext := Extend(labels)
	gamma := make([][]float64, len(logp))
	for t := range gamma {
		gamma[t] = make([]float64, len(ext))
		for s := range ext {
			gamma[t][s] = math.Exp(alpha[t][s] + beta[t][s] - logp[t][ext[s]] - ll)
		}
	}
	return gamma
}

// Gradient returns ∂(−log p(labels|x))/∂logits[t][c] for logits whose softmax gives logp: the
// classic closed form p_t(c) − Σ_{s: ext_s = c} γ_t(s) — the softmax output minus the
// occupancy of the class.
func Gradient(logp [][]float64, labels []int) [][]float64 {
	gamma := Occupancy(logp, labels)
	ext := Extend(labels)
	grad := make([][]float64, len(logp))
	for t := range grad {
		grad[t] = make([]float64, len(logp[t]))
		for c := range grad[t] {
			grad[t][c] = math.Exp(logp[t][c])
		}
		for s, c := range ext {
			grad[t][c] -= gamma[t][s]
		}
	}
	return grad
}

// BruteForce is −log p(labels|x) by summing over every one of classes^frames paths: the
// definition the forward algorithm computes in frames·(2L+1) steps. Only for tiny inputs.
func BruteForce(logp [][]float64, labels []int) (negLogLik float64, paths, matching int) {
	frames, classes := len(logp), len(logp[0])
	path := make([]int, frames)
	total := 0.0
	var walk func(t int, lp float64)
	walk = func(t int, lp float64) {
		if t == frames {
			paths++
			if slices.Equal(Collapse(path), labels) {
				matching++
				total += math.Exp(lp)
			}
			return
		}
		for c := range classes {
			path[t] = c
			walk(t+1, lp+logp[t][c])
		}
	}
	walk(0, 0)
	return -math.Log(total), paths, matching
}

// Greedy decodes by taking the most likely class of every frame and collapsing.
func Greedy(logp [][]float64) []int {
	path := make([]int, len(logp))
	for t, row := range logp {
		for c := range row {
			if row[c] > row[path[t]] {
				path[t] = c
			}
		}
	}
	return Collapse(path)
}

// BeamSearch is CTC's prefix beam search: it keeps the width most probable label prefixes,
// each with the probability of the paths that end in a blank and of those that end in its last
// label (so that "a", "a a" and "a-a" are told apart), and returns the most probable prefix at
// the end. Unlike Greedy, it adds up the many paths of one labelling.
func BeamSearch(logp [][]float64, width int) []int {
	type probs struct{ blank, label float64 } // log probabilities
	key := func(p []int) string {
		b := make([]byte, len(p))
		for i, v := range p {
			b[i] = byte(v)
		}
		return string(b)
	}
	ninf := math.Inf(-1)
	beams := map[string]probs{"": {0, ninf}}
	prefixes := map[string][]int{"": nil}
	for _, row := range logp {
		next := map[string]probs{}
		add := func(p []int, blank, label float64) {
			k := key(p)
			old, ok := next[k]
			if !ok {
				old = probs{ninf, ninf}
				prefixes[k] = p
			}
			next[k] = probs{logAdd(old.blank, blank), logAdd(old.label, label)}
		}
		for k, pr := range beams {
			p := prefixes[k]
			total := logAdd(pr.blank, pr.label)
			add(p, total+row[Blank], ninf) // a blank: the prefix is unchanged
			for c := 1; c < len(row); c++ {
				ext := append(slices.Clone(p), c)
				if len(p) > 0 && p[len(p)-1] == c {
					add(p, ninf, pr.label+row[c])   // the same label again without a blank: merged
					add(ext, ninf, pr.blank+row[c]) // after a blank: a new label
				} else {
					add(ext, ninf, total+row[c])
				}
			}
		}
		keys := make([]string, 0, len(next))
		for k := range next {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(a, b int) bool {
			pa, pb := next[keys[a]], next[keys[b]]
			return logAdd(pa.blank, pa.label) > logAdd(pb.blank, pb.label)
		})
		beams = map[string]probs{}
		for _, k := range keys[:min(width, len(keys))] {
			beams[k] = next[k]
		}
	}
	best, bestP := "", ninf
	for k, pr := range beams {
		if p := logAdd(pr.blank, pr.label); p > bestP || (p == bestP && k < best) {
			best, bestP = k, p
		}
	}
	return prefixes[best]
}

// EditDistance is the Levenshtein distance between two label sequences: the fewest
// substitutions, insertions and deletions that turn one into the other.
func EditDistance(a, b []int) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}
