package dcgan

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/dl4go/dl4go/data/mnist"
	"github.com/dl4go/dl4go/gomlxext"
	"github.com/dl4go/dl4go/lessons"
	"github.com/dl4go/dl4go/plotting"
	"github.com/gomlx/gomlx/backends"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/layers"
	"github.com/gomlx/gomlx/pkg/ml/layers/activations"
	"github.com/gomlx/gomlx/pkg/ml/train"
	"github.com/gomlx/gomlx/pkg/ml/train/losses"
	"github.com/gomlx/gomlx/pkg/ml/train/metrics"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"
)

// JudgeConfig sizes the MNIST classifier that judges generated digits. The judge is a run of its
// own (Lesson.Open keys it by these settings alone), so every GAN configuration, and lesson 16,
// shares one trained judge.
type JudgeConfig struct {
	lessons.Options `json:"-"`

	Steps int // training steps (batches).
	Batch int
	Seed  uint64
	// TestImages is how many MNIST test images measure the judge's accuracy (0: all 10000).
	TestImages int
}

// FullJudge trains the judge for 6.4 passes over MNIST: 98.92% test accuracy, confident (top
// probability ≥ 0.9) on 98.1% of the real test digits and on 0.2% of uniform-noise images. (Why
// this long: docs/experiments/dcgan.md.)
func FullJudge() JudgeConfig { return JudgeConfig{Steps: 6000, Batch: 64, Seed: 1} }

// QuickJudge trains it briefly (≈ 97.5%) and tests it on 2000 images, for the quick size.
func QuickJudge() JudgeConfig {
	return JudgeConfig{Steps: 500, Batch: 64, Seed: 1, TestImages: 2000}
}

// Judge is an MNIST classifier (a small CNN: two 3×3 conv + max-pool blocks and a 128-unit
// hidden layer) used to judge generated digits: a sample is "confident" when the judge gives some
// digit a probability of at least MinProb (Config.MinProb). Conditional GAN (lesson 16) reuses it.
type Judge struct {
	// Accuracy is the judge's accuracy on the MNIST test images, and RealConfident the fraction of
	// them it is confident about (top probability ≥ MinProb): the most a generator that drew
	// perfect MNIST digits could score.
	Accuracy, RealConfident float64
	// NoiseConfident is the fraction of NoiseImages images of uniform noise it is confident about:
	// a judge that took noise for digits would make any generator look good.
	NoiseConfident float64
	// MinProb is the top probability from which the judge counts an image as a confident digit.
	MinProb float64
	ctx     *context.Context
	probs   *context.Exec
}

// JudgeModel is the judge's network: images [batch, 28, 28] in [0, 1] → logits [batch, 10].
func JudgeModel(ctx *context.Context, images *Node) *Node {
	d := images.Shape().Dimensions
	x := Reshape(images, d[0], 28, 28, 1)
	for i, ch := range []int{16, 32} {
		x = layers.Convolution(ctx.In(fmt.Sprintf("conv%d", i+1)), x).Channels(ch).KernelSize(3).PadSame().Strides(1).Done()
		x = activations.Relu(x)
		x = MaxPool(x).Window(2).Done()
	}
	x = Reshape(x, d[0], -1)
	x = activations.Relu(layers.DenseWithBias(ctx.In("hidden"), x, 128))
	return layers.DenseWithBias(ctx.In("logits"), x, mnist.NumClasses)
}

// NewJudge returns the judge of cfg, measured on the MNIST test set and on noise: trained in its
// run's folder (see Lesson.Open; with the live training view unless cfg.Quiet), or restored from
// there once trained. minProb is the top probability from which it counts a digit as confident.
func NewJudge(cfg JudgeConfig, minProb float64) (*Judge, error) {
	backend, err := gomlxext.Backend()
	if err != nil {
		return nil, fmt.Errorf("dcgan: judge: %w", err)
	}
	return newJudge(backend, cfg, minProb)
}

