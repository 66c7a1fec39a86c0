package metric

import (
	"fmt"
	"math"
	"sort"
	"sync"

	"github.com/gomlx/gomlx/backends"
	G "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"gonum.org/v1/gonum/mat"

	"github.com/dl4go/dl4go/data/mnist"
	xlayers "github.com/dl4go/dl4go/gomlxext/layers"
)

// Split is a set of images with their digits.
type Split struct {
	Images [][]float32 // flat 28·28 images in [0, 1]
	Digits []int
}

// take returns the first n images of set whose digit passes keep, skipping the first skip of them.
func take(set *mnist.Set, skip, n int, keep func(int) bool) Split {
	var s Split
	for i := 0; i < set.Len() && len(s.Digits) < n; i++ {
		if d := int(set.Labels[i]); keep(d) {
			if skip > 0 {
				skip--
				continue
			}
			s.Images = append(s.Images, set.Image(i))
			s.Digits = append(s.Digits, d)
		}
	}
	return s
}

// Neighbours are the nearest gallery items of each query, nearest first.
type Neighbours [][]int

// distances computes Euclidean distances between queries [q][d] and gallery [g][d] in chunks of
// queries through layers.PairwiseDistances, and keeps the k nearest of each query (a query that is
// also in the gallery — self — is left out of its own list when exclude is set).
type distances struct {
	backend backends.Backend
	mu      sync.Mutex
	execs   map[int]*G.Exec
}

const queryChunk = 500

func (dc *distances) nearest(queries, gallery [][]float32, k int, exclude bool) (Neighbours, error) {
	if len(queries) == 0 || len(gallery) <= k {
		return nil, fmt.Errorf("metric: k-NN needs queries and more than k=%d gallery items (got %d and %d)", k, len(queries), len(gallery))
	}
	d := len(gallery[0])
	dc.mu.Lock()
	if dc.execs == nil {
		dc.execs = map[int]*G.Exec{}
	}
	exec := dc.execs[d]
	if exec == nil {
		var err error
		exec, err = G.NewExec(dc.backend, func(q, g *G.Node) *G.Node { return xlayers.PairwiseSquaredDistances(q, g) })
		if err != nil {
			dc.mu.Unlock()
			return nil, fmt.Errorf("metric: compile the pairwise distances: %w", err)
		}
		dc.execs[d] = exec
	}
	dc.mu.Unlock()
	flatG := make([]float32, 0, len(gallery)*d)
	for _, v := range gallery {
		flatG = append(flatG, v...)
	}
	gt := tensors.FromFlatDataAndDimensions(flatG, len(gallery), d)
	out := make(Neighbours, len(queries))
	buf := make([]float32, queryChunk*d)
	for i := 0; i < len(queries); i += queryChunk {
		n := min(queryChunk, len(queries)-i)
		clear(buf)
		for j := range n {
			copy(buf[j*d:], queries[i+j])
		}
		res, err := exec.Exec(tensors.FromFlatDataAndDimensions(buf, queryChunk, d), gt)
		if err != nil {
			return nil, fmt.Errorf("metric: pairwise distances: %w", err)
		}
		dist := tensors.MustCopyFlatData[float32](res[0])
		for j := range n {
			row := dist[j*len(gallery) : (j+1)*len(gallery)]
			self := -1
			if exclude {
				self = i + j
			}
			out[i+j] = kSmallest(row, k, self)
		}
	}
	return out, nil
}

// kSmallest returns the indices of the k smallest values of row, smallest first, skipping skip.
func kSmallest(row []float32, k, skip int) []int {
	idx := make([]int, 0, k+1)
	for i, v := range row {
		if i == skip {
			continue
		}
		if len(idx) == k && v >= row[idx[k-1]] {
			continue
		}
		pos := sort.Search(len(idx), func(p int) bool { return row[idx[p]] > v })
		idx = append(idx, 0)
		copy(idx[pos+1:], idx[pos:])
		idx[pos] = i
		if len(idx) > k {
			idx = idx[:k]
		}
	}
	return idx
}

// vote is the k-NN prediction: the most frequent digit among the neighbours, a tie going to the
// digit of the nearest neighbour among the tied ones.
func vote(nb []int, digits []int) int {
	count := map[int]int{}
	best, bestN := -1, 0
	for _, i := range nb {
		count[digits[i]]++
	}
	for _, i := range nb { // nearest first: the first digit reaching the top count wins ties
		if c := count[digits[i]]; c > bestN {
			best, bestN = digits[i], c
		}
	}
	return best
}

// Scores are the retrieval numbers of one representation (a model's embedding or a baseline).
type Scores struct {
	Name string
	// KNNAccuracy is the k-NN (k = Config.K) accuracy of the seen-digit test queries against the
	// training gallery; UnseenRecall1 the recall@1 of the unseen-digit test images, each retrieving
	// its nearest neighbour among the other unseen test images.
	KNNAccuracy, UnseenRecall1 float64
	// SeenOverlap and UnseenOverlap are the share of (same-digit pair, different-digit pair)
	// couples of test images in which the same-digit pair is the farther one (1 − ROC AUC of the
	// distance as a same/different test): 0 when every intra-class distance is smaller than every
	// inter-class one, 0.5 for distances that know nothing.
	SeenOverlap, UnseenOverlap float64
	// Neighbours of the seen queries (in the gallery) and of the unseen ones (among themselves).
	SeenNeighbours, UnseenNeighbours Neighbours
}

