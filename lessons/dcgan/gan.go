package dcgan

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"

	"github.com/dl4go/dl4go/gomlxext"

	"github.com/gomlx/gomlx/backends"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"
)

// gan holds the two players in one context and the compiled steps of the game.
type gan struct {
	cfg Config
	ctx *context.Context
	// generate is G(z) with batch statistics (training mode): the fake batch of the D step.
	generate *context.Exec
	// sample is G(z) with the moving averages of batch norm (inference mode): pictures and judging.
	sample *context.Exec
	// dStep and gStep are the report's update_discriminator and update_generator, one graph each
	// (the saturation experiment runs D's; TestIterationIsTheSteps checks iterate against them).
	dStep, gStep *context.Exec
	// iterate is one whole iteration in one graph, what training runs: G(z₁) for D's fakes,
	// update_discriminator, update_generator on z₂ and, with Config.EMA, the average's update —
	// the same computation as generate, dStep, gStep and emaStep one after the other, built so
	// that the engine can run the parts of the two steps that do not wait for each other (G's
	// forward pass on z₂ and D's step) at the same time.
	iterate *context.Exec
	// probe measures both generator losses' gradients without updating anything but batch-norm
	// averages.
	probe *context.Exec
	// With Config.EMA > 0: emaStep updates the moving average of G's weights after a G step
	// (taking the number of earlier updates), and emaGenerate is G(z) with the averaged weights
	// (batch statistics, like generate); nil otherwise.
	emaStep, emaGenerate *context.Exec
}

// emaScope is the scope of the averaged generator's weights: "/ema/generator/...".
const emaScope = "ema"

func newGAN(backend backends.Backend, cfg Config) (*gan, error) {
	g := &gan{cfg: cfg, ctx: context.New()}
	g.ctx.SetParam(context.ParamInitialSeed, int64(cfg.Seed))
	ctx := g.ctx.Checked(false)
	beta2 := cfg.Beta2
	if beta2 == 0 {
		beta2 = 0.999
	}
	dOpt := optimizers.Adam().LearningRate(cfg.dLearningRate()).Betas(cfg.Beta1, beta2).Scope("adam_discriminator").Done()
	gOpt := optimizers.Adam().LearningRate(cfg.LearningRate).Betas(cfg.Beta1, beta2).Scope("adam_generator").Done()
	var err error
	mk := func(name string, fn any) *context.Exec {
		if err != nil {
			return nil
		}
		var e *context.Exec
		e, err = context.NewExecAny(backend, ctx, fn)
		if err != nil {
			err = fmt.Errorf("dcgan: compile %s: %w", name, err)
		}
		return e
	}
	// Every step takes its tensors in a fixed order, the labels (conditional GANs only) last:
	// generate and sample (z, [labels]), update_discriminator (real, fake, [real labels, fake
	// labels]), update_generator and probe (z, [labels]).
	g.generate = mk("generate", func(ctx *context.Context, in []*Node) *Node {
		ctx.SetTraining(in[0].Graph(), true)
		return Generator(ctx, cfg, in[0], labelsIn(in, 1))
	})
	g.sample = mk("sample", func(ctx *context.Context, in []*Node) *Node {
		return Generator(ctx, cfg, in[0], labelsIn(in, 1))
	})
	g.dStep = mk("update_discriminator", func(ctx *context.Context, in []*Node) []*Node {
		ctx.SetTraining(in[0].Graph(), true)
		return updateDiscriminator(ctx, cfg, dOpt, in[0], in[1], labelsIn(in, 2), labelsIn(in, 3))
	})
	g.gStep = mk("update_generator", func(ctx *context.Context, in []*Node) []*Node {
		ctx.SetTraining(in[0].Graph(), true)
		return updateGenerator(ctx, cfg, gOpt, in[0], labelsIn(in, 1))
	})
	g.iterate = mk("iteration", func(ctx *context.Context, in []*Node) []*Node {
		ctx.SetTraining(in[0].Graph(), true)
		return iteration(ctx, cfg, dOpt, gOpt, in)
	})
	g.probe = mk("probe", func(ctx *context.Context, in []*Node) []*Node {
		ctx.SetTraining(in[0].Graph(), true)
		return probeGradients(ctx, cfg, in[0], labelsIn(in, 1))
	})
	if cfg.EMA > 0 {
		g.emaStep = mk("ema_update", func(ctx *context.Context, step *Node) *Node {
			return gomlxext.UpdateEMA(ctx, step, GeneratorScope, emaScope, cfg.EMA)
		})
		g.emaGenerate = mk("ema_generate", func(ctx *context.Context, in []*Node) *Node {
			ctx.SetTraining(in[0].Graph(), true)
			return Generator(ctx.InAbsPath("/"+emaScope), cfg, in[0], labelsIn(in, 1))
		})
	}
	return g, err
}

