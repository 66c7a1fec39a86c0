package metric

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/gomlx/gomlx/backends"
	G "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/layers"
	"github.com/gomlx/gomlx/pkg/ml/layers/activations"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"

	"github.com/dl4go/dl4go/data/mnist"
	"github.com/dl4go/dl4go/gomlxext"
	xlayers "github.com/dl4go/dl4go/gomlxext/layers"
	"github.com/dl4go/dl4go/plotting"
)

// Loss names one of the lesson's four ways to train the embedding.
type Loss string

// The four losses, in the order the lesson trains them.
const (
	ContrastiveLoss Loss = "contrastive"         // Siamese pairs, every pair of the batch
	TripletAll      Loss = "triplet"             // every triplet of the batch (random triplets)
	TripletSemiHard Loss = "triplet (semi-hard)" // each positive pair's nearest negative beyond it
	QuadrupletLoss  Loss = "quadruplet"          // semi-hard, plus a negative pair
)

// Losses are the four losses in training order.
var Losses = []Loss{ContrastiveLoss, TripletAll, TripletSemiHard, QuadrupletLoss}

// Curve is one model's training history, one entry per step.
type Curve struct {
	Loss []float64 // the model's own loss on its batch
	// Active is the fraction of the terms the loss averaged that are non-zero (pairs, triplets
	// or anchors); ActiveTriplets the fraction of all the batch's triplets with a non-zero triplet
	// loss at the triplet margin, measured the same way for every model.
	Active, ActiveTriplets []float64
}

// Model is one trained embedding network.
type Model struct {
	Loss  Loss
	Curve Curve
	// Resumed is the step training resumed from (Steps when a finished run was restored);
	// TrainSeconds the wall time of the steps this call ran.
	Resumed      int
	TrainSeconds float64
	ctx          *context.Context
	backend      backends.Backend
	cfg          Config
	embed        *context.Exec
}

// Embed is the embedding network: images [batch, 28, 28] in [0, 1] → unit vectors
// [batch, EmbedDim]. Two strided convolutions (5×5, 16 channels; 3×3, 32 channels: 28 → 14 → 7),
// a dense layer of 128 and a linear map to EmbedDim, then L2 normalisation, so that distances lie
// in [0, 2] and the margins mean the same for every loss.
func Embed(ctx *context.Context, images *G.Node, embedDim int) *G.Node {
	b := images.Shape().Dimensions[0]
	x := G.Reshape(images, b, mnist.Height, mnist.Width, 1)
	x = activations.Relu(layers.Convolution(ctx.In("conv1"), x).Channels(16).KernelSize(5).PadSame().Strides(2).Done()) // [b, 14, 14, 16]
	x = activations.Relu(layers.Convolution(ctx.In("conv2"), x).Channels(32).KernelSize(3).PadSame().Strides(2).Done()) // [b, 7, 7, 32]
	x = G.Reshape(x, b, -1)
	x = activations.Relu(layers.DenseWithBias(ctx.In("dense"), x, 128))
	x = layers.DenseWithBias(ctx.In("embed"), x, embedDim)
	return G.L2NormalizeWithEpsilon(x, 1e-6, -1)
}

// lossOf builds a model's loss on embeddings emb [batch, d] with labels [batch].
func lossOf(l Loss, cfg Config, emb, labels *G.Node) (loss, active *G.Node) {
	b := xlayers.MetricLoss(emb, labels)
	switch l {
	case ContrastiveLoss:
		return b.Contrastive().Margin(cfg.ContrastiveMargin).Done()
	case TripletAll:
		return b.Triplet().Mining(xlayers.AllTriplets).Margin(cfg.TripletMargin).Done()
	case TripletSemiHard:
		return b.Triplet().Mining(xlayers.SemiHard).Margin(cfg.TripletMargin).Done()
	case QuadrupletLoss:
		return b.Quadruplet().Mining(xlayers.SemiHard).Margin(cfg.TripletMargin).PairMargin(cfg.PairMargin).Done()
	}
	panic(fmt.Sprintf("metric: unknown loss %q", l))
}

// seenTrain is the training split restricted to the seen digits: indices into set, by digit.
type seenTrain struct {
	set     *mnist.Set
	byDigit [][]int
}

func newSeenTrain(set *mnist.Set, seen int) *seenTrain {
	s := &seenTrain{set: set, byDigit: make([][]int, seen)}
	for i, l := range set.Labels {
		if int(l) < seen {
			s.byDigit[l] = append(s.byDigit[l], i)
		}
	}
	return s
}

// batch returns step's batch: PerClass images of each seen digit, drawn from (seed, step) alone,
// so that a resumed run sees the batches an uninterrupted one would and every loss the same ones.
func (s *seenTrain) batch(cfg Config, step int) (*tensors.Tensor, *tensors.Tensor) {
	r := rand.New(rand.NewPCG(uint64(cfg.Seed), uint64(step)))
	const px = mnist.Height * mnist.Width
	n := cfg.PerClass * len(s.byDigit)
	imgs, labels := make([]float32, 0, n*px), make([]int32, 0, n)
	for d, idx := range s.byDigit {
		for range cfg.PerClass {
			i := idx[r.IntN(len(idx))]
			imgs = append(imgs, s.set.Image(i)...)
			labels = append(labels, int32(d))
		}
	}
	return tensors.FromFlatDataAndDimensions(imgs, n, mnist.Height, mnist.Width), tensors.FromFlatDataAndDimensions(labels, n)
}

