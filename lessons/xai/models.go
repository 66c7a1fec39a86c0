package xai

import (
	"fmt"

	"github.com/gomlx/gomlx/backends"
	G "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/layers"
	"github.com/gomlx/gomlx/pkg/ml/layers/activations"
	"github.com/gomlx/gomlx/pkg/ml/train"
	"github.com/gomlx/gomlx/pkg/ml/train/losses"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"

	"github.com/dl4go/dl4go/data/shapes"
	"github.com/dl4go/dl4go/gomlxext"
	"github.com/dl4go/dl4go/plotting"
)

// ModelConfig sizes a classifier: three 3×3 convolutions (16, 32, Channels; ReLU; 2×2 max pooling
// after the first two), then either global average pooling and a dense layer (GAP: what CAM
// needs), or flattening and a dense layer (no GAP: only Grad-CAM applies).
type ModelConfig struct {
	Channels     int
	Steps, Batch int
	LearningRate float64
	Seed         int64
}

// Kind names the three models of the lesson.
type Kind string

const (
	GAP     Kind = "gap"     // global average pooling before the classifier
	Flatten Kind = "flatten" // a dense layer over the flattened feature maps
	Cue     Kind = "gap-cue" // the GAP model trained on images with the spurious cue
)

// features is the convolutional part: images [batch, S, S, 3] → the last conv layer's maps
// [batch, S/4, S/4, Channels].
func features(ctx *context.Context, x *G.Node, mc ModelConfig) *G.Node {
	h := x
	for i, ch := range []int{16, 32, mc.Channels} {
		h = activations.Relu(layers.Convolution(ctx.In(fmt.Sprintf("conv%d", i)), h).Channels(ch).KernelSize(3).PadSame().Done())
		if i < 2 {
			h = G.MaxPool(h).Window(2).Done()
		}
	}
	return h
}

// head is the classifier on the feature maps: logits [batch, classes].
func head(ctx *context.Context, a *G.Node, kind Kind) *G.Node {
	if kind == Flatten {
		return layers.DenseWithBias(ctx.In("dense"), G.Reshape(a, a.Shape().Dimensions[0], -1), shapes.NumClasses)
	}
	return layers.DenseWithBias(ctx.In("dense"), G.ReduceMean(a, 1, 2), shapes.NumClasses) // GAP, then [Channels] → classes
}

// Model is a trained classifier.
type Model struct {
	Kind    Kind
	cfg     ModelConfig
	ctx     *context.Context
	backend backends.Backend
	// TestAcc is the accuracy on the held-out images it was trained for (with the cue for the cue
	// model); CueFreeAcc, for the cue model, on held-out images without the cue.
	TestAcc, CueFreeAcc float64
	Resumed             int

	probs *context.Exec // compiled once, on the first call of Probs
}

// chunk is how many images one call of a compiled graph takes: the last chunk of a set is padded
// to it, so that each graph is compiled for one shape only.
const chunk = 128

// inChunks runs exec over images chunk by chunk (the last one padded with copies of its last
// image) and hands each chunk's outputs and its number of real images to use.
func inChunks(exec *context.Exec, images []Image, size int, use func(res []*tensors.Tensor, n int)) error {
	for start := 0; start < len(images); start += chunk {
		part := images[start:min(start+chunk, len(images))]
		n := len(part)
		for len(part) < chunk {
			part = append(part[:len(part):len(part)], part[n-1])
		}
		res, err := exec.Exec(pixels(part, size))
		if err != nil {
			return fmt.Errorf("xai: %w", err)
		}
		use(res, n)
	}
	return nil
}

// trainModel trains a model of kind on images, checkpointed in dir.
func trainModel(backend backends.Backend, kind Kind, mc ModelConfig, images []Image, size int, dir string, quiet bool) (*Model, error) {
	ctx := context.New()
	if err := ctx.SetRNGStateFromSeed(mc.Seed); err != nil {
		return nil, fmt.Errorf("xai: %w", err)
	}
	fn := func(ctx *context.Context, _ any, inputs []*G.Node) []*G.Node {
		return []*G.Node{head(ctx, features(ctx, inputs[0], mc), kind)}
	}
	trainer := train.NewTrainer(backend, ctx, fn, losses.SparseCategoricalCrossEntropyLogits,
		optimizers.Adam().LearningRate(mc.LearningRate).Done(), nil, nil)
	opts := gomlxext.FitOptions{Steps: mc.Steps, CheckpointDir: dir}
	var live *plotting.Live
	if !quiet {
		live = plotting.NewLive(fmt.Sprintf("%s model", kind), mc.Steps, "loss")
		opts.Progress = live
	}
	res, err := gomlxext.Fit(trainer, batches(images, size, mc.Batch, uint64(mc.Seed)), opts)
	if live != nil {
		live.Done()
	}
	if err != nil {
		return nil, fmt.Errorf("xai: train the %s model: %w", kind, err)
	}
	return &Model{Kind: kind, cfg: mc, ctx: ctx, backend: backend, Resumed: res.StartStep}, nil
}

// Probs returns the class probabilities of images [n][classes].
func (m *Model) Probs(images []Image, size int) ([][]float64, error) {
	if m.probs == nil {
		exec, err := context.NewExec(m.backend, m.ctx.Reuse(), func(ctx *context.Context, x *G.Node) *G.Node {
			return G.Softmax(head(ctx, features(ctx, x, m.cfg), m.Kind), -1)
		})
		if err != nil {
			return nil, fmt.Errorf("xai: %w", err)
		}
		m.probs = exec
	}
	out := make([][]float64, 0, len(images))
	err := inChunks(m.probs, images, size, func(res []*tensors.Tensor, n int) {
		p := tensors.MustCopyFlatData[float32](res[0])
		for i := range n {
			row := make([]float64, shapes.NumClasses)
			for c := range row {
				row[c] = float64(p[i*shapes.NumClasses+c])
			}
			out = append(out, row)
		}
	})
	return out, err
}

// Accuracy is the share of images whose most probable class is theirs.
func (m *Model) Accuracy(images []Image, size int) (float64, error) {
	probs, err := m.Probs(images, size)
	if err != nil {
		return 0, err
	}
	right := 0
	for i, p := range probs {
		if argmax(p) == images[i].Class {
			right++
		}
	}
	return float64(right) / float64(len(images)), nil
}

func argmax(v []float64) int {
	best := 0
	for i := range v {
		if v[i] > v[best] {
			best = i
		}
	}
	return best
}
