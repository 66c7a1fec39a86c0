package detection

import (
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/gomlx/gomlx/backends"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/layers"
	"github.com/gomlx/gomlx/pkg/ml/layers/activations"
	"github.com/gomlx/gomlx/pkg/ml/layers/batchnorm"

	"github.com/dl4go/dl4go/data/shapes"
)

// NumLabels is the number of classes SSD scores per default box: background plus the shapes.
const NumLabels = shapes.NumClasses + 1

// SSD is a small single-shot detector: a 4-layer convolutional backbone (3×3 convolutions with
// batch normalization, ReLU and 2×2 max pooling) whose last two
// feature maps (Size/8 and Size/16 cells per side) each carry a 3×3 convolutional head that
// predicts, for every one of the k default boxes of every cell, NumLabels class scores and 4
// box offsets — an output of k×(classes+4) channels per cell (classes counting background).
type SSD struct {
	ImageSize int
	Maps      []FeatureMap
	Ratios    []float64
	Defaults  []Box // DefaultBoxes(ImageSize, Maps, Ratios).
	Channels  []int // backbone channels of its 4 convolutions.
}

// NewSSD returns the lesson's SSD-lite for imageSize×imageSize images (a multiple of 16):
// feature maps of imageSize/8 and imageSize/16 cells with scales 0.25 and 0.45 (s_{k+1} 0.45
// and 0.65) and aspect ratios {1, 2, 1/2}: k = 4 default boxes per cell.
func NewSSD(imageSize int) (*SSD, error) {
	if imageSize%16 != 0 {
		return nil, fmt.Errorf("SSD: image size %d is not a multiple of 16", imageSize)
	}
	m := &SSD{
		ImageSize: imageSize,
		Maps:      []FeatureMap{{Size: imageSize / 8, Scale: 0.25, NextScale: 0.45}, {Size: imageSize / 16, Scale: 0.45, NextScale: 0.65}},
		Ratios:    []float64{2},
		Channels:  []int{16, 32, 48, 64},
	}
	m.Defaults = DefaultBoxes(imageSize, m.Maps, m.Ratios)
	return m, nil
}

// K is the number of default boxes per cell.
func (m *SSD) K() int { return BoxesPerCell(m.Ratios) }

// convBNReLU is a 3×3 convolution, batch normalization (moving averages with momentum 0.9, so
// that they settle within a short run) and ReLU.
func convBNReLU(ctx *context.Context, x *Node, channels int) *Node {
	x = layers.Convolution(ctx, x).Channels(channels).KernelSize(3).PadSame().UseBias(false).Done()
	return activations.Relu(batchnorm.New(ctx, x, -1).Momentum(0.9).Done())
}

func pool2(x *Node) *Node { return MaxPool(x).Window(2).Done() }

// Model is the SSD graph: images [batch, ImageSize, ImageSize, 3] → class logits
// [batch, numDefaults, NumLabels] and encoded offsets [batch, numDefaults, 4], default boxes
// in the order of Defaults.
func (m *SSD) Model(ctx *context.Context, images *Node) (logits, offsets *Node) {
	ctx = ctx.In("ssd")
	c := m.Channels
	x := pool2(convBNReLU(ctx.In("conv1"), images, c[0]))
	x = pool2(convBNReLU(ctx.In("conv2"), x, c[1]))
	f1 := pool2(convBNReLU(ctx.In("conv3"), x, c[2]))  // [B, S/8, S/8, c2]
	f2 := pool2(convBNReLU(ctx.In("conv4"), f1, c[3])) // [B, S/16, S/16, c3]
	batch, k := images.Shape().Dimensions[0], m.K()
	var outs []*Node
	for i, f := range []*Node{f1, f2} {
		h := layers.Convolution(ctx.In(fmt.Sprintf("head%d", i)), f).Channels(k * (NumLabels + 4)).KernelSize(3).PadSame().Done()
		outs = append(outs, Reshape(h, batch, -1, NumLabels+4)) // [B, cells·k, NumLabels+4]
	}
	all := Concatenate(outs, 1)
	return Slice(all, AxisRange(), AxisRange(), AxisRange(0, NumLabels)), Slice(all, AxisRange(), AxisRange(), AxisRange(NumLabels))
}

// NegPerPos is the hard-negative-mining ratio: at most 3 background boxes per matched box.
const NegPerPos = 3

