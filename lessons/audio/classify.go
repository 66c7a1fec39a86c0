package audio

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
	"github.com/gomlx/gomlx/pkg/ml/train/losses"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"

	"github.com/dl4go/dl4go/gomlxext"
	"github.com/dl4go/dl4go/plotting"
)

// VowelConfig sizes the vowel recogniser: synthetic speakers, their recordings, MFCC features
// and a small MLP.
type VowelConfig struct {
	SampleRate float64 // Hz.
	Seconds    float64 // length of each recording.
	// TrainSpeakers record the training set; TestSpeakers, other voices never heard in training,
	// the held-out set. Takes is the recordings of each vowel per speaker.
	TrainSpeakers, TestSpeakers, Takes int
	Features                           FeatureConfig
	Hidden                             int     // units of the MLP's hidden layer.
	Steps                              int     // Adam steps.
	Batch                              int     // recordings per step.
	LearningRate                       float64 // Adam's learning rate.
	Seed                               uint64  // speakers, batches and initial weights.
}

// VowelSet is the recordings' features with their vowels, split by speaker.
type VowelSet struct {
	TrainX, TestX [][]float64 // z-scored MFCC features (training-set statistics).
	TrainY, TestY []int
	Train, Test   []Speaker
}

// MakeVowelSet synthesises every recording and computes its features.
func MakeVowelSet(cfg VowelConfig) (*VowelSet, error) {
	voices := Speakers(cfg.TrainSpeakers+cfg.TestSpeakers, cfg.Seed)
	set := &VowelSet{Train: voices[:cfg.TrainSpeakers], Test: voices[cfg.TrainSpeakers:]}
	collect := func(speakers []Speaker) (xs [][]float64, ys []int, err error) {
		for _, s := range speakers {
			for v := range Vowels {
				for take := range cfg.Takes {
					x, err := Synthesize(v, s, cfg.SampleRate, cfg.Seconds, take)
					if err != nil {
						return nil, nil, err
					}
					f, err := MFCCFeatures(x, cfg.SampleRate, cfg.Features)
					if err != nil {
						return nil, nil, err
					}
					xs, ys = append(xs, f), append(ys, v)
				}
			}
		}
		return xs, ys, nil
	}
	var err error
	if set.TrainX, set.TrainY, err = collect(set.Train); err != nil {
		return nil, err
	}
	if set.TestX, set.TestY, err = collect(set.Test); err != nil {
		return nil, err
	}
	// z-score with the training set's mean and deviation only.
	d := len(set.TrainX[0])
	mean, std := make([]float64, d), make([]float64, d)
	for _, x := range set.TrainX {
		for k, v := range x {
			mean[k] += v / float64(len(set.TrainX))
		}
	}
	for _, x := range set.TrainX {
		for k, v := range x {
			std[k] += (v - mean[k]) * (v - mean[k]) / float64(len(set.TrainX))
		}
	}
	for _, xs := range [][][]float64{set.TrainX, set.TestX} {
		for _, x := range xs {
			for k := range x {
				x[k] = (x[k] - mean[k]) / math.Max(math.Sqrt(std[k]), 1e-9)
			}
		}
	}
	return set, nil
}

// CentroidAccuracy is the baseline: each held-out recording gets the vowel whose mean training
// feature vector is nearest (template matching, no learning beyond an average).
func (s *VowelSet) CentroidAccuracy() float64 {
	d := len(s.TrainX[0])
	cent := make([][]float64, len(Vowels))
	count := make([]float64, len(Vowels))
	for c := range cent {
		cent[c] = make([]float64, d)
	}
	for i, x := range s.TrainX {
		count[s.TrainY[i]]++
		for k, v := range x {
			cent[s.TrainY[i]][k] += v
		}
	}
	right := 0
	for i, x := range s.TestX {
		best, bestD := 0, math.Inf(1)
		for c := range cent {
			var dist float64
			for k, v := range x {
				m := cent[c][k] / count[c]
				dist += (v - m) * (v - m)
			}
			if dist < bestD {
				best, bestD = c, dist
			}
		}
		if best == s.TestY[i] {
			right++
		}
	}
	return float64(right) / float64(len(s.TestX))
}

