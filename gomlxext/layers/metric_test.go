package layers

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/dl4go/dl4go/gomlxext"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // GoMLX graph-building style.
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// metricBatch is a small batch of embeddings with labels, and its distances computed by hand in
// float64: two identical rows (distance exactly 0), four classes, one class with a single member.
func metricBatch() (emb [][]float64, labels []int32, dist [][]float64) {
	r := rand.New(rand.NewPCG(3, 4))
	labels = []int32{0, 0, 0, 1, 1, 2, 2, 2, 3}
	for range labels {
		row := make([]float64, 3)
		for k := range row {
			row[k] = r.NormFloat64()
		}
		emb = append(emb, row)
	}
	copy(emb[1], emb[0]) // a positive pair at distance 0
	dist = make([][]float64, len(emb))
	for i := range emb {
		dist[i] = make([]float64, len(emb))
		for j := range emb {
			s := 0.0
			for k := range emb[i] {
				d := emb[i][k] - emb[j][k]
				s += d * d
			}
			dist[i][j] = math.Sqrt(s)
		}
	}
	return emb, labels, dist
}

// wantMetricLoss computes MetricLoss's two outputs from the formulas, term by term, in float64.
func wantMetricLoss(kind MetricLossKind, mining Mining, m, m2 float64, labels []int32, d [][]float64) (loss, active float64) {
	n := len(labels)
	relu := func(x float64) float64 { return math.Max(x, 0) }
	var sum, count, nz float64
	add := func(l float64) {
		sum += l
		count++
		if l > 0 {
			nz++
		}
	}
	switch {
	case kind == Contrastive:
		var sp, np, sn, nn float64
		for i := range n {
			for j := range n {
				switch {
				case i == j:
				case labels[i] == labels[j]:
					l := 0.5 * d[i][j] * d[i][j]
					sp, np = sp+l, np+1
					add(l)
				default:
					l := 0.5 * math.Pow(relu(m-d[i][j]), 2)
					sn, nn = sn+l, nn+1
					add(l)
				}
			}
		}
		return 0.5 * (sp/np + sn/nn), nz / count
	case kind == Triplet && mining == AllTriplets:
		for a := range n {
			for p := range n {
				for q := range n {
					if p != a && labels[p] == labels[a] && labels[q] != labels[a] {
						add(relu(d[a][p] - d[a][q] + m))
					}
				}
			}
		}
		return sum / count, nz / count
	case mining == SemiHard:
		// semi picks, among candidate distances, the nearest farther than dp, else the farthest.
		semi := func(dp float64, cand []float64) float64 {
			best, far := math.Inf(1), 0.0
			for _, c := range cand {
				if c > dp {
					best = math.Min(best, c)
				}
				far = math.Max(far, c)
			}
			if math.IsInf(best, 1) {
				return far
			}
			return best
		}
		for a := range n {
			var negs, pairs []float64
			for j := range n {
				if labels[j] == labels[a] {
					continue
				}
				negs = append(negs, d[a][j])
				nearest := math.Inf(1)
				for k := range n {
					if labels[k] != labels[a] && labels[k] != labels[j] {
						nearest = math.Min(nearest, d[j][k])
					}
				}
				if !math.IsInf(nearest, 1) {
					pairs = append(pairs, nearest)
				}
			}
			if len(negs) == 0 || (kind == Quadruplet && len(pairs) == 0) {
				continue
			}
			for p := range n {
				if p == a || labels[p] != labels[a] {
					continue
				}
				l := relu(d[a][p] - semi(d[a][p], negs) + m)
				if kind == Quadruplet {
					l += relu(d[a][p] - semi(d[a][p], pairs) + m2)
				}
				add(l)
			}
		}
		return sum / count, nz / count
	}
	for a := range n {
		hp, hn, hpair := -1.0, math.Inf(1), math.Inf(1)
		for j := range n {
			if j != a && labels[j] == labels[a] {
				hp = math.Max(hp, d[a][j])
			}
			if labels[j] != labels[a] {
				hn = math.Min(hn, d[a][j])
			}
			for k := range n {
				if labels[j] != labels[a] && labels[k] != labels[a] && labels[j] != labels[k] {
					hpair = math.Min(hpair, d[j][k])
				}
			}
		}
		if hp < 0 || math.IsInf(hn, 1) || (kind == Quadruplet && math.IsInf(hpair, 1)) {
			continue // no positive (the lone member of class 3), or no negative
		}
		l := relu(hp - hn + m)
		if kind == Quadruplet {
			l += relu(hp - hpair + m2)
		}
		add(l)
	}
	return sum / count, nz / count
}

