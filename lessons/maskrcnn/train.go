package maskrcnn

import (
	"fmt"
	"math/rand/v2"

	"github.com/gomlx/gomlx/backends"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // GoMLX graph-building style.
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"

	"github.com/dl4go/dl4go/data/shapes"
	"github.com/dl4go/dl4go/lessons/detection"
)

// TrainConfig is how a model is trained.
type TrainConfig struct {
	Steps, Batch int     // training steps, images per step.
	LearningRate float64 // Adam's.
	Seed         int64   // initial weights and the sampling of anchors and RoIs.
	// AnchorSamples anchors per image enter the RPN's loss, at most half of them objects.
	AnchorSamples int
	// RoIs per image train the box head, at most FgFraction of them foreground; MaskRoIs
	// foreground RoIs per image train the mask head.
	RoIs, MaskRoIs int
	FgFraction     float64
}

// ModelFn is the training graph for Fit: inputs images [B, S, S, 3], RoIs [B, RoIs, 4], mask
// RoIs [B, MaskRoIs, 4] and their classes [B, MaskRoIs] (int32); predictions the RPN's logits
// [B, anchors] and deltas [B, anchors, 4], the box head's logits [B, RoIs, NumLabels] and deltas
// [B, RoIs, 4], and the mask logits [B, MaskRoIs, MaskSize, MaskSize].
func (m *Model) ModelFn(ctx *context.Context, _ any, in []*Node) []*Node {
	features := m.Backbone(ctx, in[0])
	rpnLogits, rpnDeltas := m.RPN(ctx, features)
	cls, deltas := m.BoxHead(ctx, features, in[1])
	masks := m.Masks(ctx, features, in[2], in[3], m.Config.RoISize)
	return []*Node{rpnLogits, rpnDeltas, cls, deltas, masks}
}

// Loss is Mask R-CNN's multi-task loss, the sum of five terms, for the labels the stream makes
// (anchor labels [B, anchors] with 1 object, 0 background, −1 ignored; anchor targets
// [B, anchors, 4]; RoI labels [B, RoIs] int32; RoI targets [B, RoIs, 4]; mask targets
// [B, MaskRoIs, MaskSize, MaskSize]) and ModelFn's predictions:
//
//	L = L_rpn_cls + L_rpn_box + L_cls + L_box + L_mask
//
// L_rpn_cls is the binary cross entropy of the sampled anchors, L_rpn_box the smooth L1 of the
// object anchors' offsets (both divided by the number of sampled anchors), L_cls the cross
// entropy over the RoIs, L_box the smooth L1 of the foreground RoIs' offsets (divided by the
// number of RoIs), L_mask the mean per-pixel binary cross entropy of the masks, each on its
// object's class only (the class competition is left to the box head, as in the paper).
func Loss(labels, predictions []*Node) *Node {
	rpnLabels, rpnTargets, roiLabels, roiTargets, maskTargets := labels[0], labels[1], labels[2], labels[3], labels[4]
	rpnLogits, rpnDeltas, cls, deltas, masks := predictions[0], predictions[1], predictions[2], predictions[3], predictions[4]
	dt := rpnLogits.DType()
	g := rpnLogits.Graph()
	sampled := ConvertDType(GreaterOrEqual(rpnLabels, ZerosLike(rpnLabels)), dt)
	objects := ConvertDType(GreaterThan(rpnLabels, ZerosLike(rpnLabels)), dt)
	n := Max(ReduceAllSum(sampled), ScalarOne(g, dt))
	rpnCls := Div(ReduceAllSum(Mul(bce(rpnLogits, objects), sampled)), n)
	rpnBox := Div(ReduceAllSum(Mul(smoothL1(Sub(rpnDeltas, rpnTargets)), objects)), n)
	ce := Neg(ReduceAllMean(ReduceSum(Mul(LogSoftmax(cls), OneHot(roiLabels, NumLabels, dt)), -1)))
	fg := ConvertDType(GreaterThan(roiLabels, ZerosLike(roiLabels)), dt)
	box := ReduceAllMean(Mul(smoothL1(Sub(deltas, roiTargets)), fg))
	mask := ReduceAllMean(bce(masks, maskTargets))
	return Add(Add(Add(rpnCls, rpnBox), Add(ce, box)), mask)
}

// bce is the binary cross entropy of logits x against targets z in [0, 1], elementwise, in the
// stable form max(x, 0) − x·z + log(1 + e^−|x|).
func bce(x, z *Node) *Node {
	return Add(Sub(Max(x, ZerosLike(x)), Mul(x, z)), Log1P(Exp(Neg(Abs(x)))))
}

// smoothL1 sums the smooth L1 (Huber, β = 1) of the differences d [..., 4] over the last axis.
func smoothL1(d *Node) *Node {
	a := Abs(d)
	return ReduceSum(Where(LessThan(a, OnesLike(a)), MulScalar(Square(d), 0.5), AddScalar(a, -0.5)), -1)
}

// batcher makes the endless training set, gomlxext.NewStepBatches of its stepBatch: step s holds
// images s·Batch … s·Batch+Batch−1 of the generator (so a resumed run sees the batches an
// uninterrupted one sees), with the RPN's targets and the RoI heads' sample, drawn from the
// current network's proposals.
type batcher struct {
	m       *Model
	gen     *shapes.Generator
	cfg     Config
	backend backends.Backend
	ctx     *context.Context
	rpn     *context.Exec // the current RPN, for the proposals; nil until the variables exist
}

