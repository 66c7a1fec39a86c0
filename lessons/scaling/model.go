package scaling

import (
	"fmt"
	"math"
	"strconv"

	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // GoMLX graph-building style.
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/layers"
	"github.com/gomlx/gomlx/pkg/ml/layers/activations"
	"github.com/gomlx/gomlx/pkg/ml/layers/batchnorm"

	"github.com/dl4go/dl4go/gomlxext/cost"
	xlayers "github.com/dl4go/dl4go/gomlxext/layers"
)

// Stage is one row of the network's table, as in EfficientNet-B0's Table 1: Layers MBConv
// blocks with the given expansion, kernel and output channels; the first block has the stride.
type Stage struct {
	Expand, Kernel, Channels, Layers, Stride int
}

// Base is the baseline network that the scaling rules enlarge: a stride-2 3×3 stem convolution
// (batch norm, swish), the stages of MBConv blocks, a 1×1 head convolution (batch norm, swish),
// global average pooling and a dense layer to the classes.
type Base struct {
	Resolution   int     // input pixels per side.
	Stem, Head   int     // channels of the stem and head convolutions.
	Stages       []Stage // the MBConv stages.
	SERatio      float64 // squeeze-and-excitation bottleneck ÷ block input channels.
	Classes      int
	WidthDivisor int // channels are rounded to a multiple of this (EfficientNet: 8; tiny nets: 1 or 2).
	// ZeroInitResidual starts every residual block as the identity (MBConv's ZeroInitResidual).
	ZeroInitResidual bool `json:",omitempty"`
}

// Multipliers scale a Base: Depth multiplies the blocks of every stage (see scaleLayers), Width the
// channels of every layer (rounded to WidthDivisor), Resolution the input size (rounded).
type Multipliers struct{ Depth, Width, Resolution float64 }

// Net is one concrete network: a Base with its multipliers applied (integers only).
type Net struct {
	Resolution int
	Stem, Head int
	Stages     []Stage
	SERatio    float64
	Classes    int
	// ZeroInitResidual: Base.ZeroInitResidual.
	ZeroInitResidual bool `json:",omitempty"`
}

// roundChannels is EfficientNet's round_filters: c·w rounded to the nearest multiple of div,
// never below div nor more than 10% below c·w.
func roundChannels(c int, w float64, div int) int {
	div = max(div, 1)
	f := float64(c) * w
	n := max(div, int(f+float64(div)/2)/div*div)
	if float64(n) < 0.9*f {
		n += div
	}
	return n
}

// Scale applies m to b: the network of the paper's equation 3 for d, w, r.
func (b Base) Scale(m Multipliers) Net {
	n := Net{
		Resolution: int(math.Round(float64(b.Resolution) * m.Resolution)),
		Stem:       roundChannels(b.Stem, m.Width, b.WidthDivisor),
		Head:       roundChannels(b.Head, m.Width, b.WidthDivisor),
		SERatio:    b.SERatio, Classes: b.Classes, ZeroInitResidual: b.ZeroInitResidual,
	}
	layers := scaleLayers(b.Stages, m.Depth)
	for i, s := range b.Stages {
		s.Channels = roundChannels(s.Channels, m.Width, b.WidthDivisor)
		s.Layers = layers[i]
		n.Stages = append(n.Stages, s)
	}
	return n
}

// scaleLayers multiplies the blocks of the stages by d: the total is rounded to the nearest whole
// number, and the stages get ⌊d·Lᵢ⌋ blocks plus one each, largest remainder first (later stages,
// which run at fewer pixels and cost less, first on ties), until the total is reached. The paper rounds each stage up, ⌈d·Lᵢ⌉: in a network
// of six blocks that turns any d > 1 into ten blocks at once, too coarse to match a FLOPs budget.
func scaleLayers(stages []Stage, d float64) []int {
	total := 0.0
	out := make([]int, len(stages))
	rem := make([]float64, len(stages))
	for i, s := range stages {
		f := float64(s.Layers) * d
		total += f
		out[i] = max(1, int(math.Floor(f+1e-9)))
		rem[i] = f - float64(out[i])
	}
	have := 0
	for _, n := range out {
		have += n
	}
	for want := int(math.Round(total)); have < want; have++ {
		best := len(rem) - 1
		for i := len(rem) - 1; i >= 0; i-- {
			if rem[i] > rem[best]+1e-9 {
				best = i
			}
		}
		out[best]++
		rem[best]--
	}
	return out
}

// Blocks is the number of MBConv blocks.
func (n Net) Blocks() int {
	b := 0
	for _, s := range n.Stages {
		b += s.Layers
	}
	return b
}

// String is the network in one line: resolution, stem, stages (blocks×channels) and head.
func (n Net) String() string {
	s := fmt.Sprintf("%d px, stem %d", n.Resolution, n.Stem)
	for _, st := range n.Stages {
		s += fmt.Sprintf(", %d×%d", st.Layers, st.Channels)
	}
	return s + fmt.Sprintf(", head %d", n.Head)
}

