package fcos

import (
	"fmt"
	"math"

	"github.com/dl4go/dl4go/data/shapes"
	"github.com/dl4go/dl4go/lessons/detection"
)

// Level is one pyramid level: a feature map of stride Stride (ImageSize/Stride cells per side)
// whose locations regress the objects with max(l, t, r, b) in (MinReach, MaxReach] pixels — the
// FCOS size range. A level with MinReach 0 and a MaxReach past the image takes every object.
type Level struct {
	Stride             int
	MinReach, MaxReach float64
}

// Location is the image point a feature-map cell stands for: (⌊s/2⌋ + s·col, ⌊s/2⌋ + s·row),
// the centre of the cell's receptive field.
func Location(stride, row, col int) (x, y float64) {
	return float64(stride/2 + stride*col), float64(stride/2 + stride*row)
}

// LTRB returns the distances from point (x, y) to the four sides of box b:
// l = x − X0, t = y − Y0, r = X1 − x, b = Y1 − y. The point is inside b when all four are > 0.
func LTRB(x, y float64, b detection.Box) [4]float64 {
	return [4]float64{x - b.X0, y - b.Y0, b.X1 - x, b.Y1 - y}
}

// CenterNess is FCOS's center-ness of a location with distances d = (l, t, r, b):
//
//	centerness = sqrt( min(l, r)/max(l, r) · min(t, b)/max(t, b) )
//
// 1 at the box centre, falling to 0 at its edges. It is 0 outside the box.
func CenterNess(d [4]float64) float64 {
	if d[0] <= 0 || d[1] <= 0 || d[2] <= 0 || d[3] <= 0 {
		return 0
	}
	return math.Sqrt(math.Min(d[0], d[2]) / math.Max(d[0], d[2]) * math.Min(d[1], d[3]) / math.Max(d[1], d[3]))
}

// Target is what one location must predict.
type Target struct {
	Object int        // index of the assigned object in the sample, −1 for background.
	Class  int        // its class (−1 for background).
	LTRB   [4]float64 // distances to its box's sides, in pixels.
	Center float64    // CenterNess(LTRB).
	// Candidates is how many objects' boxes contain the location and fit the level's size range:
	// > 1 is an ambiguous sample, resolved (as FCOS does) by taking the smallest box.
	Candidates int
}

// Assign gives every location of every level its target for the objects of one image, level by
// level, row by row, column by column — the order the network's outputs are flattened in. A
// location is positive when it lies inside an object's box and that object's max(l, t, r, b)
// fits the level's range; among several such objects it takes the one of least area.
// With useRanges false every level takes every object (a pyramid without size ranges: the
// "without FPN" count).
func Assign(objs []shapes.Object, imageSize int, levels []Level, useRanges bool) []Target {
	var out []Target
	for _, lv := range levels {
		n := imageSize / lv.Stride
		for row := 0; row < n; row++ {
			for col := 0; col < n; col++ {
				x, y := Location(lv.Stride, row, col)
				t := Target{Object: -1, Class: -1}
				best := math.Inf(1)
				for j, o := range objs {
					d := LTRB(x, y, o.Box)
					if d[0] <= 0 || d[1] <= 0 || d[2] <= 0 || d[3] <= 0 {
						continue
					}
					reach := math.Max(math.Max(d[0], d[1]), math.Max(d[2], d[3]))
					if useRanges && !(reach > lv.MinReach && reach <= lv.MaxReach) {
						continue
					}
					t.Candidates++
					if a := o.Box.Area(); a < best {
						best = a
						t.Object, t.Class, t.LTRB = j, o.Class, d
					}
				}
				if t.Object >= 0 {
					t.Center = CenterNess(t.LTRB)
				}
				out = append(out, t)
			}
		}
	}
	return out
}

// NumLocations is the number of locations of all levels on an imageSize×imageSize image.
func NumLocations(imageSize int, levels []Level) int {
	n := 0
	for _, lv := range levels {
		n += (imageSize / lv.Stride) * (imageSize / lv.Stride)
	}
	return n
}

// Ambiguity counts, over a set of images, the positive locations (inside at least one box) and
// the ambiguous ones (inside two boxes or more) — with the FPN's size ranges and without them.
type Ambiguity struct {
	Images                     int
	Positives, Ambiguous       int // without size ranges: every level takes every object.
	FPNPositives, FPNAmbiguous int // with them: each object on the levels its size fits.
	// SinglePositives and SingleAmbiguous count one level alone (the coarsest, every object on
	// it): a detector without a pyramid, as FCOS's paper measures "without FPN".
	SinglePositives, SingleAmbiguous int
	SingleStride                     int // that level's stride.
	Objects                          int // objects on the images.
	ObjectsWithoutPositive           int // of them, those no location is assigned to with the ranges.
}

// Fraction is Ambiguous/Positives (without ranges); FPNFraction the same with them.
func (a Ambiguity) Fraction() float64 {
	return float64(a.Ambiguous) / math.Max(1, float64(a.Positives))
}

// FPNFraction is FPNAmbiguous/FPNPositives.
func (a Ambiguity) FPNFraction() float64 {
	return float64(a.FPNAmbiguous) / math.Max(1, float64(a.FPNPositives))
}

// SingleFraction is SingleAmbiguous/SinglePositives.
func (a Ambiguity) SingleFraction() float64 {
	return float64(a.SingleAmbiguous) / math.Max(1, float64(a.SinglePositives))
}

func (a Ambiguity) String() string {
	return fmt.Sprintf("%d images: one level alone %d of %d positive locations ambiguous (%.1f%%); every level without size ranges %d of %d (%.1f%%); FPN with size ranges %d of %d (%.1f%%), %d of %d objects left without a positive location",
		a.Images, a.SingleAmbiguous, a.SinglePositives, 100*a.SingleFraction(), a.Ambiguous, a.Positives, 100*a.Fraction(),
		a.FPNAmbiguous, a.FPNPositives, 100*a.FPNFraction(), a.ObjectsWithoutPositive, a.Objects)
}

// CountAmbiguity counts the ambiguous samples of samples on levels (see Ambiguity).
func CountAmbiguity(samples []shapes.Sample, levels []Level) Ambiguity {
	top := levels[len(levels)-1:]
	a := Ambiguity{Images: len(samples), SingleStride: top[0].Stride}
	count := func(ts []Target, pos, amb *int) []bool {
		got := make([]bool, 0)
		for _, t := range ts {
			if t.Object < 0 {
				continue
			}
			*pos++
			if t.Candidates > 1 {
				*amb++
			}
			for len(got) <= t.Object {
				got = append(got, false)
			}
			got[t.Object] = true
		}
		return got
	}
	for _, s := range samples {
		count(Assign(s.Objects, s.Size, top, false), &a.SinglePositives, &a.SingleAmbiguous)
		count(Assign(s.Objects, s.Size, levels, false), &a.Positives, &a.Ambiguous)
		got := count(Assign(s.Objects, s.Size, levels, true), &a.FPNPositives, &a.FPNAmbiguous)
		a.Objects += len(s.Objects)
		for j := range s.Objects {
			if j >= len(got) || !got[j] {
				a.ObjectsWithoutPositive++
			}
		}
	}
	return a
}

// FirstAmbiguous returns the index of the first sample with an ambiguous location when every
// level takes every object (a small object on a large one, say), or −1 when none has one.
func FirstAmbiguous(samples []shapes.Sample, levels []Level) int {
	for i, s := range samples {
		for _, t := range Assign(s.Objects, s.Size, levels, false) {
			if t.Candidates > 1 {
				return i
			}
		}
	}
	return -1
}