// evaluation holds the fixed query and gallery sets.
type evaluation struct {
	cfg                   Config
	gallery, seen, unseen Split
	dc                    *distances
}

func (e *evaluation) score(name string, gallery, seen, unseen [][]float32) (*Scores, error) {
	s := &Scores{Name: name}
	var err error
	if s.SeenNeighbours, err = e.dc.nearest(seen, gallery, e.cfg.K, false); err != nil {
		return nil, err
	}
	hits := 0
	for i, nb := range s.SeenNeighbours {
		if vote(nb, e.gallery.Digits) == e.seen.Digits[i] {
			hits++
		}
	}
	s.KNNAccuracy = float64(hits) / float64(len(seen))
	if s.UnseenNeighbours, err = e.dc.nearest(unseen, unseen, e.cfg.K, true); err != nil {
		return nil, err
	}
	hits = 0
	for i, nb := range s.UnseenNeighbours {
		if e.unseen.Digits[nb[0]] == e.unseen.Digits[i] {
			hits++
		}
	}
	s.UnseenRecall1 = float64(hits) / float64(len(unseen))
	n := e.cfg.OverlapImages
	s.SeenOverlap = overlap(seen[:min(n, len(seen))], e.seen.Digits)
	s.UnseenOverlap = overlap(unseen[:min(n, len(unseen))], e.unseen.Digits)
	return s, nil
}

// dist is the Euclidean distance of two vectors.
func dist(a, b []float32) float64 {
	s := 0.0
	for i := range a {
		d := float64(a[i] - b[i])
		s += d * d
	}
	return math.Sqrt(s)
}

// PairDistances returns the distances of every pair of vecs, split into same-digit pairs (by
// digit) and different-digit pairs.
func PairDistances(vecs [][]float32, digits []int) (same map[int][]float64, diff []float64) {
	same = map[int][]float64{}
	for i := range vecs {
		for j := i + 1; j < len(vecs); j++ {
			d := dist(vecs[i], vecs[j])
			if digits[i] == digits[j] {
				same[digits[i]] = append(same[digits[i]], d)
			} else {
				diff = append(diff, d)
			}
		}
	}
	return same, diff
}

// overlap is P(a same-digit pair is farther than a different-digit pair) over all pairs of vecs
// (ties count one half): the Mann–Whitney statistic, by sorting.
func overlap(vecs [][]float32, digits []int) float64 {
	byDigit, diff := PairDistances(vecs, digits)
	var same []float64
	for _, v := range byDigit {
		same = append(same, v...)
	}
	sort.Float64s(diff)
	total := 0.0
	for _, d := range same {
		lo := sort.SearchFloat64s(diff, d)                                    // diff < d
		hi := sort.Search(len(diff), func(i int) bool { return diff[i] > d }) // diff ≤ d
		total += float64(lo) + 0.5*float64(hi-lo)
	}
	return total / (float64(len(same)) * float64(len(diff)))
}

// PCA is a linear projection onto the top principal directions of a set of vectors.
type PCA struct {
	Mean       []float64
	Components [][]float64 // [k][d], unit vectors, by decreasing variance
}

// FitPCA fits k principal components to vecs.
func FitPCA(vecs [][]float32, k int) (*PCA, error) {
	n, d := len(vecs), len(vecs[0])
	if k > d || n < 2 {
		return nil, fmt.Errorf("metric: PCA of %d vectors of %d dims to %d dims", n, d, k)
	}
	p := &PCA{Mean: make([]float64, d)}
	for _, v := range vecs {
		for j, x := range v {
			p.Mean[j] += float64(x) / float64(n)
		}
	}
	x := mat.NewDense(n, d, nil)
	for i, v := range vecs {
		for j, val := range v {
			x.Set(i, j, float64(val)-p.Mean[j])
		}
	}
	var cov mat.SymDense
	cov.SymOuterK(1/float64(n-1), x.T())
	var eig mat.EigenSym
	if !eig.Factorize(&cov, true) {
		return nil, fmt.Errorf("metric: PCA: eigendecomposition of the %d×%d covariance failed", d, d)
	}
	var vec mat.Dense
	eig.VectorsTo(&vec)
	for c := d - 1; c >= d-k; c-- { // eigenvalues ascend
		comp := make([]float64, d)
		for j := range d {
			comp[j] = vec.At(j, c)
		}
		p.Components = append(p.Components, comp)
	}
	return p, nil
}

// Project maps vecs onto the components: [n][k].
func (p *PCA) Project(vecs [][]float32) [][]float32 {
	out := make([][]float32, len(vecs))
	for i, v := range vecs {
		out[i] = make([]float32, len(p.Components))
		for c, comp := range p.Components {
			s := 0.0
			for j, x := range v {
				s += (float64(x) - p.Mean[j]) * comp[j]
			}
			out[i][c] = float32(s)
		}
	}
	return out
}
