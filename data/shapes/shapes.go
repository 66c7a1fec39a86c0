// Package shapes generates a synthetic object-detection and segmentation data set: small RGB
// images with a few circles, squares and triangles of random size, colour and position on a
// noisy background, each with its class, bounding box and pixel mask.
//
// It is dl4go's stand-in for VOC or COCO: it needs no download, any number of images can be
// drawn, and every image is a pure function of (Config.Seed, index), so a training set, a
// held-out set and a picture in a notebook are reproducible. The detection lesson (SSD, FCN),
// Mask R-CNN and FCOS lessons all use it.
//
// Start with New and Generator.Sample:
//
//	gen, err := shapes.New(shapes.Default())
//	s := gen.Sample(0)          // image [Size, Size, 3], objects with boxes and masks
//	sem := s.Semantic()         // per-pixel class: 0 background, 1+class for objects
//	imgs := shapes.Images(gen.Samples(0, 32)) // flat [32, Size, Size, 3] for a tensor
//
// By default objects never overlap (their boxes are at least one pixel apart), so every box is
// the tight box of its whole mask. With Config.MaxOcclusion > 0 a later object may be drawn over
// earlier ones (instance segmentation's hard case): each object's Mask is then the part of it
// that stays visible, its Box the tight box of that part, and Object.Visible says how much of it
// shows. Either way the instance masks are disjoint and agree with the semantic target.
package shapes

import (
	"fmt"
	"image"
	"image/color"
	"math"
	"math/rand/v2"
)

// The object classes.
const (
	Circle = iota
	Square
	Triangle
	// NumClasses is the number of object classes (background not included).
	NumClasses
)

// ClassNames names the classes: ClassNames[Circle] == "circle".
var ClassNames = []string{"circle", "square", "triangle"}

// Config describes the images a Generator draws.
type Config struct {
	Size                   int     // images are Size×Size pixels.
	MinObjects, MaxObjects int     // objects per image, uniform in [MinObjects, MaxObjects].
	MinSide, MaxSide       int     // object size in pixels (diameter, side, base and height), uniform.
	Noise                  float64 // standard deviation of the Gaussian pixel noise (values in [0, 1]).
	Seed                   uint64  // image i is a pure function of (Seed, i).
	// MaxOcclusion lets objects overlap: 0 keeps every box one pixel away from the others; a
	// value in (0, 1) lets a new object cover earlier ones as long as each of them keeps at least
	// 1−MaxOcclusion of its pixels visible (and a colour unlike the objects it touches).
	MaxOcclusion float64
}

// Default is 48×48 images with 1–3 objects of 10–22 pixels and noise 0.05.
func Default() Config {
	return Config{Size: 48, MinObjects: 1, MaxObjects: 3, MinSide: 10, MaxSide: 22, Noise: 0.05, Seed: 1}
}

// Box is an axis-aligned box in pixels: X0,Y0 is the top-left corner, X1,Y1 the bottom-right
// one (exclusive), so a box holding exactly pixel (3,5) is {3, 5, 4, 6}.
type Box struct{ X0, Y0, X1, Y1 float64 }

// Width returns X1−X0 (0 if negative).
func (b Box) Width() float64 { return math.Max(0, b.X1-b.X0) }

// Height returns Y1−Y0 (0 if negative).
func (b Box) Height() float64 { return math.Max(0, b.Y1-b.Y0) }

// Area returns Width×Height.
func (b Box) Area() float64 { return b.Width() * b.Height() }

// Object is one shape of an image.
type Object struct {
	Class int    // Circle, Square or Triangle.
	Box   Box    // the tight box of Mask.
	Mask  []bool // Size×Size, row-major: Mask[y*Size+x] is true on the object's visible pixels.
	// Visible is the fraction of the shape's pixels that no later object covers: 1 unless
	// Config.MaxOcclusion lets objects overlap.
	Visible float64
}

