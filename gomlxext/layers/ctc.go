package layers

import (
	"fmt"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // GoMLX graph-building style.
	"github.com/gomlx/gomlx/pkg/core/shapes"
)

// ctcNegInf stands for log 0 in CTC's recursion: finite, so that neither the forward pass nor
// the gradient produces NaN (exp(−1e30 − m) is exactly 0 in float32 and float64).
const ctcNegInf = -1e30

// CTCLoss is the connectionist temporal classification loss (Graves et al., 2006), −log p(y|x)
// per sequence, batched and differentiable:
//
//   - logits [batch, frames, classes]: per-frame scores, class 0 the blank;
//   - logitLengths [batch] (int): the frames each sequence really has (the rest is padding);
//   - labels [batch, maxLabels] (int, values 1 … classes−1; padding anything);
//   - labelLengths [batch] (int): each label sequence's length (0 allowed).
//
// It returns [batch], the negative log of the probability summed over every alignment (a
// frame-by-frame path) that collapses to the labels — merge repeats, then drop blanks — computed
// by the forward recursion over the extended labels (a blank before, between and after the
// labels, length S = 2·L + 1) in log space:
//
//	α_t(s) = log p_t(ext_s) + logsumexp(α_{t−1}(s), α_{t−1}(s−1), α_{t−1}(s−2) if ext_s ≠ blank and ext_s ≠ ext_{s−2})
//
// with α_0 allowed in the first blank and the first label only, and the result read from the
// last label and the final blank at each sequence's last frame. GoMLX's backends have no loops,
// so the recursion is unrolled over the frames (per frame, one product with a constant 0/1
// matrix that gathers α_{t−1}(s), α_{t−1}(s−1), α_{t−1}(s−2), and a logsumexp over them); the
// gradient comes from autodiff of that graph — it equals CTC's classic posterior form (α·β)
// without a separate backward pass. A sequence whose labels cannot fit its frames (more labels,
// counting the blanks forced between repeats, than frames) gets a loss of about 1e30:
// infeasible, not NaN.
func CTCLoss(logits, logitLengths, labels, labelLengths *Node) *Node {
	if logits.Rank() != 3 || labels.Rank() != 2 || logitLengths.Rank() != 1 || labelLengths.Rank() != 1 {
		panic(fmt.Sprintf("layers.CTCLoss: want logits [batch, frames, classes], logitLengths [batch], labels [batch, maxLabels], "+
			"labelLengths [batch]; got %s, %s, %s, %s", logits.Shape(), logitLengths.Shape(), labels.Shape(), labelLengths.Shape()))
	}
	g := logits.Graph()
	dt := logits.DType()
	batch, frames, classes := logits.Shape().Dimensions[0], logits.Shape().Dimensions[1], logits.Shape().Dimensions[2]
	maxLabels := labels.Shape().Dimensions[1]
	if labels.Shape().Dimensions[0] != batch || logitLengths.Shape().Dimensions[0] != batch || labelLengths.Shape().Dimensions[0] != batch {
		panic(fmt.Sprintf("layers.CTCLoss: batch sizes differ: logits %s, logitLengths %s, labels %s, labelLengths %s",
			logits.Shape(), logitLengths.Shape(), labels.Shape(), labelLengths.Shape()))
	}
	s := 2*maxLabels + 1
	labels = ConvertDType(labels, shapesInt)
	logitLengths, labelLengths = ConvertDType(logitLengths, shapesInt), ConvertDType(labelLengths, shapesInt)

	// ext [batch, S]: blank, y1, blank, y2, …, blank.
	blanks := ZerosLike(labels)
	ext := Concatenate([]*Node{Reshape(Stack([]*Node{blanks, labels}, -1), batch, 2*maxLabels), Slice(blanks, AxisRange(), AxisRange(0, 1))}, 1)
	// lp[b, t, s] = log p_t(ext_s), by a one-hot product (differentiable, and small: S × classes per frame).
	logp := LogSoftmax(logits, -1)                               // [batch, frames, classes]
	lp := Einsum("btc,bsc->bts", logp, OneHot(ext, classes, dt)) // [batch, frames, S]

	minusInf := func(dims ...int) *Node { return BroadcastToDims(Scalar(g, dt, ctcNegInf), dims...) }
	zero := BroadcastToDims(ScalarZero(g, dt), batch, s)
	pos := Iota(g, shapes.Make(shapesInt, batch, s), 1)
	// The skip s−2 → s is allowed onto a label that differs from the label two back.
	prev2 := Concatenate([]*Node{Slice(ext, AxisRange(), AxisRange(0, 2)), Slice(ext, AxisRange(), AxisRange(0, s-2))}, 1)
	canSkip := LogicalAnd(LogicalAnd(GreaterOrEqual(pos, Scalar(g, shapesInt, 2)), NotEqual(ext, Scalar(g, shapesInt, 0))), NotEqual(ext, prev2))
	// Each frame gathers the three predecessors α_{t−1}(s − k), k = 0, 1, 2, as one product with a
	// constant 0/1 matrix shifts [S, S·3] (column 3·i + k picks row i − k; exact: one 1 a column),
	// plus an offset [frames, batch, S, 3] that is log 0 where a predecessor does not exist or is
	// not allowed (s < k; a skip onto a blank or a repeat). On a frame past a sequence's end, its
	// offset keeps only k = 0 and its log p is 0, so α stays as it was at the last frame. The
	// product is a fusion barrier for XLA between frames: without it the unrolled chain of
	// element-wise ops makes XLA's CPU fusion pass take minutes to compile.
	rows := Iota(g, shapes.Make(shapesInt, s, 3*s), 0)
	cols := Iota(g, shapes.Make(shapesInt, s, 3*s), 1)
	shifts := ConvertDType(Equal(rows, Sub(DivScalar(cols, 3), ModScalar(cols, 3))), dt)
	allowed := Stack([]*Node{
		GreaterOrEqual(pos, Scalar(g, shapesInt, 0)),
		GreaterOrEqual(pos, Scalar(g, shapesInt, 1)),
		canSkip,
	}, -1) // [batch, S, 3]
	live := LessThan(Iota(g, shapes.Make(shapesInt, frames, batch), 0), InsertAxes(logitLengths, 0)) // [frames, batch]
	first := Equal(Iota(g, shapes.Make(shapesInt, frames, batch, s, 3), 3), Scalar(g, shapesInt, 0))
	// allowed[…, 0] is all true, so a frame past the end keeps exactly k = 0.
	keep := LogicalAnd(BroadcastToDims(InsertAxes(allowed, 0), frames, batch, s, 3),
		LogicalOr(BroadcastToDims(InsertAxes(live, -1, -1), frames, batch, s, 3), first))
	offset := Where(keep, BroadcastToDims(ScalarZero(g, dt), frames, batch, s, 3), minusInf(frames, batch, s, 3))
	lp = TransposeAllDims(lp, 1, 0, 2) // [frames, batch, S]
	lp = Where(BroadcastToDims(InsertAxes(live, -1), frames, batch, s), lp, ZerosLike(lp))
	at := func(x *Node, t int) *Node { return Squeeze(Slice(x, AxisElem(t)), 0) }

	start := Where(LessThan(pos, Scalar(g, shapesInt, 2)), zero, minusInf(batch, s))
	alpha := Add(at(lp, 0), start) // [batch, S]
	for t := 1; t < frames; t++ {
		prev := Add(Reshape(Dot(alpha, shifts), batch, s, 3), at(offset, t)) // [batch, S, 3]
		// logsumexp over k; the max only steadies it (its gradient is 0), so it is held constant.
		m := StopGradient(ReduceMax(prev, -1)) // [batch, S]
		lse := Add(m, Log(ReduceSum(Exp(Sub(prev, InsertAxes(m, -1))), -1)))
		alpha = Add(lse, at(lp, t))
	}
	// Read the last label (S_b − 2) and the final blank (S_b − 1), S_b = 2·L_b + 1.
	last := InsertAxes(MulScalar(labelLengths, 2), -1) // S_b − 1, [batch, 1]
	end := LogicalOr(Equal(pos, last), Equal(pos, Sub(last, Scalar(g, shapesInt, 1))))
	final := Where(end, alpha, minusInf(batch, s))
	m := ReduceAndKeep(final, ReduceMax, 1)
	return Neg(Add(Reshape(m, batch), Log(ReduceSum(Exp(Sub(final, m)), 1))))
}

// shapesInt is the integer dtype CTCLoss computes its indices in.
const shapesInt = dtypes.Int32
