package gcn

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// Laplacian returns the graph Laplacian L = D − A of the adjacency matrix a (D: the diagonal
// degree matrix). For a signal u on the nodes, uᵀLu = Σ_{edges ij} (u_i − u_j)²: L measures how
// much a signal changes across edges, which is why its eigenvectors order the graph's
// "frequencies".
func Laplacian(a [][]float64) *mat.SymDense {
	n := len(a)
	l := mat.NewSymDense(n, nil)
	for i := range n {
		var d float64
		for j := range n {
			d += a[i][j]
			if j > i && a[i][j] != 0 {
				l.SetSym(i, j, -a[i][j])
			}
		}
		l.SetSym(i, i, d)
	}
	return l
}

// NormalizedLaplacian returns L_sym = I − D^−½ A D^−½, whose eigenvalues lie in [0, 2] whatever
// the degrees (an isolated node gets L_ii = 1).
func NormalizedLaplacian(a [][]float64) *mat.SymDense {
	n := len(a)
	inv := make([]float64, n)
	for i := range n {
		var d float64
		for _, v := range a[i] {
			d += v
		}
		if d > 0 {
			inv[i] = 1 / math.Sqrt(d)
		}
	}
	l := mat.NewSymDense(n, nil)
	for i := range n {
		l.SetSym(i, i, 1)
		for j := i + 1; j < n; j++ {
			if a[i][j] != 0 {
				l.SetSym(i, j, -a[i][j]*inv[i]*inv[j])
			}
		}
	}
	return l
}

// Spectrum is the eigendecomposition L = Q Λ Qᵀ of a graph Laplacian: the graph's Fourier basis.
type Spectrum struct {
	// Values are the eigenvalues λ_0 ≤ λ_1 ≤ … (the "frequencies"; λ_0 = 0).
	Values []float64
	// Q holds the eigenvectors as columns, in the order of Values (orthonormal).
	Q *mat.Dense
}

// Eigen decomposes the symmetric matrix l (gonum's LAPACK-style solver, O(n³)).
func Eigen(l mat.Symmetric) (*Spectrum, error) {
	var e mat.EigenSym
	if !e.Factorize(l, true) {
		return nil, errors.New("gcn: the eigendecomposition did not converge")
	}
	s := &Spectrum{Values: e.Values(nil), Q: &mat.Dense{}}
	e.VectorsTo(s.Q)
	return s, nil
}

// Vector returns eigenvector k (column k of Q) as a signal on the nodes.
func (s *Spectrum) Vector(k int) []float64 { return mat.Col(nil, k, s.Q) }

// Transform is the graph Fourier transform û = Qᵀu: u's coefficient on each eigenvector.
func (s *Spectrum) Transform(u []float64) []float64 {
	var out mat.VecDense
	out.MulVec(s.Q.T(), mat.NewVecDense(len(u), u))
	return out.RawVector().Data
}

// Inverse is the inverse transform u = Qû.
func (s *Spectrum) Inverse(uh []float64) []float64 {
	var out mat.VecDense
	out.MulVec(s.Q, mat.NewVecDense(len(uh), uh))
	return out.RawVector().Data
}

// FilterDiag is the report's spectral convolution u' = QΘQᵀu with Θ = diag(theta): one free
// coefficient per eigenvector, i.e. a filter defined on this graph's basis only.
func (s *Spectrum) FilterDiag(u, theta []float64) ([]float64, error) {
	if len(theta) != len(s.Values) || len(u) != len(s.Values) {
		return nil, fmt.Errorf("gcn: filter of %d coefficients on a signal of %d nodes, graph of %d", len(theta), len(u), len(s.Values))
	}
	uh := s.Transform(u)
	for i := range uh {
		uh[i] *= theta[i]
	}
	return s.Inverse(uh), nil
}

// Filter is u' = QΘQᵀu with Θ = diag(g(λ_i)): a filter given as a function of the frequency.
func (s *Spectrum) Filter(u []float64, g func(lambda float64) float64) []float64 {
	theta := make([]float64, len(s.Values))
	for i, l := range s.Values {
		theta[i] = g(l)
	}
	out, _ := s.FilterDiag(u, theta) // sizes match by construction
	return out
}

