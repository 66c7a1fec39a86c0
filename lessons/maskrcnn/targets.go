package maskrcnn

import (
	"math"
	"math/rand/v2"
	"sort"

	"github.com/dl4go/dl4go/data/shapes"
	"github.com/dl4go/dl4go/lessons/detection"
)

// The thresholds of Faster R-CNN's sampling, fixed by the method.
const (
	// RPNPositiveIoU and RPNNegativeIoU: an anchor is an object when it overlaps one with IoU ≥ 0.7
	// (or is the best anchor of an object), background below 0.3, and ignored in between.
	RPNPositiveIoU, RPNNegativeIoU = 0.7, 0.3
	// ForegroundIoU: a RoI takes the class (and the mask) of the object it overlaps with IoU ≥ 0.5;
	// below, it is background.
	ForegroundIoU = 0.5
)

// RPNTargets labels the anchors for one image as Faster R-CNN does — 1 object, 0 background,
// −1 ignored — and samples at most samples of them, half objects at most, the rest ignored;
// deltas are the offsets (detection.Encode) of each object anchor to its object's box.
func RPNTargets(objs []shapes.Object, anchors []detection.Box, samples int, rng *rand.Rand) (labels []float32, deltas [][4]float64) {
	labels = make([]float32, len(anchors))
	deltas = make([][4]float64, len(anchors))
	owner := make([]int, len(anchors))
	best := make([]float64, len(objs)) // best IoU of each object over the anchors
	for i, a := range anchors {
		top := 0.0
		owner[i] = -1
		for j, o := range objs {
			v := detection.IoU(a, o.Box)
			if v > top {
				top, owner[i] = v, j
			}
			best[j] = math.Max(best[j], v)
		}
		switch {
		case top >= RPNPositiveIoU:
			labels[i] = 1
		case top < RPNNegativeIoU:
			labels[i] = 0
		default:
			labels[i] = -1
		}
	}
	for i, a := range anchors { // the best anchors of each object are objects too
		for j, o := range objs {
			if best[j] > 0 && detection.IoU(a, o.Box) == best[j] {
				labels[i], owner[i] = 1, j
			}
		}
	}
	var pos, neg []int
	for i, l := range labels {
		switch l {
		case 1:
			pos = append(pos, i)
		case 0:
			neg = append(neg, i)
		}
	}
	rng.Shuffle(len(pos), func(a, b int) { pos[a], pos[b] = pos[b], pos[a] })
	rng.Shuffle(len(neg), func(a, b int) { neg[a], neg[b] = neg[b], neg[a] })
	nPos := min(len(pos), samples/2)
	nNeg := min(len(neg), samples-nPos)
	for _, i := range pos[nPos:] {
		labels[i] = -1
	}
	for _, i := range neg[nNeg:] {
		labels[i] = -1
	}
	for _, i := range pos[:nPos] {
		deltas[i] = detection.Encode(objs[owner[i]].Box, anchors[i])
	}
	return labels, deltas
}

// Proposals turns the RPN's outputs for one image (objectness logits [numAnchors] and deltas
// [numAnchors·4]) into region proposals: every anchor moved by its deltas and clipped to the
// image, the preNMS most object-like kept, then NMS at nmsIoU and the best postNMS of what
// remains, by decreasing score (a sigmoid probability). Boxes under 2 pixels a side are dropped.
func Proposals(logits, deltas []float32, anchors []detection.Box, imageSize, preNMS, postNMS int, nmsIoU float64) []detection.Detection {
	order := make([]int, len(anchors))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return logits[order[a]] > logits[order[b]] })
	var cand []detection.Detection
	for _, i := range order[:min(preNMS, len(order))] {
		d := deltas[i*4:]
		b := clip(detection.Decode([4]float64{float64(d[0]), float64(d[1]), float64(d[2]), float64(d[3])}, anchors[i]), imageSize)
		if b.Width() < 2 || b.Height() < 2 {
			continue
		}
		cand = append(cand, detection.Detection{Score: sigmoid(float64(logits[i])), Box: b})
	}
	return detection.NMS(cand, nmsIoU, postNMS)
}

