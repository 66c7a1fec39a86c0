package detection

import (
	"math"

	"github.com/dl4go/dl4go/data/shapes"
)

// FeatureMap describes one SSD feature map: a Size×Size grid of cells over the image, each
// with the same default boxes.
type FeatureMap struct {
	Size  int     // cells per side (e.g. 6 for a 48-pixel image at stride 8).
	Scale float64 // s_k: default-box size as a fraction of the image side.
	// NextScale is s_{k+1}: the extra square box of side √(s_k·s_{k+1}) bridges to the next map.
	NextScale float64
}

// DefaultBoxes lays out SSD's default boxes (anchors). On each feature map, every cell gets
// k = 2 + 2·len(ratios) boxes centred on the cell: a square of side s_k, a square of side
// √(s_k·s_{k+1}), and for each aspect ratio a (e.g. 2) the boxes s_k√a × s_k/√a and
// s_k/√a × s_k√a. Boxes are in pixels of an imageSize×imageSize image (not clipped), ordered
// map by map, then row, column, box — the order the SSD heads' outputs are flattened in.
func DefaultBoxes(imageSize int, maps []FeatureMap, ratios []float64) []Box {
	var boxes []Box
	side := float64(imageSize)
	for _, fm := range maps {
		step := side / float64(fm.Size)
		wh := [][2]float64{{fm.Scale, fm.Scale}}
		extra := math.Sqrt(fm.Scale * fm.NextScale)
		wh = append(wh, [2]float64{extra, extra})
		for _, a := range ratios {
			r := math.Sqrt(a)
			wh = append(wh, [2]float64{fm.Scale * r, fm.Scale / r}, [2]float64{fm.Scale / r, fm.Scale * r})
		}
		for row := 0; row < fm.Size; row++ {
			for col := 0; col < fm.Size; col++ {
				cx, cy := (float64(col)+0.5)*step, (float64(row)+0.5)*step
				for _, s := range wh {
					w, h := s[0]*side, s[1]*side
					boxes = append(boxes, Box{X0: cx - w/2, Y0: cy - h/2, X1: cx + w/2, Y1: cy + h/2})
				}
			}
		}
	}
	return boxes
}

// BoxesPerCell is k, the number of default boxes per feature-map cell for the given aspect ratios.
func BoxesPerCell(ratios []float64) int { return 2 + 2*len(ratios) }

// Variances scale the encoded offsets (SSD's "variances" 0.1 for centres, 0.2 for sizes) so
// that the four targets have similar magnitudes.
var Variances = [2]float64{0.1, 0.2}

// Encode returns the regression target of box g relative to default box d:
// (Δx, Δy, Δw, Δh) = ((gx−dx)/(dw·0.1), (gy−dy)/(dh·0.1), log(gw/dw)/0.2, log(gh/dh)/0.2),
// with (x, y) the centres and (w, h) the sizes.
func Encode(g, d Box) [4]float64 {
	gx, gy, gw, gh := centre(g)
	dx, dy, dw, dh := centre(d)
	return [4]float64{
		(gx - dx) / (dw * Variances[0]), (gy - dy) / (dh * Variances[0]),
		math.Log(gw/dw) / Variances[1], math.Log(gh/dh) / Variances[1],
	}
}

// Decode inverts Encode: the box that offsets t describe relative to default box d.
func Decode(t [4]float64, d Box) Box {
	dx, dy, dw, dh := centre(d)
	x, y := dx+t[0]*Variances[0]*dw, dy+t[1]*Variances[0]*dh
	w, h := dw*math.Exp(t[2]*Variances[1]), dh*math.Exp(t[3]*Variances[1])
	return Box{X0: x - w/2, Y0: y - h/2, X1: x + w/2, Y1: y + h/2}
}

func centre(b Box) (x, y, w, h float64) {
	return (b.X0 + b.X1) / 2, (b.Y0 + b.Y1) / 2, b.X1 - b.X0, b.Y1 - b.Y0
}

// Match assigns the objects of one image to default boxes, as SSD does: each object takes
// the default box it overlaps most (so every object has at least one), and every other default
// box whose best IoU with an object is ≥ iouThr also takes that object. labels[i] is 0 for a
// background box and 1+class for a box matched to an object; offsets[i] is the box's Encode
// target (zero for background).
func Match(objs []shapes.Object, defaults []Box, iouThr float64) (labels []int32, offsets [][4]float64) {
	labels = make([]int32, len(defaults))
	offsets = make([][4]float64, len(defaults))
	owner := make([]int, len(defaults))
	bestIoU := make([]float64, len(defaults))
	for i := range owner {
		owner[i] = -1
	}
	for i, d := range defaults {
		for j, o := range objs {
			if v := IoU(d, o.Box); v > bestIoU[i] {
				bestIoU[i], owner[i] = v, j
			}
		}
		if bestIoU[i] < iouThr {
			owner[i] = -1
		}
	}
	for j, o := range objs { // every object gets its best default box.
		best, bv := -1, 0.0
		for i, d := range defaults {
			if v := IoU(d, o.Box); v > bv {
				best, bv = i, v
			}
		}
		if best >= 0 {
			owner[best] = j
		}
	}
	for i, j := range owner {
		if j >= 0 {
			labels[i] = int32(objs[j].Class + 1)
			offsets[i] = Encode(objs[j].Box, defaults[i])
		}
	}
	return labels, offsets
}
