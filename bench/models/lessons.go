package models

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/dl4go/dl4go/gomlxext"

	"github.com/dl4go/dl4go/data/shapes"
	"github.com/dl4go/dl4go/lessons/alphago"
	"github.com/dl4go/dl4go/lessons/bert"
	"github.com/dl4go/dl4go/lessons/dcgan"
	"github.com/dl4go/dl4go/lessons/detection"
	"github.com/dl4go/dl4go/lessons/maml"
	"github.com/dl4go/dl4go/lessons/rl"
	"github.com/gomlx/gomlx/backends"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:staticcheck // graph code reads like math.
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/layers"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"
)

// LessonNames are the models of the wave-1 lessons, one per lesson, in curriculum order.
var LessonNames = []string{"rl", "alphago", "detection", "bert", "dcgan", "maml"}

// IsLesson reports whether name is one of LessonNames.
func IsLesson(name string) bool { return slices.Contains(LessonNames, name) }

// Lesson is one lesson's training step at a fixed batch size, compiled on a backend, fed from a
// small pool of pre-drawn batches (synthetic, except detection's shapes images) that it cycles
// through. Build one with NewLesson.
type Lesson struct {
	Name  string
	Batch int
	ctx   *context.Context
	step  func(batch []*tensors.Tensor) (float64, error)
	pool  []func() []*tensors.Tensor
	next  int
}

// Step runs one training step (for dcgan: one discriminator and one generator update; for maml:
// one meta-update) on the next batch of the pool and returns its loss.
func (l *Lesson) Step() (float64, error) {
	in := l.pool[l.next%len(l.pool)]()
	l.next++
	loss, err := l.step(in)
	for _, t := range in {
		t.FinalizeAll()
	}
	if err != nil {
		return 0, fmt.Errorf("%s step %d: %w", l.Name, l.next, err)
	}
	return loss, nil
}

// Params returns the number of trainable parameters (the variables exist after the first Step).
func (l *Lesson) Params() int { return CountParams(l.ctx) }

// CountParams returns the number of scalars in the trainable variables of ctx (weights, biases,
// batch-norm scales and offsets; not batch-norm averages, optimizer state or the global step).
func CountParams(ctx *context.Context) int {
	n := 0
	for v := range ctx.IterVariables() {
		if v.Trainable {
			n += v.Shape().Size()
		}
	}
	return n
}

// NewLesson compiles the training step of lesson model name (see LessonNames) for batch size
// batch on backend, with weights and data drawn from seed. The data pool holds poolSize batches
// (1: the same batch every step, as the tests use to see the loss fall).
func NewLesson(backend backends.Backend, name string, batch, poolSize int, seed uint64) (*Lesson, error) {
	if batch < 1 || poolSize < 1 {
		return nil, fmt.Errorf("lesson %s: batch %d and pool %d must be positive", name, batch, poolSize)
	}
	ctx := context.New()
	ctx.SetParam(context.ParamInitialSeed, int64(seed))
	l := &Lesson{Name: name, Batch: batch, ctx: ctx}
	rng := rand.New(rand.NewPCG(seed, 7))
	var err error
	switch name {
	case "rl":
		err = l.rl(backend, rng, poolSize)
	case "alphago":
		err = l.alphago(backend, rng, poolSize)
	case "detection":
		err = l.detection(backend, poolSize)
	case "bert":
		err = l.bert(backend, rng, poolSize)
	case "dcgan":
		err = l.dcgan(backend, rng, poolSize)
	case "maml":
		err = l.maml(backend, rng, poolSize)
	default:
		return nil, fmt.Errorf("unknown lesson model %q (want one of %s)", name, strings.Join(LessonNames, ", "))
	}
	if err != nil {
		return nil, fmt.Errorf("lesson %s: %w", name, err)
	}
	return l, nil
}

// trainStep compiles fn (model and loss of the inputs, in training mode) with its optimizer
// update and sets l.step to run it.
func (l *Lesson) trainStep(backend backends.Backend, opt optimizers.Interface, fn func(ctx *context.Context, in []*Node) *Node) error {
	exec, err := context.NewExec(backend, l.ctx, func(ctx *context.Context, in []*Node) *Node {
		g := in[0].Graph()
		ctx.SetTraining(g, true)
		loss := fn(ctx, in)
		opt.UpdateGraph(ctx, g, loss)
		return loss
	})
	if err != nil {
		return err
	}
	l.step = func(in []*tensors.Tensor) (float64, error) {
		args := make([]any, len(in))
		for i, t := range in {
			args[i] = t
		}
		out, err := exec.Exec(args...)
		if err != nil {
			return 0, err
		}
		defer out[0].FinalizeAll()
		return float64(tensors.ToScalar[float32](out[0])), nil
	}
	return nil
}