// Loss is SSD's multibox loss for labels (classes [batch, numDefaults] int32, 0 = background,
// and target offsets [batch, numDefaults, 4]) and the Model's predictions:
//
//	L = (1/N) (Σ_pos CE + Σ_hard-neg CE + Σ_pos smoothL1(offsets − targets))
//
// with N the number of matched (positive) boxes. Hard negative mining keeps, per image, only the
// 3·(positives) background boxes with the highest classification loss — the confusing ones —
// instead of the hundreds of easy background boxes that would swamp the loss. The ranking is
// done in the graph: a box's rank is the number of boxes of its image with a higher loss.
func Loss(labels, predictions []*Node) *Node {
	cls, target := labels[0], labels[1]
	logits, offsets := predictions[0], predictions[1]
	dt := logits.DType()
	ce := Neg(ReduceSum(Mul(LogSoftmax(logits), OneHot(cls, NumLabels, dt)), -1)) // [B, N]
	pos := ConvertDType(GreaterThan(cls, ScalarZero(cls.Graph(), cls.DType())), dt)
	numPos := ReduceSum(pos, -1) // [B]
	// Hardness of a background box is its loss; positives get −1 so they rank last.
	hard := StopGradient(Where(GreaterThan(pos, ZerosLike(pos)), Neg(OnesLike(ce)), ce))
	higher := ConvertDType(GreaterThan(ExpandAxes(hard, 1), ExpandAxes(hard, 2)), dt) // [B, i, j]: hard_j > hard_i
	rank := ReduceSum(higher, -1)                                                     // [B, N]
	quota := ExpandAxes(MulScalar(numPos, NegPerPos), -1)                             // [B, 1]
	neg := Mul(OneMinus(pos), ConvertDType(LessThan(rank, quota), dt))
	d := Sub(offsets, target)
	a := Abs(d)
	smooth := Where(LessThan(a, OnesLike(a)), MulScalar(Square(d), 0.5), AddScalar(a, -0.5))
	n := Max(ReduceAllSum(numPos), OnesLike(ReduceAllSum(numPos)))
	clsLoss := ReduceAllSum(Mul(ce, Add(pos, neg)))
	locLoss := ReduceAllSum(Mul(ReduceSum(smooth, -1), pos))
	return Div(Add(clsLoss, locLoss), n)
}

// Targets matches every sample to the default boxes (Match with IoU 0.5) and returns the
// label tensors Loss expects: classes [n, numDefaults] int32 and offsets [n, numDefaults, 4].
func (m *SSD) Targets(samples []shapes.Sample) (classes, offsets *tensors.Tensor) {
	nd := len(m.Defaults)
	cls := make([]int32, 0, len(samples)*nd)
	off := make([]float32, 0, len(samples)*nd*4)
	for _, s := range samples {
		l, o := Match(s.Objects, m.Defaults, 0.5)
		cls = append(cls, l...)
		for _, t := range o {
			off = append(off, float32(t[0]), float32(t[1]), float32(t[2]), float32(t[3]))
		}
	}
	return tensors.FromFlatDataAndDimensions(cls, len(samples), nd),
		tensors.FromFlatDataAndDimensions(off, len(samples), nd, 4)
}

// imagesTensor stacks samples into [n, Size, Size, 3].
func imagesTensor(samples []shapes.Sample) *tensors.Tensor {
	s := samples[0].Size
	return tensors.FromFlatDataAndDimensions(shapes.Images(samples), len(samples), s, s, 3)
}

// Detector runs a trained SSD: the graph (compiled once per batch size) gives class
// probabilities and offsets; decoding, score thresholding and NMS run on the host.
type Detector struct {
	Model     *SSD
	exec      *context.Exec
	MinScore  float64 // detections below this score are dropped before NMS (0.01).
	NMSIoU    float64 // NMS overlap threshold (0.45).
	MaxPerImg int     // detections kept per image after NMS (20).
}

// NewDetector compiles the inference graph of m with ctx's (trained) variables.
func NewDetector(backend backends.Backend, ctx *context.Context, m *SSD) (*Detector, error) {
	exec, err := context.NewExec(backend, ctx.Reuse(), func(ctx *context.Context, images *Node) []*Node {
		logits, offsets := m.Model(ctx, images)
		return []*Node{Softmax(logits), offsets}
	})
	if err != nil {
		return nil, fmt.Errorf("SSD inference graph: %w", err)
	}
	return &Detector{Model: m, exec: exec, MinScore: 0.01, NMSIoU: 0.45, MaxPerImg: 20}, nil
}

