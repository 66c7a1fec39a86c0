package fcos

import (
	"fmt"
	"math"

	"github.com/gomlx/gomlx/backends"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // GoMLX graph-building style.
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"

	"github.com/dl4go/dl4go/data/shapes"
	"github.com/dl4go/dl4go/lessons/detection"
)

// Detector runs a trained FCOS: the graph gives per-location class probabilities, distances and
// center-ness; decoding, thresholding and NMS run on the host (the engine has no sort).
type Detector struct {
	Model     ModelConfig
	ImageSize int
	Config    DetectConfig
	// ClassOnly ranks by the class probability alone, ignoring the center-ness head.
	ClassOnly bool
	exec      *context.Exec
	last      []detection.Detection
}

// NewDetector compiles the inference graph of m with ctx's (trained) variables.
func NewDetector(backend backends.Backend, ctx *context.Context, m ModelConfig, imageSize int, c DetectConfig) (*Detector, error) {
	exec, err := context.NewExec(backend, ctx.Reuse(), func(ctx *context.Context, images *Node) []*Node {
		cls, box, ctr := m.Model(ctx, images)
		return []*Node{Sigmoid(cls), box, Sigmoid(ctr)}
	})
	if err != nil {
		return nil, fmt.Errorf("fcos: inference graph: %w", err)
	}
	return &Detector{Model: m, ImageSize: imageSize, Config: c, exec: exec}, nil
}

// Maps are the raw per-location outputs of one batch, flat in Assign's location order.
type Maps struct {
	N, Locations int
	Probs        []float32 // [N, Locations, classes]: σ(class logits).
	Boxes        []float32 // [N, Locations, 4]: (l, t, r, b) in pixels.
	Center       []float32 // [N, Locations]: σ(center-ness logit) (0.5 everywhere without the head).
}

// Raw runs the network on samples.
func (d *Detector) Raw(samples []shapes.Sample) (*Maps, error) {
	s := samples[0].Size
	outs, err := d.exec.Exec(tensors.FromFlatDataAndDimensions(shapes.Images(samples), len(samples), s, s, 3))
	if err != nil {
		return nil, fmt.Errorf("fcos: inference: %w", err)
	}
	m := &Maps{N: len(samples), Locations: NumLocations(s, d.Model.Levels)}
	for i, dst := range []*[]float32{&m.Probs, &m.Boxes, &m.Center} {
		if *dst, err = tensors.CopyFlatData[float32](outs[i]); err != nil {
			return nil, err
		}
		outs[i].FinalizeAll()
	}
	return m, nil
}

// Score is the confidence of class c at location j of image i: p_c · center-ness (FCOS's
// inference score), or p_c alone with ClassOnly or without the center-ness head.
func (d *Detector) Score(m *Maps, i, j, c int) float64 {
	p := float64(m.Probs[(i*m.Locations+j)*shapes.NumClasses+c])
	if d.ClassOnly || !d.Model.CenterNess {
		return p
	}
	return p * float64(m.Center[i*m.Locations+j])
}

// Detect returns the detections of samples (Image = first + index): every location and class
// whose score reaches MinScore gives the box (x − l, y − t, x + r, y + b), then NMS keeps the best.
func (d *Detector) Detect(samples []shapes.Sample, first int) ([]detection.Detection, error) {
	m, err := d.Raw(samples)
	if err != nil {
		return nil, err
	}
	var all []detection.Detection
	side := float64(d.ImageSize)
	for i := range samples {
		var cand []detection.Detection
		j := 0
		for _, lv := range d.Model.Levels {
			n := d.ImageSize / lv.Stride
			for row := 0; row < n; row++ {
				for col := 0; col < n; col++ {
					x, y := Location(lv.Stride, row, col)
					b := m.Boxes[(i*m.Locations+j)*4:]
					box := detection.Box{X0: math.Max(0, x-float64(b[0])), Y0: math.Max(0, y-float64(b[1])),
						X1: math.Min(side, x+float64(b[2])), Y1: math.Min(side, y+float64(b[3]))}
					for c := range shapes.NumClasses {
						if s := d.Score(m, i, j, c); s >= d.Config.MinScore {
							cand = append(cand, detection.Detection{Image: first + i, Class: c, Score: s, Box: box})
						}
					}
					j++
				}
			}
		}
		all = append(all, detection.NMS(cand, d.Config.NMSIoU, d.Config.MaxPerImage)...)
	}
	return all, nil
}

// detectAll detects samples in chunks, keeping the result in d.last.
func (d *Detector) detectAll(samples []shapes.Sample) error {
	d.last = nil
	const chunk = 50
	for i := 0; i < len(samples); i += chunk {
		ds, err := d.Detect(samples[i:min(i+chunk, len(samples))], i)
		if err != nil {
			return err
		}
		d.last = append(d.last, ds...)
	}
	return nil
}