func normals(rng *rand.Rand, n int, scale float64) []float32 {
	out := make([]float32, n)
	for i := range out {
		out[i] = float32(scale * rng.NormFloat64())
	}
	return out
}

// --- rl: lesson 01, REINFORCE with a baseline on CartPole (lessons/rl/reinforce.go) ---------------

// rlMLP mirrors lessons/rl/reinforce.go's unexported mlp: states [B, 4] scaled to unit range →
// Dense(hidden) → tanh → Dense(out).
func rlMLP(ctx *context.Context, states *Node, hidden, out int) *Node {
	scale := []float32{1 / rl.CartPoleXLimit, 1 / 3.0, 1 / rl.CartPoleThetaLimit, 1 / 3.0}
	x := Mul(states, Const(states.Graph(), [][]float32{scale}))
	x = Tanh(layers.DenseWithBias(ctx.In("hidden"), x, hidden))
	return layers.DenseWithBias(ctx.In("output"), x, out)
}

// rlLoss mirrors lessons/rl/reinforce.go's reinforceGraph: the policy-gradient surrogate with
// normalised advantages G − V(s) plus the baseline's squared error, averaged over the steps
// where mask is 1. states [n, 4], actions [n] int32, returns and mask [n].
func rlLoss(ctx *context.Context, hidden int, states, actions, returns, mask *Node) *Node {
	count := ReduceAllSum(mask)
	mean := func(x *Node) *Node { return Div(ReduceAllSum(Mul(x, mask)), count) }
	logPi := LogSoftmax(rlMLP(ctx.In("policy"), states, hidden, 2), -1)
	logPiA := ReduceSum(Mul(logPi, OneHot(actions, 2, logPi.DType())), -1)
	v := Reshape(rlMLP(ctx.In("value"), states, hidden, 1), states.Shape().Dimensions[0])
	adv := StopGradient(Sub(returns, v))
	advMean := mean(adv)
	adv = Div(Sub(adv, advMean), Sqrt(AddScalar(mean(Square(Sub(adv, advMean))), 1e-8)))
	policyLoss := Neg(mean(Mul(logPiA, adv)))
	valueLoss := mean(Square(Sub(returns, v)))
	return Add(policyLoss, valueLoss)
}

// rl: batch = environment steps (state, action, return) in one gradient update (the lesson's
// update covers Envs × 500 padded steps); synthetic states, random actions, returns in [0, 1).
func (l *Lesson) rl(backend backends.Backend, rng *rand.Rand, poolSize int) error {
	cfg := rl.Full().CartPole
	l.ctx.SetParam("hidden", cfg.Hidden)
	b := l.Batch
	for range poolSize {
		states := normals(rng, b*4, 1)
		actions, returns, mask := make([]int32, b), make([]float32, b), make([]float32, b)
		for i := range b {
			actions[i], returns[i], mask[i] = int32(rng.IntN(2)), float32(rng.Float64()), 1
		}
		l.pool = append(l.pool, func() []*tensors.Tensor {
			return []*tensors.Tensor{tensors.FromFlatDataAndDimensions(states, b, 4), tensors.FromFlatDataAndDimensions(actions, b),
				tensors.FromFlatDataAndDimensions(returns, b), tensors.FromFlatDataAndDimensions(mask, b)}
		})
	}
	return l.trainStep(backend, optimizers.Adam().LearningRate(cfg.LearningRate).Done(), func(ctx *context.Context, in []*Node) *Node {
		return rlLoss(ctx, cfg.Hidden, in[0], in[1], in[2], in[3])
	})
}

// --- alphago: lesson 02, AlphaGo Zero's dual network (lessons/alphago/net.go) ----------------------

