package layers

import (
	"fmt"

	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // GoMLX graph-building style.
)

// Metric-learning losses (lesson 19): the pairwise distances of a batch of embeddings, the
// element-wise contrastive, triplet and quadruplet losses as the formulas write them, and
// MetricLoss, which applies one of them to every pair, triplet or anchor of a batch, with or
// without hard mining.

// PairwiseSquaredDistances returns the squared Euclidean distances between the rows of x [n, d]
// and y [m, d]: [n, m], computed as |x|² + |y|² − 2x·y (one matrix product, so it scales to a
// k-NN gallery) and clamped at 0 against rounding.
func PairwiseSquaredDistances(x, y *Node) *Node {
	if x.Rank() != 2 || y.Rank() != 2 || x.Shape().Dimensions[1] != y.Shape().Dimensions[1] {
		panic(fmt.Sprintf("layers.PairwiseSquaredDistances: x must be [n, d] and y [m, d], got %s and %s", x.Shape(), y.Shape()))
	}
	xx := ReduceSum(Square(x), -1)                       // [n]
	yy := ReduceSum(Square(y), -1)                       // [m]
	xy := DotGeneral(x, []int{1}, nil, y, []int{1}, nil) // [n, m]
	sq := Sub(Add(ExpandAxes(xx, -1), ExpandAxes(yy, 0)), MulScalar(xy, 2))
	return MaxScalar(sq, 0)
}

// PairwiseDistances returns the Euclidean distances between the rows of x [n, d] and y [m, d]:
// [n, m]. Where a distance is 0 (a row against itself) it is exactly 0 and its gradient is 0, not
// NaN (the square root is only taken, and differentiated, where the squared distance is > 0).
func PairwiseDistances(x, y *Node) *Node {
	return safeSqrt(PairwiseSquaredDistances(x, y))
}

// safeSqrt is √sq for sq ≥ 0, with a zero (not infinite) gradient where sq is 0.
func safeSqrt(sq *Node) *Node {
	pos := GreaterThan(sq, ScalarZero(sq.Graph(), sq.DType()))
	one := OnesLike(sq)
	return Where(pos, Sqrt(Where(pos, sq, one)), ZerosLike(sq))
}

// ContrastiveLoss is the Siamese network's loss (Hadsell, Chopra & LeCun, 2006) element by
// element: L = ½[y·D² + (1−y)·max(m − D, 0)²] for distances dist and same-class indicators same
// (1 for a same-class pair, 0 otherwise) of one shape; returns that shape. Same-class pairs are
// pulled together until D = 0; different-class pairs pushed apart until D ≥ margin.
func ContrastiveLoss(dist, same *Node, margin float64) *Node {
	same = ConvertDType(same, dist.DType())
	push := MaxScalar(Sub(Scalar(dist.Graph(), dist.DType(), margin), dist), 0)
	return MulScalar(Add(Mul(same, Square(dist)), Mul(OneMinus(same), Square(push))), 0.5)
}

// TripletLoss is the triplet network's loss (Hoffer & Ailon, 2014; FaceNet, 2015) element by
// element: L = max(D_p − D_n + m, 0) for the anchor–positive distances dPos and anchor–negative
// distances dNeg of one shape; returns that shape. It is 0 as soon as the negative is a margin
// farther than the positive, however far both are.
func TripletLoss(dPos, dNeg *Node, margin float64) *Node {
	return MaxScalar(AddScalar(Sub(dPos, dNeg), margin), 0)
}

// QuadrupletLoss is the quadruplet loss (Chen et al., 2017) element by element:
// L = max(D_ap − D_an + m₁, 0) + max(D_ap − D_nn + m₂, 0) for the anchor–positive distances dPos,
// anchor–negative distances dNeg and the distances dNegPair between two samples of two other
// classes (neither the anchor's), all of one shape; returns that shape. The second term asks an
// intra-class distance to be smaller than an inter-class distance that does not involve the
// anchor, which the triplet loss never does; pairMargin (m₂) is usually smaller than margin (m₁).
func QuadrupletLoss(dPos, dNeg, dNegPair *Node, margin, pairMargin float64) *Node {
	return Add(TripletLoss(dPos, dNeg, margin), TripletLoss(dPos, dNegPair, pairMargin))
}

// MetricLossKind is the loss a MetricLoss applies.
type MetricLossKind int

// The losses of MetricLoss.
const (
	Contrastive MetricLossKind = iota // every pair of the batch
	Triplet                           // triplets (anchor, positive, negative)
	Quadruplet                        // anchors with a positive, a negative and a negative pair
)

// Mining is how MetricLoss picks the triplets (or quadruplets) of a batch.
type Mining int

