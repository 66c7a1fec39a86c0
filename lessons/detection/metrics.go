package detection

import (
	"math"
	"slices"
	"sort"

	"github.com/dl4go/dl4go/data/shapes"
)

// Box is an axis-aligned box in pixels (X0,Y0 top-left, X1,Y1 bottom-right, exclusive).
type Box = shapes.Box

// Detection is one predicted object: the image it belongs to, a class, a confidence score and
// a box.
type Detection struct {
	Image int
	Class int
	Score float64
	Box   Box
}

// GroundTruth is one annotated object.
type GroundTruth struct {
	Image int
	Class int
	Box   Box
}

// IoU is the Intersection over Union of two boxes: area(a ∩ b) / area(a ∪ b), in [0, 1]
// (0 when both are empty).
func IoU(a, b Box) float64 {
	inter := Box{X0: math.Max(a.X0, b.X0), Y0: math.Max(a.Y0, b.Y0), X1: math.Min(a.X1, b.X1), Y1: math.Min(a.Y1, b.Y1)}.Area()
	union := a.Area() + b.Area() - inter
	if union <= 0 {
		return 0
	}
	return inter / union
}

// PR is the precision–recall curve of one class: the detections of that class sorted by
// decreasing score; after the i-th one, Precision[i] = TP/(TP+FP) and Recall[i] = TP/NumGT.
// Lowering the confidence threshold walks along the curve.
type PR struct {
	Scores            []float64 // detection scores, decreasing.
	TP                []bool    // whether each detection is a true positive.
	Precision, Recall []float64
	NumGT             int // ground-truth objects of the class.
}

// PRCurve matches the detections of class to the ground truth with the PASCAL VOC rule and
// returns the precision–recall curve: in decreasing score order, a detection is a true
// positive when its best-overlapping ground-truth box of the same class and image has
// IoU ≥ iouThr and was not matched before; otherwise (low overlap, or a duplicate) it is a
// false positive. Ties in score keep the input order.
func PRCurve(dets []Detection, gts []GroundTruth, class int, iouThr float64) PR {
	byImage := map[int][]int{} // image → indices into gts of class.
	var pr PR
	for i, g := range gts {
		if g.Class == class {
			byImage[g.Image] = append(byImage[g.Image], i)
			pr.NumGT++
		}
	}
	var mine []Detection
	for _, d := range dets {
		if d.Class == class {
			mine = append(mine, d)
		}
	}
	sort.SliceStable(mine, func(i, j int) bool { return mine[i].Score > mine[j].Score })
	used := map[int]bool{}
	tp := 0
	for k, d := range mine {
		best, bestIoU := -1, -1.0
		for _, gi := range byImage[d.Image] {
			if o := IoU(d.Box, gts[gi].Box); o > bestIoU {
				best, bestIoU = gi, o
			}
		}
		hit := best >= 0 && bestIoU >= iouThr && !used[best]
		if hit {
			used[best] = true
			tp++
		}
		pr.Scores = append(pr.Scores, d.Score)
		pr.TP = append(pr.TP, hit)
		pr.Precision = append(pr.Precision, float64(tp)/float64(k+1))
		recall := 0.0
		if pr.NumGT > 0 {
			recall = float64(tp) / float64(pr.NumGT)
		}
		pr.Recall = append(pr.Recall, recall)
	}
	return pr
}

// At returns the precision and recall when only detections with score ≥ threshold are kept
// (precision 1 when none is kept: no false positive).
func (pr PR) At(threshold float64) (precision, recall float64) {
	n := 0
	for n < len(pr.Scores) && pr.Scores[n] >= threshold {
		n++
	}
	if n == 0 {
		return 1, 0
	}
	return pr.Precision[n-1], pr.Recall[n-1]
}

// envelope returns the interpolated precision p̂(i) = max over j ≥ i of precision[j]: the
// PR curve made monotone, as VOC and COCO do before integrating.
func envelope(precision []float64) []float64 {
	env := slices.Clone(precision)
	for i := len(env) - 2; i >= 0; i-- {
		env[i] = math.Max(env[i], env[i+1])
	}
	return env
}

// APAllPoint is the average precision AP = ∫₀¹ P(R) dR with PASCAL VOC's all-point
// interpolation (VOC 2010 and later): the area under the monotone envelope of the curve,
// summed over each step where recall grows. recall must be non-decreasing, as PRCurve gives.
func APAllPoint(recall, precision []float64) float64 {
	env := envelope(precision)
	ap, prev := 0.0, 0.0
	for i, r := range recall {
		if r > prev {
			ap += (r - prev) * env[i]
			prev = r
		}
	}
	return ap
}

// APInterpolated is the n-point interpolated average precision: the mean, over the n recall
// levels 0, 1/(n−1), ..., 1, of the highest precision reached at a recall at least that level
// (0 if never reached). n = 11 is PASCAL VOC 2007's AP; n = 101 is COCO's.
func APInterpolated(recall, precision []float64, n int) float64 {
	sum := 0.0
	for k := 0; k < n; k++ {
		level := float64(k) / float64(n-1)
		best := 0.0
		for i, r := range recall {
			if r >= level-1e-12 {
				best = math.Max(best, precision[i])
			}
		}
		sum += best
	}
	return sum / float64(n)
}

// APMethod names how a PR curve is turned into one number.
type APMethod int

const (
	AllPoint  APMethod = iota // VOC 2010+ (APAllPoint).
	Points11                  // VOC 2007 (APInterpolated with 11 points).
	Points101                 // COCO (APInterpolated with 101 points).
)