// alphago: batch = board positions; synthetic stone planes, a random search distribution π and
// outcome z = ±1. Loss as lessons/alphago/nets.go's NewZeroNet: −πᵀ log p + (z − v)².
func (l *Lesson) alphago(backend backends.Backend, rng *rand.Rand, poolSize int) error {
	zc := alphago.Full().Zero
	cfg := zc.Net
	n, b := cfg.Size, l.Batch
	moves := n*n + 1
	for range poolSize {
		planes := make([]float32, b*n*n*alphago.NumPlanes)
		for i := 0; i < len(planes); i += alphago.NumPlanes {
			stone := rng.IntN(3)
			if stone < 2 {
				planes[i+stone] = 1
			}
			planes[i+2] = 1
		}
		pi, z := make([]float32, b*moves), make([]float32, b)
		for i := range b {
			sum := float32(0)
			for j := range moves {
				pi[i*moves+j] = float32(rng.Float64())
				sum += pi[i*moves+j]
			}
			for j := range moves {
				pi[i*moves+j] /= sum
			}
			z[i] = float32(2*rng.IntN(2) - 1)
		}
		l.pool = append(l.pool, func() []*tensors.Tensor {
			return []*tensors.Tensor{tensors.FromFlatDataAndDimensions(planes, b, n, n, alphago.NumPlanes),
				tensors.FromFlatDataAndDimensions(pi, b, moves), tensors.FromFlatDataAndDimensions(z, b)}
		})
	}
	return l.trainStep(backend, optimizers.Adam().LearningRate(zc.LR).Done(), func(ctx *context.Context, in []*Node) *Node {
		logits, v := alphago.DualNet(ctx, cfg, in[0])
		pLoss := ReduceAllMean(Neg(ReduceSum(Mul(in[1], LogSoftmax(logits, -1)), -1)))
		return Add(pLoss, ReduceAllMean(Square(Sub(in[2], v))))
	})
}

// --- detection: lesson 07, FCN segmentation (lessons/detection/fcn.go) -----------------------------

// FCNChannels are the channels of the FCN's four convolutions, as lessons/detection/lesson.go's
// RunSegmentation builds it (&FCN{Skips: true, Channels: []int{16, 32, 64, 64}}; not exported).
var FCNChannels = []int{16, 32, 64, 64}

// ShapesPool returns n images of data/shapes with the lesson's default configuration (the first
// n of its seed), flat [n, S, S, 3], their per-pixel classes [n, S, S] (0 background) and S.
func ShapesPool(n int) (images []float32, labels []int32, size int, err error) {
	gen, err := shapes.New(detection.Full().Data)
	if err != nil {
		return nil, nil, 0, err
	}
	ss := gen.Samples(0, n)
	return shapes.Images(ss), shapes.Semantics(ss), ss[0].Size, nil
}

// detection: batch = images (the lesson's SegBatch is 16); the pool is the first poolSize·batch
// shapes images. Loss: detection.SegLoss (per-pixel cross entropy), Adam as in the lesson.
func (l *Lesson) detection(backend backends.Backend, poolSize int) error {
	b := l.Batch
	images, labels, s, err := ShapesPool(poolSize * b)
	if err != nil {
		return err
	}
	for k := range poolSize {
		im, lab := images[k*b*s*s*3:(k+1)*b*s*s*3], labels[k*b*s*s:(k+1)*b*s*s]
		l.pool = append(l.pool, func() []*tensors.Tensor {
			return []*tensors.Tensor{tensors.FromFlatDataAndDimensions(im, b, s, s, 3), tensors.FromFlatDataAndDimensions(lab, b, s, s)}
		})
	}
	m := &detection.FCN{Skips: true, Channels: FCNChannels}
	return l.trainStep(backend, optimizers.Adam().LearningRate(detection.Full().Seg.LearningRate).Done(), func(ctx *context.Context, in []*Node) *Node {
		return detection.SegLoss([]*Node{in[1]}, []*Node{m.Model(ctx, in[0])})
	})
}

// --- bert: lesson 11, BERT-mini pre-training (lessons/bert) ----------------------------------------

// BERTMaxPred is the number of masked positions per sequence (lessons/bert Full().MaxPred).
func BERTMaxPred() int { return bert.Full().MaxPred }