// Sample is one generated image with its annotations.
type Sample struct {
	Size    int
	Image   []float32 // [Size, Size, 3] row-major, channels last, values in [0, 1].
	Objects []Object
}

// Generator draws samples for a Config.
type Generator struct{ cfg Config }

// New checks cfg and returns its generator.
func New(cfg Config) (*Generator, error) {
	switch {
	case cfg.Size < 8:
		return nil, fmt.Errorf("shapes: Size %d < 8", cfg.Size)
	case cfg.MinObjects < 1 || cfg.MaxObjects < cfg.MinObjects:
		return nil, fmt.Errorf("shapes: objects range [%d, %d] invalid", cfg.MinObjects, cfg.MaxObjects)
	case cfg.MinSide < 3 || cfg.MaxSide < cfg.MinSide || cfg.MaxSide > cfg.Size:
		return nil, fmt.Errorf("shapes: side range [%d, %d] invalid for size %d", cfg.MinSide, cfg.MaxSide, cfg.Size)
	case cfg.Noise < 0:
		return nil, fmt.Errorf("shapes: negative noise %g", cfg.Noise)
	case !(cfg.MaxOcclusion >= 0 && cfg.MaxOcclusion < 1):
		return nil, fmt.Errorf("shapes: MaxOcclusion %g outside [0, 1) (0: objects apart; 0.5: up to half of an object hidden)", cfg.MaxOcclusion)
	}
	return &Generator{cfg: cfg}, nil
}

// Config returns the generator's configuration.
func (g *Generator) Config() Config { return g.cfg }

// Samples returns samples start, start+1, ..., start+n−1.
func (g *Generator) Samples(start, n int) []Sample {
	out := make([]Sample, n)
	for i := range out {
		out[i] = g.Sample(start + i)
	}
	return out
}

// Sample returns image i: the same (Seed, i) always gives the same image. Objects are placed
// one by one at random free positions (boxes one pixel apart at least, or, with MaxOcclusion,
// anywhere that leaves every earlier object visible enough); an object that finds no room after
// 100 tries is dropped, so an image may hold fewer than MinObjects when MaxSide is large for
// Size (never fewer than one).
func (g *Generator) Sample(i int) Sample {
	cfg := g.cfg
	rng := rand.New(rand.NewPCG(cfg.Seed, uint64(i)))
	n := cfg.Size
	s := Sample{Size: n, Image: make([]float32, n*n*3)}

	// Background: a dark random colour, with noise added at the end.
	var bg [3]float64
	for c := range bg {
		bg[c] = 0.35 * rng.Float64()
	}
	for p := 0; p < n*n; p++ {
		for c := 0; c < 3; c++ {
			s.Image[p*3+c] = float32(bg[c])
		}
	}

	var full []int // each object's whole pixel count, for MaxOcclusion.
	count := cfg.MinObjects + rng.IntN(cfg.MaxObjects-cfg.MinObjects+1)
	for len(s.Objects) < count {
		class := rng.IntN(NumClasses)
		placed := false
		for try := 0; try < 100 && !placed; try++ {
			side := cfg.MinSide + rng.IntN(cfg.MaxSide-cfg.MinSide+1)
			x0, y0 := rng.IntN(n-side+1), rng.IntN(n-side+1)
			obj := draw(class, n, x0, y0, side)
			if obj.Box.Area() == 0 {
				continue
			}
			var covered []int
			if cfg.MaxOcclusion == 0 {
				if collides(obj.Box, s.Objects) {
					continue
				}
			} else if covered = g.covers(obj, s.Objects, full); covered == nil {
				continue
			}
			r, gr, b := colour(rng)
			for try := 0; try < 10 && !distinct(r, gr, b, s.Image, covered); try++ {
				r, gr, b = colour(rng)
			}
			if !distinct(r, gr, b, s.Image, covered) {
				continue
			}
			hide(s.Objects, obj, full, n)
			for p, in := range obj.Mask {
				if in {
					s.Image[p*3], s.Image[p*3+1], s.Image[p*3+2] = r, gr, b
				}
			}
			obj.Visible = 1
			s.Objects = append(s.Objects, obj)
			full = append(full, pixels(obj.Mask))
			placed = true
		}
		if !placed { // the first object always fits; later ones may find no room.
			break
		}
	}
	if cfg.Noise > 0 {
		for p := range s.Image {
			v := float64(s.Image[p]) + cfg.Noise*rng.NormFloat64()
			s.Image[p] = float32(math.Min(1, math.Max(0, v)))
		}
	}
	return s
}