// AP computes the average precision of pr with method m (0 if the class has detections but
// no ground truth; NaN when it has no ground truth at all, so MeanAP can skip it).
func (pr PR) AP(m APMethod) float64 {
	if pr.NumGT == 0 {
		return math.NaN()
	}
	switch m {
	case Points11:
		return APInterpolated(pr.Recall, pr.Precision, 11)
	case Points101:
		return APInterpolated(pr.Recall, pr.Precision, 101)
	default:
		return APAllPoint(pr.Recall, pr.Precision)
	}
}

// MeanAP is mAP = (1/C) Σ_c AP_c over the classes 0..numClasses−1 that have ground truth,
// at IoU threshold iouThr with method m. perClass[c] is NaN for a class without ground truth.
func MeanAP(dets []Detection, gts []GroundTruth, numClasses int, iouThr float64, m APMethod) (mAP float64, perClass []float64) {
	perClass = make([]float64, numClasses)
	sum, n := 0.0, 0
	for c := range perClass {
		perClass[c] = PRCurve(dets, gts, c, iouThr).AP(m)
		if !math.IsNaN(perClass[c]) {
			sum += perClass[c]
			n++
		}
	}
	if n == 0 {
		return math.NaN(), perClass
	}
	return sum / float64(n), perClass
}

// COCOmAP is COCO's headline metric mAP@[.5:.95]: the mean of MeanAP (101-point interpolation)
// over the ten IoU thresholds 0.50, 0.55, ..., 0.95. It rewards boxes that fit tightly.
func COCOmAP(dets []Detection, gts []GroundTruth, numClasses int) float64 {
	sum := 0.0
	for k := 0; k < 10; k++ {
		m, _ := MeanAP(dets, gts, numClasses, 0.5+0.05*float64(k), Points101)
		sum += m
	}
	return sum / 10
}

// ConfusionMatrix counts, for the detections with score ≥ scoreThr, how objects of each true
// class were detected. It is (numClasses+1)×(numClasses+1): rows are the true class, columns
// the predicted class, and index numClasses stands for "background": row background counts
// detections that match no object (false positives), column background counts objects that no
// detection found (misses). Within each image, detections (by decreasing score) take the
// unmatched object with the highest IoU ≥ iouThr, whatever its class.
func ConfusionMatrix(dets []Detection, gts []GroundTruth, numClasses int, scoreThr, iouThr float64) [][]int {
	bg := numClasses
	m := make([][]int, numClasses+1)
	for i := range m {
		m[i] = make([]int, numClasses+1)
	}
	var kept []Detection
	for _, d := range dets {
		if d.Score >= scoreThr {
			kept = append(kept, d)
		}
	}
	sort.SliceStable(kept, func(i, j int) bool { return kept[i].Score > kept[j].Score })
	used := make([]bool, len(gts))
	for _, d := range kept {
		best, bestIoU := -1, iouThr
		for gi, g := range gts {
			if g.Image == d.Image && !used[gi] {
				if o := IoU(d.Box, g.Box); o >= bestIoU {
					best, bestIoU = gi, o
				}
			}
		}
		if best < 0 {
			m[bg][d.Class]++
			continue
		}
		used[best] = true
		m[gts[best].Class][d.Class]++
	}
	for gi, g := range gts {
		if !used[gi] {
			m[g.Class][bg]++
		}
	}
	return m
}

// WorkedExample is the lesson's hand-worked AP example: 3 objects of class 0 and 5 detections that come out, in score
// order, TP FP TP FP TP (the 0.8 one is a duplicate on an already-found object).
//
//	precision 1, 1/2, 2/3, 1/2, 3/5;  recall 1/3, 1/3, 2/3, 2/3, 1
//	envelope  1, 2/3, 2/3, 3/5, 3/5
//	all-point AP = 1/3·1 + 1/3·2/3 + 1/3·3/5 = 34/45
//	11-point  AP = (4·1 + 3·2/3 + 4·3/5)/11 = 42/55   (levels 0–.3 | .4–.6 | .7–1)
//	101-point AP = (34·1 + 33·2/3 + 34·3/5)/101 = 76.4/101
func WorkedExample() (dets []Detection, gts []GroundTruth) {
	gts = []GroundTruth{
		{Image: 0, Class: 0, Box: Box{X0: 0, Y0: 0, X1: 10, Y1: 10}},
		{Image: 1, Class: 0, Box: Box{X0: 0, Y0: 0, X1: 10, Y1: 10}},
		{Image: 2, Class: 0, Box: Box{X0: 20, Y0: 20, X1: 30, Y1: 30}},
	}
	dets = []Detection{
		{Image: 2, Class: 0, Score: 0.6, Box: Box{X0: 0, Y0: 0, X1: 10, Y1: 10}},   // FP: no object there
		{Image: 0, Class: 0, Score: 0.9, Box: Box{X0: 0, Y0: 0, X1: 10, Y1: 10}},   // TP
		{Image: 0, Class: 0, Score: 0.8, Box: Box{X0: 1, Y0: 0, X1: 11, Y1: 10}},   // FP: duplicate (IoU .82)
		{Image: 2, Class: 0, Score: 0.5, Box: Box{X0: 21, Y0: 20, X1: 31, Y1: 30}}, // TP at IoU .818
		{Image: 1, Class: 0, Score: 0.7, Box: Box{X0: 0, Y0: 0, X1: 10, Y1: 10}},   // TP
		{Image: 1, Class: 1, Score: 0.99, Box: Box{X0: 0, Y0: 0, X1: 10, Y1: 10}},  // other class: ignored
	}
	return dets, gts
}