// PolyFilter computes p(L)·u = Σ_k coeffs[k]·L^k·u directly, by matrix–vector products (Horner's
// rule), with no eigendecomposition: the same as Filter with g = p, since p(QΛQᵀ) = Q p(Λ) Qᵀ.
// A polynomial of degree K only mixes nodes at most K edges apart.
func PolyFilter(l mat.Symmetric, coeffs []float64, u []float64) []float64 {
	n := l.SymmetricDim()
	acc := mat.NewVecDense(n, nil)
	for k := len(coeffs) - 1; k >= 0; k-- {
		var next mat.VecDense
		next.MulVec(l, acc)
		next.AddScaledVec(&next, coeffs[k], mat.NewVecDense(n, u))
		acc = &next
	}
	return acc.RawVector().Data
}

// LowPassCoefficients returns the coefficients in λ of g(λ) = (1 − λ/λmax)^k, the low-pass filter
// the lesson smooths with (binomial expansion).
func LowPassCoefficients(lambdaMax float64, k int) []float64 {
	c := make([]float64, k+1)
	binom := 1.0
	for j := 0; j <= k; j++ {
		c[j] = binom * math.Pow(-1/lambdaMax, float64(j))
		binom = binom * float64(k-j) / float64(j+1)
	}
	return c
}

// ChebyshevReach returns, for the Chebyshev polynomial T_k of the scaled Laplacian
// L̃ = 2L/λmax − I (the basis of ChebNet's filters), the largest hop distance between two
// nodes i, j with T_k(L̃)[i][j] ≠ 0 — at most k: a K-th order Chebyshev filter is K-localised.
func ChebyshevReach(a [][]float64, k int) int {
	l := Laplacian(a)
	n := len(a)
	s, _ := Eigen(l) // only λmax is needed; the lesson's graphs are small
	lmax := s.Values[n-1]
	lt := mat.NewDense(n, n, nil)
	for i := range n {
		for j := range n {
			v := 2 * l.At(i, j) / lmax
			if i == j {
				v--
			}
			lt.Set(i, j, v)
		}
	}
	// T_0 = I, T_1 = L̃, T_k = 2 L̃ T_{k−1} − T_{k−2}.
	prev, cur := identity(n), mat.DenseCopyOf(lt)
	if k == 0 {
		cur = prev
	}
	for m := 2; m <= k; m++ {
		var next mat.Dense
		next.Mul(lt, cur)
		next.Scale(2, &next)
		next.Sub(&next, prev)
		prev, cur = cur, &next
	}
	hops := hopDistances(a)
	reach := 0
	for i := range n {
		for j := range n {
			if math.Abs(cur.At(i, j)) > 1e-12 && hops[i][j] > reach {
				reach = hops[i][j]
			}
		}
	}
	return reach
}

func identity(n int) *mat.Dense {
	m := mat.NewDense(n, n, nil)
	for i := range n {
		m.Set(i, i, 1)
	}
	return m
}

// hopDistances returns the shortest-path lengths (in edges) between all pairs (breadth-first
// search; unreachable: n).
func hopDistances(a [][]float64) [][]int {
	n := len(a)
	d := make([][]int, n)
	for s := range n {
		d[s] = make([]int, n)
		for j := range d[s] {
			d[s][j] = n
		}
		d[s][s] = 0
		queue := []int{s}
		for len(queue) > 0 {
			v := queue[0]
			queue = queue[1:]
			for w := range n {
				if a[v][w] != 0 && d[s][w] == n {
					d[s][w] = d[s][v] + 1
					queue = append(queue, w)
				}
			}
		}
	}
	return d
}

// mse is the mean squared difference of two signals.
func mse(a, b []float64) float64 {
	var s float64
	for i := range a {
		s += (a[i] - b[i]) * (a[i] - b[i])
	}
	return s / float64(len(a))
}