func sigmoid(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

// clip keeps a box inside the image (NaN or infinite offsets give an empty box).
func clip(b detection.Box, size int) detection.Box {
	s := float64(size)
	c := func(v float64) float64 {
		if math.IsNaN(v) {
			return 0
		}
		return math.Min(s, math.Max(0, v))
	}
	return detection.Box{X0: c(b.X0), Y0: c(b.Y0), X1: c(b.X1), Y1: c(b.Y1)}
}

// RoISample is the training sample of the RoI heads for one image.
type RoISample struct {
	RoIs    []detection.Box // the box head's RoIs: foreground first.
	Labels  []int32         // 0 background, 1+class.
	Deltas  [][4]float64    // offsets (detection.Encode) of foreground RoIs to their objects.
	Masks   []detection.Box // the mask head's RoIs: foreground RoIs, drawn with replacement.
	Classes []int32         // their objects' classes (0-based).
	Targets [][]float32     // their mask targets, MaskSize² each (row-major, in [0, 1]).
}

// SampleRoIs draws the RoI heads' training sample for one image, as Faster R-CNN does: the
// candidates are the RPN's proposals plus the ground-truth boxes (and two jittered copies of each,
// so that the heads learn from the first step, when the proposals are still random); a candidate
// overlapping an object with IoU ≥ 0.5 is foreground with that object's class, the others
// background. At most fgFraction of the n RoIs are foreground; background fills the rest (random
// boxes when the proposals give too few). The mask head gets nMask foreground RoIs with their
// object's mask cut to the RoI (MaskTarget).
func SampleRoIs(objs []shapes.Object, proposals []detection.Box, size, n, nMask, maskSize int, fgFraction float64, rng *rand.Rand) RoISample {
	cand := append([]detection.Box(nil), proposals...)
	for _, o := range objs {
		cand = append(cand, o.Box, jitter(o.Box, size, rng), jitter(o.Box, size, rng))
	}
	var fg, bg []int
	owner := make([]int, len(cand))
	for i, c := range cand {
		owner[i] = -1
		top := 0.0
		for j, o := range objs {
			if v := detection.IoU(c, o.Box); v > top {
				top, owner[i] = v, j
			}
		}
		if top >= ForegroundIoU {
			fg = append(fg, i)
		} else {
			bg = append(bg, i)
		}
	}
	rng.Shuffle(len(fg), func(a, b int) { fg[a], fg[b] = fg[b], fg[a] })
	rng.Shuffle(len(bg), func(a, b int) { bg[a], bg[b] = bg[b], bg[a] })
	nFg := min(len(fg), int(math.Round(fgFraction*float64(n))))
	var s RoISample
	for _, i := range fg[:nFg] {
		o := objs[owner[i]]
		s.RoIs = append(s.RoIs, cand[i])
		s.Labels = append(s.Labels, int32(o.Class+1))
		s.Deltas = append(s.Deltas, detection.Encode(o.Box, cand[i]))
	}
	for _, i := range bg[:min(len(bg), n-nFg)] {
		s.RoIs = append(s.RoIs, cand[i])
	}
	for tries := 0; len(s.RoIs) < n && tries < 1000; tries++ { // random background boxes
		w, h := 6+rng.Float64()*float64(size)/2, 6+rng.Float64()*float64(size)/2
		x, y := rng.Float64()*(float64(size)-w), rng.Float64()*(float64(size)-h)
		b := detection.Box{X0: x, Y0: y, X1: x + w, Y1: y + h}
		top := 0.0
		for _, o := range objs {
			top = math.Max(top, detection.IoU(b, o.Box))
		}
		if top < ForegroundIoU || tries == 999 {
			s.RoIs = append(s.RoIs, b)
		}
	}
	for len(s.Labels) < len(s.RoIs) {
		s.Labels = append(s.Labels, 0)
		s.Deltas = append(s.Deltas, [4]float64{})
	}
	for k := range nMask {
		if nFg == 0 { // an image without objects: empty masks on the first RoI
			s.Masks, s.Classes = append(s.Masks, s.RoIs[0]), append(s.Classes, 0)
			s.Targets = append(s.Targets, make([]float32, maskSize*maskSize))
			continue
		}
		i := fg[k%nFg]
		if k >= nFg {
			i = fg[rng.IntN(nFg)]
		}
		o := objs[owner[i]]
		s.Masks = append(s.Masks, cand[i])
		s.Classes = append(s.Classes, int32(o.Class))
		s.Targets = append(s.Targets, MaskTarget(o.Mask, size, cand[i], maskSize))
	}
	return s
}

// jitter moves and rescales a box a little (centre by ±10% of its size, sides by ×e^±0.1, as
// Gaussians), inside the image.
func jitter(b detection.Box, size int, rng *rand.Rand) detection.Box {
	w, h := b.Width(), b.Height()
	cx, cy := (b.X0+b.X1)/2+0.1*w*rng.NormFloat64(), (b.Y0+b.Y1)/2+0.1*h*rng.NormFloat64()
	w, h = w*math.Exp(0.1*rng.NormFloat64()), h*math.Exp(0.1*rng.NormFloat64())
	return clip(detection.Box{X0: cx - w/2, Y0: cy - h/2, X1: cx + w/2, Y1: cy + h/2}, size)
}

// MaskTarget cuts an object's mask (size×size pixels, row-major) to box and resamples it to
// m×m cells: each cell is the fraction of its 2×2 sample points (at ¼ and ¾ of the cell) that
// fall on the object's pixels — the mask head's target, in the RoI's own frame.
func MaskTarget(mask []bool, size int, box detection.Box, m int) []float32 {
	out := make([]float32, m*m)
	w, h := box.Width()/float64(m), box.Height()/float64(m)
	for i := range m {
		for j := range m {
			var v float32
			for _, fy := range []float64{0.25, 0.75} {
				for _, fx := range []float64{0.25, 0.75} {
					x := int(math.Floor(box.X0 + (float64(j)+fx)*w))
					y := int(math.Floor(box.Y0 + (float64(i)+fy)*h))
					if x >= 0 && y >= 0 && x < size && y < size && mask[y*size+x] {
						v += 0.25
					}
				}
			}
			out[i*m+j] = v
		}
	}
	return out
}

// PasteMask puts an m×m mask probability map (row-major, in box's frame) back on the image:
// each pixel whose centre lies in box takes the map's bilinear interpolation there and belongs
// to the object when it is ≥ 0.5. Returns a size×size mask.
func PasteMask(prob []float32, m int, box detection.Box, size int) []bool {
	out := make([]bool, size*size)
	if box.Width() <= 0 || box.Height() <= 0 {
		return out
	}
	at := func(i, j int) float64 {
		return float64(prob[min(max(i, 0), m-1)*m+min(max(j, 0), m-1)])
	}
	for y := max(0, int(math.Floor(box.Y0))); y < min(size, int(math.Ceil(box.Y1))); y++ {
		py := float64(y) + 0.5
		if py < box.Y0 || py >= box.Y1 {
			continue
		}
		v := (py-box.Y0)/box.Height()*float64(m) - 0.5
		for x := max(0, int(math.Floor(box.X0))); x < min(size, int(math.Ceil(box.X1))); x++ {
			px := float64(x) + 0.5
			if px < box.X0 || px >= box.X1 {
				continue
			}
			u := (px-box.X0)/box.Width()*float64(m) - 0.5
			i, j := int(math.Floor(v)), int(math.Floor(u))
			fy, fx := v-float64(i), u-float64(j)
			p := (1-fy)*((1-fx)*at(i, j)+fx*at(i, j+1)) + fy*((1-fx)*at(i+1, j)+fx*at(i+1, j+1))
			out[y*size+x] = p >= 0.5
		}
	}
	return out
}

// MaskIoU is the IoU of two pixel masks (0 when both are empty).
func MaskIoU(a, b []bool) float64 {
	inter, union := 0, 0
	for i := range a {
		if a[i] && b[i] {
			inter++
		}
		if a[i] || b[i] {
			union++
		}
	}
	if union == 0 {
		return 0
	}
	return float64(inter) / float64(union)
}
