package fcos

import (
	"fmt"
	"math"

	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // GoMLX graph-building style.
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/layers"
	"github.com/gomlx/gomlx/pkg/ml/layers/activations"
	"github.com/gomlx/gomlx/pkg/ml/layers/batchnorm"

	"github.com/dl4go/dl4go/data/shapes"
	xlayers "github.com/dl4go/dl4go/gomlxext/layers"
)

// ModelConfig is the network and its loss.
type ModelConfig struct {
	// Channels of the backbone's 3×3 convolutions: the first two (each followed by 2×2 max
	// pooling) bring the image to stride 4, then one convolution per pyramid level, pooling
	// between levels (strides 4, 8, 16, ...): len(Channels) = 2 + len(Levels).
	Channels []int
	Features int     // channels of the pyramid maps P_i and of the shared head's tower.
	Levels   []Level // the pyramid levels, strides 4, 8, ... with their size ranges.
	// CenterNess adds the third head (trained with BCE, multiplied into the scores at inference).
	CenterNess bool
	// FocalAlpha and FocalGamma are the focal loss's α and γ (0.25 and 2 in RetinaNet and FCOS).
	FocalAlpha, FocalGamma float64
}

func (m ModelConfig) check(imageSize int) error {
	if len(m.Levels) < 1 || len(m.Channels) != 2+len(m.Levels) || m.Features < 1 {
		return fmt.Errorf("fcos: Model.Channels must have 2+len(Levels) = %d entries (got %d) and Features ≥ 1 (got %d)",
			2+len(m.Levels), len(m.Channels), m.Features)
	}
	for i, lv := range m.Levels {
		if want := 4 << i; lv.Stride != want {
			return fmt.Errorf("fcos: Model.Levels[%d].Stride is %d: the backbone gives strides 4, 8, 16, ... so it must be %d", i, lv.Stride, want)
		}
		if imageSize%lv.Stride != 0 {
			return fmt.Errorf("fcos: image size %d is not a multiple of level %d's stride %d", imageSize, i, lv.Stride)
		}
		if !(lv.MaxReach > lv.MinReach) || (i > 0 && lv.MinReach != m.Levels[i-1].MaxReach) {
			return fmt.Errorf("fcos: Model.Levels size ranges must be increasing and contiguous: level %d is (%g, %g]", i, lv.MinReach, lv.MaxReach)
		}
	}
	return nil
}

// priorLogit starts every class score at probability 0.01 (RetinaNet's π): without it the focal
// loss of thousands of background locations swamps the first steps.
var priorLogit = -math.Log((1 - 0.01) / 0.01)

func convBNReLU(ctx *context.Context, x *Node, channels int) *Node {
	x = layers.Convolution(ctx, x).Channels(channels).KernelSize(3).PadSame().UseBias(false).Done()
	return activations.Relu(batchnorm.New(ctx, x, -1).Momentum(0.9).Done())
}

func conv(ctx *context.Context, x *Node, channels, kernel int) *Node {
	return layers.Convolution(ctx, x).Channels(channels).KernelSize(kernel).PadSame().Done()
}

// upsample2 is nearest-neighbour upsampling: x [B, h, w, c] → [B, 2h, 2w, c].
func upsample2(x *Node) *Node {
	d := x.Shape().Dimensions
	x = Reshape(x, d[0], d[1], 1, d[2], 1, d[3])
	x = BroadcastToDims(x, d[0], d[1], 2, d[2], 2, d[3])
	return Reshape(x, d[0], 2*d[1], 2*d[2], d[3])
}

