package detection

import (
	"math"
	"slices"
	"testing"
)

func near(a, b float64) bool { return math.Abs(a-b) < 1e-12 }

func TestIoU(t *testing.T) {
	a := Box{X0: 0, Y0: 0, X1: 10, Y1: 10}
	for _, tc := range []struct {
		b    Box
		want float64
	}{
		{a, 1},
		{Box{X0: 5, Y0: 0, X1: 15, Y1: 10}, 50.0 / 150},
		{Box{X0: 0, Y0: 0, X1: 5, Y1: 5}, 25.0 / 100},
		{Box{X0: 10, Y0: 0, X1: 20, Y1: 10}, 0}, // touching edges
		{Box{X0: 30, Y0: 30, X1: 40, Y1: 40}, 0},
		{Box{X0: 1, Y0: 1, X1: 11, Y1: 11}, 81.0 / 119},
	} {
		if got := IoU(a, tc.b); !near(got, tc.want) || !near(IoU(tc.b, a), tc.want) {
			t.Errorf("IoU(%v, %v) = %v, want %v", a, tc.b, got, tc.want)
		}
	}
}

var handDets, handGT = WorkedExample()

func TestPRCurveHandWorked(t *testing.T) {
	pr := PRCurve(handDets, handGT, 0, 0.5)
	wantTP := []bool{true, false, true, false, true}
	wantP := []float64{1, 1.0 / 2, 2.0 / 3, 1.0 / 2, 3.0 / 5}
	wantR := []float64{1.0 / 3, 1.0 / 3, 2.0 / 3, 2.0 / 3, 1}
	if !slices.Equal(pr.TP, wantTP) || pr.NumGT != 3 {
		t.Fatalf("TP %v NumGT %d, want %v 3", pr.TP, pr.NumGT, wantTP)
	}
	for i := range wantP {
		if !near(pr.Precision[i], wantP[i]) || !near(pr.Recall[i], wantR[i]) {
			t.Fatalf("point %d: P %v R %v, want %v %v", i, pr.Precision[i], pr.Recall[i], wantP[i], wantR[i])
		}
	}
	for _, tc := range []struct {
		thr, p, r float64
	}{{0.95, 1, 0}, {0.9, 1, 1.0 / 3}, {0.65, 2.0 / 3, 2.0 / 3}, {0.5, 3.0 / 5, 1}, {0, 3.0 / 5, 1}} {
		if p, r := pr.At(tc.thr); !near(p, tc.p) || !near(r, tc.r) {
			t.Errorf("At(%v) = P %v R %v, want %v %v", tc.thr, p, r, tc.p, tc.r)
		}
	}
}

func TestAPHandWorked(t *testing.T) {
	pr := PRCurve(handDets, handGT, 0, 0.5)
	for _, tc := range []struct {
		m    APMethod
		want float64
	}{{AllPoint, 34.0 / 45}, {Points11, 42.0 / 55}, {Points101, 76.4 / 101}} {
		if got := pr.AP(tc.m); !near(got, tc.want) {
			t.Errorf("AP(%d) = %.15f, want %.15f", tc.m, got, tc.want)
		}
	}
	// At IoU ≥ 0.85 the last TP (IoU 0.818) becomes a FP: TP FP TP FP FP → 1/3 + 1/3·2/3 = 5/9.
	if got := PRCurve(handDets, handGT, 0, 0.85).AP(AllPoint); !near(got, 5.0/9) {
		t.Errorf("AP at IoU .85 = %v, want 5/9", got)
	}
	// A class with no ground truth has no AP; with no detections its AP is 0.
	if ap := PRCurve(handDets, handGT, 2, 0.5).AP(AllPoint); !math.IsNaN(ap) {
		t.Errorf("AP of a class with no ground truth = %v, want NaN", ap)
	}
	if ap := PRCurve(nil, handGT, 0, 0.5).AP(AllPoint); ap != 0 {
		t.Errorf("AP with no detections = %v, want 0", ap)
	}
}