// train trains (or resumes, or restores) one model with checkpoints in dir ("" saves nothing).
func train(backend backends.Backend, dir string, data *seenTrain, cfg Config, l Loss, quiet bool) (*Model, error) {
	ctx := context.New().Checked(false) // the training and embedding graphs share the variables
	ctx.SetParams(map[string]any{context.ParamInitialSeed: cfg.Seed})
	opt := optimizers.Adam().LearningRate(cfg.LearningRate).Done()
	m := &Model{Loss: l, ctx: ctx, backend: backend, cfg: cfg}
	var ck *gomlxext.Checkpoint
	if dir != "" {
		var err error
		if ck, err = gomlxext.Checkpoints(ctx, dir).Immediate().LoadState(&m.Curve).Done(); err != nil {
			return nil, fmt.Errorf("metric: %s: %w", l, err)
		}
	}
	start := len(m.Curve.Loss)
	m.Resumed = start
	step, err := context.NewExec(backend, ctx, func(ctx *context.Context, images, labels *G.Node) []*G.Node {
		ctx.SetTraining(images.Graph(), true)
		emb := Embed(ctx, images, cfg.EmbedDim)
		loss, active := lossOf(l, cfg, emb, labels)
		_, all := xlayers.MetricLoss(G.StopGradient(emb), labels).Triplet().Margin(cfg.TripletMargin).Done()
		opt.UpdateGraph(ctx, images.Graph(), loss)
		return []*G.Node{loss, active, all}
	})
	if err != nil {
		return nil, fmt.Errorf("metric: compile the %s training step: %w", l, err)
	}
	if err := m.compileEmbed(); err != nil {
		return nil, err
	}
	var live *plotting.Live
	if !quiet && start < cfg.Steps {
		live = plotting.NewLive("embedding trained with the "+string(l)+" loss", cfg.Steps, "loss", "active triplets")
		live.Resumed(start)
	}
	stop := gomlxext.WatchInterrupt()
	defer stop.Release()
	t0 := time.Now()
	defer func() { m.TrainSeconds = time.Since(t0).Seconds() }()
	save := func() error {
		if ck == nil {
			return nil
		}
		return ck.Save(m.Curve)
	}
	for s := start + 1; s <= cfg.Steps; s++ {
		imgs, labels := data.batch(cfg, s)
		res, err := step.Exec(imgs, labels)
		if err != nil {
			return nil, fmt.Errorf("metric: %s step %d: %w", l, s, err)
		}
		loss, active, all := float64(tensors.ToScalar[float32](res[0])), float64(tensors.ToScalar[float32](res[1])), float64(tensors.ToScalar[float32](res[2]))
		m.Curve.Loss = append(m.Curve.Loss, loss)
		m.Curve.Active = append(m.Curve.Active, active)
		m.Curve.ActiveTriplets = append(m.Curve.ActiveTriplets, all)
		if live != nil {
			live.Update(s, map[string]float64{"loss": loss, "active triplets": all})
		}
		if stop.Requested() {
			if err := save(); err != nil {
				return nil, err
			}
			return nil, fmt.Errorf("metric: %s stopped at step %d; rerun to resume from %s: %w", l, s, dir, gomlxext.ErrInterrupted)
		}
		if s%cfg.SaveEvery == 0 || s == cfg.Steps {
			if err := save(); err != nil {
				return nil, err
			}
		}
	}
	if live != nil {
		live.Done()
	}
	return m, nil
}

// embedBatch is the batch size the embedding graph is compiled for (the last batch is padded).
const embedBatch = 250

func (m *Model) compileEmbed() error {
	var err error
	m.embed, err = context.NewExec(m.backend, m.ctx, func(ctx *context.Context, images *G.Node) *G.Node {
		return Embed(ctx, images, m.cfg.EmbedDim)
	})
	if err != nil {
		return fmt.Errorf("metric: compile the %s embedding: %w", m.Loss, err)
	}
	return nil
}

// EmbedImages returns the embeddings of images (flat, [n, 28·28]), [n][EmbedDim].
func (m *Model) EmbedImages(images [][]float32) ([][]float32, error) {
	if m.embed == nil {
		return nil, fmt.Errorf("metric: the %s network was restored from a saved outcome and cannot embed new images: run with another CacheDir (or \"-\") to retrain it", m.Loss)
	}
	const px = mnist.Height * mnist.Width
	out := make([][]float32, 0, len(images))
	buf := make([]float32, embedBatch*px)
	for i := 0; i < len(images); i += embedBatch {
		n := min(embedBatch, len(images)-i)
		clear(buf)
		for j := range n {
			copy(buf[j*px:], images[i+j])
		}
		res, err := m.embed.Exec(tensors.FromFlatDataAndDimensions(buf, embedBatch, mnist.Height, mnist.Width))
		if err != nil {
			return nil, fmt.Errorf("metric: embed with the %s model: %w", m.Loss, err)
		}
		flat := tensors.MustCopyFlatData[float32](res[0])
		d := m.cfg.EmbedDim
		for j := range n {
			out = append(out, flat[j*d:(j+1)*d:(j+1)*d])
		}
	}
	return out, nil
}