func newJudge(backend backends.Backend, cfg JudgeConfig, minProb float64) (*Judge, error) {
	run, err := Lesson.Open(cfg)
	if err != nil {
		return nil, fmt.Errorf("dcgan: judge: %w", err)
	}
	dir, err := run.Part("judge")
	if err != nil {
		return nil, fmt.Errorf("dcgan: judge: %w", err)
	}
	trainSet, err := mnist.Load(mnist.Train)
	if err != nil {
		return nil, fmt.Errorf("dcgan: judge: %w", err)
	}
	testSet, err := mnist.Load(mnist.Test)
	if err != nil {
		return nil, fmt.Errorf("dcgan: judge: %w", err)
	}
	ctx := context.New()
	ctx.SetParam(context.ParamInitialSeed, int64(cfg.Seed))
	model := func(ctx *context.Context, _ any, inputs []*Node) []*Node {
		return []*Node{JudgeModel(ctx, inputs[0])}
	}
	trainer := train.NewTrainer(backend, ctx, model, losses.SparseCategoricalCrossEntropyLogits,
		optimizers.Adam().LearningRate(1e-3).Done(),
		[]metrics.Interface{metrics.NewMovingAverageSparseCategoricalAccuracy("accuracy", "~acc", 0.01)}, nil)
	ds := trainSet.Dataset(cfg.Batch).Shuffle(cfg.Seed).Infinite()
	opts := gomlxext.FitOptions{Steps: cfg.Steps, CheckpointDir: dir}
	var live *plotting.Live
	if !run.Quiet {
		live = plotting.NewLive("judge: MNIST classifier", cfg.Steps, "loss")
		opts.Progress = live
	}
	_, err = gomlxext.Fit(trainer, ds, opts)
	if live != nil {
		live.Done()
	}
	if err != nil {
		return nil, fmt.Errorf("dcgan: train judge: %w", err)
	}
	j := &Judge{ctx: ctx, MinProb: minProb}
	j.probs, err = context.NewExec(backend, ctx.Reuse(), func(ctx *context.Context, images *Node) *Node {
		return Softmax(JudgeModel(ctx, images), -1)
	})
	if err != nil {
		return nil, fmt.Errorf("dcgan: judge: %w", err)
	}
	nTest := testSet.Len()
	if cfg.TestImages > 0 && cfg.TestImages < nTest {
		nTest = cfg.TestImages
	}
	if err := j.scoreTest(testSet, nTest); err != nil {
		return nil, err
	}
	if err := j.scoreNoise(); err != nil {
		return nil, err
	}
	return j, nil
}

// scoreTest measures Accuracy and RealConfident on the first n images of the MNIST test set.
func (j *Judge) scoreTest(testSet *mnist.Set, n int) error {
	s, err := j.Score(testSet.Images[:n*28*28])
	if err != nil {
		return err
	}
	correct := 0
	for i, label := range testSet.Labels[:n] {
		if s.Labels[i] == int(label) {
			correct++
		}
	}
	j.Accuracy, j.RealConfident = float64(correct)/float64(n), s.Confident
	return nil
}

// NoiseImages is the number of uniform-noise images the judge is tried on (Judge.NoiseConfident).
const NoiseImages = 1000

// scoreNoise measures NoiseConfident on NoiseImages images whose pixels are drawn uniformly from
// [0, 1] with a fixed seed.
func (j *Judge) scoreNoise() error {
	rng := rand.New(rand.NewPCG(3, 3))
	images := make([]float32, NoiseImages*28*28)
	for i := range images {
		images[i] = rng.Float32()
	}
	s, err := j.Score(images)
	if err != nil {
		return err
	}
	j.NoiseConfident = s.Confident
	return nil
}

// Probabilities returns the judge's class probabilities [n, 10] (flat) for images [n, 28, 28]
// (flat, values in [0, 1], 0 the background).
func (j *Judge) Probabilities(images []float32) ([]float32, error) {
	const chunk = 500
	n := len(images) / (28 * 28)
	if n*28*28 != len(images) {
		return nil, fmt.Errorf("dcgan: judge: %d values are not [n, 28, 28] images", len(images))
	}
	out := make([]float32, 0, n*10)
	for start := 0; start < n; start += chunk {
		end := min(start+chunk, n)
		t := tensors.FromFlatDataAndDimensions(images[start*784:end*784], end-start, 28, 28)
		res, err := j.probs.Exec(t)
		if err != nil {
			return nil, fmt.Errorf("dcgan: judge: %w", err)
		}
		p, err := tensors.CopyFlatData[float32](res[0])
		if err != nil {
			return nil, fmt.Errorf("dcgan: judge: %w", err)
		}
		out = append(out, p...)
	}
	return out, nil
}

// Score summarises the judge's verdict on a set of generated images.
type Score struct {
	N         int
	MinProb   float64     // the confidence threshold.
	Confident float64     // fraction of images whose top class has probability ≥ MinProb.
	Share     [10]float64 // fraction of the confident images given to each digit.
	Labels    []int       // top class of each image.
	TopProb   []float64   // its probability.
}

// MinShare is the smallest digit share among confident images (0 if a digit never appears: mode
// collapse).
func (s Score) MinShare() float64 {
	m := math.Inf(1)
	for _, v := range s.Share {
		m = math.Min(m, v)
	}
	return m
}

// Score classifies images [n, 28, 28] (flat, in [0, 1]) and summarises the result, counting as
// confident the images whose top class has a probability of at least j.MinProb.
func (j *Judge) Score(images []float32) (Score, error) {
	minProb := j.MinProb
	p, err := j.Probabilities(images)
	if err != nil {
		return Score{}, err
	}
	n := len(p) / 10
	s := Score{N: n, MinProb: minProb, Labels: make([]int, n), TopProb: make([]float64, n)}
	confident := 0
	for i := range n {
		row := p[i*10 : (i+1)*10]
		k := argmax(row)
		s.Labels[i], s.TopProb[i] = k, float64(row[k])
		if s.TopProb[i] >= minProb {
			confident++
			s.Share[k]++
		}
	}
	if n > 0 {
		s.Confident = float64(confident) / float64(n)
	}
	if confident > 0 {
		for k := range s.Share {
			s.Share[k] /= float64(confident)
		}
	}
	return s, nil
}

func argmax(v []float32) int {
	best := 0
	for i := range v {
		if v[i] > v[best] {
			best = i
		}
	}
	return best
}