// TestMetricLoss checks PairwiseDistances and every in-batch loss of MetricLoss against the
// formulas computed by hand, and that the gradient is finite where two embeddings coincide.
func TestMetricLoss(t *testing.T) {
	backend := gomlxext.MustBackend()
	emb, labels, dist := metricBatch()
	n := len(labels)
	flat := make([]float32, 0, n*3)
	for _, row := range emb {
		for _, v := range row {
			flat = append(flat, float32(v))
		}
	}
	et := tensors.FromFlatDataAndDimensions(flat, n, 3)
	lt := tensors.FromFlatDataAndDimensions(labels, n)

	got := tensors.MustCopyFlatData[float32](MustExecOnce(backend, func(x *Node) *Node { return PairwiseDistances(x, x) }, et))
	for i, v := range got {
		if math.Abs(float64(v)-dist[i/n][i%n]) > 1e-5 {
			t.Fatalf("D[%d][%d] = %g, want %g", i/n, i%n, v, dist[i/n][i%n])
		}
	}
	if got[1] != 0 || got[0] != 0 {
		t.Errorf("identical rows at distance %g and %g, want exactly 0", got[0], got[1])
	}

	cases := []struct {
		name   string
		kind   MetricLossKind
		mining Mining
	}{
		{"contrastive", Contrastive, AllTriplets},
		{"triplet/all", Triplet, AllTriplets},
		{"triplet/batch-hard", Triplet, BatchHard},
		{"quadruplet", Quadruplet, BatchHard},
		{"triplet/semi-hard", Triplet, SemiHard},
		{"quadruplet/semi-hard", Quadruplet, SemiHard},
	}
	for _, c := range cases {
		for _, m := range []float64{0.3, 0.5, 2} {
			exec := MustNewExec(backend, func(x, l *Node) []*Node {
				b := MetricLoss(x, l).Mining(c.mining).Margin(m).PairMargin(m / 2)
				switch c.kind {
				case Triplet:
					b.Triplet()
				case Quadruplet:
					b.Quadruplet()
				}
				loss, active := b.Done()
				grad := Gradient(loss, x)[0]
				return []*Node{loss, active, ReduceAllSum(Abs(grad))}
			})
			out := exec.MustExec(et, lt)
			loss, active, gsum := tensors.ToScalar[float32](out[0]), tensors.ToScalar[float32](out[1]), tensors.ToScalar[float32](out[2])
			wl, wa := wantMetricLoss(c.kind, c.mining, m, m/2, labels, dist)
			if math.Abs(float64(loss)-wl) > 1e-4*math.Max(1, wl) || math.Abs(float64(active)-wa) > 1e-6 {
				t.Errorf("%s, margin %g: loss %g active %g, want %g and %g", c.name, m, loss, active, wl, wa)
			}
			if math.IsNaN(float64(gsum)) || math.IsInf(float64(gsum), 0) || (wl > 0 && gsum == 0) {
				t.Errorf("%s, margin %g: gradient |sum| %g", c.name, m, gsum)
			}
		}
	}
}

// TestMetricFormulas checks the element-wise losses against the report's formulas.
func TestMetricFormulas(t *testing.T) {
	backend := gomlxext.MustBackend()
	d := []float32{0, 0.3, 1.2, 0.3, 2}
	y := []float32{1, 1, 1, 0, 0}
	dn := []float32{0.1, 0.9, 1.0, 0.2, 2.5}
	dnn := []float32{0.5, 0.2, 3, 0.1, 1}
	tt := func(v []float32) *tensors.Tensor { return tensors.FromFlatDataAndDimensions(v, len(v)) }
	out := MustNewExec(backend, func(d, y, dn, dnn *Node) []*Node {
		return []*Node{ContrastiveLoss(d, y, 1), TripletLoss(d, dn, 0.5), QuadrupletLoss(d, dn, dnn, 0.5, 0.25)}
	}).MustExec(tt(d), tt(y), tt(dn), tt(dnn))
	c, tr, q := tensors.MustCopyFlatData[float32](out[0]), tensors.MustCopyFlatData[float32](out[1]), tensors.MustCopyFlatData[float32](out[2])
	for i := range d {
		D, Y := float64(d[i]), float64(y[i])
		wc := 0.5 * (Y*D*D + (1-Y)*math.Pow(math.Max(1-D, 0), 2))
		wt := math.Max(D-float64(dn[i])+0.5, 0)
		wq := wt + math.Max(D-float64(dnn[i])+0.25, 0)
		if math.Abs(float64(c[i])-wc) > 1e-6 || math.Abs(float64(tr[i])-wt) > 1e-6 || math.Abs(float64(q[i])-wq) > 1e-6 {
			t.Errorf("element %d: contrastive %g triplet %g quadruplet %g, want %g %g %g", i, c[i], tr[i], q[i], wc, wt, wq)
		}
	}
}