// Model is the FCOS graph: images [B, S, S, 3] → class logits [B, N, classes], box distances
// (l, t, r, b) in pixels [B, N, 4] and center-ness logits [B, N] (zeros without CenterNess), N
// the locations of all levels in Assign's order.
//
// Backbone C_i (stride 4·2^i), then the FPN's top-down path: P_top = 1×1(C_top) and
// P_i = 1×1(C_i) + upsample(P_{i+1}), each smoothed by a 3×3 convolution. One head, shared by
// every level, runs a 3×3 tower and three 3×3 outputs: classes, distances = stride·exp(s_i·x)
// with a learned scale s_i per level, and center-ness.
func (m ModelConfig) Model(ctx *context.Context, images *Node) (cls, ltrb, ctr *Node) {
	ctx = ctx.In("fcos")
	c := m.Channels
	x := MaxPool(convBNReLU(ctx.In("conv0"), images, c[0])).Window(2).Done()
	x = MaxPool(convBNReLU(ctx.In("conv1"), x, c[1])).Window(2).Done()
	var feats []*Node // C_i
	for i := range m.Levels {
		if i > 0 {
			x = MaxPool(x).Window(2).Done()
		}
		x = convBNReLU(ctx.In(fmt.Sprintf("c%d", i)), x, c[2+i])
		feats = append(feats, x)
	}
	pyr := make([]*Node, len(feats))
	for i := len(feats) - 1; i >= 0; i-- {
		p := conv(ctx.In(fmt.Sprintf("lateral%d", i)), feats[i], m.Features, 1)
		if i+1 < len(feats) {
			p = Add(p, upsample2(pyr[i+1]))
		}
		pyr[i] = p
	}
	batch := images.Shape().Dimensions[0]
	g := images.Graph()
	var clsAll, boxAll, ctrAll []*Node
	for i, p := range pyr {
		p = activations.Relu(conv(ctx.In(fmt.Sprintf("smooth%d", i)), p, m.Features, 3))
		h := ctx.In("head")
		if i > 0 {
			h = h.Reuse() // one head for every level.
		}
		t := activations.Relu(conv(h.In("tower"), p, m.Features, 3))
		logits := AddScalar(conv(h.In("cls"), t, shapes.NumClasses, 3), priorLogit)
		clsAll = append(clsAll, Reshape(logits, batch, -1, shapes.NumClasses))
		scale := ctx.In(fmt.Sprintf("scale%d", i)).VariableWithValue("s", float32(1)).ValueGraph(g)
		raw := Mul(conv(h.In("box"), t, 4, 3), scale)
		raw = Min(raw, Scalar(g, raw.DType(), 8)) // exp(8)·stride is far past any image: no overflow.
		boxAll = append(boxAll, Reshape(MulScalar(Exp(raw), float64(m.Levels[i].Stride)), batch, -1, 4))
		if m.CenterNess {
			ctrAll = append(ctrAll, Reshape(conv(h.In("ctr"), t, 1, 3), batch, -1))
		}
	}
	cls, ltrb = Concatenate(clsAll, 1), Concatenate(boxAll, 1)
	if m.CenterNess {
		ctr = Concatenate(ctrAll, 1)
	} else {
		ctr = ZerosLike(SliceAxis(ltrb, -1, AxisElem(0)))
		ctr = Reshape(ctr, batch, -1)
	}
	return cls, ltrb, ctr
}

// Loss is FCOS's loss for labels (one-hot classes [B, N, classes] float32 — all zero for a
// background location —, target distances [B, N, 4], target center-ness [B, N] and the positive
// mask [B, N]) and the Model's predictions:
//
//	L = (1/N_pos) Σ_all FocalLoss(classes) + (1/N_pos) Σ_pos GIoULoss(box) + (1/N_pos) Σ_pos BCE(center-ness)
//
// (the last term only with CenterNess). Every location counts in the class term; only the
// positives in the box and center-ness terms.
func (m ModelConfig) Loss(labels, predictions []*Node) *Node {
	onehot, target, ctrT, pos := labels[0], labels[1], labels[2], labels[3]
	cls, box, ctr := predictions[0], predictions[1], predictions[2]
	numPos := Max(ReduceAllSum(pos), OnesLike(ReduceAllSum(pos)))
	clsLoss := ReduceAllSum(xlayers.FocalLoss(onehot, cls, m.FocalAlpha, m.FocalGamma))
	// Background locations have no box: give them a unit box so the (masked) GIoU stays finite.
	posBox := BroadcastToShape(ExpandAxes(pos, -1), target.Shape())
	safe := Where(GreaterThan(posBox, ZerosLike(posBox)), target, OnesLike(target))
	boxLoss := ReduceAllSum(Mul(xlayers.GIoULoss(box, safe), pos))
	total := Add(clsLoss, boxLoss)
	if m.CenterNess {
		total = Add(total, ReduceAllSum(Mul(xlayers.BinaryCrossEntropyLogits(ctrT, ctr), pos)))
	}
	return Div(total, numPos)
}

// Targets assigns the locations of every sample (Assign with size ranges) and returns the label
// tensors Loss expects: one-hot classes [n, N, classes], distances [n, N, 4], center-ness [n, N]
// and the positive mask [n, N].
func (m ModelConfig) Targets(samples []shapes.Sample) []*tensors.Tensor {
	size := samples[0].Size
	nl := NumLocations(size, m.Levels)
	onehot := make([]float32, len(samples)*nl*shapes.NumClasses)
	box := make([]float32, len(samples)*nl*4)
	ctr := make([]float32, len(samples)*nl)
	pos := make([]float32, len(samples)*nl)
	for i, s := range samples {
		for j, t := range Assign(s.Objects, size, m.Levels, true) {
			if t.Object < 0 {
				continue
			}
			k := i*nl + j
			onehot[k*shapes.NumClasses+t.Class] = 1
			for q := range 4 {
				box[k*4+q] = float32(t.LTRB[q])
			}
			ctr[k], pos[k] = float32(t.Center), 1
		}
	}
	n := len(samples)
	return []*tensors.Tensor{
		tensors.FromFlatDataAndDimensions(onehot, n, nl, shapes.NumClasses),
		tensors.FromFlatDataAndDimensions(box, n, nl, 4),
		tensors.FromFlatDataAndDimensions(ctr, n, nl),
		tensors.FromFlatDataAndDimensions(pos, n, nl),
	}
}

// OutputsPerImage is the number of values the heads produce per image: every location predicts
// the class scores, 4 distances and (with CenterNess) one center-ness.
func (m ModelConfig) OutputsPerImage(imageSize int) int {
	per := shapes.NumClasses + 4
	if m.CenterNess {
		per++
	}
	return NumLocations(imageSize, m.Levels) * per
}
