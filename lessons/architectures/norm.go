package architectures

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/gomlx/gomlx/backends"
	G "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/layers"
	"github.com/gomlx/gomlx/pkg/ml/layers/activations"
	"github.com/gomlx/gomlx/pkg/ml/layers/batchnorm"
	"github.com/gomlx/gomlx/pkg/ml/train"
	"github.com/gomlx/gomlx/pkg/ml/train/losses"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"

	"github.com/dl4go/dl4go/data/mnist"
	"github.com/dl4go/dl4go/gomlxext"
	xlayers "github.com/dl4go/dl4go/gomlxext/layers"
	"github.com/dl4go/dl4go/plotting"
)

// Norm names a normalisation layer.
type Norm string

// The normalisations. For x [N, H, W, C] (N images of C channels, e.g. C = 3 for R, G, B):
const (
	// BatchNorm averages each channel over the batch and all positions (N, H, W): all the
	// batch's R planes together, all its G planes, all its B planes. Training uses the batch's
	// statistics, inference the moving averages collected in training.
	BatchNorm Norm = "BatchNorm"
	// LayerNorm averages each image over all its positions and channels (H, W, C).
	LayerNorm Norm = "LayerNorm"
	// InstanceNorm averages each channel of each image over its positions (H, W).
	InstanceNorm Norm = "InstanceNorm"
	// GroupNorm averages each group of channels of each image over its positions and the group's
	// channels (H, W, C/groups).
	GroupNorm Norm = "GroupNorm"
)

// Norms are the four normalisations; TrainedNorms the three the batch-size experiment trains.
var (
	Norms        = []Norm{BatchNorm, LayerNorm, InstanceNorm, GroupNorm}
	TrainedNorms = []Norm{BatchNorm, LayerNorm, GroupNorm}
)

// NormConfig sizes the normalisation experiment: the same small CNN trained with each of
// TrainedNorms at each batch size in Batches on the same number of training Examples (so
// Examples/batch steps: the small batch takes many more, smaller steps), its held-out accuracy
// measured at EvalPoints evenly spaced steps on TestSize test images.
type NormConfig struct {
	Batches              []int
	Examples, EvalPoints int
	LearningRate         float64
	// BNMomentum is batch norm's moving-average momentum (GoMLX and Keras default to 0.99,
	// PyTorch to 0.9; short runs need the faster 0.9 for the averages to catch up).
	BNMomentum          float64
	Groups              int // GroupNorm's groups (it must divide 8, 16 and 32)
	TrainSize, TestSize int
	Seed                int64
}

// steps is the training steps at batch size b, and the held-out accuracy's period.
func (nc NormConfig) steps(b int) (steps, every int) {
	steps = nc.Examples / b
	every = max(steps/nc.EvalPoints, 1)
	return every * (steps / every), every
}

// normalise applies norm to x [batch, H, W, C] (same shape out); momentum is batch norm's.
func normalise(ctx *context.Context, x *G.Node, norm Norm, groups int, momentum float64) *G.Node {
	switch norm {
	case BatchNorm:
		return batchnorm.New(ctx, x, -1).Momentum(momentum).Done()
	case LayerNorm:
		return layers.LayerNormalization(ctx, x, 1, 2, 3).Done()
	case InstanceNorm:
		return xlayers.InstanceNormalization(ctx, x).Done()
	default:
		return xlayers.GroupNormalization(ctx, x).Groups(groups).Done()
	}
}

// NormCNN is the normalisation experiment's CNN: three 3×3 convolutions (8, 16, 32 channels,
// no bias), each followed by norm and ReLU, 2×2 max pooling after the first two, global average
// pooling and a dense layer: x [batch, 28, 28, 1] → logits [batch, 10].
func NormCNN(norm Norm, groups int, momentum float64) func(ctx *context.Context, x *G.Node) *G.Node {
	return func(ctx *context.Context, x *G.Node) *G.Node {
		h := x
		for i, ch := range []int{8, 16, 32} {
			scope := ctx.In(fmt.Sprintf("block%d", i+1))
			h = layers.Convolution(scope, h).Channels(ch).KernelSize(3).PadSame().UseBias(false).Done()
			h = activations.Relu(normalise(scope.In("norm"), h, norm, groups, momentum))
			if i < 2 {
				h = G.MaxPool(h).Window(2).Done()
			}
		}
		return layers.DenseWithBias(ctx.In("classifier"), G.ReduceMean(h, 1, 2), 10)
	}
}

