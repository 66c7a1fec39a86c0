package a3c

import "math"

// The autocorrelation argument, measured. Policy-gradient updates assume their samples are
// independent draws from the current policy's state distribution; one agent's consecutive
// steps are not (the pole moves little in 0.02 s), so one agent's updates all pull the weights
// towards the same few states, one after the other. Two measurements of the same correlation,
// on the states (each of the four features standardised over the whole run):
//
//   - within an update: the mean correlation between two different samples of the same update
//     (A3C: one worker's n consecutive steps; A2C: n steps of each of several workers);
//   - between updates: the correlation between the mean states of update u and update u+k, in
//     the order the shared parameters received them (A3C with several workers interleaves
//     updates from unrelated episodes). What several workers cannot remove is what they share:
//     they all act with (nearly) the same weights, so the policy's habits of the moment (say, a
//     drift to the right) show in every worker at once, and they change as the policy learns.
//     That part is the floor the A3C curves settle on at large k.

// correlations returns the lag correlations (k = 1..maxLag) between updates' mean states and the
// mean correlation between two samples of one update, averaged over the four state features.
// Updates with no samples (none) are skipped.
func correlations(updates []updateRecord, maxLag int) (lag []float64, within float64) {
	var total float64
	var sum, sumSq [4]float64
	for _, u := range updates {
		total += float64(u.N)
		for j := range 4 {
			sum[j] += float64(u.Sum[j])
			sumSq[j] += float64(u.SumSq[j])
		}
	}
	lag = make([]float64, maxLag)
	if total < 2 {
		for k := range lag {
			lag[k] = math.NaN()
		}
		return lag, math.NaN()
	}
	var mu, sigma [4]float64
	for j := range 4 {
		mu[j] = sum[j] / total
		sigma[j] = math.Sqrt(math.Max(sumSq[j]/total-mu[j]*mu[j], 1e-12))
	}
	// Standardised mean state of each update, feature by feature.
	var means [4][]float64
	var pairs, cross float64
	for _, u := range updates {
		n := float64(u.N)
		if n == 0 {
			continue
		}
		for j := range 4 {
			s, ss := float64(u.Sum[j]), float64(u.SumSq[j])
			means[j] = append(means[j], (s/n-mu[j])/sigma[j])
			if n >= 2 {
				// Σ_{i≠l} z_i z_l = (Σz)² − Σz², with z = (x − μ)/σ.
				sz := (s - n*mu[j]) / sigma[j]
				szz := (ss - 2*mu[j]*s + n*mu[j]*mu[j]) / (sigma[j] * sigma[j])
				cross += sz*sz - szz
				pairs += n * (n - 1)
			}
		}
	}
	within = math.NaN()
	if pairs > 0 {
		within = cross / pairs
	}
	for k := 1; k <= maxLag; k++ {
		var c float64
		for j := range 4 {
			c += pearson(means[j], k)
		}
		lag[k-1] = c / 4
	}
	return lag, within
}

// pearson is the correlation between x[u] and x[u+k] over u.
func pearson(x []float64, k int) float64 {
	n := len(x) - k
	if n < 2 {
		return math.NaN()
	}
	a, b := x[:n], x[k:]
	ma, mb := mean(a), mean(b)
	var sab, saa, sbb float64
	for i := range n {
		da, db := a[i]-ma, b[i]-mb
		sab += da * db
		saa += da * da
		sbb += db * db
	}
	if saa == 0 || sbb == 0 {
		return math.NaN()
	}
	return sab / math.Sqrt(saa*sbb)
}

// stalenessCounts returns c with c[k] the number of updates that were k updates stale.
func stalenessCounts(updates []updateRecord) []int64 {
	var c []int64
	for _, u := range updates {
		if u.N == 0 {
			continue
		}
		for int(u.Staleness) >= len(c) {
			c = append(c, 0)
		}
		c[u.Staleness]++
	}
	return c
}

// sameWorker is the share of consecutive updates that the same worker computed.
func sameWorker(updates []updateRecord) float64 {
	var same, pairs float64
	for i := 1; i < len(updates); i++ {
		if updates[i].N == 0 || updates[i-1].N == 0 {
			continue
		}
		pairs++
		if updates[i].Worker == updates[i-1].Worker {
			same++
		}
	}
	if pairs == 0 {
		return math.NaN()
	}
	return same / pairs
}
