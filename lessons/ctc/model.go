package ctc

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
	"github.com/gomlx/gomlx/pkg/ml/train"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"

	"github.com/dl4go/dl4go/gomlxext"
	xlayers "github.com/dl4go/dl4go/gomlxext/layers"
	"github.com/dl4go/dl4go/plotting"
)

// ModelConfig sizes the recogniser: a stack of 1-D convolutions over the frames (no recurrence:
// each frame's output sees a window of its neighbours) and a per-frame classifier over the blank
// and the five vowels, trained with the CTC loss.
type ModelConfig struct {
	Channels, Layers, Kernel int
	Steps, Batch             int
	LearningRate             float64
	Seed                     int64
}

// ReceptiveField is how many frames one output sees: Layers·(Kernel−1) + 1.
func (m ModelConfig) ReceptiveField() int { return m.Layers*(m.Kernel-1) + 1 }

// acoustic is the model: frames [batch, T, mel] → logits [batch, T, NumClasses].
func acoustic(mc ModelConfig) func(ctx *context.Context, x *G.Node) *G.Node {
	return func(ctx *context.Context, x *G.Node) *G.Node {
		h := x
		for l := range mc.Layers {
			h = layers.Convolution(ctx.In(fmt.Sprintf("conv%d", l)), h).Channels(mc.Channels).KernelSize(mc.Kernel).PadSame().Done()
			h = activations.Relu(h)
		}
		return layers.DenseWithBias(ctx.In("classes"), h, NumClasses)
	}
}

// padded returns the utterances' frames [n, maxFrames, mel] and labels [n, maxLabels] with their
// lengths.
func padded(us []Utterance, maxFrames, maxLabels int) (x []float32, xl []int32, y []int32, yl []int32) {
	mel := len(us[0].Frames[0])
	x, y = make([]float32, len(us)*maxFrames*mel), make([]int32, len(us)*maxLabels)
	for i, u := range us {
		for t, fr := range u.Frames {
			for m, v := range fr {
				x[(i*maxFrames+t)*mel+m] = float32(v)
			}
		}
		for j, l := range u.Labels {
			y[i*maxLabels+j] = int32(l)
		}
		xl, yl = append(xl, int32(len(u.Frames))), append(yl, int32(len(u.Labels)))
	}
	return
}

// batches yields random training batches; the batch of step s depends only on s.
func batches(d *Dataset, batch int, seed uint64) *gomlxext.StepBatches {
	return gomlxext.NewStepBatches("ctc", func(step int64) ([]*tensors.Tensor, []*tensors.Tensor, error) {
		rng := rand.New(rand.NewPCG(seed, uint64(step)))
		us := make([]Utterance, batch)
		for i := range us {
			us[i] = d.Train[rng.IntN(len(d.Train))]
		}
		x, xl, y, yl := padded(us, d.MaxFrames, d.MaxLabels)
		mel := len(us[0].Frames[0])
		return []*tensors.Tensor{tensors.FromFlatDataAndDimensions(x, batch, d.MaxFrames, mel), tensors.FromValue(xl)},
			[]*tensors.Tensor{tensors.FromFlatDataAndDimensions(y, batch, d.MaxLabels), tensors.FromValue(yl)}, nil
	})
}

// Trained is the recogniser after training, with what it says on the held-out utterances.
type Trained struct {
	// Loss is the training loss of each step run in this call (none when restored); Resumed the
	// step it resumed from.
	Loss    []float64
	Resumed int
	// LogProbs[i] are held-out utterance i's per-frame log probabilities [frames][classes].
	LogProbs [][][]float64
	// GreedyLER and BeamLER are the label error rates (Σ edit distance ÷ Σ reference length) of
	// greedy decoding and prefix beam search on the held-out utterances.
	GreedyLER, BeamLER float64
	Greedy, Beam       [][]int
}

// train trains the recogniser on d with checkpoints in dir and decodes the held-out set.
func trainModel(backend backends.Backend, d *Dataset, mc ModelConfig, beam int, dir string, quiet bool) (*Trained, error) {
	ctx := context.New()
	if err := ctx.SetRNGStateFromSeed(mc.Seed); err != nil {
		return nil, fmt.Errorf("ctc: %w", err)
	}
	model := acoustic(mc)
	modelFn := func(ctx *context.Context, _ any, inputs []*G.Node) []*G.Node {
		return []*G.Node{model(ctx, inputs[0]), inputs[1]} // logits, and the frame lengths for the loss
	}
	loss := func(labels, predictions []*G.Node) *G.Node {
		return G.ReduceAllMean(xlayers.CTCLoss(predictions[0], predictions[1], labels[0], labels[1]))
	}
	trainer := train.NewTrainer(backend, ctx, modelFn, loss, optimizers.Adam().LearningRate(mc.LearningRate).Done(), nil, nil)
	opts := gomlxext.FitOptions{Steps: mc.Steps, CheckpointDir: dir}
	var live *plotting.Live
	if !quiet {
		live = plotting.NewLive("acoustic model, CTC loss", mc.Steps, "loss")
		opts.Progress = live
	}
	res, err := gomlxext.Fit(trainer, batches(d, mc.Batch, uint64(mc.Seed)), opts)
	if live != nil {
		live.Done()
	}
	if err != nil {
		return nil, fmt.Errorf("ctc: train: %w", err)
	}
	out := &Trained{Resumed: res.StartStep}
	for _, s := range res.History {
		out.Loss = append(out.Loss, s.Values["loss"])
	}
	predict, err := context.NewExec(backend, ctx.Reuse(), func(ctx *context.Context, x *G.Node) *G.Node {
		return G.LogSoftmax(model(ctx, x), -1)
	})
	if err != nil {
		return nil, fmt.Errorf("ctc: %w", err)
	}
	x, xl, _, _ := padded(d.Test, d.MaxFrames, d.MaxLabels)
	mel := len(d.Test[0].Frames[0])
	res2, err := predict.Exec(tensors.FromFlatDataAndDimensions(x, len(d.Test), d.MaxFrames, mel))
	if err != nil {
		return nil, fmt.Errorf("ctc: %w", err)
	}
	lp := tensors.MustCopyFlatData[float32](res2[0])
	var errG, errB, total int
	for i, u := range d.Test {
		frames := make([][]float64, xl[i])
		for t := range frames {
			frames[t] = make([]float64, NumClasses)
			for c := range NumClasses {
				frames[t][c] = float64(lp[(i*d.MaxFrames+t)*NumClasses+c])
			}
		}
		out.LogProbs = append(out.LogProbs, frames)
		g, b := Greedy(frames), BeamSearch(frames, beam)
		out.Greedy, out.Beam = append(out.Greedy, g), append(out.Beam, b)
		errG += EditDistance(g, u.Labels)
		errB += EditDistance(b, u.Labels)
		total += len(u.Labels)
	}
	out.GreedyLER, out.BeamLER = float64(errG)/float64(total), float64(errB)/float64(total)
	if math.IsNaN(out.GreedyLER) {
		return nil, fmt.Errorf("ctc: no held-out labels")
	}
	return out, nil
}