// Curve is a model's held-out accuracy during training.
type Curve struct {
	Steps    []int
	Accuracy []float64
}

// NormRun is one trained (norm, batch) model.
type NormRun struct {
	Norm  Norm
	Batch int
	Curve Curve
	// Final is the held-out accuracy at the end of training (the curve's last point).
	Final float64
	// For BatchNorm only: the held-out accuracy when the test images are normalised with the
	// statistics of their own test batch of 2 or of 64 (training-mode normalisation) instead of
	// the moving averages (inference mode, Final).
	BatchStats2, BatchStats64 float64
	// For BatchNorm only: the first layer's moving mean per channel (what inference uses), and
	// the per-channel means of one test batch of 2 and of 64 images at that layer.
	MovingMean, BatchMean2, BatchMean64 []float64
}

// evalProgress forwards training values to a live view and measures the held-out accuracy every
// `every` steps into the curve (which Fit saves with each checkpoint, so a resumed run keeps it).
type evalProgress struct {
	live  *plotting.Live
	every int
	eval  func() (float64, error)
	curve *Curve
	err   error
}

func (p *evalProgress) Update(step int, values map[string]float64) {
	if step%p.every == 0 && p.err == nil {
		acc, err := p.eval()
		if err != nil {
			p.err = err
		} else {
			p.curve.Steps, p.curve.Accuracy = append(p.curve.Steps, step), append(p.curve.Accuracy, acc)
			values["heldout acc"] = acc
		}
	}
	if p.live != nil {
		p.live.Update(step, values)
	}
}

// accuracy classifies the first n images of set in batches of size batch (the remainder is
// dropped, so that each graph has one shape) with the graph logits builds on ctx, and returns
// the share right.
func accuracy(backend backends.Backend, ctx *context.Context, logits func(ctx *context.Context, x *G.Node) *G.Node,
	set *mnist.Set, n, batch int) (float64, error) {
	exec, err := context.NewExec(backend, ctx, func(ctx *context.Context, x *G.Node) *G.Node {
		return G.ArgMax(logits(ctx, G.Reshape(x, batch, 28, 28, 1)), -1)
	})
	if err != nil {
		return 0, fmt.Errorf("architectures: %w", err)
	}
	right, total := 0, 0
	for start := 0; start+batch <= n; start += batch {
		res, err := exec.Exec(tensors.FromFlatDataAndDimensions(set.Images[start*784:(start+batch)*784], batch, 28, 28))
		if err != nil {
			return 0, fmt.Errorf("architectures: classify: %w", err)
		}
		for i, p := range tensors.MustCopyFlatData[int32](res[0]) {
			if p == set.Labels[start+i] {
				right++
			}
			total++
		}
	}
	return float64(right) / float64(total), nil
}