// covers returns, for a new object drawn over objs, one covered pixel of each earlier object it
// overlaps (the others are left out), or nil when it would leave one of them with less than
// 1−MaxOcclusion of its full pixel count (full[k]) visible.
func (g *Generator) covers(obj Object, objs []Object, full []int) []int {
	covered := []int{}
	for k, o := range objs {
		visible, hit := 0, -1
		for p, in := range o.Mask {
			switch {
			case in && obj.Mask[p]:
				hit = p
			case in:
				visible++
			}
		}
		if float64(visible) < (1-g.cfg.MaxOcclusion)*float64(full[k]) {
			return nil
		}
		if hit >= 0 {
			covered = append(covered, hit)
		}
	}
	return covered
}

// distinct reports whether colour (r, g, b) is far enough (RGB distance ≥ 0.35) from the colour
// of the image at each of the pixels at, so that overlapping objects can be told apart.
func distinct(r, g, b float32, img []float32, at []int) bool {
	for _, p := range at {
		dr, dg, db := r-img[p*3], g-img[p*3+1], b-img[p*3+2]
		if dr*dr+dg*dg+db*db < 0.35*0.35 {
			return false
		}
	}
	return true
}

// hide removes the pixels of obj (drawn on top) from the masks of objs, and sets their boxes to
// the tight boxes and Visible to the visible fraction of what is left (full[k] pixels whole).
func hide(objs []Object, obj Object, full []int, n int) {
	for k := range objs {
		o := &objs[k]
		changed := false
		for p, in := range obj.Mask {
			if in && o.Mask[p] {
				o.Mask[p], changed = false, true
			}
		}
		if changed {
			o.Box = tightBox(o.Mask, n)
			o.Visible = float64(pixels(o.Mask)) / float64(full[k])
		}
	}
}

// pixels counts the true values of a mask.
func pixels(mask []bool) int {
	c := 0
	for _, in := range mask {
		if in {
			c++
		}
	}
	return c
}

// tightBox is the smallest box holding every true pixel of an n×n mask (zero if none).
func tightBox(mask []bool, n int) Box {
	minX, minY, maxX, maxY := n, n, -1, -1
	for p, in := range mask {
		if in {
			x, y := p%n, p/n
			minX, minY, maxX, maxY = min(minX, x), min(minY, y), max(maxX, x), max(maxY, y)
		}
	}
	if maxX < 0 {
		return Box{}
	}
	return Box{float64(minX), float64(minY), float64(maxX + 1), float64(maxY + 1)}
}

// draw rasterizes one shape whose side×side square starts at (x0, y0): a pixel belongs to the
// shape when its centre does.
func draw(class, n, x0, y0, side int) Object {
	obj := Object{Class: class, Mask: make([]bool, n*n)}
	fs := float64(side)
	cx, cy := float64(x0)+fs/2, float64(y0)+fs/2
	minX, minY, maxX, maxY := n, n, -1, -1
	for y := y0; y < y0+side; y++ {
		for x := x0; x < x0+side; x++ {
			px, py := float64(x)+0.5, float64(y)+0.5
			var in bool
			switch class {
			case Circle:
				in = (px-cx)*(px-cx)+(py-cy)*(py-cy) <= fs*fs/4
			case Square:
				in = true
			case Triangle: // apex at the top centre, base along the bottom edge.
				t := (py - float64(y0)) / fs // 0 at the apex row, 1 at the base.
				in = math.Abs(px-cx) <= t*fs/2
			}
			if in {
				obj.Mask[y*n+x] = true
				minX, minY, maxX, maxY = min(minX, x), min(minY, y), max(maxX, x), max(maxY, y)
			}
		}
	}
	if maxX >= 0 {
		obj.Box = Box{float64(minX), float64(minY), float64(maxX + 1), float64(maxY + 1)}
	}
	return obj
}

