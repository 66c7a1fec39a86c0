package xai

import (
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"
	"slices"
	"sort"

	"gonum.org/v1/gonum/mat"
)

// Patches divides a size×size image into a grid×grid of square patches: the "features" LIME and
// SHAP switch on and off (LIME's superpixels, here a plain grid).
type Patches struct {
	Size, Grid int
}

// Of returns the patch of pixel (x, y).
func (p Patches) Of(x, y int) int { return (y*p.Grid/p.Size)*p.Grid + x*p.Grid/p.Size }

// N is the number of patches.
func (p Patches) N() int { return p.Grid * p.Grid }

// compose returns an image whose patch j comes from x when keep[j] and from background otherwise.
func (p Patches) compose(x, background []float32, keep []bool) []float32 {
	out := make([]float32, len(x))
	for y := range p.Size {
		for xx := range p.Size {
			src := background
			if keep[p.Of(xx, y)] {
				src = x
			}
			i := (y*p.Size + xx) * 3
			copy(out[i:i+3], src[i:i+3])
		}
	}
	return out
}

// Predictor gives the model's probability of one class for a batch of images (flat [S·S·3] each).
type Predictor func(images [][]float32) ([]float64, error)

// LIMEResult is a local surrogate: a weighted linear model of the predictor over patch on/off
// vectors, fitted on perturbations of one image.
type LIMEResult struct {
	// Weights[j] is patch j's coefficient; Intercept the surrogate's value with every patch off.
	Weights   []float64
	Intercept float64
	// Fidelity is the surrogate's weighted R² on the perturbations: how well the simple model
	// imitates the complex one near this image.
	Fidelity float64
}

// LIME explains predict at image x (Ribeiro et al., 2016): draw samples perturbations that turn
// each patch off (to the background) with probability ½, weight each by the locality kernel
// π(z) = exp(−d(z)²/σ²) with d the share of patches turned off, and fit the weighted linear
// least-squares surrogate g(z) = w·z + b (a small ridge keeps it well posed). The largest weights
// are the patches the prediction depends on, near this image.
func LIME(predict Predictor, p Patches, x, background []float32, samples int, sigma float64, seed uint64) (*LIMEResult, error) {
	rng := rand.New(rand.NewPCG(seed, 22))
	n := p.N()
	zs := make([][]bool, samples)
	imgs := make([][]float32, samples)
	for i := range zs {
		zs[i] = make([]bool, n)
		for j := range zs[i] {
			zs[i][j] = i == 0 || rng.IntN(2) == 1 // the first sample is the image itself
		}
		imgs[i] = p.compose(x, background, zs[i])
	}
	y, err := predict(imgs)
	if err != nil {
		return nil, err
	}
	X := mat.NewDense(samples, n+1, nil)
	w := make([]float64, samples)
	for i, z := range zs {
		off := 0
		for j, on := range z {
			if on {
				X.Set(i, j, 1)
			} else {
				off++
			}
		}
		X.Set(i, n, 1)
		d := float64(off) / float64(n)
		w[i] = math.Exp(-d * d / (sigma * sigma))
	}
	coef, err := weightedLeastSquares(X, y, w, 1e-3, true)
	if err != nil {
		return nil, err
	}
	res := &LIMEResult{Weights: coef[:n], Intercept: coef[n]}
	// Weighted R².
	var mean, sw float64
	for i := range y {
		mean += w[i] * y[i]
		sw += w[i]
	}
	mean /= sw
	var ssRes, ssTot float64
	for i := range y {
		g := res.Intercept
		for j := range n {
			g += X.At(i, j) * res.Weights[j]
		}
		ssRes += w[i] * (y[i] - g) * (y[i] - g)
		ssTot += w[i] * (y[i] - mean) * (y[i] - mean)
	}
	res.Fidelity = 1 - ssRes/ssTot
	return res, nil
}

// Top returns the k patches with the largest weights, largest first.
func (r *LIMEResult) Top(k int) []int {
	order := make([]int, len(r.Weights))
	for j := range order {
		order[j] = j
	}
	sort.SliceStable(order, func(a, b int) bool { return r.Weights[order[a]] > r.Weights[order[b]] })
	return order[:min(k, len(order))]
}

