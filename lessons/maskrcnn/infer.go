package maskrcnn

import (
	"fmt"

	"github.com/gomlx/gomlx/backends"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // GoMLX graph-building style.
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"

	"github.com/dl4go/dl4go/data/shapes"
	"github.com/dl4go/dl4go/lessons/detection"
)

// DetectConfig is how a trained model detects: the settings of inference (and of the proposals
// the heads train on).
type DetectConfig struct {
	// PreNMS anchors with the highest objectness become candidate proposals; NMS at RPNNMS keeps
	// at most Proposals of them per image.
	PreNMS, Proposals int
	RPNNMS            float64
	// Detections with a class probability below MinScore are dropped, NMS at NMS keeps at most
	// MaxDetections per image; those scoring at least MaskScore are the ones shown and matched
	// to the objects for the mask metrics.
	MinScore, NMS float64
	MaxDetections int
	MaskScore     float64
}

// Detector runs a trained Mask R-CNN in its three stages, each a graph compiled once per batch
// size, with the choices between them on the host (the engine has no sort, so no NMS in graph):
//
//  1. backbone and RPN: features, objectness and offsets of every anchor; on the host, the
//     region proposals (Proposals: decode, top PreNMS, NMS, top Proposals);
//  2. the box head on the proposals: class probabilities and refined boxes; on the host, the
//     detections (per class: MinScore, NMS, at most MaxDetections);
//  3. the mask head on the detections' boxes: one MaskSize² mask per detection, of its class,
//     pasted back into the image (PasteMask).
type Detector struct {
	Model       *Model
	Config      DetectConfig
	stage1, box *context.Exec
	masks       map[int]*context.Exec // the mask branch by RoI size
	backend     backends.Backend
	ctx         *context.Context
}

// NewDetector compiles the inference graphs of m with ctx's (trained) variables.
func NewDetector(backend backends.Backend, ctx *context.Context, m *Model, cfg DetectConfig) (*Detector, error) {
	d := &Detector{Model: m, Config: cfg, masks: map[int]*context.Exec{}, backend: backend, ctx: ctx}
	var err error
	if d.stage1, err = context.NewExec(backend, ctx.Reuse(), func(ctx *context.Context, images *Node) []*Node {
		f := m.Backbone(ctx, images)
		l, dl := m.RPN(ctx, f)
		return []*Node{f, l, dl}
	}); err != nil {
		return nil, fmt.Errorf("maskrcnn: backbone graph: %w", err)
	}
	if d.box, err = context.NewExec(backend, ctx.Reuse(), func(ctx *context.Context, features, rois *Node) []*Node {
		l, dl := m.BoxHead(ctx, features, rois)
		return []*Node{Softmax(l), dl}
	}); err != nil {
		return nil, fmt.Errorf("maskrcnn: box head graph: %w", err)
	}
	return d, nil
}

// Instance is one detected object: its detection (box, class, score, image) and its mask.
type Instance struct {
	detection.Detection
	Mask []bool    // Size×Size pixels, row-major.
	Prob []float32 // the mask head's MaskSize² probabilities in the box's frame.
}

// Result is what the detector found on a batch of images.
type Result struct {
	Proposals [][]detection.Detection // per image, by decreasing objectness.
	Instances [][]Instance            // per image, by decreasing score.
}

// Detect runs the three stages on samples; Image of each detection is first + its index.
func (d *Detector) Detect(samples []shapes.Sample, first int) (*Result, error) {
	m, c := d.Model, d.Config
	n := len(samples)
	out, err := d.stage1.Exec(imagesTensor(samples))
	if err != nil {
		return nil, fmt.Errorf("maskrcnn: backbone: %w", err)
	}
	features := out[0]
	defer features.FinalizeAll()
	logits, deltas := tensors.MustCopyFlatData[float32](out[1]), tensors.MustCopyFlatData[float32](out[2])
	out[1].FinalizeAll()
	out[2].FinalizeAll()
	na := len(m.Anchors)
	res := &Result{Proposals: make([][]detection.Detection, n), Instances: make([][]Instance, n)}
	rois := make([]float32, 0, n*c.Proposals*4)
	for i := range n {
		p := Proposals(logits[i*na:(i+1)*na], deltas[i*na*4:(i+1)*na*4], m.Anchors, m.ImageSize, c.PreNMS, c.Proposals, c.RPNNMS)
		for k := range p {
			p[k].Image = first + i
		}
		res.Proposals[i] = p
		rois = appendBoxes(rois, padBoxes(p, c.Proposals))
	}
	out, err = d.box.Exec(features, tensors.FromFlatDataAndDimensions(rois, n, c.Proposals, 4))
	if err != nil {
		return nil, fmt.Errorf("maskrcnn: box head: %w", err)
	}
	probs, refine := tensors.MustCopyFlatData[float32](out[0]), tensors.MustCopyFlatData[float32](out[1])
	out[0].FinalizeAll()
	out[1].FinalizeAll()
	boxes := make([]float32, 0, n*c.MaxDetections*4)
	classes := make([]int32, 0, n*c.MaxDetections)
	for i := range n {
		var cand []detection.Detection
		for k, p := range res.Proposals[i] {
			r := (i*c.Proposals + k)
			o := refine[r*4:]
			b := clip(detection.Decode([4]float64{float64(o[0]), float64(o[1]), float64(o[2]), float64(o[3])}, p.Box), m.ImageSize)
			for cl := 1; cl < NumLabels; cl++ {
				if s := float64(probs[r*NumLabels+cl]); s >= c.MinScore && b.Area() > 0 {
					cand = append(cand, detection.Detection{Image: first + i, Class: cl - 1, Score: s, Box: b})
				}
			}
		}
		for _, det := range detection.NMS(cand, c.NMS, c.MaxDetections) {
			res.Instances[i] = append(res.Instances[i], Instance{Detection: det})
		}
		var ds []detection.Detection
		for _, in := range res.Instances[i] {
			ds = append(ds, in.Detection)
		}
		boxes = appendBoxes(boxes, padBoxes(ds, c.MaxDetections))
		for k := range c.MaxDetections {
			cl := int32(0)
			if k < len(ds) {
				cl = int32(ds[k].Class)
			}
			classes = append(classes, cl)
		}
	}
	prob, err := d.maskProbs(features, boxes, classes, n, c.MaxDetections, m.Config.RoISize)
	if err != nil {
		return nil, err
	}
	ms := m.Config.MaskSize()
	for i := range n {
		for k := range res.Instances[i] {
			in := &res.Instances[i][k]
			in.Prob = prob[(i*c.MaxDetections+k)*ms*ms : (i*c.MaxDetections+k+1)*ms*ms]
			in.Mask = PasteMask(in.Prob, ms, in.Box, m.ImageSize)
		}
	}
	return res, nil
}