// collides reports whether b comes closer than one pixel to any object's box.
func collides(b Box, objs []Object) bool {
	for _, o := range objs {
		if b.X0 <= o.Box.X1 && o.Box.X0 <= b.X1 && b.Y0 <= o.Box.Y1 && o.Box.Y0 <= b.Y1 {
			return true
		}
	}
	return false
}

// colour draws a bright, saturated colour (HSV with S in [0.6, 1] and V in [0.7, 1]) that stands
// out from the dark background.
func colour(rng *rand.Rand) (r, g, b float32) {
	h, sat, v := 6*rng.Float64(), 0.6+0.4*rng.Float64(), 0.7+0.3*rng.Float64()
	c := v * sat
	x := c * (1 - math.Abs(math.Mod(h, 2)-1))
	var rgb [3]float64
	switch int(h) {
	case 0:
		rgb = [3]float64{c, x, 0}
	case 1:
		rgb = [3]float64{x, c, 0}
	case 2:
		rgb = [3]float64{0, c, x}
	case 3:
		rgb = [3]float64{0, x, c}
	case 4:
		rgb = [3]float64{x, 0, c}
	default:
		rgb = [3]float64{c, 0, x}
	}
	m := v - c
	return float32(rgb[0] + m), float32(rgb[1] + m), float32(rgb[2] + m)
}

// Semantic returns the semantic segmentation target: [Size×Size] row-major, 0 for background
// and 1+Class on each object's pixels.
func (s Sample) Semantic() []int32 {
	sem := make([]int32, s.Size*s.Size)
	for _, o := range s.Objects {
		for p, in := range o.Mask {
			if in {
				sem[p] = int32(o.Class + 1)
			}
		}
	}
	return sem
}

// Instances returns the instance segmentation target: [Size×Size] row-major, 0 for background
// and k+1 on the (visible) pixels of Objects[k].
func (s Sample) Instances() []int32 {
	ins := make([]int32, s.Size*s.Size)
	for k, o := range s.Objects {
		for p, in := range o.Mask {
			if in {
				ins[p] = int32(k + 1)
			}
		}
	}
	return ins
}

// RGBA returns the image for display (e.g. plotting.Detections).
func (s Sample) RGBA() *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, s.Size, s.Size))
	for y := 0; y < s.Size; y++ {
		for x := 0; x < s.Size; x++ {
			p := (y*s.Size + x) * 3
			img.SetRGBA(x, y, color.RGBA{to8(s.Image[p]), to8(s.Image[p+1]), to8(s.Image[p+2]), 255})
		}
	}
	return img
}

func to8(v float32) uint8 { return uint8(math.Round(float64(min(max(v, 0), 1)) * 255)) }

// Images concatenates the samples' images into one flat [len(samples), Size, Size, 3] buffer,
// ready for tensors.FromFlatDataAndDimensions. All samples must have the same Size.
func Images(samples []Sample) []float32 {
	if len(samples) == 0 {
		return nil
	}
	per := len(samples[0].Image)
	out := make([]float32, 0, len(samples)*per)
	for _, s := range samples {
		out = append(out, s.Image...)
	}
	return out
}

// Semantics concatenates the samples' semantic targets into one flat [len(samples), Size, Size]
// buffer (see Sample.Semantic).
func Semantics(samples []Sample) []int32 {
	var out []int32
	for _, s := range samples {
		out = append(out, s.Semantic()...)
	}
	return out
}
