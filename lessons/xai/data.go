package xai

import (
	"fmt"
	"math/rand/v2"

	"github.com/gomlx/gomlx/pkg/core/tensors"

	"github.com/dl4go/dl4go/data/shapes"
	"github.com/dl4go/dl4go/gomlxext"
)

// DataConfig describes the images: one shape each (data/shapes), so that where the object is —
// and so where an explanation should point — is known.
type DataConfig struct {
	Shapes              shapes.Config // MinObjects = MaxObjects = 1.
	TrainSize, TestSize int
	// CueSide is the side of the spurious cue: a white square in a corner chosen by the class
	// (circle top-left, square top-right, triangle bottom-left), in every image of the cue
	// model's training set — the way the report's VGG16 found the toilet paper's background.
	CueSide int
}

// Image is one example: pixels [Size, Size, 3], its class and its object's box.
type Image struct {
	Pixels []float32
	Class  int
	Box    shapes.Box
	// Cue is where the spurious cue was painted (zero Box: none).
	Cue shapes.Box
}

// Set is a dataset split.
type Set struct {
	Size          int
	Train, Test   []Image
	CueTrain      []Image // Train with the class cue painted in
	CueTest       []Image // Test with the cue painted in (where a cue model looks)
	CueSideLength int
}

// MakeSet draws the images: training images from the first TrainSize samples, held-out ones from
// the samples after them (never seen in training).
func MakeSet(cfg DataConfig) (*Set, error) {
	if cfg.Shapes.MinObjects != 1 || cfg.Shapes.MaxObjects != 1 {
		return nil, fmt.Errorf("xai: the images need exactly one object each (MinObjects = MaxObjects = 1), got %d–%d",
			cfg.Shapes.MinObjects, cfg.Shapes.MaxObjects)
	}
	gen, err := shapes.New(cfg.Shapes)
	if err != nil {
		return nil, fmt.Errorf("xai: %w", err)
	}
	s := &Set{Size: cfg.Shapes.Size, CueSideLength: cfg.CueSide}
	take := func(start, n int) []Image {
		out := make([]Image, n)
		for i, smp := range gen.Samples(start, n) {
			out[i] = Image{Pixels: smp.Image, Class: smp.Objects[0].Class, Box: smp.Objects[0].Box}
		}
		return out
	}
	s.Train, s.Test = take(0, cfg.TrainSize), take(cfg.TrainSize, cfg.TestSize)
	s.CueTrain, s.CueTest = withCue(s.Train, s.Size, cfg.CueSide), withCue(s.Test, s.Size, cfg.CueSide)
	return s, nil
}

// CueBox is where the cue of a class goes in a size×size image.
func CueBox(class, size, side int) shapes.Box {
	x, y := 1, 1
	switch class {
	case shapes.Square:
		x = size - side - 1
	case shapes.Triangle:
		y = size - side - 1
	}
	return shapes.Box{X0: float64(x), Y0: float64(y), X1: float64(x + side), Y1: float64(y + side)}
}

// withCue copies images with their class's cue painted white.
func withCue(images []Image, size, side int) []Image {
	out := make([]Image, len(images))
	for i, im := range images {
		im.Pixels = append([]float32(nil), im.Pixels...)
		im.Cue = CueBox(im.Class, size, side)
		for y := int(im.Cue.Y0); y < int(im.Cue.Y1); y++ {
			for x := int(im.Cue.X0); x < int(im.Cue.X1); x++ {
				for c := range 3 {
					im.Pixels[(y*size+x)*3+c] = 1
				}
			}
		}
		out[i] = im
	}
	return out
}

// pixels stacks images into one tensor [n, size, size, 3].
func pixels(images []Image, size int) *tensors.Tensor {
	flat := make([]float32, 0, len(images)*size*size*3)
	for _, im := range images {
		flat = append(flat, im.Pixels...)
	}
	return tensors.FromFlatDataAndDimensions(flat, len(images), size, size, 3)
}

// batches yields random training batches of images; the batch of step s depends only on s.
func batches(images []Image, size, batch int, seed uint64) *gomlxext.StepBatches {
	return gomlxext.NewStepBatches("xai", func(step int64) ([]*tensors.Tensor, []*tensors.Tensor, error) {
		rng := rand.New(rand.NewPCG(seed, uint64(step)))
		pick := make([]Image, batch)
		labels := make([]int32, batch)
		for i := range pick {
			pick[i] = images[rng.IntN(len(images))]
			labels[i] = int32(pick[i].Class)
		}
		return []*tensors.Tensor{pixels(pick, size)}, []*tensors.Tensor{tensors.FromFlatDataAndDimensions(labels, batch, 1)}, nil
	})
}