// weightedLeastSquares solves min Σ w_i (y_i − X_i·β)² + ridge·|β|² (with intercept, the last
// column, the intercept, is left unpenalised).
func weightedLeastSquares(X *mat.Dense, y, w []float64, ridge float64, intercept bool) ([]float64, error) {
	r, c := X.Dims()
	var xtw mat.Dense
	wx := mat.NewDense(r, c, nil)
	for i := range r {
		for j := range c {
			wx.Set(i, j, w[i]*X.At(i, j))
		}
	}
	xtw.Mul(X.T(), wx) // XᵀWX
	penalised := c
	if intercept {
		penalised--
	}
	for j := range penalised {
		xtw.Set(j, j, xtw.At(j, j)+ridge)
	}
	wy := make([]float64, r)
	for i := range r {
		wy[i] = w[i] * y[i]
	}
	var rhs mat.VecDense
	rhs.MulVec(X.T(), mat.NewVecDense(r, wy))
	var beta mat.VecDense
	if err := beta.SolveVec(&xtw, &rhs); err != nil {
		return nil, fmt.Errorf("xai: least squares: %w", err)
	}
	return beta.RawVector().Data, nil
}

// ShapleyResult holds Shapley values of the patches for one image and one class.
type ShapleyResult struct {
	// Values[j] is patch j's Shapley value φ_j; Full is f(x), Base E[f] = v(∅), the prediction
	// with every patch taken from the background images.
	Values     []float64
	Full, Base float64
	// Coalitions is how many coalitions were evaluated (2^n for the exact values).
	Coalitions int
}

// EfficiencyGap is |Σφ_j − (f(x) − E[f])|: Shapley values share out exactly the difference
// between the prediction and the average prediction (the efficiency axiom).
func (s *ShapleyResult) EfficiencyGap() float64 {
	var sum float64
	for _, v := range s.Values {
		sum += v
	}
	return math.Abs(sum - (s.Full - s.Base))
}

// coalitionValues evaluates v(S) = E_b[f(x_S, b_rest)] for every coalition mask in masks (bit j:
// patch j kept from x), averaging over the background images.
func coalitionValues(predict Predictor, p Patches, x []float32, backgrounds [][]float32, masks []uint32) ([]float64, error) {
	n := p.N()
	var imgs [][]float32
	for _, m := range masks {
		keep := make([]bool, n)
		for j := range n {
			keep[j] = m>>j&1 == 1
		}
		for _, b := range backgrounds {
			imgs = append(imgs, p.compose(x, b, keep))
		}
	}
	y, err := predict(imgs)
	if err != nil {
		return nil, err
	}
	v := make([]float64, len(masks))
	for i := range masks {
		for k := range backgrounds {
			v[i] += y[i*len(backgrounds)+k] / float64(len(backgrounds))
		}
	}
	return v, nil
}

// ExactShapley computes the patches' Shapley values by enumerating every coalition S of the other
// patches (Shapley, 1953): φ_j = Σ_S |S|!(n−|S|−1)!/n! · (v(S ∪ {j}) − v(S)), the average
// marginal contribution of patch j over every order in which the patches could join.
func ExactShapley(predict Predictor, p Patches, x []float32, backgrounds [][]float32) (*ShapleyResult, error) {
	n := p.N()
	if n > 16 {
		return nil, fmt.Errorf("xai: exact Shapley values of %d patches means 2^%d coalitions: use at most 16", n, n)
	}
	masks := make([]uint32, 1<<n)
	for m := range masks {
		masks[m] = uint32(m)
	}
	v, err := coalitionValues(predict, p, x, backgrounds, masks)
	if err != nil {
		return nil, err
	}
	fact := make([]float64, n+1)
	fact[0] = 1
	for i := 1; i <= n; i++ {
		fact[i] = fact[i-1] * float64(i)
	}
	res := &ShapleyResult{Values: make([]float64, n), Full: v[len(v)-1], Base: v[0], Coalitions: len(v)}
	for m := range v {
		size := bits.OnesCount32(uint32(m))
		for j := range n {
			if m>>j&1 == 1 {
				continue
			}
			wgt := fact[size] * fact[n-size-1] / fact[n]
			res.Values[j] += wgt * (v[m|1<<j] - v[m])
		}
	}
	return res, nil
}