// bnMomentum is the batch norms' moving-average momentum: 0.9 (PyTorch's default), so that the
// averages inference uses have caught up after a few hundred training steps.
const bnMomentum = 0.9

// Model is the network's graph: images [batch, R, R, 3] → class logits [batch, Classes].
func (n Net) Model(ctx *context.Context, images *Node) *Node {
	x := layers.Convolution(ctx.In("stem"), images).Channels(n.Stem).KernelSize(3).Strides(2).PadSame().UseBias(false).Done()
	x = activations.Swish(batchnorm.New(ctx.In("stem_bn"), x, -1).Momentum(bnMomentum).Done())
	for i, s := range n.Stages {
		for l := range s.Layers {
			stride := s.Stride
			if l > 0 {
				stride = 1
			}
			x = xlayers.MBConv(ctx.In(fmt.Sprintf("stage%d_%d", i+1, l)), x).Channels(s.Channels).Expand(s.Expand).
				KernelSize(s.Kernel).Strides(stride).SERatio(n.SERatio).BatchNormMomentum(bnMomentum).
				ZeroInitResidual(n.ZeroInitResidual).Done()
		}
	}
	x = layers.Convolution(ctx.In("head"), x).Channels(n.Head).KernelSize(1).UseBias(false).Done()
	x = activations.Swish(batchnorm.New(ctx.In("head_bn"), x, -1).Momentum(bnMomentum).Done())
	x = ReduceMean(x, 1, 2) // global average pooling: [batch, Head]
	return layers.DenseWithBias(ctx.In("classify"), x, n.Classes)
}

// Layer is one layer with weights, by its shapes: what the multiply-add count needs.
type Layer struct {
	Name       string
	Kind       string // "conv", "depthwise" or "dense".
	OutH, OutW int    // output pixels (1×1 for a dense layer).
	In, Out    int    // channels (or features) in and out.
	Kernel     int    // kernel side (1 for 1×1 convolutions and dense layers).
}

// Layers lists the network's layers with weights, input to output, with their output sizes at
// the network's resolution ("same" padding: a stride-s layer gives ⌈H/s⌉).
func (n Net) Layers() []Layer { return n.layers(true) }

// layers is Layers, without the names unless named (the FLOPs search builds thousands of nets).
func (n Net) layers(named bool) []Layer {
	h := (n.Resolution + 1) / 2
	ls := []Layer{{Name: "stem", Kind: "conv", OutH: h, OutW: h, In: 3, Out: n.Stem, Kernel: 3}}
	in := n.Stem
	for i, s := range n.Stages {
		for l := range s.Layers {
			name := ""
			if named {
				name = "stage" + strconv.Itoa(i+1) + "_" + strconv.Itoa(l) + "/"
			}
			mid := in * s.Expand
			if s.Expand != 1 {
				ls = append(ls, Layer{Name: name + "expand", Kind: "conv", OutH: h, OutW: h, In: in, Out: mid, Kernel: 1})
			}
			if l == 0 {
				h = (h + s.Stride - 1) / s.Stride
			}
			ls = append(ls, Layer{Name: name + "depthwise", Kind: "depthwise", OutH: h, OutW: h, In: mid, Out: mid, Kernel: s.Kernel})
			if n.SERatio > 0 {
				r := max(1, int(float64(in)*n.SERatio))
				ls = append(ls, Layer{Name: name + "se_reduce", Kind: "dense", OutH: 1, OutW: 1, In: mid, Out: r, Kernel: 1},
					Layer{Name: name + "se_expand", Kind: "dense", OutH: 1, OutW: 1, In: r, Out: mid, Kernel: 1})
			}
			ls = append(ls, Layer{Name: name + "project", Kind: "conv", OutH: h, OutW: h, In: mid, Out: s.Channels, Kernel: 1})
			in = s.Channels
		}
	}
	return append(ls, Layer{Name: "head", Kind: "conv", OutH: h, OutW: h, In: in, Out: n.Head, Kernel: 1},
		Layer{Name: "classify", Kind: "dense", OutH: 1, OutW: 1, In: n.Head, Out: n.Classes, Kernel: 1})
}

// MACs is the multiply-adds of the layer: the report's formulas (gomlxext/cost), a dense layer
// being a pointwise convolution of one pixel.
func (l Layer) MACs() int64 {
	switch {
	case l.Kind == "depthwise":
		return cost.Depthwise(l.OutH, l.OutW, l.Kernel, l.In)
	case l.Kernel == 1:
		return cost.Pointwise(l.OutH, l.OutW, l.In, l.Out)
	default:
		return cost.Standard(l.OutH, l.OutW, l.Kernel, l.In, l.Out)
	}
}

// MACs is the multiply-adds of one image's forward pass, counted from the layers' shapes (the
// paper's "FLOPS" are multiply-adds counted the same way): convolutions and dense layers,
// squeeze-and-excitation's included; batch norm, activations and pooling are left out, as
// usual. TestMACsMatchTheGraph checks it against gomlxext/cost.Model, which counts the built
// graph.
func (n Net) MACs() int64 {
	var total int64
	for _, l := range n.layers(false) {
		total += l.MACs()
	}
	return total
}
