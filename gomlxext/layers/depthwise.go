package layers

import (
	"fmt"

	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // GoMLX graph-building style.
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors/images"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/context/initializers"
	"github.com/gomlx/gomlx/pkg/ml/layers/regularizers"
)

// DepthwiseConvBuilder configures a learned depthwise convolution; create it with
// DepthwiseConvolution, set its options, then call Done.
type DepthwiseConvBuilder struct {
	ctx                 *context.Context
	x                   *Node
	kernel              []int
	multiplier          int
	strides, dilations  []int
	padSame, bias       bool
	newScope            bool
	channelsAxis        images.ChannelsAxisConfig
	regularizer         regularizers.Regularizer
	numSpatial, channel int
}

// DepthwiseConvolution prepares a learned depthwise convolution of x [batch, <spatial...>, C]
// (MobileNet's depthwise step): every input channel is convolved with its own DepthMultiplier
// filters of size KernelSize, and no channel is mixed with another (mixing is the job of a
// following 1×1 "pointwise" convolution, GoMLX's layers.Convolution with KernelSize(1)).
//
//	y := xlayers.DepthwiseConvolution(ctx, x).KernelSize(3).Strides(1).PadSame().Done() // [batch, H, W, C]
//
// KernelSize must be set; DepthMultiplier defaults to 1, Strides and Dilations to 1, padding
// to none (as GoMLX's layers.Convolution: PadSame keeps the spatial size at stride 1), and a
// bias is added unless UseBias(false). The output has C·DepthMultiplier channels; output channel
// c·DepthMultiplier + j is filter j of input channel c. Its variables, "weights"
// [<kernel...>, 1, C·DepthMultiplier] (for ChannelsFirst [C·DepthMultiplier, 1, <kernel...>],
// GoMLX's grouped-kernel layout; initialised by ctx's initializer) and "biases"
// [C·DepthMultiplier], live in the scope "depthwise_conv" below ctx unless CurrentScope.
//
// It is one ConvGeneral with ChannelGroupCount = C. GoMLX v0.26.0's layers.Convolution has a
// ChannelGroupCount option but makes its kernel with all C input channels, so a grouped
// convolution through it fails the kernel shape check; this builder makes the grouped kernel.
// The multiply-adds are H'·W'·K·K·C·DepthMultiplier for an output of H'×W' (the report's
// H·W·K·K·C at multiplier 1 and "same" output size), counted by gomlxext/cost.
func DepthwiseConvolution(ctx *context.Context, x *Node) *DepthwiseConvBuilder {
	b := &DepthwiseConvBuilder{ctx: ctx, x: x, multiplier: 1, bias: true, newScope: true,
		regularizer: regularizers.FromContext(ctx), numSpatial: x.Rank() - 2}
	return b.ChannelsAxis(images.ChannelsLast)
}

// KernelSize sets the same kernel size on every spatial axis (required, or KernelSizePerAxis).
func (b *DepthwiseConvBuilder) KernelSize(k int) *DepthwiseConvBuilder {
	b.kernel = make([]int, max(b.numSpatial, 0))
	for i := range b.kernel {
		b.kernel[i] = k
	}
	return b
}

// KernelSizePerAxis sets the kernel size of each spatial axis.
func (b *DepthwiseConvBuilder) KernelSizePerAxis(sizes ...int) *DepthwiseConvBuilder {
	b.kernel = sizes
	return b
}

// DepthMultiplier sets the number of filters per input channel (default 1).
func (b *DepthwiseConvBuilder) DepthMultiplier(m int) *DepthwiseConvBuilder {
	b.multiplier = m
	return b
}

// Strides sets the same stride on every spatial axis (default 1).
func (b *DepthwiseConvBuilder) Strides(s int) *DepthwiseConvBuilder {
	b.strides = nil
	for range max(b.numSpatial, 0) {
		b.strides = append(b.strides, s)
	}
	return b
}

// StridePerAxis sets the stride of each spatial axis.
func (b *DepthwiseConvBuilder) StridePerAxis(strides ...int) *DepthwiseConvBuilder {
	b.strides = strides
	return b
}