// The mining strategies of MetricLoss.
const (
	// AllTriplets averages the loss over every valid triplet of the batch: the expected loss of a
	// triplet drawn at random, the naïve triplet network.
	AllTriplets Mining = iota
	// BatchHard keeps, for each anchor, its farthest positive and its nearest negative in the batch
	// (Hermans, Beyer & Leibe, 2017); the quadruplet's negative pair is the nearest pair of two
	// samples of different classes, neither the anchor's. From a fresh network it can collapse
	// every embedding into one point (the loss then sticks at the margin), as FaceNet warns.
	BatchHard
	// SemiHard keeps, for each positive pair (a, p), the nearest negative that is still farther
	// than p — a triplet with a loss below the margin — or, when every negative is nearer than p,
	// the farthest negative (FaceNet, Schroff et al., 2015; TensorFlow's triplet_semihard_loss).
	// For the quadruplet loss the negative pair is chosen the same way among the pairs (i, j) in
	// which j is i's nearest sample of a third class (neither i's nor the anchor's).
	SemiHard
)

// MetricLossBuilder configures an in-batch metric-learning loss; create it with MetricLoss, set
// its options, then call Done.
type MetricLossBuilder struct {
	emb, labels        *Node
	kind               MetricLossKind
	mining             Mining
	margin, pairMargin float64
}

// MetricLoss prepares a metric-learning loss over a batch of embeddings emb [batch, d] with their
// class labels [batch] (integers):
//
//	loss, active := layers.MetricLoss(emb, labels).Triplet().Mining(layers.BatchHard).Margin(0.5).Done()
//
// Distances are Euclidean (PairwiseDistances). The default is the contrastive loss with margin 1.
func MetricLoss(emb, labels *Node) *MetricLossBuilder {
	return &MetricLossBuilder{emb: emb, labels: labels, kind: Contrastive, margin: 1, pairMargin: 0.5}
}

// Contrastive selects the contrastive loss over every pair (i, j), i ≠ j, of the batch; the mean
// weighs same-class and different-class pairs equally (½ the mean over each), since a batch of
// many classes holds far more different-class pairs. Mining is ignored.
func (b *MetricLossBuilder) Contrastive() *MetricLossBuilder { b.kind = Contrastive; return b }

// Triplet selects the triplet loss, over the triplets chosen by Mining.
func (b *MetricLossBuilder) Triplet() *MetricLossBuilder { b.kind = Triplet; return b }

// Quadruplet selects the quadruplet loss, mined BatchHard or SemiHard (AllTriplets counts as
// BatchHard: every quadruplet of a batch would be batch⁴ terms).
func (b *MetricLossBuilder) Quadruplet() *MetricLossBuilder { b.kind = Quadruplet; return b }

// Mining sets how triplets are chosen (default AllTriplets).
func (b *MetricLossBuilder) Mining(m Mining) *MetricLossBuilder { b.mining = m; return b }

// Margin sets m: the contrastive loss's margin, the triplet loss's, the quadruplet's m₁ (default 1).
func (b *MetricLossBuilder) Margin(m float64) *MetricLossBuilder { b.margin = m; return b }

// PairMargin sets the quadruplet loss's second margin m₂ (default 0.5).
func (b *MetricLossBuilder) PairMargin(m float64) *MetricLossBuilder { b.pairMargin = m; return b }

