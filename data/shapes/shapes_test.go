package shapes

import (
	"slices"
	"testing"
)

func TestNewValidates(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*Config)
		ok   bool
	}{
		{"default", func(*Config) {}, true},
		{"tiny image", func(c *Config) { c.Size = 4 }, false},
		{"no objects", func(c *Config) { c.MinObjects = 0 }, false},
		{"max below min", func(c *Config) { c.MaxObjects = 0 }, false},
		{"side above size", func(c *Config) { c.MaxSide = 60 }, false},
		{"negative noise", func(c *Config) { c.Noise = -1 }, false},
	} {
		cfg := Default()
		tc.edit(&cfg)
		if _, err := New(cfg); (err == nil) != tc.ok {
			t.Errorf("%s: New error %v, want ok=%v", tc.name, err, tc.ok)
		}
	}
}

func TestSampleIsReproducible(t *testing.T) {
	g, _ := New(Default())
	a, b := g.Sample(7), g.Sample(7)
	if !slices.Equal(a.Image, b.Image) || len(a.Objects) != len(b.Objects) {
		t.Fatal("same (seed, index) gave different samples")
	}
	if slices.Equal(a.Image, g.Sample(8).Image) {
		t.Fatal("different indices gave the same image")
	}
	cfg := Default()
	cfg.Seed = 2
	g2, _ := New(cfg)
	if slices.Equal(a.Image, g2.Sample(7).Image) {
		t.Fatal("different seeds gave the same image")
	}
}

// fillRange is the expected fraction of its box an object's mask covers, per class.
var fillRange = [NumClasses][2]float64{Square: {1, 1}, Circle: {0.7, 0.86}, Triangle: {0.4, 0.65}}

func TestAnnotationsAreConsistent(t *testing.T) {
	cfg := Default()
	g, _ := New(cfg)
	classes := make([]int, NumClasses)
	for i := 0; i < 300; i++ {
		s := g.Sample(i)
		if len(s.Objects) < 1 || len(s.Objects) > cfg.MaxObjects {
			t.Fatalf("sample %d: %d objects", i, len(s.Objects))
		}
		for _, v := range s.Image {
			if v < 0 || v > 1 {
				t.Fatalf("sample %d: pixel %g outside [0,1]", i, v)
			}
		}
		sem := s.Semantic()
		for j, o := range s.Objects {
			classes[o.Class]++
			// The box is the tight box of the mask.
			minX, minY, maxX, maxY := cfg.Size, cfg.Size, -1, -1
			count := 0
			for p, in := range o.Mask {
				if !in {
					continue
				}
				count++
				x, y := p%cfg.Size, p/cfg.Size
				minX, minY, maxX, maxY = min(minX, x), min(minY, y), max(maxX, x), max(maxY, y)
				if sem[p] != int32(o.Class+1) {
					t.Fatalf("sample %d object %d: semantic %d at a mask pixel", i, j, sem[p])
				}
			}
			want := Box{float64(minX), float64(minY), float64(maxX + 1), float64(maxY + 1)}
			if o.Box != want {
				t.Fatalf("sample %d object %d: box %v, tight box of mask %v", i, j, o.Box, want)
			}
			side := o.Box.Width()
			if side < float64(cfg.MinSide)-1 || side > float64(cfg.MaxSide) {
				t.Fatalf("sample %d object %d: width %g outside the side range", i, j, side)
			}
			// A square fills its box; a circle ~π/4 of it; a triangle ~1/2.
			fill := float64(count) / o.Box.Area()
			lo, hi := fillRange[o.Class][0], fillRange[o.Class][1]
			if fill < lo || fill > hi {
				t.Errorf("sample %d object %d (%s): fill %.2f outside [%g, %g]", i, j, ClassNames[o.Class], fill, lo, hi)
			}
			for k, o2 := range s.Objects[:j] {
				if collides(o.Box, []Object{o2}) {
					t.Fatalf("sample %d: objects %d and %d touch", i, k, j)
				}
			}
		}
	}
	for c, n := range classes {
		if n < 100 {
			t.Errorf("class %s drawn only %d times in 300 images", ClassNames[c], n)
		}
	}
}

func TestImagesLayout(t *testing.T) {
	g, _ := New(Default())
	ss := g.Samples(3, 2)
	flat := Images(ss)
	n := Default().Size
	if len(flat) != 2*n*n*3 || !slices.Equal(flat[n*n*3:], g.Sample(4).Image) {
		t.Fatal("Images does not concatenate [n, Size, Size, 3]")
	}
	if sem := Semantics(ss); len(sem) != 2*n*n || !slices.Equal(sem[:n*n], ss[0].Semantic()) {
		t.Fatal("Semantics does not concatenate [n, Size, Size]")
	}
	if b := ss[0].RGBA().Bounds(); b.Dx() != n || b.Dy() != n {
		t.Fatalf("RGBA bounds %v", b)
	}
}

// TestOcclusion checks overlapping instances: disjoint visible masks with tight boxes, every
// object visible enough, the semantic and instance targets in agreement, colours apart where
// objects touch, and overlaps that really happen.
func TestOcclusion(t *testing.T) {
	cfg := Default()
	cfg.MinObjects, cfg.MaxObjects, cfg.MaxOcclusion = 2, 4, 0.4
	g, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	n := cfg.Size
	hidden, objects := 0, 0
	for i := 0; i < 300; i++ {
		s := g.Sample(i)
		sem, ins := s.Semantic(), s.Instances()
		owner := make([]int, n*n)
		for j, o := range s.Objects {
			objects++
			if o.Visible < 1-cfg.MaxOcclusion || o.Visible > 1 {
				t.Fatalf("sample %d object %d: visible fraction %.2f below 1−MaxOcclusion", i, j, o.Visible)
			}
			if o.Visible < 1 {
				hidden++
			}
			if o.Box != tightBox(o.Mask, n) || o.Box.Area() == 0 {
				t.Fatalf("sample %d object %d: box %v is not the tight box of its visible mask", i, j, o.Box)
			}
			for p, in := range o.Mask {
				if !in {
					continue
				}
				if owner[p] != 0 {
					t.Fatalf("sample %d: objects %d and %d share pixel %d", i, owner[p]-1, j, p)
				}
				owner[p] = j + 1
				if sem[p] != int32(o.Class+1) || ins[p] != int32(j+1) {
					t.Fatalf("sample %d object %d: semantic %d, instance %d at its pixel", i, j, sem[p], ins[p])
				}
			}
		}
	}
	if frac := float64(hidden) / float64(objects); frac < 0.15 {
		t.Errorf("only %.0f%% of %d objects are partly hidden: overlaps are too rare to learn from", 100*frac, objects)
	}
	t.Logf("%d objects, %d partly hidden", objects, hidden)
	cfg.MaxOcclusion = 1
	if _, err := New(cfg); err == nil {
		t.Error("MaxOcclusion 1 accepted")
	}
}