// bert: batch = sequences of SeqLen tokens (the lesson's Batch is 32). Synthetic token ids (with
// [PAD] tails), segments, MaxPred masked positions with random targets, random is-next labels.
// Loss: the lesson's own bert.PretrainLoss (MLM cross entropy over the masked positions + NSP
// cross entropy); Adam with weight decay 0.01 at the lesson's peak learning rate (no schedule).
func (l *Lesson) bert(backend backends.Backend, rng *rand.Rand, poolSize int) error {
	cfg := bert.Full()
	m, b, p := cfg.Model, l.Batch, cfg.MaxPred
	L := m.SeqLen
	for range poolSize {
		toks, segs := make([]int32, b*L), make([]int32, b*L)
		pos, tgt, w, next := make([]int32, b*p), make([]int32, b*p), make([]float32, b*p), make([]int32, b)
		for i := range b {
			n := L - rng.IntN(L/4) // real tokens; the rest is [PAD] (id 0).
			for j := range n {
				toks[i*L+j] = int32(5 + rng.IntN(m.Vocab-5))
				if j > n/2 {
					segs[i*L+j] = 1
				}
			}
			for k, j := range rng.Perm(n - 1)[:p] {
				pos[i*p+k], tgt[i*p+k], w[i*p+k] = int32(j+1), int32(5+rng.IntN(m.Vocab-5)), 1
			}
			next[i] = int32(rng.IntN(2))
		}
		l.pool = append(l.pool, func() []*tensors.Tensor {
			return []*tensors.Tensor{tensors.FromFlatDataAndDimensions(toks, b, L), tensors.FromFlatDataAndDimensions(segs, b, L),
				tensors.FromFlatDataAndDimensions(pos, b, p), tensors.FromFlatDataAndDimensions(tgt, b, p),
				tensors.FromFlatDataAndDimensions(w, b, p), tensors.FromFlatDataAndDimensions(next, b)}
		})
	}
	opt := optimizers.Adam().LearningRate(cfg.LR).WeightDecay(0.01).Done()
	return l.trainStep(backend, opt, func(ctx *context.Context, in []*Node) *Node {
		hidden, _ := m.Encode(ctx, in[0], in[1])
		return bert.PretrainLoss([]*Node{in[3], in[4], in[5]}, []*Node{m.MLMLogits(ctx, hidden, in[2]), m.NSPLogits(ctx, hidden)})
	})
}

// --- dcgan: lesson 15, DCGAN on MNIST (lessons/dcgan) ----------------------------------------------

// dcgan: batch = images per step, real and fake each (the lesson's Batch is 8). One step is the
// lesson's iteration (lessons/dcgan/train.go): fake = G(z) in training mode, one discriminator
// update on real and fake, one generator update (non-saturating loss) through the frozen D on new
// noise; two Adams (lr, β1 from dcgan.Full). Real images are synthetic, in [0, 1].
func (l *Lesson) dcgan(backend backends.Backend, rng *rand.Rand, poolSize int) error {
	cfg := dcgan.Full()
	b := l.Batch
	for range poolSize {
		real := make([]float32, b*28*28)
		for i := range real {
			real[i] = float32(rng.Float64())
		}
		z1, z2 := normals(rng, b*cfg.ZDim, 1), normals(rng, b*cfg.ZDim, 1)
		l.pool = append(l.pool, func() []*tensors.Tensor {
			return []*tensors.Tensor{tensors.FromFlatDataAndDimensions(real, b, 28, 28),
				tensors.FromFlatDataAndDimensions(z1, b, cfg.ZDim), tensors.FromFlatDataAndDimensions(z2, b, cfg.ZDim)}
		})
	}
	ctx := l.ctx.Checked(false)
	dOpt := optimizers.Adam().LearningRate(cfg.LearningRate).Betas(cfg.Beta1, 0.999).Scope("adam_discriminator").Done()
	gOpt := optimizers.Adam().LearningRate(cfg.LearningRate).Betas(cfg.Beta1, 0.999).Scope("adam_generator").Done()
	generate, err := context.NewExec(backend, ctx, func(ctx *context.Context, z *Node) *Node {
		ctx.SetTraining(z.Graph(), true)
		return dcgan.Generator(ctx, cfg, z, nil)
	})
	if err != nil {
		return err
	}
	dStep, err := context.NewExec(backend, ctx, func(ctx *context.Context, real, fake *Node) *Node {
		ctx.SetTraining(real.Graph(), true)
		real = Reshape(AddScalar(MulScalar(real, 2), -1), b, 28, 28, 1) // [0, 1] → [−1, 1], as toSigned.
		loss := Add(ReduceAllMean(Softplus(Neg(dcgan.Discriminator(ctx, cfg, real, nil)))),
			ReduceAllMean(Softplus(dcgan.Discriminator(ctx, cfg, fake, nil))))
		dOpt.UpdateGraph(ctx, loss.Graph(), loss)
		return loss
	})
	if err != nil {
		return err
	}
	gStep, err := context.NewExec(backend, ctx, func(ctx *context.Context, z *Node) *Node {
		ctx.SetTraining(z.Graph(), true)
		loss := ReduceAllMean(Softplus(Neg(dcgan.Discriminator(ctx, cfg, dcgan.Generator(ctx, cfg, z, nil), nil))))
		restore := gomlxext.Freeze(ctx, dcgan.DiscriminatorScope)
		gOpt.UpdateGraph(ctx, loss.Graph(), loss)
		restore()
		return loss
	})
	if err != nil {
		return err
	}
	l.step = func(in []*tensors.Tensor) (float64, error) {
		fake, err := generate.Exec(in[1])
		if err != nil {
			return 0, fmt.Errorf("generate: %w", err)
		}
		dOut, err := dStep.Exec(in[0], fake[0])
		fake[0].FinalizeAll()
		if err != nil {
			return 0, fmt.Errorf("discriminator update: %w", err)
		}
		gOut, err := gStep.Exec(in[2])
		if err != nil {
			return 0, fmt.Errorf("generator update: %w", err)
		}
		loss := float64(tensors.ToScalar[float32](dOut[0]) + tensors.ToScalar[float32](gOut[0]))
		dOut[0].FinalizeAll()
		gOut[0].FinalizeAll()
		return loss, nil
	}
	return nil
}

