package layers

import (
	"math"
	"testing"

	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // GoMLX graph-building style.
	"github.com/gomlx/gomlx/pkg/core/tensors"

	"github.com/dl4go/dl4go/gomlxext"
)

// TestFocalLoss checks the focal loss and the binary cross entropy against the formulas in
// float64, including logits large enough to overflow a naive log(σ(x)).
func TestFocalLoss(t *testing.T) {
	backend := gomlxext.MustBackend()
	logits := []float32{-3, -0.5, 0, 0.5, 2, 40, -40, 1}
	targets := []float32{0, 1, 1, 0, 1, 0, 1, 1}
	lt := tensors.FromFlatDataAndDimensions(logits, 2, 4)
	tt := tensors.FromFlatDataAndDimensions(targets, 2, 4)
	sig := func(x float64) float64 { return 1 / (1 + math.Exp(-x)) }
	for _, c := range []struct{ alpha, gamma float64 }{{0.25, 2}, {0.5, 0}, {0.75, 1}} {
		got := tensors.MustCopyFlatData[float32](MustExecOnce(backend, func(t, x *Node) *Node { return FocalLoss(t, x, c.alpha, c.gamma) }, tt, lt))
		bce := tensors.MustCopyFlatData[float32](MustExecOnce(backend, func(t, x *Node) *Node { return BinaryCrossEntropyLogits(t, x) }, tt, lt))
		for i, x := range logits {
			p, y := sig(float64(x)), float64(targets[i])
			pt, at := 1-p, 1-c.alpha
			if y == 1 {
				pt, at = p, c.alpha
			}
			ce := -math.Log(math.Max(pt, 1e-300))
			if math.Abs(float64(x)) >= 40 { // log σ(−40) underflows in float64's p: use −x exactly.
				ce = 40 + math.Log1p(math.Exp(-40))
			}
			want := at * math.Pow(1-pt, c.gamma) * ce
			if math.Abs(float64(bce[i])-ce) > 1e-4*math.Max(1, ce) {
				t.Errorf("BCE(t=%g, x=%g) = %g, want %g", y, x, bce[i], ce)
			}
			if math.Abs(float64(got[i])-want) > 1e-4*math.Max(1, want) {
				t.Errorf("focal α=%g γ=%g (t=%g, x=%g) = %g, want %g", c.alpha, c.gamma, y, x, got[i], want)
			}
		}
	}
	// γ = 0, α = 0.5 is half the cross entropy: the modulating factor is what focal adds.
	half := tensors.MustCopyFlatData[float32](MustExecOnce(backend, func(t, x *Node) *Node {
		return Sub(FocalLoss(t, x, 0.5, 0), MulScalar(BinaryCrossEntropyLogits(t, x), 0.5))
	}, tt, lt))
	for i, v := range half {
		if math.Abs(float64(v)) > 1e-5 {
			t.Errorf("focal(α=.5, γ=0) − BCE/2 at %d = %g", i, v)
		}
	}
}

// TestLTRBIoU checks IoU, GIoU and the two losses on boxes worked by hand.
func TestLTRBIoU(t *testing.T) {
	backend := gomlxext.MustBackend()
	// Each row: pred (l,t,r,b), target (l,t,r,b), IoU, GIoU.
	cases := []struct {
		p, q      [4]float32
		iou, giou float64
	}{
		{[4]float32{2, 2, 2, 2}, [4]float32{2, 2, 2, 2}, 1, 1}, // identical 4×4 boxes
		// pred 2×2 around the point, target 4×4: inter 4, union 16, enclosing 16.
		{[4]float32{1, 1, 1, 1}, [4]float32{2, 2, 2, 2}, 4.0 / 16, 4.0 / 16},
		// pred [−1,3]×[−1,1] (4×2), target [0,2]×[−2,2] (2×4): inter 2×2 = 4, union 12,
		// enclosing [−1,3]×[−2,2] = 16: GIoU = 1/3 − 4/16.
		{[4]float32{1, 1, 3, 1}, [4]float32{0, 2, 2, 2}, 4.0 / 12, 4.0/12 - 4.0/16},
	}
	var p, q []float32
	for _, c := range cases {
		p, q = append(p, c.p[:]...), append(q, c.q[:]...)
	}
	pt := tensors.FromFlatDataAndDimensions(p, len(cases), 4)
	qt := tensors.FromFlatDataAndDimensions(q, len(cases), 4)
	outs := MustExecOnceN(backend, func(a, b *Node) []*Node {
		iou, giou := LTRBIoU(a, b)
		return []*Node{iou, giou, IoULoss(a, b), GIoULoss(a, b)}
	}, pt, qt)
	iou, giou := tensors.MustCopyFlatData[float32](outs[0]), tensors.MustCopyFlatData[float32](outs[1])
	il, gl := tensors.MustCopyFlatData[float32](outs[2]), tensors.MustCopyFlatData[float32](outs[3])
	for i, c := range cases {
		if math.Abs(float64(iou[i])-c.iou) > 1e-6 || math.Abs(float64(giou[i])-c.giou) > 1e-6 {
			t.Errorf("case %d: IoU %g GIoU %g, want %g %g", i, iou[i], giou[i], c.iou, c.giou)
		}
		if math.Abs(float64(il[i])+math.Log(c.iou)) > 1e-5 || math.Abs(float64(gl[i])-(1-c.giou)) > 1e-6 {
			t.Errorf("case %d: losses %g %g, want %g %g", i, il[i], gl[i], -math.Log(c.iou), 1-c.giou)
		}
	}
	// GIoU < IoU whenever the enclosing box is larger than the union (case 2).
	if !(giou[2] < iou[2]) {
		t.Errorf("GIoU %g should be below IoU %g when the enclosing box exceeds the union", giou[2], iou[2])
	}
}
