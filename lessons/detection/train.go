package detection

import (
	"fmt"

	"github.com/gomlx/gomlx/pkg/core/tensors"

	"github.com/dl4go/dl4go/data/shapes"
	"github.com/dl4go/dl4go/gomlxext"
)

// stream is an endless training stream named name of freshly generated shapes: batch b holds
// samples b·batch ... b·batch+batch−1 of gen, so a run resumed at step s (a gomlxext.Seeker) sees
// exactly the batches an uninterrupted run would. A batch is images [batch, Size, Size, 3] and
// the labels of the task, labels(samples).
func stream(name string, gen *shapes.Generator, batch int, labels func([]shapes.Sample) []*tensors.Tensor) *gomlxext.StepBatches {
	return gomlxext.NewStepBatches(name, func(step int64) ([]*tensors.Tensor, []*tensors.Tensor, error) {
		ss := gen.Samples(int(step)*batch, batch)
		return []*tensors.Tensor{imagesTensor(ss)}, labels(ss), nil
	})
}

// ssdStream yields SSD training batches: labels are Targets' classes and offsets.
func ssdStream(gen *shapes.Generator, batch int, m *SSD) *gomlxext.StepBatches {
	return stream("shapes-ssd", gen, batch, func(ss []shapes.Sample) []*tensors.Tensor {
		c, o := m.Targets(ss)
		return []*tensors.Tensor{c, o}
	})
}

// segStream yields segmentation batches: labels are the semantic targets [batch, Size, Size].
func segStream(gen *shapes.Generator, batch int) *gomlxext.StepBatches {
	return stream("shapes-seg", gen, batch, func(ss []shapes.Sample) []*tensors.Tensor {
		s := ss[0].Size
		return []*tensors.Tensor{tensors.FromFlatDataAndDimensions(shapes.Semantics(ss), len(ss), s, s)}
	})
}

// groundTruth lists the objects of samples as GroundTruth (Image = first + index).
func groundTruth(samples []shapes.Sample, first int) []GroundTruth {
	var gts []GroundTruth
	for i, s := range samples {
		for _, o := range s.Objects {
			gts = append(gts, GroundTruth{Image: first + i, Class: o.Class, Box: o.Box})
		}
	}
	return gts
}

func errorf(what string, err error) error { return fmt.Errorf("detection: %s: %w", what, err) }
