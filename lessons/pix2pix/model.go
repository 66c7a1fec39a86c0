package pix2pix

import (
	"fmt"

	"github.com/dl4go/dl4go/gomlxext"
	xlayers "github.com/dl4go/dl4go/gomlxext/layers"
	"github.com/gomlx/gomlx/backends"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"
)

// Scopes of the two players' variables in a model's context.
const (
	GeneratorScope     = "generator"
	DiscriminatorScope = "discriminator"
)

// Generator maps outline maps x [batch, S, S, 1] to scenes [batch, S, S, 3] in [−1, 1]: a U-Net
// (gomlxext/layers.UNet) of cfg.Depth levels from cfg.GFeatures channels, with its skip
// connections unless m is NoSkips, and tanh at the end.
func Generator(ctx *context.Context, cfg Config, m Model, x *Node) *Node {
	ctx = ctx.In(GeneratorScope)
	return Tanh(xlayers.UNet(ctx, x).Channels(3).Features(cfg.GFeatures).Depth(cfg.Depth).Skips(m.Skips()).Done())
}

// Discriminator maps a pair — outline x [batch, S, S, 1] and scene y [batch, S, S, 3] in
// [−1, 1] — to logits [batch, h, w], one per patch: σ(logit) is the probability that the patch of
// y (ReceptiveField(cfg) pixels wide) is real given the same patch of x. The condition is
// concatenated to the image as a fourth channel, so D judges whether y fits x, not only whether
// y looks like a scene.
func Discriminator(ctx *context.Context, cfg Config, x, y *Node) *Node {
	ctx = ctx.In(DiscriminatorScope)
	return xlayers.PatchGAN(ctx, Concatenate([]*Node{x, y}, -1)).Features(cfg.DFeatures).Downsamplings(cfg.DDownsamplings).Done()
}

// ReceptiveField is the side of the patch one of the discriminator's logits sees, by the formula
// N = 1 + Σᵢ (kᵢ − 1)·Πⱼ<ᵢ sⱼ (gomlxext/layers.ReceptiveField).
func ReceptiveField(cfg Config) int {
	return xlayers.PatchGAN(nil, nil).Downsamplings(cfg.DDownsamplings).ReceptiveField()
}

// translator holds one model's players in one context and its compiled steps.
type translator struct {
	cfg          Config
	model        Model
	ctx          *context.Context
	sample       *context.Exec // G(x)
	dStep, gStep *context.Exec // update_discriminator, update_generator
}

func newTranslator(backend backends.Backend, cfg Config, m Model) (*translator, error) {
	t := &translator{cfg: cfg, model: m, ctx: context.New()}
	t.ctx.SetParam(context.ParamInitialSeed, int64(cfg.Seed)+int64(m))
	ctx := t.ctx.Checked(false)
	dOpt := optimizers.Adam().LearningRate(cfg.LearningRate).Betas(cfg.Beta1, 0.999).Scope("adam_discriminator").Done()
	gOpt := optimizers.Adam().LearningRate(cfg.LearningRate).Betas(cfg.Beta1, 0.999).Scope("adam_generator").Done()
	var err error
	mk := func(name string, fn any) *context.Exec {
		if err != nil {
			return nil
		}
		e, e2 := context.NewExecAny(backend, ctx, fn)
		if e2 != nil {
			err = fmt.Errorf("pix2pix: compile %s: %w", name, e2)
		}
		return e
	}
	t.sample = mk("sample", func(ctx *context.Context, x *Node) *Node { return Generator(ctx, cfg, m, x) })
	if m.Adversarial() {
		t.dStep = mk("update_discriminator", func(ctx *context.Context, x, y *Node) []*Node {
			return updateDiscriminator(ctx, cfg, m, dOpt, x, y)
		})
	}
	t.gStep = mk("update_generator", func(ctx *context.Context, x, y *Node) []*Node {
		return updateGenerator(ctx, cfg, m, gOpt, x, y)
	})
	return t, err
}

// updateDiscriminator is one step of D on the conditional GAN loss, halved as in pix2pix (so D
// learns more slowly than G): ½·[BCE(1, D(x, y)) + BCE(0, D(x, G(x)))], averaged over every
// patch. x [batch, S, S, 1] are outlines, y [batch, S, S, 3] their scenes in [−1, 1]; G(x) is
// computed in the same graph with G's variables frozen. Returns D's loss and the mean D(x, y)
// and D(x, G(x)) over the patches (scalars).
func updateDiscriminator(ctx *context.Context, cfg Config, m Model, opt optimizers.Interface, x, y *Node) []*Node {
	fake := StopGradient(Generator(ctx, cfg, m, x))
	real, fakeL := Discriminator(ctx, cfg, x, y), Discriminator(ctx, cfg, x, fake)
	// BCE(1, σ(a)) = softplus(−a); BCE(0, σ(a)) = softplus(a).
	loss := MulScalar(Add(ReduceAllMean(Softplus(Neg(real))), ReduceAllMean(Softplus(fakeL))), 0.5)
	restore := gomlxext.Freeze(ctx, GeneratorScope)
	opt.UpdateGraph(ctx, loss.Graph(), loss)
	restore()
	return []*Node{loss, ReduceAllMean(Sigmoid(real)), ReduceAllMean(Sigmoid(fakeL))}
}

// updateGenerator is one step of G on pix2pix's objective
//
//	L = BCE(1, D(x, G(x))) + λ·‖y − G(x)‖₁
//
// (the non-saturating GAN term over every patch, and the L1 error, a mean over pixels and
// channels on the [−1, 1] scale); L1Only drops the GAN term, GANOnly the L1 term. D's variables
// are frozen. Returns the GAN term (0 without D) and the L1 error on the [0, 1] scale (scalars).
func updateGenerator(ctx *context.Context, cfg Config, m Model, opt optimizers.Interface, x, y *Node) []*Node {
	fake := Generator(ctx, cfg, m, x)
	l1 := ReduceAllMean(Abs(Sub(fake, y)))
	loss := MulScalar(l1, m.lambda(cfg))
	gan := ScalarZero(x.Graph(), x.DType())
	if m.Adversarial() {
		gan = ReduceAllMean(Softplus(Neg(Discriminator(ctx, cfg, x, fake))))
		loss = Add(loss, gan)
		restore := gomlxext.Freeze(ctx, DiscriminatorScope)
		defer restore()
	}
	opt.UpdateGraph(ctx, loss.Graph(), loss)
	return []*Node{gan, MulScalar(l1, 0.5)}
}

// sampleChunk is the batch size of translate.
const sampleChunk = 64

// translate runs G on outlines [n, S, S, 1] (flat) and returns the scenes [n, S, S, 3] in [0, 1].
func (t *translator) translate(outlines []float32) ([]float32, error) {
	s := t.cfg.ImageSize
	per := s * s
	n := len(outlines) / per
	out := make([]float32, 0, n*per*3)
	for start := 0; start < n; start += sampleChunk {
		end := min(start+sampleChunk, n)
		res, err := t.sample.Exec(tensors.FromFlatDataAndDimensions(outlines[start*per:end*per], end-start, s, s, 1))
		if err != nil {
			return nil, fmt.Errorf("pix2pix: %v: translate: %w", t.model, err)
		}
		pix, err := tensors.CopyFlatData[float32](res[0])
		if err != nil {
			return nil, fmt.Errorf("pix2pix: %v: translate: %w", t.model, err)
		}
		for _, v := range pix {
			out = append(out, (v+1)/2)
		}
	}
	return out, nil
}
