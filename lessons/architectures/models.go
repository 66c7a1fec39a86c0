package architectures

import (
	"fmt"
	"slices"
	"time"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	G "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/layers"
	"github.com/gomlx/gomlx/pkg/ml/layers/activations"
	"github.com/gomlx/gomlx/pkg/ml/layers/batchnorm"
	"github.com/gomlx/gomlx/pkg/ml/train"
	"github.com/gomlx/gomlx/pkg/ml/train/losses"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers/cosineschedule"

	"github.com/dl4go/dl4go/data/mnist"
	"github.com/dl4go/dl4go/gomlxext"
	"github.com/dl4go/dl4go/gomlxext/cost"
	xlayers "github.com/dl4go/dl4go/gomlxext/layers"
	"github.com/dl4go/dl4go/plotting"
)

// Arch names one of the lesson's MNIST classifiers.
type Arch string

// The classifiers. All have four convolution blocks at 28×28, 14×14, 7×7 and 7×7 (DenseNet:
// a stem and two dense blocks), batch norm and ReLU after each convolution, then global
// average pooling and a dense layer to the ten digits.
const (
	// Standard is the plain CNN: four 3×3 convolutions (the second and third with stride 2).
	Standard Arch = "standard CNN"
	// MobileNet is MobileNet-mini: the same first convolution (one input channel leaves nothing
	// to separate), then three depthwise-separable blocks — a 3×3 depthwise convolution and a
	// 1×1 pointwise one — in place of the standard CNN's other three convolutions.
	MobileNet Arch = "MobileNet-mini"
	// DenseNet is a stem convolution, a dense block, a transition layer and a second dense block.
	DenseNet Arch = "DenseNet-mini"
	// MixConv is MobileNet-mini with MixConv (3×3, 5×5 and 7×7 kernels over thirds of the
	// channels) in place of each depthwise convolution.
	MixConv Arch = "MixConv-mini"
	// Depthwise5 is MobileNet-mini with 5×5 depthwise kernels: MixConv's single-size baseline of
	// about the same cost (25 taps per channel against MixConv's (9+25+49)/3 ≈ 28).
	Depthwise5 Arch = "MobileNet-mini 5×5"
)

// ClassifierConfig sizes the MNIST classifiers.
type ClassifierConfig struct {
	// Widths are the channels of the first three blocks (the fourth keeps the third's).
	Widths []int
	// Growth is DenseNet's growth rate k (channels each layer of a dense block adds), DenseLayers
	// the layers of each dense block.
	Growth, DenseLayers int
	Steps, Batch        int
	// LearningRate is Adam's at the start, decayed along a cosine to LearningRate/20 at Steps.
	LearningRate float64
	// BNMomentum is batch norm's moving-average momentum (GoMLX and Keras default to 0.99,
	// PyTorch to 0.9; a few hundred steps need 0.9 for the inference averages to catch up).
	BNMomentum float64
	// TrainSize is how many of MNIST's 60000 training images are used; TestSize how many of its
	// 10000 held-out test images score each model.
	TrainSize, TestSize int
	Seed                int64
}

// convBN is a k×k convolution (no bias), batch norm (moving-average momentum m) and ReLU:
// [batch, H, W, C] → [batch, H/stride, W/stride, ch].
func convBN(ctx *context.Context, x *G.Node, ch, k, stride int, m float64) *G.Node {
	y := layers.Convolution(ctx, x).Channels(ch).KernelSize(k).Strides(stride).PadSame().UseBias(false).Done()
	return bnReLU(ctx, y, m)
}

// bnReLU is batch norm (momentum m) and ReLU: same shape out.
func bnReLU(ctx *context.Context, x *G.Node, m float64) *G.Node {
	return activations.Relu(batchnorm.New(ctx, x, -1).Momentum(m).Done())
}

// separable is MobileNet's block: a k×k depthwise convolution (or MixConv over kernels), batch
// norm, ReLU, then a 1×1 pointwise convolution to ch channels, batch norm, ReLU:
// [batch, H, W, C] → [batch, H/stride, W/stride, ch].
func separable(ctx *context.Context, x *G.Node, ch, stride int, m float64, kernels ...int) *G.Node {
	var y *G.Node
	if len(kernels) == 1 {
		y = xlayers.DepthwiseConvolution(ctx.In("depthwise"), x).KernelSize(kernels[0]).Strides(stride).PadSame().UseBias(false).Done()
	} else {
		y = xlayers.MixConvolution(ctx.In("depthwise"), x).KernelSizes(kernels...).Strides(stride).UseBias(false).Done()
	}
	y = bnReLU(ctx.In("depthwise"), y, m)
	return convBN(ctx.In("pointwise"), y, ch, 1, 1, m)
}

