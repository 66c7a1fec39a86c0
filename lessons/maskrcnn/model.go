package maskrcnn

import (
	"fmt"
	"math"

	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // GoMLX graph-building style.
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/layers"
	"github.com/gomlx/gomlx/pkg/ml/layers/activations"
	"github.com/gomlx/gomlx/pkg/ml/layers/batchnorm"

	"github.com/dl4go/dl4go/data/shapes"
	xlayers "github.com/dl4go/dl4go/gomlxext/layers"
	"github.com/dl4go/dl4go/lessons/detection"
)

// NumLabels is the number of labels the box head scores per RoI: background plus the shapes.
const NumLabels = shapes.NumClasses + 1

// Stride is the backbone's stride: its feature map has one cell per Stride×Stride pixels.
const Stride = 4

// Pooler is how the RoI heads cut each region out of the feature map.
type Pooler int

const (
	// Align is RoI Align (Mask R-CNN): real coordinates, 4 bilinear samples per bin, averaged.
	Align Pooler = iota
	// Pool is RoI Pool (Fast R-CNN): coordinates rounded to whole cells, the maximum per bin.
	Pool
)

func (p Pooler) String() string {
	if p == Pool {
		return "RoI Pool"
	}
	return "RoI Align"
}

// ModelConfig is the network: every setting changes what is trained.
type ModelConfig struct {
	// Channels of the backbone's 3×3 convolutions: two at full and half resolution, each followed
	// by 2×2 max pooling, and the rest at stride 4.
	Channels []int
	// AnchorSizes (pixels) and AnchorRatios (height/width) of the RPN's anchors: every cell of
	// the feature map gets one anchor of each size and ratio.
	AnchorSizes, AnchorRatios []float64
	// RoISize is the side of the box head's RoI map (7, as in the paper); MaskSize the side of
	// the mask head's output (2·RoISize: one ×2 transposed convolution).
	RoISize int
	// Hidden is the width of the box head's two fully connected layers; MaskChannels that of
	// the mask head's convolutions.
	Hidden, MaskChannels int
}

// MaskSize is the side of the predicted masks: the mask head doubles its RoI map once.
func (c ModelConfig) MaskSize() int { return 2 * c.RoISize }

// Model is the lesson's Mask R-CNN: a backbone shared by a region proposal network and the RoI
// heads (a box head: class and box refinement; a mask head: a small FCN predicting a mask per
// class), the RoIs cut out with the Pooler.
type Model struct {
	Config    ModelConfig
	Pooler    Pooler
	ImageSize int
	Anchors   []detection.Box // Anchors(ImageSize, Config), in the order of the RPN's outputs.
}

// NewModel checks cfg and returns the model for imageSize×imageSize images (a multiple of
// Stride).
func NewModel(cfg ModelConfig, pooler Pooler, imageSize int) (*Model, error) {
	switch {
	case imageSize%Stride != 0:
		return nil, fmt.Errorf("maskrcnn: image size %d is not a multiple of the stride %d", imageSize, Stride)
	case len(cfg.Channels) < 3:
		return nil, fmt.Errorf("maskrcnn: %d backbone channels, want at least 3 (two before the stride-4 map)", len(cfg.Channels))
	case len(cfg.AnchorSizes) == 0 || len(cfg.AnchorRatios) == 0:
		return nil, fmt.Errorf("maskrcnn: the RPN needs at least one anchor size and ratio")
	case cfg.RoISize < 1 || cfg.Hidden < 1 || cfg.MaskChannels < 1:
		return nil, fmt.Errorf("maskrcnn: RoISize %d, Hidden %d and MaskChannels %d must be positive", cfg.RoISize, cfg.Hidden, cfg.MaskChannels)
	}
	return &Model{Config: cfg, Pooler: pooler, ImageSize: imageSize, Anchors: Anchors(imageSize, cfg)}, nil
}

// AnchorsPerCell is the number of anchors at each feature-map cell.
func (c ModelConfig) AnchorsPerCell() int { return len(c.AnchorSizes) * len(c.AnchorRatios) }

// Anchors lays out the RPN's anchors (Faster R-CNN): at the centre of every Stride×Stride cell,
// one box of each size s and ratio a (height/width), s/√a wide and s·√a high, ordered by row,
// column, size, ratio — the order the RPN's outputs are flattened in.
func Anchors(imageSize int, cfg ModelConfig) []detection.Box {
	cells := imageSize / Stride
	var boxes []detection.Box
	for row := range cells {
		for col := range cells {
			cx, cy := (float64(col)+0.5)*Stride, (float64(row)+0.5)*Stride
			for _, s := range cfg.AnchorSizes {
				for _, a := range cfg.AnchorRatios {
					w, h := s/math.Sqrt(a), s*math.Sqrt(a)
					boxes = append(boxes, detection.Box{X0: cx - w/2, Y0: cy - h/2, X1: cx + w/2, Y1: cy + h/2})
				}
			}
		}
	}
	return boxes
}

// convBNReLU is a 3×3 convolution, batch normalization (momentum 0.9, to settle within a short
// run) and ReLU.
func convBNReLU(ctx *context.Context, x *Node, channels int) *Node {
	x = layers.Convolution(ctx, x).Channels(channels).KernelSize(3).PadSame().UseBias(false).Done()
	return activations.Relu(batchnorm.New(ctx, x, -1).Momentum(0.9).Done())
}