// sampler returns the generator that draws the fixed grid and the judged samples: the averaged
// one when Config.EMA is set, else G in inference mode (grid) or with its batch's statistics
// (judged samples, see sampleMany).
func (g *gan) sampler(judged bool) *context.Exec {
	switch {
	case g.emaGenerate != nil:
		return g.emaGenerate
	case judged:
		return g.generate
	}
	return g.sample
}

// labelsIn returns in[i] reshaped to [batch] (MNIST's labels are [batch, 1]), or nil when the
// step has no labels (an unconditional GAN).
func labelsIn(in []*Node, i int) *Node {
	if i >= len(in) {
		return nil
	}
	return Reshape(in[i], in[i].Shape().Dimensions[0])
}

// toSigned maps MNIST pixels [batch, 28, 28] in [0, 1] to the generator's range: [batch, 28, 28, 1]
// in [−1, 1] (the range of tanh).
func toSigned(x *Node) *Node {
	d := x.Shape().Dimensions
	return Reshape(AddScalar(MulScalar(x, 2), -1), d[0], d[1], d[2], 1)
}

// updateDiscriminator is one gradient-ascent step of D on V(D, G) = E[log D(x)] + E[log(1 − D(G(z)))],
// written, as in the report, as minimising the binary cross-entropy of real images (label 1) plus
// that of fake images (label 0). real is [batch, 28, 28] in [0, 1]; fake is [batch, 28, 28, 1] in
// [−1, 1], made by G outside this step, so only D's variables are in this graph and updated.
// realLabels and fakeLabels ([batch] int32) are the digits the real images show and the fake ones
// were asked to show, for a conditional GAN (nil otherwise): D then judges (image, digit) pairs.
// Returns the D loss, the mean D(x) and the mean D(G(z)) (scalars).
func updateDiscriminator(ctx *context.Context, cfg Config, opt optimizers.Interface, real, fake, realLabels, fakeLabels *Node) []*Node {
	realLogits := Discriminator(ctx, cfg, toSigned(real), realLabels) // [batch]
	fakeLogits := Discriminator(ctx, cfg, fake, fakeLabels)           // [batch]
	// BCE(1, σ(a)) = −log σ(a) = softplus(−a); BCE(0, σ(a)) = −log(1 − σ(a)) = softplus(a).
	realLoss := ReduceAllMean(Softplus(Neg(realLogits)))
	fakeLoss := ReduceAllMean(Softplus(fakeLogits))
	loss := Add(realLoss, fakeLoss)
	scheduleLearningRate(ctx, cfg, loss, cfg.dLearningRate())
	opt.UpdateGraph(ctx, loss.Graph(), loss)
	return []*Node{loss, ReduceAllMean(Sigmoid(realLogits)), ReduceAllMean(Sigmoid(fakeLogits))}
}

// updateGenerator is one step of G with the non-saturating loss: the fake images are given label 1,
// so G minimises BCE(1, D(G(z))) = −log D(G(z)) (i.e. maximises log D(G(z))) instead of minimising
// log(1 − D(G(z))). D's variables are in this graph (the gradient flows through D into G) but are
// frozen: only G's variables are updated. z is [batch, ZDim]; labels [batch] int32 the digits G is
// asked for (a conditional GAN; nil otherwise), which D is told too. Returns the G loss and the
// mean D(G(z)) (scalars).
func updateGenerator(ctx *context.Context, cfg Config, opt optimizers.Interface, z, labels *Node) []*Node {
	logits := Discriminator(ctx, cfg, Generator(ctx, cfg, z, labels), labels)
	loss := ReduceAllMean(Softplus(Neg(logits)))
	scheduleLearningRate(ctx, cfg, loss, cfg.LearningRate)
	restore := gomlxext.Freeze(ctx, DiscriminatorScope)
	opt.UpdateGraph(ctx, loss.Graph(), loss)
	restore()
	return []*Node{loss, ReduceAllMean(Sigmoid(logits))}
}