// Classifier returns arch's network: images x [batch, 28, 28, 1] → logits [batch, 10].
func Classifier(arch Arch, cc ClassifierConfig) func(ctx *context.Context, x *G.Node) *G.Node {
	w := cc.Widths
	return func(ctx *context.Context, x *G.Node) *G.Node {
		var h *G.Node
		switch arch {
		case DenseNet:
			h = denseNet(ctx, x, cc)
		default:
			h = convBN(ctx.In("block1"), x, w[0], 3, 1, cc.BNMomentum) // [batch, 28, 28, w0]
			kernels := map[Arch][]int{MobileNet: {3}, MixConv: {3, 5, 7}, Depthwise5: {5}}[arch]
			for i, s := range []struct{ ch, stride int }{{w[1], 2}, {w[2], 2}, {w[2], 1}} { // 14×14, 7×7, 7×7
				scope := ctx.In(fmt.Sprintf("block%d", i+2))
				if arch == Standard {
					h = convBN(scope, h, s.ch, 3, s.stride, cc.BNMomentum)
				} else {
					h = separable(scope, h, s.ch, s.stride, cc.BNMomentum, kernels...)
				}
			}
		}
		return layers.DenseWithBias(ctx.In("classifier"), G.ReduceMean(h, 1, 2), 10) // GAP, then [C] → 10
	}
}

// denseNet is DenseNet-mini: a 3×3 stem convolution to 2k channels at 28×28, 2×2 max pooling,
// a dense block at 14×14, a transition layer (batch norm, ReLU, 1×1 convolution halving the
// channels, 2×2 average pooling) to 7×7, a second dense block, batch norm and ReLU:
// x [batch, 28, 28, 1] → [batch, 7, 7, DenseNetChannels(cc)[last]].
func denseNet(ctx *context.Context, x *G.Node, cc ClassifierConfig) *G.Node {
	h := convBN(ctx.In("stem"), x, 2*cc.Growth, 3, 1, cc.BNMomentum)
	h = G.MaxPool(h).Window(2).Done()
	h = denseBlock(ctx.In("dense1"), h, cc.Growth, cc.DenseLayers, cc.BNMomentum)
	h = transition(ctx.In("transition"), h, cc.BNMomentum)
	h = denseBlock(ctx.In("dense2"), h, cc.Growth, cc.DenseLayers, cc.BNMomentum)
	return bnReLU(ctx.In("final_bn"), h, cc.BNMomentum)
}

// denseBlock is DenseNet's dense block: each of n layers (batch norm, ReLU, 3×3 convolution to
// k channels) sees the concatenation of the block's input and every earlier layer's output, and
// its k new channels are concatenated to them: [batch, H, W, C] → [batch, H, W, C + n·k].
func denseBlock(ctx *context.Context, x *G.Node, k, n int, m float64) *G.Node {
	h := x
	for i := range n {
		scope := ctx.In(fmt.Sprintf("layer%d", i))
		y := bnReLU(scope, h, m)
		y = layers.Convolution(scope, y).Channels(k).KernelSize(3).PadSame().UseBias(false).Done()
		h = G.Concatenate([]*G.Node{h, y}, 3)
	}
	return h
}

// transition is DenseNet's transition layer: batch norm, ReLU, a 1×1 convolution to half the
// channels, 2×2 average pooling: [batch, H, W, C] → [batch, H/2, W/2, C/2].
func transition(ctx *context.Context, x *G.Node, m float64) *G.Node {
	c := x.Shape().Dimensions[3]
	y := bnReLU(ctx, x, m)
	y = layers.Convolution(ctx, y).Channels(c / 2).KernelSize(1).UseBias(false).Done()
	return G.MeanPool(y).Window(2).Done()
}

// DenseNetChannels is the channel count after each step of DenseNet-mini: the stem (2k), each
// layer of the first dense block (+k each), the transition (halved), each layer of the second.
func DenseNetChannels(cc ClassifierConfig) (names []string, channels []int) {
	c := 2 * cc.Growth
	names, channels = append(names, "stem"), append(channels, c)
	for b := range 2 {
		for i := range cc.DenseLayers {
			c += cc.Growth
			names, channels = append(names, fmt.Sprintf("dense%d.%d", b+1, i+1)), append(channels, c)
		}
		if b == 0 {
			c /= 2
			names, channels = append(names, "transition"), append(channels, c)
		}
	}
	return names, channels
}

