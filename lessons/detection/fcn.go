package detection

import (
	"fmt"

	xlayers "github.com/dl4go/dl4go/gomlxext/layers"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	gshapes "github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/context/initializers"
	"github.com/gomlx/gomlx/pkg/ml/layers"

	"github.com/dl4go/dl4go/data/shapes"
)

// FCN is a fully convolutional segmentation network in the style of FCN-8s: three
// convolution (with batch normalization) + pooling stages bring a Size×Size image down to Size/8, a 1×1 convolution scores
// the NumLabels classes there, and three learned ×2 transposed convolutions bring the scores
// back to full resolution. With Skips, before each up-sampling the scores of the matching
// earlier pooling layer (Size/4, then Size/2) are added element-wise: the coarse deep scores know
// *what* is there, the early layers know *where* its outline runs (輪郭情報の補完).
type FCN struct {
	Skips    bool
	Channels []int // channels of the four 3×3 convolutions.
}

// upsample2 is a learned ×2 up-sampling of x [B, H, W, c] to [B, 2H, 2W, c]: a transposed
// convolution with kernel 4, stride 2, padding 1, initialised to bilinear interpolation (as in
// the FCN paper).
func upsample2(ctx *context.Context, x *Node) *Node {
	c := x.Shape().Dimensions[3]
	bilinear := func(g *Graph, _ gshapes.Shape) *Node { return Const(g, bilinearKernel(4, c)) }
	return xlayers.TransposedConvolution(ctx.WithInitializer(bilinear), x).
		Channels(c).KernelSize(4).Strides(2).Padding(1).UseBias(false).CurrentScope().Done()
}

// bilinearKernel is the k×k×c×c kernel [k, k, in, out] that, as a transposed convolution with
// stride k/2, up-samples each channel by bilinear interpolation.
func bilinearKernel(k, c int) *tensors.Tensor {
	f := float64((k + 1) / 2)
	centre := f - 1
	if k%2 == 0 {
		centre = f - 0.5
	}
	data := make([]float32, k*k*c*c)
	for a := 0; a < k; a++ {
		for b := 0; b < k; b++ {
			v := (1 - abs(float64(a)-centre)/f) * (1 - abs(float64(b)-centre)/f)
			for ch := 0; ch < c; ch++ {
				data[((a*k+b)*c+ch)*c+ch] = float32(v)
			}
		}
	}
	return tensors.FromFlatDataAndDimensions(data, k, k, c, c)
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

func score1x1(ctx *context.Context, x *Node) *Node {
	return layers.Convolution(ctx, x).Channels(NumLabels).KernelSize(1).Done()
}

// skipScore scores an earlier pooling layer for a skip addition. Its weights start at zero (as
// in the FCN paper), so the network starts as the one without skips and learns what the
// finer layer adds.
func skipScore(ctx *context.Context, x *Node) *Node {
	return score1x1(ctx.WithInitializer(initializers.Zero), x)
}

// Model is the FCN graph: images [batch, S, S, 3] (S a multiple of 8) → per-pixel class logits
// [batch, S, S, NumLabels] (0 background, 1+class).
func (m *FCN) Model(ctx *context.Context, images *Node) *Node {
	ctx = ctx.In("fcn")
	c := m.Channels
	p1 := pool2(convBNReLU(ctx.In("conv1"), images, c[0])) // S/2
	p2 := pool2(convBNReLU(ctx.In("conv2"), p1, c[1]))     // S/4
	p3 := pool2(convBNReLU(ctx.In("conv3"), p2, c[2]))     // S/8
	x := convBNReLU(ctx.In("conv4"), p3, c[3])
	s := score1x1(ctx.In("score8"), x) // [B, S/8, S/8, NumLabels]
	s = upsample2(ctx.In("up8"), s)    // S/4
	if m.Skips {
		s = Add(s, skipScore(ctx.In("score4"), p2))
	}
	s = upsample2(ctx.In("up4"), s) // S/2
	if m.Skips {
		s = Add(s, skipScore(ctx.In("score2"), p1))
	}
	return upsample2(ctx.In("up2"), s) // S
}

// SegLoss is the mean per-pixel cross entropy of logits [B, S, S, NumLabels] against the
// semantic targets labels[0] [B, S, S] (int32).
func SegLoss(labels, predictions []*Node) *Node {
	logits := predictions[0]
	ce := Neg(ReduceSum(Mul(LogSoftmax(logits), OneHot(labels[0], NumLabels, logits.DType())), -1))
	return ReduceAllMean(ce)
}

// segmenter compiles the inference graph of a trained FCN: the function it returns gives the
// predicted class of every pixel of samples, flat [len(samples), S, S].
func (m *FCN) segmenter(backend backends.Backend, ctx *context.Context) (func([]shapes.Sample) ([]int32, error), error) {
	exec, err := context.NewExec(backend, ctx.Reuse(), func(ctx *context.Context, images *Node) *Node {
		return ConvertDType(ArgMax(m.Model(ctx, images), -1), dtypes.Int32)
	})
	if err != nil {
		return nil, fmt.Errorf("FCN inference graph: %w", err)
	}
	return func(ss []shapes.Sample) ([]int32, error) {
		out, err := exec.Exec(imagesTensor(ss))
		if err != nil {
			return nil, fmt.Errorf("FCN inference: %w", err)
		}
		defer out[0].FinalizeAll()
		return tensors.CopyFlatData[int32](out[0])
	}, nil
}

// MeanIoU compares predicted and true per-pixel classes (same length, values 0..numClasses−1):
// per class IoU_c = TP/(TP+FP+FN) over all pixels, and mIoU, their mean over the classes that
// occur in either (background included, as in PASCAL VOC).
func MeanIoU(pred, truth []int32, numClasses int) (mIoU float64, perClass []float64) {
	tp, fp, fn := make([]int, numClasses), make([]int, numClasses), make([]int, numClasses)
	for i := range truth {
		p, t := pred[i], truth[i]
		if p == t {
			tp[t]++
		} else {
			fp[p]++
			fn[t]++
		}
	}
	perClass = make([]float64, numClasses)
	n := 0
	for c := range perClass {
		den := tp[c] + fp[c] + fn[c]
		if den == 0 {
			perClass[c] = -1
			continue
		}
		perClass[c] = float64(tp[c]) / float64(den)
		mIoU += perClass[c]
		n++
	}
	if n > 0 {
		mIoU /= float64(n)
	}
	return mIoU, perClass
}