// iteration builds one iteration of the game in one graph (gan.iterate). in holds, in this
// order: the real images [batch, 28, 28] in [0, 1], D's noise z₁ and G's noise z₂ [batch, ZDim];
// for a conditional GAN the real images' digits, the digits asked of z₁ and of z₂ ([batch, 1]
// int32 each); with Config.EMA the iteration's index (a float32 scalar, the average's warm-up).
// G's fakes for D are made with G frozen and their gradient stopped, so that D's update is the
// one of updateDiscriminator on fakes made outside its graph; the G step then reads D's updated
// weights (as values, their gradient stopped), as when it runs after D's step. Returns D's loss,
// mean D(x) and mean D(G(z₁)), then G's loss and mean D(G(z₂)) (scalars).
func iteration(ctx *context.Context, cfg Config, dOpt, gOpt optimizers.Interface, in []*Node) []*Node {
	real, z1, z2 := in[0], in[1], in[2]
	var realLabels, fakeLabels, gLabels *Node
	next := 3
	if cfg.Condition.Conditional() {
		realLabels, fakeLabels, gLabels = labelsIn(in, 3), labelsIn(in, 4), labelsIn(in, 5)
		next = 6
	}
	fake := StopGradient(Generator(ctx, cfg, z1, fakeLabels))
	restore := gomlxext.Freeze(ctx, GeneratorScope)
	out := updateDiscriminator(ctx, cfg, dOpt, real, fake, realLabels, fakeLabels)
	restore()
	// G's step reads D's updated weights as values: no gradient flows back into D's update (which
	// depends on the fakes only through the stopped gradient, and whose batch-norm gradient has
	// no gradient of its own).
	prefix := "/" + DiscriminatorScope
	for v := range ctx.IterVariables() {
		if s := v.Scope(); (s == prefix || strings.HasPrefix(s, prefix+"/")) && v.InUseByGraph(real.Graph()) {
			v.SetValueGraph(StopGradient(v.ValueGraph(real.Graph())))
		}
	}
	out = append(out, updateGenerator(ctx, cfg, gOpt, z2, gLabels)...)
	if cfg.EMA > 0 {
		gomlxext.UpdateEMA(ctx, in[next], GeneratorScope, emaScope, cfg.EMA)
	}
	return out
}

// dLearningRate is D's learning rate: Config.DLearningRate, or LearningRate when that is unset.
func (c Config) dLearningRate() float64 {
	if c.DLearningRate > 0 {
		return c.DLearningRate
	}
	return c.LearningRate
}

// scheduleLearningRate sets, in the graph of loss (a player's step), the learning rate its
// optimizer reads: base, falling linearly to 0 over the last cfg.DecaySteps iterations. Both
// players' Adam read one variable (optimizers.LearningRateVar), holding the rate they were built
// with; a step with TTUR (cfg.DLearningRate) or a decay sets it to its own player's value before
// its update. The iteration is half the global step, which the D step and the G step each
// increment once (both read it before their increment). With neither, it does nothing.
func scheduleLearningRate(ctx *context.Context, cfg Config, loss *Node, base float64) {
	if cfg.DLearningRate <= 0 && cfg.DecaySteps <= 0 {
		return
	}
	g, dtype := loss.Graph(), loss.DType()
	rate := Scalar(g, dtype, base)
	if cfg.DecaySteps > 0 {
		step := ConvertDType(optimizers.GetGlobalStepVar(ctx).ValueGraph(g), dtype)
		it := Floor(DivScalar(step, 2))
		left := DivScalar(Sub(Scalar(g, dtype, cfg.Steps), it), float64(cfg.DecaySteps))
		rate = Mul(rate, ClipScalar(left, 0, 1))
	}
	optimizers.LearningRateVar(ctx, dtype, base).SetValueGraph(rate)
}

