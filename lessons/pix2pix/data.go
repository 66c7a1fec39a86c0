package pix2pix

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/dl4go/dl4go/data/shapes"
)

// Pair is one example of the lesson's translation task: the outline map of a data/shapes scene
// (the condition) and the scene it must become.
type Pair struct {
	// Outline is [Size, Size, 1]: 1 on the border pixels of every object (a pixel of the object
	// with a 4-neighbour outside it), 0 elsewhere. It shows where the objects are and what shape
	// they have, not their colours.
	Outline []float32
	// Scene is [Size, Size, 3] in [0, 1]: every object filled with its class's colour (one of two,
	// see Palette, chosen at random: the outline does not say which) and shaded as lit from the top
	// left — a circle as a sphere, squares and triangles with a linear gradient — on a dark
	// vertical gradient background.
	Scene []float32
}

// Palette holds the two colours each class may be filled with (shapes.Circle, Square,
// Triangle): they differ in one or two channels, which the outline leaves undecided. An L1-trained
// generator may put any value between the two there (every value between two equally likely
// ones has the same expected L1 error) and draws a washed-out compromise; a discriminator calls
// that fake.
var Palette = [shapes.NumClasses][2][3]float32{
	{{0.95, 0.20, 0.15}, {0.95, 0.85, 0.10}}, // circle: red or yellow (green differs)
	{{0.15, 0.85, 0.25}, {0.15, 0.25, 0.95}}, // square: green or blue (green and blue differ)
	{{0.90, 0.25, 0.90}, {0.20, 0.90, 0.90}}, // triangle: magenta or cyan (red and green differ)
}

// background returns the background colour of row y of a size-row scene.
func background(y, size int) [3]float32 {
	t := (float32(y) + 0.5) / float32(size)
	top, bottom := [3]float32{0.10, 0.12, 0.22}, [3]float32{0.22, 0.18, 0.12}
	var c [3]float32
	for k := range c {
		c[k] = (1-t)*top[k] + t*bottom[k]
	}
	return c
}

// light is the unit vector towards the light: up and to the left, in front of the image.
var light = func() [3]float64 {
	v := [3]float64{-1, -1, 1.5}
	n := math.Sqrt(v[0]*v[0] + v[1]*v[1] + v[2]*v[2])
	return [3]float64{v[0] / n, v[1] / n, v[2] / n}
}()

// shade is the brightness (0.35–1) of the point (u, v) ∈ [0, 1]² of an object's box.
func shade(class int, u, v float64) float32 {
	if class == shapes.Circle { // a sphere lit by `light` (Lambert)
		nx, ny := 2*u-1, 2*v-1
		nz := math.Sqrt(math.Max(0, 1-nx*nx-ny*ny))
		return float32(0.35 + 0.65*math.Max(0, nx*light[0]+ny*light[1]+nz*light[2]))
	}
	return float32(1 - 0.5*(u+v)/2)
}

// pairs draws the task's pairs: Pairs(start, n) are scenes start … start+n−1 of the data/shapes
// generator of cfg, rendered as Pair. Scene i is a pure function of (cfg.Seed, i).
type pairs struct {
	cfg Config
	gen *shapes.Generator
}

func newPairs(cfg Config) (*pairs, error) {
	gen, err := shapes.New(shapes.Config{Size: cfg.ImageSize, MinObjects: 1, MaxObjects: cfg.MaxObjects,
		MinSide: cfg.MinSide, MaxSide: cfg.MaxSide, Seed: cfg.Seed})
	if err != nil {
		return nil, fmt.Errorf("pix2pix: the scenes: %w", err)
	}
	return &pairs{cfg: cfg, gen: gen}, nil
}

// Pairs returns the pairs of scenes start, …, start+n−1 of the lesson's task as cfg sizes it
// (ImageSize, MaxObjects, MinSide, MaxSide, Seed): training scenes are 0 … TrainPairs−1,
// held-out ones start at HeldOutStart.
func Pairs(cfg Config, start, n int) ([]Pair, error) {
	p, err := newPairs(cfg)
	if err != nil {
		return nil, err
	}
	return p.get(start, n), nil
}

func (p *pairs) get(start, n int) []Pair {
	out := make([]Pair, n)
	for i := range out {
		out[i] = render(p.gen.Sample(start+i), p.cfg.Seed, start+i)
	}
	return out
}

// render turns a scene (drawn without noise) into a Pair; the colour of each object is drawn from
// a stream fixed by (seed, index).
func render(s shapes.Sample, seed uint64, index int) Pair {
	n := s.Size
	rng := rand.New(rand.NewPCG(seed^0x9e3779b97f4a7c15, uint64(index)))
	p := Pair{Outline: make([]float32, n*n), Scene: make([]float32, n*n*3)}
	for y := range n {
		bg := background(y, n)
		for x := range n {
			copy(p.Scene[(y*n+x)*3:], bg[:])
		}
	}
	for _, o := range s.Objects {
		col := Palette[o.Class][rng.IntN(2)]
		w, h := o.Box.Width(), o.Box.Height()
		for i, in := range o.Mask {
			if !in {
				continue
			}
			x, y := i%n, i/n
			b := shade(o.Class, (float64(x)-o.Box.X0+0.5)/w, (float64(y)-o.Box.Y0+0.5)/h)
			for k := range 3 {
				p.Scene[i*3+k] = col[k] * b
			}
			if x == 0 || y == 0 || x == n-1 || y == n-1 || !o.Mask[i-1] || !o.Mask[i+1] || !o.Mask[i-n] || !o.Mask[i+n] {
				p.Outline[i] = 1
			}
		}
	}
	return p
}

// flatten concatenates the pairs' outlines, [n, Size, Size, 1], and scenes, [n, Size, Size, 3].
func flatten(ps []Pair) (outlines, scenes []float32) {
	for _, p := range ps {
		outlines = append(outlines, p.Outline...)
		scenes = append(scenes, p.Scene...)
	}
	return outlines, scenes
}