// --- maml: lesson 20, second-order MAML on sine regression (lessons/maml) --------------------------

// maml: batch = tasks per meta-batch (the lesson's MetaBatch is 25), each with K support and Q
// query points of a random sine. One step: InnerSteps second-order SGD steps (α = InnerLR) per
// task on its support points, then Adam (MetaLR, without the lesson's cosine decay) on the mean
// query MSE, differentiating through the inner steps (maml.QueryLoss, the lesson's own).
func (l *Lesson) maml(backend backends.Backend, rng *rand.Rand, poolSize int) error {
	cfg := maml.Full()
	t := l.Batch
	for range poolSize {
		var flat [4][]float32
		for range t {
			task := maml.SampleTask(rng)
			for k, n := range []int{cfg.K, cfg.Q} {
				for range n {
					x := maml.XMin + rng.Float64()*(maml.XMax-maml.XMin)
					flat[2*k] = append(flat[2*k], float32(x))
					flat[2*k+1] = append(flat[2*k+1], float32(task.F(x)))
				}
			}
		}
		l.pool = append(l.pool, func() []*tensors.Tensor {
			return []*tensors.Tensor{tensors.FromFlatDataAndDimensions(flat[0], t, cfg.K, 1), tensors.FromFlatDataAndDimensions(flat[1], t, cfg.K, 1),
				tensors.FromFlatDataAndDimensions(flat[2], t, cfg.Q, 1), tensors.FromFlatDataAndDimensions(flat[3], t, cfg.Q, 1)}
		})
	}
	maml.InitParams(l.ctx, cfg.Hidden, rng.Uint64())
	return l.trainStep(backend, optimizers.Adam().LearningRate(cfg.MetaLR).Done(), func(ctx *context.Context, in []*Node) *Node {
		return maml.QueryLoss(ctx, in[0], in[1], in[2], in[3], cfg.InnerSteps, cfg.InnerLR, false)
	})
}

// LessonConfig returns the sizes and optimizer settings of lesson model name, as read from the
// lesson's own default configuration: bench/torch_bench.py builds its PyTorch twin from them
// (passed as JSON), so that both follow the lesson when it changes.
func LessonConfig(name string) (map[string]any, error) {
	switch name {
	case "rl":
		c := rl.Full().CartPole
		return map[string]any{"hidden": c.Hidden, "lr": c.LearningRate, "scale": []float64{1 / rl.CartPoleXLimit, 1 / 3.0, 1 / rl.CartPoleThetaLimit, 1 / 3.0}}, nil
	case "alphago":
		c := alphago.Full().Zero
		return map[string]any{"size": c.Net.Size, "channels": c.Net.Channels, "blocks": c.Net.Blocks, "planes": alphago.NumPlanes, "lr": c.LR}, nil
	case "detection":
		c := detection.Full()
		return map[string]any{"channels": FCNChannels, "labels": detection.NumLabels, "size": c.Data.Size, "lr": c.Seg.LearningRate}, nil
	case "bert":
		c := bert.Full()
		m := c.Model
		return map[string]any{"vocab": m.Vocab, "seq_len": m.SeqLen, "layers": m.Layers, "dim": m.Dim, "heads": m.Heads, "ffn": m.FFN,
			"prenorm": m.PreNorm, "max_pred": c.MaxPred, "lr": c.LR, "weight_decay": 0.01}, nil
	case "dcgan":
		c := dcgan.Full()
		return map[string]any{"zdim": c.ZDim, "gfeatures": c.GFeatures, "dfeatures": c.DFeatures, "lr": c.LearningRate, "beta1": c.Beta1}, nil
	case "maml":
		c := maml.Full()
		return map[string]any{"hidden": c.Hidden, "k": c.K, "q": c.Q, "inner_steps": c.InnerSteps, "inner_lr": c.InnerLR, "meta_lr": c.MetaLR}, nil
	}
	return nil, fmt.Errorf("unknown lesson model %q (want one of %s)", name, strings.Join(LessonNames, ", "))
}
