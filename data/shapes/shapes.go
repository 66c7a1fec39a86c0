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
// Objects never overlap (their boxes are at least one pixel apart), so every box is the tight
// box of its whole mask and the semantic and instance masks agree.
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
	Mask  []bool // Size×Size, row-major: Mask[y*Size+x] is true on the object's pixels.
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
// one by one at random free positions (boxes one pixel apart at least); an object that finds
// no room after 100 tries is dropped, so an image may hold fewer than MinObjects when MaxSide
// is large for Size (never fewer than one).
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

	count := cfg.MinObjects + rng.IntN(cfg.MaxObjects-cfg.MinObjects+1)
	for len(s.Objects) < count {
		class := rng.IntN(NumClasses)
		placed := false
		for try := 0; try < 100 && !placed; try++ {
			side := cfg.MinSide + rng.IntN(cfg.MaxSide-cfg.MinSide+1)
			x0, y0 := rng.IntN(n-side+1), rng.IntN(n-side+1)
			obj := draw(class, n, x0, y0, side)
			if obj.Box.Area() == 0 || collides(obj.Box, s.Objects) {
				continue
			}
			r, gr, b := colour(rng)
			for p, in := range obj.Mask {
				if in {
					s.Image[p*3], s.Image[p*3+1], s.Image[p*3+2] = r, gr, b
				}
			}
			s.Objects = append(s.Objects, obj)
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