// probeGradients returns, for the batch z [batch, ZDim], the global L2 norm of the gradient over all
// of G's weights of the non-saturating loss −mean log D(G(z)) and of the saturating (original
// minimax) loss mean log(1 − D(G(z))), and the mean D(G(z)) (three scalars). labels as in
// updateGenerator.
func probeGradients(ctx *context.Context, cfg Config, z, labels *Node) []*Node {
	logits := Discriminator(ctx, cfg, Generator(ctx, cfg, z, labels), labels)
	nonSat := ReduceAllMean(Softplus(Neg(logits))) // −log σ(a)
	sat := ReduceAllMean(Neg(Softplus(logits)))    // log(1 − σ(a))
	var vars []*Node
	for v := range ctx.IterVariables() {
		if v.Trainable && v.InUseByGraph(z.Graph()) && strings.HasPrefix(v.Scope(), "/"+GeneratorScope) {
			vars = append(vars, v.ValueGraph(z.Graph()))
		}
	}
	norm := func(grads []*Node) *Node {
		var sum *Node
		for _, gr := range grads {
			s := ReduceAllSum(Square(gr))
			if sum == nil {
				sum = s
			} else {
				sum = Add(sum, s)
			}
		}
		return Sqrt(sum)
	}
	return []*Node{norm(Gradient(nonSat, vars...)), norm(Gradient(sat, vars...)), ReduceAllMean(Sigmoid(logits))}
}

// noise returns n noise vectors z ~ N(0, I), [n, ZDim], drawn from a stream fixed by (seed, stream).
func noise(seed, stream uint64, n, zDim int) []float32 {
	rng := rand.New(rand.NewPCG(seed, stream))
	z := make([]float32, n*zDim)
	for i := range z {
		z[i] = float32(rng.NormFloat64())
	}
	return z
}

// drawLabels returns n digits drawn uniformly from a stream fixed by (seed, stream): the digits a
// conditional G is asked for in training.
func drawLabels(seed, stream uint64, n int) []int32 {
	rng := rand.New(rand.NewPCG(seed, stream))
	y := make([]int32, n)
	for i := range y {
		y[i] = int32(rng.IntN(NumLabels))
	}
	return y
}

// inputs returns the tensors of a step that takes z [n, ZDim] and, for a conditional GAN, the
// digits [n] (labels is ignored for an unconditional one).
func (g *gan) inputs(z []float32, labels []int32) []any {
	n := len(z) / g.cfg.ZDim
	in := []any{tensors.FromFlatDataAndDimensions(z, n, g.cfg.ZDim)}
	if g.cfg.Condition.Conditional() {
		in = append(in, tensors.FromFlatDataAndDimensions(labels, n))
	}
	return in
}

// images runs exec (generate or sample) on z [n, ZDim] (and, for a conditional GAN, the requested
// digits [n]) and returns the n images flattened, [n, 28, 28], mapped back from [−1, 1] to [0, 1].
func (g *gan) images(exec *context.Exec, z []float32, labels []int32) ([]float32, error) {
	out, err := exec.Exec(g.inputs(z, labels)...)
	if err != nil {
		return nil, fmt.Errorf("dcgan: generate: %w", err)
	}
	pix, err := tensors.CopyFlatData[float32](out[0])
	if err != nil {
		return nil, fmt.Errorf("dcgan: generate: %w", err)
	}
	for i, v := range pix {
		pix[i] = (v + 1) / 2
	}
	return pix, nil
}

// sampleChunk is the batch size of sampleMany.
const sampleChunk = 100

// sampleMany generates n images [n, 28, 28] in [0, 1], in batches of sampleChunk, from noise
// stream `stream`; a conditional G is asked for digit i mod 10 in image i (so every digit is
// asked for equally often, and in every batch), which sampleMany returns too (nil for an
// unconditional G). Like the DCGAN reference implementations, G normalises with the statistics of
// its batch also when sampling (training-mode batch norm): early in training the moving averages
// lag behind G's quickly changing weights. With Config.EMA the averaged generator draws them.
func (g *gan) sampleMany(n int, stream uint64) ([]float32, []int32, error) {
	z := noise(g.cfg.Seed, stream, n, g.cfg.ZDim)
	var labels []int32
	if g.cfg.Condition.Conditional() {
		labels = make([]int32, n)
		for i := range labels {
			labels[i] = int32(i % NumLabels)
		}
	}
	var out []float32
	for start := 0; start < n; start += sampleChunk {
		end := min(start+sampleChunk, n)
		var y []int32
		if labels != nil {
			y = labels[start:end]
		}
		pix, err := g.images(g.sampler(true), z[start*g.cfg.ZDim:end*g.cfg.ZDim], y)
		if err != nil {
			return nil, nil, err
		}
		out = append(out, pix...)
	}
	return out, labels, nil
}

func scalar(t *tensors.Tensor) float64 {
	v := float64(tensors.ToScalar[float32](t))
	if math.IsInf(v, 0) {
		return math.NaN()
	}
	return v
}