// trainNorm trains NormCNN(norm) at batch size batch, resuming from dir.
func trainNorm(backend backends.Backend, nc NormConfig, norm Norm, batch int, trainSet, testSet *mnist.Set, dir string, quiet bool) (*NormRun, error) {
	net := NormCNN(norm, nc.Groups, nc.BNMomentum)
	steps, every := nc.steps(batch)
	ctx := context.New()
	if err := ctx.SetRNGStateFromSeed(nc.Seed); err != nil {
		return nil, fmt.Errorf("architectures: %w", err)
	}
	model := func(ctx *context.Context, _ any, inputs []*G.Node) []*G.Node {
		x := inputs[0]
		return []*G.Node{net(ctx, G.Reshape(x, x.Shape().Dimensions[0], 28, 28, 1))}
	}
	trainer := train.NewTrainer(backend, ctx, model, losses.SparseCategoricalCrossEntropyLogits,
		optimizers.Adam().LearningRate(nc.LearningRate).Done(), nil, nil)
	out := &NormRun{Norm: norm, Batch: batch}
	const evalBatch = 100
	progress := &evalProgress{every: every, curve: &out.Curve, eval: func() (float64, error) {
		return accuracy(backend, ctx.Reuse(), net, testSet, nc.TestSize, evalBatch)
	}}
	if !quiet {
		progress.live = plotting.NewLive(fmt.Sprintf("%s, batch %d", norm, batch), steps, "loss", "heldout acc")
	}
	_, err := gomlxext.Fit(trainer, subset(trainSet, nc.TrainSize).Dataset(batch).Shuffle(uint64(nc.Seed)).Infinite(),
		gomlxext.FitOptions{Steps: steps, CheckpointDir: dir, Progress: progress, State: &out.Curve})
	if progress.live != nil {
		progress.live.Done()
	}
	if err == nil {
		err = progress.err
	}
	if err != nil {
		return nil, fmt.Errorf("architectures: train %s at batch %d: %w", norm, batch, err)
	}
	if len(out.Curve.Accuracy) == 0 || out.Curve.Steps[len(out.Curve.Steps)-1] != steps {
		return nil, fmt.Errorf("architectures: %s at batch %d: no held-out accuracy at the last step %d", norm, batch, steps)
	}
	out.Final = out.Curve.Accuracy[len(out.Curve.Accuracy)-1]
	if norm != BatchNorm {
		return out, nil
	}

	// Batch norm in training mode on the test images: each test batch normalised with its own
	// statistics. A clone of the context, so the moving averages of ctx stay as trained.
	trainMode := func(ctx *context.Context, x *G.Node) *G.Node {
		ctx.SetTraining(x.Graph(), true)
		return net(ctx, x)
	}
	for _, b := range []int{2, 64} {
		clone, err := ctx.Clone()
		if err != nil {
			return nil, fmt.Errorf("architectures: %w", err)
		}
		acc, err := accuracy(backend, clone.Reuse(), trainMode, testSet, nc.TestSize, b)
		if err != nil {
			return nil, err
		}
		if b == 2 {
			out.BatchStats2 = acc
		} else {
			out.BatchStats64 = acc
		}
	}
	// The first layer's pre-normalisation means: per channel, of one test batch of 2 and of 64.
	for v := range ctx.IterVariables() {
		if v.Name() == "mean" && v.Scope() == "/block1/norm/batch_normalization" {
			val, err := v.Value()
			if err != nil {
				return nil, fmt.Errorf("architectures: %w", err)
			}
			out.MovingMean = float64s(tensors.MustCopyFlatData[float32](val))
		}
	}
	for _, b := range []int{2, 64} {
		exec, err := context.NewExec(backend, ctx.Reuse(), func(ctx *context.Context, x *G.Node) *G.Node {
			h := layers.Convolution(ctx.In("block1"), G.Reshape(x, b, 28, 28, 1)).Channels(8).KernelSize(3).PadSame().UseBias(false).Done()
			return G.ReduceMean(h, 0, 1, 2)
		})
		if err != nil {
			return nil, fmt.Errorf("architectures: %w", err)
		}
		res, err := exec.Exec(tensors.FromFlatDataAndDimensions(testSet.Images[:b*784], b, 28, 28))
		if err != nil {
			return nil, fmt.Errorf("architectures: %w", err)
		}
		m := float64s(tensors.MustCopyFlatData[float32](res[0]))
		if b == 2 {
			out.BatchMean2 = m
		} else {
			out.BatchMean64 = m
		}
	}
	return out, nil
}

func float64s(v []float32) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = float64(x)
	}
	return out
}

// NormCheck is how well one normalisation's output is normalised over its own sets.
type NormCheck struct {
	Norm Norm
	// Sets is how many sets of values it normalises together, Size the values in each (for
	// x [N, H, W, C]: BatchNorm C sets of N·H·W, LayerNorm N of H·W·C, InstanceNorm N·C of H·W,
	// GroupNorm N·groups of H·W·C/groups).
	Sets, Size int
	// MaxMean and MaxVarError are the largest |mean| and |variance − 1| over those sets.
	MaxMean, MaxVarError float64
}

// normSet returns, for x [n, h, w, c] flattened, the set index of element (i, p, k) under norm.
func normSet(norm Norm, n, c, groups, i, k int) int {
	switch norm {
	case BatchNorm:
		return k
	case LayerNorm:
		return i
	case InstanceNorm:
		return i*c + k
	default:
		return i*groups + k/(c/groups)
	}
}

