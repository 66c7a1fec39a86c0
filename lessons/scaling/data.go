package scaling

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/gomlx/gomlx/pkg/core/tensors"

	"github.com/dl4go/dl4go/data/shapes"
)

// Task describes the classification task every model is trained and scored on: "which shape is
// the most common one?" in scenes of a few small shapes (data/shapes), each scene drawn once at
// Master×Master pixels and shown to a model at its own resolution by area averaging
// (shapes.Downsample), as a camera with coarser pixels would see it.
//
// Why this task (the issue asks for one where width, depth and resolution all matter; MNIST
// saturates): the objects are small (MinSide–MaxSide pixels of the Master image, a few pixels at
// the baseline's resolution), so at a low resolution a circle, a square and a triangle blur into
// the same blob and more pixels help; telling them apart needs several kinds of edge and corner
// detectors (channels, width); and the answer needs every object found and the classes counted
// across the whole image, a composition of features over a large receptive field (layers,
// depth). Chance is 1/3.
type Task struct {
	Master           int     // the scenes are drawn at Master×Master pixels.
	Objects          int     // objects per scene; scenes without a unique most common class are skipped.
	MinSide, MaxSide int     // object size in Master pixels.
	Noise            float64 // pixel noise of the Master image (area averaging lowers it at low resolution).
	Train            int     // training scenes (each model sees batches drawn from them).
	Val, Test        int     // held-out scenes: Val picks α, β, γ; Test scores every model.
	Seed             uint64  // scenes of the training set; Val and Test use Seed+1 and Seed+2.
}

// scenes is a set of task scenes: images at the Master resolution (bytes, as an 8-bit camera
// would store them) and their labels (the most common class).
type scenes struct {
	master int
	pix    []uint8 // [n, master, master, 3]
	labels []int32
}

func (s *scenes) len() int { return len(s.labels) }

// majority returns the unique most common class among the objects, or −1.
func majority(objs []shapes.Object) int {
	var count [shapes.NumClasses]int
	for _, o := range objs {
		count[o.Class]++
	}
	best, tie := -1, false
	for c, n := range count {
		switch {
		case best < 0 || n > count[best]:
			best, tie = c, false
		case n == count[best]:
			tie = true
		}
	}
	if tie {
		return -1
	}
	return best
}

// draw returns n scenes of the task drawn with seed: the first n samples of the shapes generator
// that hold Objects objects with a unique most common class.
func (t Task) draw(seed uint64, n int) (*scenes, error) {
	gen, err := shapes.New(shapes.Config{Size: t.Master, MinObjects: t.Objects, MaxObjects: t.Objects,
		MinSide: t.MinSide, MaxSide: t.MaxSide, Noise: t.Noise, Seed: seed})
	if err != nil {
		return nil, fmt.Errorf("scaling: task scenes: %w", err)
	}
	px := t.Master * t.Master * 3
	s := &scenes{master: t.Master, pix: make([]uint8, 0, n*px), labels: make([]int32, 0, n)}
	for i := 0; s.len() < n; i++ {
		if i > 20*n+100 {
			return nil, fmt.Errorf("scaling: only %d of %d scenes with a unique most common shape in %d draws: "+
				"use more Objects or smaller MaxSide", s.len(), n, i)
		}
		smp := gen.Sample(i)
		c := majority(smp.Objects)
		if len(smp.Objects) != t.Objects || c < 0 {
			continue
		}
		for _, v := range smp.Image {
			s.pix = append(s.pix, uint8(math.Round(float64(v)*255)))
		}
		s.labels = append(s.labels, int32(c))
	}
	return s, nil
}

// image returns scene i at res×res, values in [0, 1].
func (s *scenes) image(i, res int) ([]float32, error) {
	px := s.master * s.master * 3
	img := make([]float32, px)
	for k, v := range s.pix[i*px : (i+1)*px] {
		img[k] = float32(v) / 255
	}
	if res == s.master {
		return img, nil
	}
	return shapes.Downsample(img, s.master, 3, res)
}

// batch returns the scenes idx at res×res: images [len(idx), res, res, 3] and labels
// [len(idx), 1] (int32).
func (s *scenes) batch(idx []int, res int) (images, labels *tensors.Tensor, err error) {
	flat := make([]float32, 0, len(idx)*res*res*3)
	lab := make([]int32, len(idx))
	for k, i := range idx {
		img, err := s.image(i, res)
		if err != nil {
			return nil, nil, err
		}
		flat = append(flat, img...)
		lab[k] = s.labels[i]
	}
	return tensors.FromFlatDataAndDimensions(flat, len(idx), res, res, 3), tensors.FromFlatDataAndDimensions(lab, len(idx), 1), nil
}

// trainIndices returns the training scenes of one step of one seed's run: batch indices drawn
// uniformly (with replacement) by a generator seeded with (seed, step), so the batch depends on
// the step alone and models trained with the same seed see the same scenes in the same order.
func trainIndices(n, batch int, seed uint64, step int64) []int {
	rng := rand.New(rand.NewPCG(seed, uint64(step)))
	idx := make([]int, batch)
	for i := range idx {
		idx[i] = rng.IntN(n)
	}
	return idx
}