// Dilations sets the same kernel dilation on every spatial axis (default 1). As with GoMLX's
// convolution, strides and dilations cannot both differ from 1.
func (b *DepthwiseConvBuilder) Dilations(d int) *DepthwiseConvBuilder {
	b.dilations = nil
	for range max(b.numSpatial, 0) {
		b.dilations = append(b.dilations, d)
	}
	return b
}

// PadSame pads the input so that at stride 1 the output keeps its spatial size.
func (b *DepthwiseConvBuilder) PadSame() *DepthwiseConvBuilder {
	b.padSame = true
	return b
}

// NoPadding uses only positions where the whole kernel fits (the default).
func (b *DepthwiseConvBuilder) NoPadding() *DepthwiseConvBuilder {
	b.padSame = false
	return b
}

// UseBias sets whether a learned bias is added per output channel (default true; a batch norm
// after the layer makes it redundant).
func (b *DepthwiseConvBuilder) UseBias(use bool) *DepthwiseConvBuilder {
	b.bias = use
	return b
}

// ChannelsAxis sets where the channels are: images.ChannelsLast (default,
// [batch, <spatial...>, C]) or images.ChannelsFirst ([batch, C, <spatial...>]).
func (b *DepthwiseConvBuilder) ChannelsAxis(config images.ChannelsAxisConfig) *DepthwiseConvBuilder {
	b.channelsAxis = config
	b.channel = -1
	if b.x.Rank() >= 3 {
		b.channel = images.GetChannelsAxis(b.x.Shape(), config)
	}
	return b
}

// Regularizer sets the regularizer of the weights (default regularizers.FromContext(ctx)).
func (b *DepthwiseConvBuilder) Regularizer(r regularizers.Regularizer) *DepthwiseConvBuilder {
	b.regularizer = r
	return b
}

// CurrentScope makes the layer's variables live in ctx's own scope instead of a new
// "depthwise_conv" scope below it.
func (b *DepthwiseConvBuilder) CurrentScope() *DepthwiseConvBuilder {
	b.newScope = false
	return b
}

// Done builds the layer: [batch, <output spatial...>, C·DepthMultiplier] (channels where x has
// them), the spatial sizes as for any convolution with these kernel, strides, dilations and
// padding.
func (b *DepthwiseConvBuilder) Done() *Node {
	x := b.x
	if b.numSpatial < 1 || len(b.kernel) != b.numSpatial || b.multiplier < 1 {
		panic(fmt.Sprintf("layers.DepthwiseConvolution: x must be [batch, <spatial...>, channels] with at least one "+
			"spatial axis, KernelSize must be set for each of them and DepthMultiplier ≥ 1: got x %s, "+
			"KernelSize %v, DepthMultiplier %d", x.Shape(), b.kernel, b.multiplier))
	}
	for _, k := range b.kernel {
		if k < 1 {
			panic(fmt.Sprintf("layers.DepthwiseConvolution: kernel sizes must be ≥ 1, got %v", b.kernel))
		}
	}
	ctx := b.ctx
	if b.newScope {
		ctx = ctx.In("depthwise_conv")
	}
	c := x.Shape().Dimensions[b.channel]
	out := c * b.multiplier
	var dims []int
	if b.channelsAxis == images.ChannelsFirst {
		dims = append([]int{out, 1}, b.kernel...)
	} else {
		dims = append(append(append([]int{}, b.kernel...), 1), out)
	}
	weights := ctx.VariableWithShape("weights", shapes.Make(x.DType(), dims...))
	if b.regularizer != nil {
		b.regularizer(ctx, x.Graph(), weights)
	}
	conv := Convolve(x, weights.ValueGraph(x.Graph())).ChannelsAxis(b.channelsAxis).ChannelGroupCount(c)
	if b.strides != nil {
		conv.StridePerAxis(b.strides...)
	}
	if b.dilations != nil {
		conv.DilationPerAxis(b.dilations...)
	}
	if b.padSame {
		conv.PadSame()
	} else {
		conv.NoPadding()
	}
	y := conv.Done()
	if b.bias {
		bias := ctx.WithInitializer(initializers.Zero).VariableWithShape("biases", shapes.Make(x.DType(), out)).ValueGraph(x.Graph())
		bdims := make([]int, y.Rank())
		for i := range bdims {
			bdims[i] = 1
		}
		bdims[b.channel] = out
		y = Add(y, Reshape(bias, bdims...))
	}
	return y
}