// stepBatch returns the inputs and labels ModelFn and Loss take at step.
func (d *batcher) stepBatch(step int64) (inputs, labels []*tensors.Tensor, err error) {
	t := d.cfg.Train
	first := int(step) * t.Batch
	ss := d.gen.Samples(first, t.Batch)
	images := imagesTensor(ss)
	props, err := d.proposals(images)
	if err != nil {
		return nil, nil, err
	}
	inputs, labels = d.batch(ss, first, props)
	return append([]*tensors.Tensor{images}, inputs...), labels, nil
}

// proposals runs the current RPN on images: each image's proposals (none before the network's
// variables exist, at the first step of a fresh run).
func (d *batcher) proposals(images *tensors.Tensor) ([][]detection.Box, error) {
	out := make([][]detection.Box, images.Shape().Dimensions[0])
	if d.ctx.InspectVariable(d.ctx.In("backbone").In("conv0").In("conv").Scope(), "weights") == nil {
		return out, nil // the first step of a fresh run: the trainer creates the variables
	}
	if d.rpn == nil {
		exec, err := context.NewExec(d.backend, d.ctx.Reuse(), func(ctx *context.Context, images *Node) []*Node {
			l, dl := d.m.RPN(ctx, d.m.Backbone(ctx, images))
			return []*Node{l, dl}
		})
		if err != nil {
			return nil, fmt.Errorf("maskrcnn: the proposal graph: %w", err)
		}
		d.rpn = exec
	}
	res, err := d.rpn.Exec(images)
	if err != nil {
		return nil, fmt.Errorf("maskrcnn: proposals for training: %w", err)
	}
	logits, deltas := tensors.MustCopyFlatData[float32](res[0]), tensors.MustCopyFlatData[float32](res[1])
	res[0].FinalizeAll()
	res[1].FinalizeAll()
	na := len(d.m.Anchors)
	for i := range out {
		for _, p := range Proposals(logits[i*na:(i+1)*na], deltas[i*na*4:(i+1)*na*4], d.m.Anchors, d.m.ImageSize,
			d.cfg.Detect.PreNMS, d.cfg.Detect.Proposals, d.cfg.Detect.RPNNMS) {
			out[i] = append(out[i], p.Box)
		}
	}
	return out, nil
}

// batch builds the RoI inputs (RoIs, mask RoIs, mask classes) and the labels of Loss for
// samples ss (images first, first+1, … of the generator) with their proposals; sample i's
// anchors and RoIs are drawn with the seed (Train.Seed, index of the image), so a batch is the
// same whenever it is made.
func (d *batcher) batch(ss []shapes.Sample, first int, props [][]detection.Box) (inputs, labels []*tensors.Tensor) {
	t, m := d.cfg.Train, d.m
	ms := m.Config.MaskSize()
	na := len(m.Anchors)
	b := len(ss)
	rpnLabels := make([]float32, 0, b*na)
	rpnDeltas := make([]float32, 0, b*na*4)
	rois := make([]float32, 0, b*t.RoIs*4)
	roiLabels := make([]int32, 0, b*t.RoIs)
	roiDeltas := make([]float32, 0, b*t.RoIs*4)
	maskRoIs := make([]float32, 0, b*t.MaskRoIs*4)
	maskClasses := make([]int32, 0, b*t.MaskRoIs)
	maskTargets := make([]float32, 0, b*t.MaskRoIs*ms*ms)
	for i, s := range ss {
		rng := rand.New(rand.NewPCG(uint64(t.Seed), uint64(first+i)))
		l, dl := RPNTargets(s.Objects, m.Anchors, t.AnchorSamples, rng)
		rpnLabels = append(rpnLabels, l...)
		rpnDeltas = appendDeltas(rpnDeltas, dl)
		r := SampleRoIs(s.Objects, props[i], s.Size, t.RoIs, t.MaskRoIs, ms, t.FgFraction, rng)
		rois = appendBoxes(rois, r.RoIs)
		roiLabels = append(roiLabels, r.Labels...)
		roiDeltas = appendDeltas(roiDeltas, r.Deltas)
		maskRoIs = appendBoxes(maskRoIs, r.Masks)
		maskClasses = append(maskClasses, r.Classes...)
		for _, tg := range r.Targets {
			maskTargets = append(maskTargets, tg...)
		}
	}
	inputs = []*tensors.Tensor{
		tensors.FromFlatDataAndDimensions(rois, b, t.RoIs, 4),
		tensors.FromFlatDataAndDimensions(maskRoIs, b, t.MaskRoIs, 4),
		tensors.FromFlatDataAndDimensions(maskClasses, b, t.MaskRoIs),
	}
	labels = []*tensors.Tensor{
		tensors.FromFlatDataAndDimensions(rpnLabels, b, na),
		tensors.FromFlatDataAndDimensions(rpnDeltas, b, na, 4),
		tensors.FromFlatDataAndDimensions(roiLabels, b, t.RoIs),
		tensors.FromFlatDataAndDimensions(roiDeltas, b, t.RoIs, 4),
		tensors.FromFlatDataAndDimensions(maskTargets, b, t.MaskRoIs, ms, ms),
	}
	return inputs, labels
}

func appendDeltas(out []float32, ds [][4]float64) []float32 {
	for _, d := range ds {
		out = append(out, float32(d[0]), float32(d[1]), float32(d[2]), float32(d[3]))
	}
	return out
}

func appendBoxes(out []float32, bs []detection.Box) []float32 {
	for _, b := range bs {
		out = append(out, float32(b.X0), float32(b.Y0), float32(b.X1), float32(b.Y1))
	}
	return out
}

// imagesTensor stacks samples into [n, Size, Size, 3].
func imagesTensor(samples []shapes.Sample) *tensors.Tensor {
	s := samples[0].Size
	return tensors.FromFlatDataAndDimensions(shapes.Images(samples), len(samples), s, s, 3)
}