// vowelBatches yields random training batches; the batch of step s depends only on s.
func vowelBatches(set *VowelSet, batch int, seed uint64) *gomlxext.StepBatches {
	return gomlxext.NewStepBatches("vowels", func(step int64) ([]*tensors.Tensor, []*tensors.Tensor, error) {
		rng := rand.New(rand.NewPCG(seed, uint64(step)))
		dim := len(set.TrainX[0])
		x, y := make([]float32, 0, batch*dim), make([]int32, batch)
		for i := range batch {
			j := rng.IntN(len(set.TrainX))
			for _, v := range set.TrainX[j] {
				x = append(x, float32(v))
			}
			y[i] = int32(set.TrainY[j])
		}
		return []*tensors.Tensor{tensors.FromFlatDataAndDimensions(x, batch, dim)},
			[]*tensors.Tensor{tensors.FromFlatDataAndDimensions(y, batch, 1)}, nil
	})
}

// vowelModel is the recogniser: features [batch, 2·MFCCs] → logits [batch, vowels].
func vowelModel(hidden int) train.ModelFn {
	return func(ctx *context.Context, _ any, inputs []*G.Node) []*G.Node {
		h := activations.Relu(layers.DenseWithBias(ctx.In("hidden"), inputs[0], hidden))
		return []*G.Node{layers.DenseWithBias(ctx.In("out"), h, len(Vowels))}
	}
}

// VowelOutcome is what the recogniser reached.
type VowelOutcome struct {
	// TestAcc is the accuracy on the held-out speakers' recordings; CentroidAcc the
	// nearest-centroid baseline's on the same recordings.
	TestAcc, CentroidAcc float64
	// Confusion[true][predicted] counts the held-out recordings.
	Confusion [][]int
	// Loss is the training loss of each step run in this call; Resumed the step it resumed from.
	Loss    []float64
	Resumed int
	// TrainSpeakers and TestSpeakers are the voices of each set.
	TrainSpeakers, TestSpeakers []Speaker
}

// trainVowels trains the recogniser on set with checkpoints in dir and scores it.
func trainVowels(backend backends.Backend, set *VowelSet, cfg VowelConfig, dir string, quiet bool) (*VowelOutcome, error) {
	ctx := context.New()
	if err := ctx.SetRNGStateFromSeed(int64(cfg.Seed)); err != nil {
		return nil, fmt.Errorf("audio: %w", err)
	}
	model := vowelModel(cfg.Hidden)
	trainer := train.NewTrainer(backend, ctx, model, losses.SparseCategoricalCrossEntropyLogits,
		optimizers.Adam().LearningRate(cfg.LearningRate).Done(), nil, nil)
	opts := gomlxext.FitOptions{Steps: cfg.Steps, CheckpointDir: dir}
	var live *plotting.Live
	if !quiet {
		live = plotting.NewLive("vowel recogniser (MFCC → MLP)", cfg.Steps, "loss")
		opts.Progress = live
	}
	res, err := gomlxext.Fit(trainer, vowelBatches(set, cfg.Batch, cfg.Seed), opts)
	if live != nil {
		live.Done()
	}
	if err != nil {
		return nil, fmt.Errorf("audio: vowel recogniser: %w", err)
	}
	out := &VowelOutcome{Resumed: res.StartStep, CentroidAcc: set.CentroidAccuracy(), TrainSpeakers: set.Train, TestSpeakers: set.Test}
	for _, s := range res.History {
		out.Loss = append(out.Loss, s.Values["loss"])
	}
	predict, err := context.NewExec(backend, ctx.Reuse(), func(ctx *context.Context, x *G.Node) *G.Node {
		return G.ArgMax(model(ctx, nil, []*G.Node{x})[0], -1)
	})
	if err != nil {
		return nil, fmt.Errorf("audio: vowel recogniser: %w", err)
	}
	dim := len(set.TestX[0])
	flat := make([]float32, 0, len(set.TestX)*dim)
	for _, x := range set.TestX {
		for _, v := range x {
			flat = append(flat, float32(v))
		}
	}
	p, err := predict.Exec(tensors.FromFlatDataAndDimensions(flat, len(set.TestX), dim))
	if err != nil {
		return nil, fmt.Errorf("audio: vowel recogniser: %w", err)
	}
	out.Confusion = make([][]int, len(Vowels))
	for c := range out.Confusion {
		out.Confusion[c] = make([]int, len(Vowels))
	}
	right := 0
	for i, c := range tensors.MustCopyFlatData[int32](p[0]) {
		out.Confusion[set.TestY[i]][c]++
		if int(c) == set.TestY[i] {
			right++
		}
	}
	out.TestAcc = float64(right) / float64(len(set.TestX))
	return out, nil
}