// Raw runs the network on samples and returns probabilities [n][numDefaults][NumLabels] and
// offsets [n][numDefaults][4] as flat slices.
func (d *Detector) Raw(samples []shapes.Sample) (probs, offsets []float32, err error) {
	outs, err := d.exec.Exec(imagesTensor(samples))
	if err != nil {
		return nil, nil, fmt.Errorf("SSD inference: %w", err)
	}
	defer outs[0].FinalizeAll()
	defer outs[1].FinalizeAll()
	if probs, err = tensors.CopyFlatData[float32](outs[0]); err != nil {
		return nil, nil, err
	}
	offsets, err = tensors.CopyFlatData[float32](outs[1])
	return probs, offsets, err
}

// Detect returns the detections of samples (Image = first + index in samples): every default
// box and class with probability ≥ MinScore is decoded to a box, then NMS keeps the best.
func (d *Detector) Detect(samples []shapes.Sample, first int) ([]Detection, error) {
	probs, offs, err := d.Raw(samples)
	if err != nil {
		return nil, err
	}
	return d.decode(probs, offs, len(samples), first), nil
}

func (d *Detector) decode(probs, offs []float32, n, first int) []Detection {
	nd := len(d.Model.Defaults)
	var all []Detection
	for i := 0; i < n; i++ {
		var cand []Detection
		for j, def := range d.Model.Defaults {
			base := (i*nd + j) * NumLabels
			for c := 1; c < NumLabels; c++ {
				p := float64(probs[base+c])
				if p < d.MinScore {
					continue
				}
				o := offs[(i*nd+j)*4:]
				b := Decode([4]float64{float64(o[0]), float64(o[1]), float64(o[2]), float64(o[3])}, def)
				cand = append(cand, Detection{Image: first + i, Class: c - 1, Score: p, Box: clip(b, d.Model.ImageSize)})
			}
		}
		all = append(all, NMS(cand, d.NMSIoU, d.MaxPerImg)...)
	}
	return all
}

func clip(b Box, size int) Box {
	s := float64(size)
	return Box{X0: math.Max(0, b.X0), Y0: math.Max(0, b.Y0), X1: math.Min(s, b.X1), Y1: math.Min(s, b.Y1)}
}

// Timing is the measured inference speed.
type Timing struct {
	NetworkMs   float64 // median wall time of the network on one image (batch 1).
	TotalMs     float64 // median per-image time including decoding and NMS (batch 1).
	BatchMs     float64 // median per-image network time in a batch of BatchSize.
	BatchSize   int
	FPS         float64 // 1000 / TotalMs: images per second, one at a time.
	BatchFPS    float64 // 1000 / BatchMs.
	Repetitions int
}

// Time measures inference speed on samples: batch 1 (a camera frame at a time) and one batch of
// len(samples). The first call of each batch size compiles the graph and is not counted.
func (d *Detector) Time(samples []shapes.Sample, reps int) (Timing, error) {
	t := Timing{BatchSize: len(samples), Repetitions: reps}
	median := func(f func() error) (float64, error) {
		if err := f(); err != nil { // compile + warm up.
			return 0, err
		}
		var ms []float64
		for r := 0; r < reps; r++ {
			start := time.Now()
			if err := f(); err != nil {
				return 0, err
			}
			ms = append(ms, float64(time.Since(start).Microseconds())/1000)
		}
		sort.Float64s(ms)
		return ms[len(ms)/2], nil
	}
	var err error
	one := samples[:1]
	if t.NetworkMs, err = median(func() error { _, _, err := d.Raw(one); return err }); err != nil {
		return t, err
	}
	if t.TotalMs, err = median(func() error { _, err := d.Detect(one, 0); return err }); err != nil {
		return t, err
	}
	if t.BatchMs, err = median(func() error { _, _, err := d.Raw(samples); return err }); err != nil {
		return t, err
	}
	t.BatchMs /= float64(len(samples))
	t.FPS, t.BatchFPS = 1000/t.TotalMs, 1000/t.BatchMs
	return t, nil
}