// CheckNorms normalises a random batch x [n, h, w, c] (channels with different means and scales,
// like the R, G and B planes of photos) with each of Norms in its training mode, the learned
// scale 1 and offset 0 as initialised, and measures mean and variance over each one's sets.
func CheckNorms(n, h, w, c, groups int, seed uint64) ([]NormCheck, error) {
	backend, err := gomlxext.Backend()
	if err != nil {
		return nil, fmt.Errorf("architectures: %w", err)
	}
	if groups < 1 || c%groups != 0 {
		return nil, fmt.Errorf("architectures: %d groups must divide %d channels", groups, c)
	}
	rng := rand.New(rand.NewPCG(seed, 7))
	xs := make([]float32, n*h*w*c)
	for i := range xs {
		k := i % c
		xs[i] = float32(rng.NormFloat64()*float64(1+k) + 0.5*float64(k))
	}
	x := tensors.FromFlatDataAndDimensions(xs, n, h, w, c)
	var out []NormCheck
	for _, norm := range Norms {
		y, err := context.ExecOnce(backend, context.New(), func(ctx *context.Context, x *G.Node) *G.Node {
			ctx.SetTraining(x.Graph(), true)
			return normalise(ctx, x, norm, groups, 0.99)
		}, x)
		if err != nil {
			return nil, fmt.Errorf("architectures: %s: %w", norm, err)
		}
		ys := tensors.MustCopyFlatData[float32](y)
		sets := map[Norm]int{BatchNorm: c, LayerNorm: n, InstanceNorm: n * c, GroupNorm: n * groups}[norm]
		sum, sq, count := make([]float64, sets), make([]float64, sets), make([]int, sets)
		for idx, v := range ys {
			i, k := idx/(h*w*c), idx%c
			s := normSet(norm, n, c, groups, i, k)
			sum[s] += float64(v)
			sq[s] += float64(v) * float64(v)
			count[s]++
		}
		chk := NormCheck{Norm: norm, Sets: sets, Size: count[0]}
		for s := range sets {
			mean := sum[s] / float64(count[s])
			chk.MaxMean = math.Max(chk.MaxMean, math.Abs(mean))
			chk.MaxVarError = math.Max(chk.MaxVarError, math.Abs(sq[s]/float64(count[s])-mean*mean-1))
		}
		out = append(out, chk)
	}
	return out, nil
}

// NormAxesPicture draws, for each normalisation, a batch of n images (rows) × c channels
// (columns; think R, G, B, …), each square one H×W plane: squares of one colour are normalised
// together (their mean and variance taken as one set).
func NormAxesPicture(n, c, groups int) (*plotting.Picture, error) {
	if groups < 1 || c%groups != 0 {
		return nil, fmt.Errorf("architectures: %d groups must divide %d channels", groups, c)
	}
	const cell, gap = 10, 3
	height, width := n*cell+(n+1)*gap, c*cell+(c+1)*gap
	var images [][]float32
	var captions []string
	for _, norm := range Norms {
		pix := make([]float32, height*width*3)
		for i := range pix {
			pix[i] = 1
		}
		for i := range n {
			for k := range c {
				r, g, b := setColour(normSet(norm, n, c, groups, i, k))
				for y := range cell {
					for x := range cell {
						p := ((gap+i*(cell+gap)+y)*width + gap + k*(cell+gap) + x) * 3
						pix[p], pix[p+1], pix[p+2] = r, g, b
					}
				}
			}
		}
		images = append(images, pix)
		captions = append(captions, string(norm))
	}
	return plotting.ImageGrid(images, height, width, plotting.PicCaptions(captions), plotting.GridCols(4), plotting.PicScale(4))
}

// setColour is a distinct colour for set s: hues a golden-ratio turn apart, so that
// neighbouring sets never look alike.
func setColour(s int) (r, g, b float32) {
	h := math.Mod(float64(s)*0.618034, 1) * 6
	x := 1 - math.Abs(math.Mod(h, 2)-1)
	var c [3]float64
	switch int(h) {
	case 0:
		c = [3]float64{1, x, 0}
	case 1:
		c = [3]float64{x, 1, 0}
	case 2:
		c = [3]float64{0, 1, x}
	case 3:
		c = [3]float64{0, x, 1}
	case 4:
		c = [3]float64{x, 0, 1}
	default:
		c = [3]float64{1, 0, x}
	}
	const sat, val = 0.65, 0.9 // softer than pure hues
	return float32(val * (1 - sat + sat*c[0])), float32(val * (1 - sat + sat*c[1])), float32(val * (1 - sat + sat*c[2]))
}
