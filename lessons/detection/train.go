package detection

import (
	"fmt"

	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/train"

	"github.com/dl4go/dl4go/data/shapes"
)

// stream is an endless train.Dataset of freshly generated shapes: batch b holds samples
// b·batch ... b·batch+batch−1 of its generator, so a run resumed at step s (SeekStep) sees
// exactly the batches an uninterrupted run would.
type stream struct {
	name   string
	gen    *shapes.Generator
	batch  int
	step   int64
	labels func([]shapes.Sample) []*tensors.Tensor
}

var (
	_ train.Dataset = (*stream)(nil)
)

func (d *stream) Name() string        { return d.name }
func (d *stream) Reset()              { d.step = 0 }
func (d *stream) SeekStep(step int64) { d.step = step }

// Yield returns images [batch, Size, Size, 3] and the labels of the task.
func (d *stream) Yield() (spec any, inputs, labels []*tensors.Tensor, err error) {
	ss := d.gen.Samples(int(d.step)*d.batch, d.batch)
	d.step++
	return nil, []*tensors.Tensor{imagesTensor(ss)}, d.labels(ss), nil
}

// ssdStream yields SSD training batches: labels are Targets' classes and offsets.
func ssdStream(gen *shapes.Generator, batch int, m *SSD) *stream {
	return &stream{name: "shapes-ssd", gen: gen, batch: batch, labels: func(ss []shapes.Sample) []*tensors.Tensor {
		c, o := m.Targets(ss)
		return []*tensors.Tensor{c, o}
	}}
}

// segStream yields segmentation batches: labels are the semantic targets [batch, Size, Size].
func segStream(gen *shapes.Generator, batch int) *stream {
	return &stream{name: "shapes-seg", gen: gen, batch: batch, labels: func(ss []shapes.Sample) []*tensors.Tensor {
		s := ss[0].Size
		return []*tensors.Tensor{tensors.FromFlatDataAndDimensions(shapes.Semantics(ss), len(ss), s, s)}
	}}
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