// KernelSHAP approximates the Shapley values from at most samples coalitions besides the empty
// and the full one (Lundberg & Lee, 2017), the way the shap library does: the Shapley values are the solution of a weighted linear
// regression of v(S) on the coalition vectors z (z_j = 1: patch j kept), with the Shapley kernel
//
//	π(z) = (n−1) / (C(n,|z|)·|z|·(n−|z|))
//
// as the weights and Σφ_j = v(full) − v(∅) as a constraint (efficiency holds exactly). The
// kernel puts most of its weight on the smallest and the largest coalitions, so the sizes s and
// n−s are taken in turn, from s = 1 up, and enumerated completely while the budget covers them
// (each coalition with its exact kernel weight); the budget left is drawn at random, in
// complementary pairs (S and its complement), from the sizes not enumerated, sharing out the
// kernel weight those sizes hold.
func KernelSHAP(predict Predictor, p Patches, x []float32, backgrounds [][]float32, samples int, seed uint64) (*ShapleyResult, error) {
	n := p.N()
	if n < 2 || n > 30 {
		return nil, fmt.Errorf("xai: KernelSHAP takes 2 to 30 patches, got %d", n)
	}
	rng := rand.New(rand.NewPCG(seed, 23))
	weights := map[uint32]float64{}
	// The kernel's total weight at each size pair {s, n−s}.
	last := n / 2 // the largest s with s ≤ n−s
	sizeW := make([]float64, last+1)
	var total float64
	for s := 1; s <= last; s++ {
		sizeW[s] = float64(n-1) / float64(s*(n-s))
		if 2*s != n {
			sizeW[s] *= 2 // s and n−s
		}
		total += sizeW[s]
	}
	left, wLeft := samples, total
	s := 1
	for ; s <= last; s++ {
		count := binomial(n, s)
		if 2*s != n {
			count *= 2
		}
		if float64(left)*sizeW[s]/wLeft < float64(count) {
			break
		}
		// Enumerate every coalition of size s (and n−s), each with weight sizeW[s]/count.
		for m := uint32(0); m < 1<<n; m++ {
			if c := bits.OnesCount32(m); c == s || c == n-s {
				weights[m] += sizeW[s] / float64(count)
			}
		}
		left -= count
		wLeft -= sizeW[s]
	}
	if s <= last && left >= 2 {
		// Draw the rest in complementary pairs, sizes in proportion to the weight they hold.
		draws := left / 2
		for range draws {
			u := rng.Float64() * wLeft
			k := s
			for ; k < last && u > sizeW[k]; k++ {
				u -= sizeW[k]
			}
			var m uint32
			for _, j := range rng.Perm(n)[:k] {
				m |= 1 << j
			}
			weights[m] += wLeft / float64(2*draws)
			weights[^m&(1<<n-1)] += wLeft / float64(2*draws)
		}
	}
	full := uint32(1)<<n - 1
	masks := []uint32{0, full}
	for m := range weights {
		masks = append(masks, m)
	}
	slices.Sort(masks[2:]) // a fixed order: the same regression, bit for bit, every run
	v, err := coalitionValues(predict, p, x, backgrounds, masks)
	if err != nil {
		return nil, err
	}
	base, fx := v[0], v[1]
	// Efficiency as a constraint: φ_{n−1} = (f(x) − E[f]) − Σ_{j<n−1} φ_j, so regress
	// v(S) − E[f] − z_{n−1}·(f(x) − E[f]) on z_j − z_{n−1} (j < n−1), without intercept.
	rows := len(masks) - 2
	X := mat.NewDense(rows, n-1, nil)
	y := make([]float64, rows)
	w := make([]float64, rows)
	for i, m := range masks[2:] {
		zl := float64(m >> (n - 1) & 1)
		for j := range n - 1 {
			X.Set(i, j, float64(m>>j&1)-zl)
		}
		y[i] = v[i+2] - base - zl*(fx-base)
		w[i] = weights[m]
	}
	coef, err := weightedLeastSquares(X, y, w, 0, false)
	if err != nil {
		return nil, err
	}
	values := append(coef, 0)
	var sum float64
	for _, c := range coef {
		sum += c
	}
	values[n-1] = fx - base - sum
	return &ShapleyResult{Values: values, Full: fx, Base: base, Coalitions: len(masks)}, nil
}

// binomial is C(n, k).
func binomial(n, k int) int {
	c := 1
	for i := range k {
		c = c * (n - i) / (i + 1)
	}
	return c
}

// RelativeL1 is Σ|a − b| / Σ|b|.
func RelativeL1(a, b []float64) float64 {
	var num, den float64
	for i := range a {
		num += math.Abs(a[i] - b[i])
		den += math.Abs(b[i])
	}
	return num / den
}