// Backbone is the shared feature extractor: images [batch, S, S, 3] → features
// [batch, S/4, S/4, Channels[last]].
func (m *Model) Backbone(ctx *context.Context, images *Node) *Node {
	ctx = ctx.In("backbone")
	x := images
	for i, c := range m.Config.Channels {
		x = convBNReLU(ctx.In(fmt.Sprintf("conv%d", i)), x, c)
		if i < 2 {
			x = MaxPool(x).Window(2).Done()
		}
	}
	return x
}

// RPN is the region proposal network on features [batch, h, w, C]: a 3×3 convolution and, per
// anchor of every cell, an objectness logit and 4 box offsets (detection.Encode's targets):
// logits [batch, numAnchors], deltas [batch, numAnchors, 4], anchors in the order of Anchors.
func (m *Model) RPN(ctx *context.Context, features *Node) (logits, deltas *Node) {
	ctx = ctx.In("rpn")
	a := m.Config.AnchorsPerCell()
	batch := features.Shape().Dimensions[0]
	c := features.Shape().Dimensions[3]
	x := activations.Relu(layers.Convolution(ctx.In("conv"), features).Channels(c).KernelSize(3).PadSame().Done())
	logits = layers.Convolution(ctx.In("objectness"), x).Channels(a).KernelSize(1).Done()
	deltas = layers.Convolution(ctx.In("deltas"), x).Channels(4 * a).KernelSize(1).Done()
	return Reshape(logits, batch, -1), Reshape(deltas, batch, -1, 4)
}

// CropRoIs cuts size×size maps out of features [batch, h, w, C] for boxes [batch, n, 4]
// (x0, y0, x1, y1 in image pixels) with the model's Pooler: [batch, n, size, size, C].
func (m *Model) CropRoIs(features, boxes *Node, size int) *Node {
	boxes = StopGradient(ConvertDType(boxes, features.DType())) // proposals are inputs, as in Faster R-CNN's approximate joint training
	if m.Pooler == Pool {
		return xlayers.RoIPool(features, boxes).OutputSize(size).SpatialScale(1.0 / Stride).Done()
	}
	return xlayers.RoIAlign(features, boxes).OutputSize(size).SpatialScale(1.0 / Stride).Done()
}

// BoxHead classifies and refines RoIs [batch, n, 4] on features [batch, h, w, C]: the RoISize²
// map of each, two fully connected layers of Hidden units, then class logits [batch, n,
// NumLabels] and class-agnostic box offsets [batch, n, 4] (detection.Encode's targets, relative
// to the RoI).
func (m *Model) BoxHead(ctx *context.Context, features, rois *Node) (logits, deltas *Node) {
	ctx = ctx.In("box_head")
	d := rois.Shape().Dimensions
	x := m.CropRoIs(features, rois, m.Config.RoISize)
	x = Reshape(x, d[0]*d[1], -1)
	x = activations.Relu(layers.Dense(ctx.In("fc1"), x, true, m.Config.Hidden))
	x = activations.Relu(layers.Dense(ctx.In("fc2"), x, true, m.Config.Hidden))
	logits = layers.Dense(ctx.In("class"), x, true, NumLabels)
	deltas = layers.Dense(ctx.In("deltas"), x, true, 4)
	return Reshape(logits, d[0], d[1], NumLabels), Reshape(deltas, d[0], d[1], 4)
}

// MaskHead is the mask branch, a small FCN on RoI maps [n, p, p, C] of any side p: two 3×3
// convolutions, a ×2 transposed convolution, and a 1×1 convolution with one channel per class —
// mask logits [n, 2p, 2p, NumClasses]. It has no fully connected layer, so it runs on any p
// (trained on RoISize, it draws 2·RoISize masks; given 2·RoISize maps it draws finer ones).
func (m *Model) MaskHead(ctx *context.Context, rois *Node) *Node {
	ctx = ctx.In("mask_head")
	c := m.Config.MaskChannels
	x := activations.Relu(layers.Convolution(ctx.In("conv1"), rois).Channels(c).KernelSize(3).PadSame().Done())
	x = activations.Relu(layers.Convolution(ctx.In("conv2"), x).Channels(c).KernelSize(3).PadSame().Done())
	x = activations.Relu(xlayers.TransposedConvolution(ctx.In("up"), x).Channels(c).KernelSize(2).Strides(2).Done())
	return layers.Convolution(ctx.In("classes"), x).Channels(shapes.NumClasses).KernelSize(1).Done()
}

// Masks runs the mask branch on boxes [batch, n, 4] with classes [batch, n] (int32, 0-based),
// cutting roiSize² maps out of features: the logits of each box's class, [batch, n, 2·roiSize,
// 2·roiSize]. Training uses RoISize; the FCN takes any roiSize.
func (m *Model) Masks(ctx *context.Context, features, boxes, classes *Node, roiSize int) *Node {
	d := boxes.Shape().Dimensions
	x := m.CropRoIs(features, boxes, roiSize)
	x = Reshape(x, d[0]*d[1], roiSize, roiSize, -1)
	logits := m.MaskHead(ctx, x) // [batch·n, 2·roiSize, 2·roiSize, classes]
	ms := 2 * roiSize
	logits = Reshape(logits, d[0], d[1], ms, ms, shapes.NumClasses)
	pick := OneHot(classes, shapes.NumClasses, logits.DType()) // [batch, n, classes]
	return ReduceSum(Mul(logits, Reshape(pick, d[0], d[1], 1, 1, shapes.NumClasses)), -1)
}