// Trained is one trained classifier and what was measured of it.
type Trained struct {
	Arch Arch
	// Accuracy is the share of the held-out test images classified right.
	Accuracy float64
	// Params is the number of learned parameters, MultAdds the multiply-adds of one image's
	// forward pass counted from the built graph (gomlxext/cost), Cost its per-layer report.
	Params   int
	MultAdds int64
	Cost     cost.Report
	// StepMillis is the median wall time of a training step (batch Batch) in milliseconds, and
	// InferMillis that of classifying one batch of Batch images, measured after training.
	StepMillis, InferMillis float64
	// Loss is the training loss of each step this call ran.
	Loss []float64
}

// trainClassifier trains arch on MNIST's training images (resuming from dir's checkpoint) and
// scores it on the first cc.TestSize test images.
func trainClassifier(backend backends.Backend, arch Arch, cc ClassifierConfig, trainSet, testSet *mnist.Set, dir string, quiet bool) (*Trained, error) {
	net := Classifier(arch, cc)
	out := &Trained{Arch: arch}
	var err error
	counted := context.New() // holds exactly the model's variables
	if out.Cost, err = cost.Model(backend, counted, shapes.Make(dtypes.Float32, 1, 28, 28, 1), net); err != nil {
		return nil, fmt.Errorf("architectures: count %s: %w", arch, err)
	}
	out.MultAdds = out.Cost.Total()
	for v := range counted.IterVariables() {
		if v.Trainable {
			out.Params += v.Shape().Size()
		}
	}
	ctx := context.New()
	if err := ctx.SetRNGStateFromSeed(cc.Seed); err != nil {
		return nil, fmt.Errorf("architectures: %w", err)
	}
	model := func(ctx *context.Context, _ any, inputs []*G.Node) []*G.Node {
		x := inputs[0]
		if ctx.IsTraining(x.Graph()) { // cosine decay from LearningRate to LearningRate/20 over Steps
			cosineschedule.New(ctx, x.Graph(), dtypes.Float32).LearningRate(cc.LearningRate).
				MinLearningRate(cc.LearningRate / 20).PeriodInSteps(cc.Steps).Done()
		}
		return []*G.Node{net(ctx, G.Reshape(x, x.Shape().Dimensions[0], 28, 28, 1))}
	}
	trainer := train.NewTrainer(backend, ctx, model, losses.SparseCategoricalCrossEntropyLogits,
		optimizers.Adam().LearningRate(cc.LearningRate).Done(), nil, nil)
	opts := gomlxext.FitOptions{Steps: cc.Steps, CheckpointDir: dir}
	var live *plotting.Live
	if !quiet {
		live = plotting.NewLive(string(arch), cc.Steps, "loss")
		opts.Progress = live
	}
	res, err := gomlxext.Fit(trainer, subset(trainSet, cc.TrainSize).Dataset(cc.Batch).Shuffle(uint64(cc.Seed)).Infinite(), opts)
	if live != nil {
		live.Done()
	}
	if err != nil {
		return nil, fmt.Errorf("architectures: train %s: %w", arch, err)
	}
	for _, s := range res.History {
		out.Loss = append(out.Loss, s.Values["loss"])
	}
	out.StepMillis = float64(res.MedianStep.Microseconds()) / 1000
	predict, err := context.NewExec(backend, ctx.Reuse(), func(ctx *context.Context, x *G.Node) *G.Node {
		return G.ArgMax(net(ctx, G.Reshape(x, x.Shape().Dimensions[0], 28, 28, 1)), -1)
	})
	if err != nil {
		return nil, fmt.Errorf("architectures: %w", err)
	}
	right := 0
	var times []time.Duration
	for start := 0; start < cc.TestSize; start += cc.Batch {
		n := min(cc.Batch, cc.TestSize-start)
		images := tensors.FromFlatDataAndDimensions(testSet.Images[start*784:(start+n)*784], n, 28, 28)
		t0 := time.Now()
		res, err := predict.Exec(images)
		if err != nil {
			return nil, fmt.Errorf("architectures: classify with %s: %w", arch, err)
		}
		pred := tensors.MustCopyFlatData[int32](res[0])
		if n == cc.Batch && start > 0 { // the first call compiles
			times = append(times, time.Since(t0))
		}
		for i, p := range pred {
			if p == testSet.Labels[start+i] {
				right++
			}
		}
	}
	out.Accuracy = float64(right) / float64(cc.TestSize)
	out.InferMillis = float64(median(times).Microseconds()) / 1000
	return out, nil
}

// subset is the first n images of s (all of them when n ≤ 0 or n ≥ s.Len()).
func subset(s *mnist.Set, n int) *mnist.Set {
	if n <= 0 || n >= s.Len() {
		return s
	}
	return &mnist.Set{Split: s.Split, Images: s.Images[:n*784], Labels: s.Labels[:n]}
}

// median is the middle of ds (0 for none).
func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}
