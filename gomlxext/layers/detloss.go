package layers

import (
	"fmt"
	"slices"

	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // GoMLX graph-building style.
)

// Dense-detection losses (lesson 09, FCOS): the element-wise binary cross entropy on logits,
// RetinaNet's focal loss for the class scores of every location, and the IoU and GIoU losses of
// boxes written as the distances (l, t, r, b) from one location to the four sides.

// BinaryCrossEntropyLogits is the element-wise binary cross entropy of targets t ∈ [0, 1] and
// logits x (any shape, the same for both): −t·log σ(x) − (1−t)·log(1−σ(x)), computed as
// max(x, 0) − x·t + log(1 + e^−|x|) so that large |x| neither overflows nor loses precision.
// Unlike GoMLX's losses.BinaryCrossentropyLogits it does not average: the caller weights and
// normalizes (by the number of positives, say).
func BinaryCrossEntropyLogits(targets, logits *Node) *Node {
	checkSameShape("BinaryCrossEntropyLogits", targets, logits)
	t := ConvertDType(targets, logits.DType())
	return Add(Sub(Max(logits, ZerosLike(logits)), Mul(logits, t)), Log1p(Exp(Neg(Abs(logits)))))
}

// FocalLoss is the element-wise sigmoid focal loss of Lin et al. (RetinaNet) for targets
// t ∈ {0, 1} and logits x of the same shape:
//
//	FL = −α_t (1 − p_t)^γ log p_t,  p = σ(x),  p_t = p if t = 1 else 1 − p,  α_t = α if t = 1 else 1 − α.
//
// The factor (1 − p_t)^γ shrinks the loss of the easy, well-classified examples — the thousands
// of background locations of a dense detector — so that the few hard ones dominate; γ = 0 and
// α = 0.5 give half the binary cross entropy. Usual values: α = 0.25, γ = 2.
func FocalLoss(targets, logits *Node, alpha, gamma float64) *Node {
	ce := BinaryCrossEntropyLogits(targets, logits)
	t := ConvertDType(targets, logits.DType())
	p := Sigmoid(logits)
	pt := Add(Mul(p, t), Mul(OneMinus(p), OneMinus(t)))
	at := AddScalar(MulScalar(t, 2*alpha-1), 1-alpha) // α·t + (1−α)(1−t)
	mod := OneMinus(pt)
	if gamma != 1 {
		mod = Pow(Max(mod, ZerosLike(mod)), Scalar(logits.Graph(), logits.DType(), gamma))
	}
	return Mul(Mul(at, mod), ce)
}

// LTRBIoU returns the IoU and the generalized IoU (GIoU) of a predicted and a target box that
// share one reference location, both given as distances to the box sides: pred and target
// [..., 4] = (l, t, r, b) ≥ 0 → iou and giou [...]. With A, B the two boxes and C the smallest
// box enclosing both,
//
//	IoU = |A∩B| / |A∪B|,  GIoU = IoU − |C \ (A∪B)| / |C|,
//
// where |A∩B| = (min(l,l')+min(r,r'))·(min(t,t')+min(b,b')) and C's sides are the maxima. GIoU
// is in (−1, 1] and, unlike IoU, still tells non-overlapping boxes how far apart they are.
func LTRBIoU(pred, target *Node) (iou, giou *Node) {
	checkSameShape("LTRBIoU", pred, target)
	if d := pred.Shape().Dimensions; len(d) == 0 || d[len(d)-1] != 4 {
		panic(fmt.Sprintf("layers.LTRBIoU: boxes must be [..., 4] = (l, t, r, b), got %s", pred.Shape()))
	}
	side := func(x *Node, i int) *Node { return Squeeze(SliceAxis(x, -1, AxisElem(i)), -1) }
	pl, pt, pr, pb := side(pred, 0), side(pred, 1), side(pred, 2), side(pred, 3)
	tl, tt, tr, tb := side(target, 0), side(target, 1), side(target, 2), side(target, 3)
	areaP := Mul(Add(pl, pr), Add(pt, pb))
	areaT := Mul(Add(tl, tr), Add(tt, tb))
	inter := Mul(Add(Min(pl, tl), Min(pr, tr)), Add(Min(pt, tt), Min(pb, tb)))
	union := Sub(Add(areaP, areaT), inter)
	eps := Scalar(pred.Graph(), pred.DType(), 1e-7)
	iou = Div(inter, Max(union, eps))
	enclose := Mul(Add(Max(pl, tl), Max(pr, tr)), Add(Max(pt, tt), Max(pb, tb)))
	giou = Sub(iou, Div(Sub(enclose, union), Max(enclose, eps)))
	return iou, giou
}

// IoULoss is UnitBox's −log IoU of (l, t, r, b) boxes (see LTRBIoU), element-wise: [..., 4] → [...].
// The IoU is clamped at 1e-6 so that disjoint boxes give a large finite loss.
func IoULoss(pred, target *Node) *Node {
	iou, _ := LTRBIoU(pred, target)
	return Neg(Log(Max(iou, Scalar(iou.Graph(), iou.DType(), 1e-6))))
}

// GIoULoss is 1 − GIoU of (l, t, r, b) boxes (see LTRBIoU), element-wise: [..., 4] → [...], in
// [0, 2).
func GIoULoss(pred, target *Node) *Node {
	_, giou := LTRBIoU(pred, target)
	return OneMinus(giou)
}

func checkSameShape(name string, a, b *Node) {
	if !slices.Equal(a.Shape().Dimensions, b.Shape().Dimensions) {
		panic(fmt.Sprintf("layers.%s: shapes differ: %s and %s", name, a.Shape(), b.Shape()))
	}
}