// maskProbs runs the mask head on boxes [n, k, 4] with classes [n, k] over features, cutting
// roiSize² maps: (2·roiSize)² probabilities per box, flat.
func (d *Detector) maskProbs(features *tensors.Tensor, boxes []float32, classes []int32, n, k, roiSize int) ([]float32, error) {
	exec := d.masks[roiSize]
	if exec == nil {
		var err error
		exec, err = context.NewExec(d.backend, d.ctx.Reuse(), func(ctx *context.Context, features, boxes, classes *Node) *Node {
			return Sigmoid(d.Model.Masks(ctx, features, boxes, classes, roiSize))
		})
		if err != nil {
			return nil, fmt.Errorf("maskrcnn: mask head graph: %w", err)
		}
		d.masks[roiSize] = exec
	}
	out, err := exec.Exec(features, tensors.FromFlatDataAndDimensions(boxes, n, k, 4), tensors.FromFlatDataAndDimensions(classes, n, k))
	if err != nil {
		return nil, fmt.Errorf("maskrcnn: mask head: %w", err)
	}
	defer out[0].FinalizeAll()
	return tensors.MustCopyFlatData[float32](out[0]), nil
}

// TrueBoxMasks runs the mask head on the true boxes and classes of samples (no detection),
// cutting roiSize² maps: per object of each sample, its (2·roiSize)² mask probabilities in the
// box's frame. With RoISize it is how good the masks are when the boxes are right; with other
// sizes it shows that the FCN takes any input size.
func (d *Detector) TrueBoxMasks(samples []shapes.Sample, roiSize int) ([][][]float32, error) {
	out, err := d.stage1.Exec(imagesTensor(samples))
	if err != nil {
		return nil, fmt.Errorf("maskrcnn: backbone: %w", err)
	}
	defer out[0].FinalizeAll()
	out[1].FinalizeAll()
	out[2].FinalizeAll()
	k := 0
	for _, s := range samples {
		k = max(k, len(s.Objects))
	}
	var boxes []float32
	var classes []int32
	for _, s := range samples {
		var ds []detection.Detection
		for _, o := range s.Objects {
			ds = append(ds, detection.Detection{Class: o.Class, Box: o.Box})
		}
		boxes = appendBoxes(boxes, padBoxes(ds, k))
		for j := range k {
			cl := int32(0)
			if j < len(ds) {
				cl = int32(ds[j].Class)
			}
			classes = append(classes, cl)
		}
	}
	prob, err := d.maskProbs(out[0], boxes, classes, len(samples), k, roiSize)
	if err != nil {
		return nil, err
	}
	ms := 2 * roiSize
	maps := make([][][]float32, len(samples))
	for i, s := range samples {
		for j := range s.Objects {
			maps[i] = append(maps[i], prob[(i*k+j)*ms*ms:(i*k+j+1)*ms*ms])
		}
	}
	return maps, nil
}

// padBoxes returns the boxes of ds padded to n with a dummy box (the graphs take a fixed number
// per image; the padding's outputs are ignored).
func padBoxes(ds []detection.Detection, n int) []detection.Box {
	out := make([]detection.Box, n)
	for i := range out {
		if i < len(ds) {
			out[i] = ds[i].Box
		} else {
			out[i] = detection.Box{X0: 0, Y0: 0, X1: 8, Y1: 8}
		}
	}
	return out
}