func TestMeanAPAndCOCO(t *testing.T) {
	gts := append(slices.Clone(handGT), GroundTruth{Image: 1, Class: 1, Box: Box{X0: 0, Y0: 0, X1: 10, Y1: 10}})
	// Class 1: one perfect detection (AP 1); class 2: no ground truth (skipped).
	mAP, per := MeanAP(handDets, gts, 3, 0.5, AllPoint)
	if !near(mAP, (34.0/45+1)/2) || !near(per[1], 1) || !math.IsNaN(per[2]) {
		t.Errorf("mAP %v per class %v, want %v [34/45 1 NaN]", mAP, per, (34.0/45+1)/2)
	}
	// COCO: IoU .50–.80 (7 thresholds) as above, 76.4/101; at .85–.95 the IoU-.818 TP fails:
	// TP FP TP FP FP → (34·1 + 33·2/3)/101 = 56/101.
	want := (7*76.4/101 + 3*56.0/101) / 10
	if got := COCOmAP(handDets, handGT, 1); !near(got, want) {
		t.Errorf("COCO mAP = %.15f, want %.15f", got, want)
	}
}

func TestConfusionMatrix(t *testing.T) {
	a, b, c := Box{X0: 0, Y0: 0, X1: 10, Y1: 10}, Box{X0: 20, Y0: 0, X1: 30, Y1: 10}, Box{X0: 0, Y0: 20, X1: 10, Y1: 30}
	gts := []GroundTruth{{Image: 0, Class: 0, Box: a}, {Image: 0, Class: 1, Box: b}, {Image: 1, Class: 1, Box: c}}
	dets := []Detection{
		{Image: 0, Class: 0, Score: 0.9, Box: a}, // correct
		{Image: 0, Class: 0, Score: 0.8, Box: b}, // a class-1 object called class 0
		{Image: 0, Class: 1, Score: 0.7, Box: c}, // nothing there (c is in image 1): false positive
		{Image: 1, Class: 1, Score: 0.1, Box: c}, // below the threshold: not counted, so c is missed
	}
	got := ConfusionMatrix(dets, gts, 2, 0.5, 0.5)
	want := [][]int{{1, 0, 0}, {1, 0, 1}, {0, 1, 0}}
	for i := range want {
		if !slices.Equal(got[i], want[i]) {
			t.Fatalf("confusion matrix %v, want %v", got, want)
		}
	}
}

func TestNMS(t *testing.T) {
	dets := []Detection{
		{Image: 0, Class: 0, Score: 0.8, Box: Box{X0: 1, Y0: 1, X1: 11, Y1: 11}},   // IoU .68 with the .9: suppressed
		{Image: 0, Class: 0, Score: 0.9, Box: Box{X0: 0, Y0: 0, X1: 10, Y1: 10}},   // kept
		{Image: 0, Class: 0, Score: 0.7, Box: Box{X0: 20, Y0: 20, X1: 30, Y1: 30}}, // elsewhere: kept
		{Image: 0, Class: 1, Score: 0.6, Box: Box{X0: 0, Y0: 0, X1: 10, Y1: 10}},   // other class: kept
		{Image: 1, Class: 0, Score: 0.5, Box: Box{X0: 0, Y0: 0, X1: 10, Y1: 10}},   // other image: kept
		{Image: 0, Class: 0, Score: 0.4, Box: Box{X0: 5, Y0: 0, X1: 15, Y1: 10}},   // IoU 1/3 with the .9: kept at .5
	}
	scores := func(ds []Detection) []float64 {
		var s []float64
		for _, d := range ds {
			s = append(s, d.Score)
		}
		return s
	}
	for _, tc := range []struct {
		thr  float64
		max  int
		want []float64
	}{
		{0.5, 0, []float64{0.9, 0.7, 0.6, 0.5, 0.4}},
		{0.3, 0, []float64{0.9, 0.7, 0.6, 0.5}},
		{0.7, 0, []float64{0.9, 0.8, 0.7, 0.6, 0.5, 0.4}},
		{0.5, 2, []float64{0.9, 0.7}},
	} {
		if got := scores(NMS(dets, tc.thr, tc.max)); !slices.Equal(got, tc.want) {
			t.Errorf("NMS(iou %v, max %d) kept %v, want %v", tc.thr, tc.max, got, tc.want)
		}
	}
}