// Done builds the loss. It returns the mean loss (a scalar) and the fraction of the terms it
// averaged that are non-zero (a scalar, no gradient): pairs for the contrastive loss, triplets
// for AllTriplets, anchors for BatchHard, positive pairs for SemiHard. Anchors without a positive
// or a negative in the batch (or, for the quadruplet loss, without a negative pair) are left out.
func (b *MetricLossBuilder) Done() (loss, active *Node) {
	emb, labels := b.emb, b.labels
	if emb.Rank() != 2 || labels.Rank() != 1 || labels.Shape().Dimensions[0] != emb.Shape().Dimensions[0] || !labels.DType().IsInt() {
		panic(fmt.Sprintf("layers.MetricLoss: emb must be [batch, d] and labels [batch] integers, got %s and %s", emb.Shape(), labels.Shape()))
	}
	if b.margin <= 0 || b.pairMargin <= 0 {
		panic(fmt.Sprintf("layers.MetricLoss: margins must be > 0, got %g and %g", b.margin, b.pairMargin))
	}
	g, dt := emb.Graph(), emb.DType()
	n := emb.Shape().Dimensions[0]
	dist := PairwiseDistances(emb, emb)                                     // [n, n]
	sameLabel := Equal(ExpandAxes(labels, -1), ExpandAxes(labels, 0))       // [n, n]
	notSelf := NotEqual(Iota(g, dist.Shape(), 0), Iota(g, dist.Shape(), 1)) // [n, n]
	pos := LogicalAnd(sameLabel, notSelf)                                   // i ≠ j, same class
	neg := LogicalNot(sameLabel)                                            // different classes
	f := func(mask *Node) *Node { return ConvertDType(mask, dt) }
	nonZero := func(x *Node) *Node { return f(GreaterThan(x, ScalarZero(g, dt))) }
	meanOver := func(x, w *Node) *Node { // Σ x·w / max(Σ w, 1)
		return Div(ReduceAllSum(Mul(x, w)), MaxScalar(ReduceAllSum(w), 1))
	}
	switch b.kind {
	case Contrastive:
		l := ContrastiveLoss(dist, f(sameLabel), b.margin) // [n, n]
		wp, wn := f(pos), f(neg)
		loss = MulScalar(Add(meanOver(l, wp), meanOver(l, wn)), 0.5)
		active = meanOver(nonZero(l), Add(wp, wn))
	case Triplet, Quadruplet:
		if b.kind == Triplet && b.mining == AllTriplets {
			// t[a, p, q] = D[a,p] − D[a,q] + m over a's positives p and negatives q.
			l := TripletLoss(ExpandAxes(dist, 2), ExpandAxes(dist, 1), b.margin) // [n, n, n]
			valid := f(LogicalAnd(ExpandAxes(pos, 2), ExpandAxes(neg, 1)))
			loss, active = meanOver(l, valid), meanOver(nonZero(l), valid)
			break
		}
		big := Scalar(g, dt, 1e6)
		if b.mining == SemiHard {
			loss, active = b.semiHard(dist, pos, neg, big)
			break
		}
		hardPos := ReduceMax(Where(pos, dist, ZerosLike(dist)), -1)            // [n] farthest positive
		hardNeg := ReduceMin(Where(neg, dist, BroadcastToDims(big, n, n)), -1) // [n] nearest negative
		valid := Mul(f(ReduceLogicalOr(pos, -1)), f(ReduceLogicalOr(neg, -1))) // [n]
		var l *Node
		if b.kind == Triplet {
			l = TripletLoss(hardPos, hardNeg, b.margin)
		} else {
			// pair[a, i, j]: i and j of different classes, neither of a's class.
			pair := LogicalAnd(ExpandAxes(neg, 0), LogicalAnd(ExpandAxes(neg, 2), ExpandAxes(neg, 1))) // [n, n, n]
			d3 := BroadcastToDims(ExpandAxes(dist, 0), n, n, n)
			hardPair := ReduceMin(Where(pair, d3, BroadcastToDims(big, n, n, n)), 1, 2) // [n]
			valid = Mul(valid, f(LessThan(hardPair, big)))
			l = QuadrupletLoss(hardPos, hardNeg, hardPair, b.margin, b.pairMargin)
		}
		loss, active = meanOver(l, valid), meanOver(nonZero(l), valid)
	default:
		panic(fmt.Sprintf("layers.MetricLoss: unknown loss kind %d", b.kind))
	}
	return loss, StopGradient(active)
}

// semiHard builds the SemiHard triplet or quadruplet loss from the distances dist [n, n] and the
// positive and negative masks [n, n].
func (b *MetricLossBuilder) semiHard(dist, pos, neg, big *Node) (loss, active *Node) {
	g, dt := dist.Graph(), dist.DType()
	n := dist.Shape().Dimensions[0]
	f := func(mask *Node) *Node { return ConvertDType(mask, dt) }
	// pick[a, p] chooses, among candidates c with distances cand [a, c] (where ok [a, c]), the
	// nearest farther than D[a, p], else the farthest: [n, n], and whether a has any candidate [n].
	pick := func(cand, ok *Node) (*Node, *Node) {
		c3 := BroadcastToDims(ExpandAxes(cand, 1), n, n, n) // [a, p, c]
		ok3 := BroadcastToDims(ExpandAxes(ok, 1), n, n, n)
		farther := LogicalAnd(ok3, GreaterThan(c3, BroadcastToDims(ExpandAxes(dist, 2), n, n, n)))
		semi := ReduceMin(Where(farther, c3, BroadcastToDims(big, n, n, n)), -1) // [a, p]
		far := ReduceMax(Where(ok, cand, ZerosLike(cand)), -1)                   // [a]
		chosen := Where(ReduceLogicalOr(farther, -1), semi, BroadcastToDims(ExpandAxes(far, 1), n, n))
		return chosen, ReduceLogicalOr(ok, -1)
	}
	dn, hasNeg := pick(dist, neg)
	l := TripletLoss(dist, dn, b.margin) // [a, p]
	valid := Mul(f(pos), ExpandAxes(f(hasNeg), 1))
	if b.kind == Quadruplet {
		// nn[a, i]: distance from i to its nearest sample of a class that is neither i's nor a's.
		third := LogicalAnd(ExpandAxes(neg, 0), LogicalAnd(ExpandAxes(neg, 2), ExpandAxes(neg, 1))) // [a, i, j]
		d3 := BroadcastToDims(ExpandAxes(dist, 0), n, n, n)
		nn := ReduceMin(Where(third, d3, BroadcastToDims(big, n, n, n)), -1) // [a, i]
		has := ReduceLogicalOr(third, -1)                                    // [a, i]
		dnn, hasPair := pick(nn, has)
		l = Add(l, TripletLoss(dist, dnn, b.pairMargin))
		valid = Mul(valid, ExpandAxes(f(hasPair), 1))
	}
	nonZero := f(GreaterThan(l, ScalarZero(g, dt)))
	meanOver := func(x, w *Node) *Node { return Div(ReduceAllSum(Mul(x, w)), MaxScalar(ReduceAllSum(w), 1)) }
	return meanOver(l, valid), meanOver(nonZero, valid)
}
