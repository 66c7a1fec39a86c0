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
	"github.com/gomlx/gomlx/pkg/ml/train"
	"github.com/gomlx/gomlx/pkg/ml/train/losses"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"

	"github.com/dl4go/dl4go/gomlxext"
	xlayers "github.com/dl4go/dl4go/gomlxext/layers"
	"github.com/dl4go/dl4go/plotting"
)

// WaveNetConfig sizes the WaveNet part.
type WaveNetConfig struct {
	// Layers is L, the dilated causal layers (dilations 1, 2, …, 2^(L−1)): receptive field 2^L.
	Layers int
	// Channels are the residual channels, SkipChannels those of the skip path and output layer.
	Channels, SkipChannels int
	// SampleRate is the melody's sample rate (Hz), NoteSeconds each note's length, TrainNotes and
	// TestNotes the notes of the training melody and of the held-out melody (drawn separately).
	SampleRate          int
	NoteSeconds         float64
	TrainNotes          int
	TestNotes           int
	Steps, Batch, Frame int // training steps; windows per batch; samples per window
	LearningRate        float64
	// GenerateSeconds is how long a sound the trained model generates, one sample at a time,
	// after being primed with the held-out melody's first 2^L samples.
	GenerateSeconds float64
	Seed            uint64
}

// MuLaw is μ, the μ-law companding constant (255: 8-bit classes).
const MuLaw = 255

// MuLawEncode maps x in [−1, 1] to its class 0…255: F(x) = sign(x)·ln(1 + μ|x|)/ln(1 + μ),
// then F in [−1, 1] quantised to 256 levels.
func MuLawEncode(x float64) int {
	x = math.Max(-1, math.Min(1, x))
	f := math.Copysign(math.Log1p(MuLaw*math.Abs(x))/math.Log1p(MuLaw), x)
	return int(math.Round((f + 1) / 2 * MuLaw))
}

// MuLawDecode maps a class 0…255 back to its amplitude: F⁻¹(y) = sign(y)·((1 + μ)^|y| − 1)/μ.
func MuLawDecode(q int) float64 {
	y := 2*float64(q)/MuLaw - 1
	return math.Copysign((math.Pow(1+MuLaw, math.Abs(y))-1)/MuLaw, y)
}

// pentatonic are the melody's notes (Hz): C major pentatonic, C4 to C5.
var pentatonic = []float64{261.63, 293.66, 329.63, 392.00, 440.00, 523.25}

// Melody is a tune of n notes drawn from the pentatonic scale with the seed: each note a sine
// with a softer second harmonic, a 10 ms attack and a decay to its end, amplitude ≤ 0.6.
func Melody(wc WaveNetConfig, n int, seed uint64) []float64 {
	rng := rand.New(rand.NewPCG(seed, 4))
	per := int(wc.NoteSeconds * float64(wc.SampleRate))
	out := make([]float64, 0, n*per)
	attack := wc.SampleRate / 100
	for range n {
		f := pentatonic[rng.IntN(len(pentatonic))]
		for i := range per {
			t := float64(i) / float64(wc.SampleRate)
			env := math.Min(1, float64(i)/float64(attack)) * (1 - 0.7*float64(i)/float64(per))
			out = append(out, 0.6*env*(0.8*math.Sin(2*math.Pi*f*t)+0.2*math.Sin(4*math.Pi*f*t)))
		}
	}
	return out
}

// quantise returns the μ-law classes of x and their decoded amplitudes (what the model reads).
func quantise(x []float64) (classes []int32, decoded []float32) {
	classes, decoded = make([]int32, len(x)), make([]float32, len(x))
	for i, v := range x {
		q := MuLawEncode(v)
		classes[i], decoded[i] = int32(q), float32(MuLawDecode(q))
	}
	return classes, decoded
}

// DilatedStack is the bare stack of L dilated causal convolutions (kernel 2, dilations 1, 2, …,
// 2^(L−1), tanh between them) whose receptive field the lesson measures: x [batch, T, 1] →
// [batch, T, channels].
func DilatedStack(ctx *context.Context, x *G.Node, l, channels int) *G.Node {
	h := x
	for i := range l {
		h = G.Tanh(xlayers.CausalConvolution(ctx.In(fmt.Sprintf("dilated%d", i)), h).Channels(channels).KernelSize(2).Dilations(1 << i).Done())
	}
	return h
}

// WaveNet is the tiny WaveNet: a 1×1 input projection, L residual layers — a dilated causal
// convolution (kernel 2, dilation 2^i) into a gated activation tanh(W_f∗h) ⊙ σ(W_g∗h), a 1×1
// convolution back to the residual channels (added to the layer's input) and a 1×1 skip
// convolution — then ReLU of the skips' sum, 1×1, ReLU, 1×1 to 256 μ-law classes:
// x [batch, T, 1] (decoded μ-law amplitudes) → logits [batch, T, 256] for the next sample.
// Output t sees inputs t − 2^L + 1 … t (receptive field 2^L).
func WaveNet(ctx *context.Context, x *G.Node, wc WaveNetConfig) *G.Node {
	h := layers.Convolution(ctx.In("input"), x).Channels(wc.Channels).KernelSize(1).Done()
	var skip *G.Node
	for i := range wc.Layers {
		scope := ctx.In(fmt.Sprintf("layer%d", i))
		z := xlayers.CausalConvolution(scope.In("dilated"), h).Channels(2 * wc.Channels).KernelSize(2).Dilations(1 << i).Done()
		gate := G.Mul(G.Tanh(G.SliceAxis(z, 2, G.AxisRange(0, wc.Channels))), G.Sigmoid(G.SliceAxis(z, 2, G.AxisRange(wc.Channels, 2*wc.Channels))))
		h = G.Add(h, layers.Convolution(scope.In("residual"), gate).Channels(wc.Channels).KernelSize(1).Done())
		s := layers.Convolution(scope.In("skip"), gate).Channels(wc.SkipChannels).KernelSize(1).Done()
		if skip == nil {
			skip = s
		} else {
			skip = G.Add(skip, s)
		}
	}
	y := layers.Convolution(ctx.In("out1"), activations.Relu(skip)).Channels(wc.SkipChannels).KernelSize(1).Done()
	return layers.Convolution(ctx.In("out2"), activations.Relu(y)).Channels(MuLaw + 1).KernelSize(1).Done()
}

// ReceptiveField measures which inputs output step t of net depends on: the gradient of the
// sum of net's outputs at t with respect to an input of length T (random values, so that no
// gradient vanishes by accident). It returns |∂y_t/∂x_s| for every s and the steps where it is
// not zero.
func ReceptiveField(backend backends.Backend, ctx *context.Context, net func(ctx *context.Context, x *G.Node) *G.Node, T, t int, seed uint64) (grad []float64, seen []int, err error) {
	if t < 0 || t >= T {
		return nil, nil, fmt.Errorf("architectures: receptive field at step %d of a %d-step input", t, T)
	}
	rng := rand.New(rand.NewPCG(seed, 5))
	x := make([]float32, T)
	for i := range x {
		x[i] = float32(rng.Float64()*2 - 1)
	}
	exec, err := context.NewExec(backend, ctx, func(ctx *context.Context, x *G.Node) *G.Node {
		y := net(ctx, x)
		return G.Gradient(G.ReduceAllSum(G.SliceAxis(y, 1, G.AxisRange(t, t+1))), x)[0]
	})
	if err != nil {
		return nil, nil, fmt.Errorf("architectures: %w", err)
	}
	res, err := exec.Exec(tensors.FromFlatDataAndDimensions(x, 1, T, 1))
	if err != nil {
		return nil, nil, fmt.Errorf("architectures: receptive field: %w", err)
	}
	for s, g := range tensors.MustCopyFlatData[float32](res[0]) {
		grad = append(grad, math.Abs(float64(g)))
		if g != 0 {
			seen = append(seen, s)
		}
	}
	return grad, seen, nil
}

// WaveNetResult is what the WaveNet part measured.
type WaveNetResult struct {
	// StackSeen are the input steps output step StackAt of the bare dilated stack depends on
	// (from the gradient), StackGrad |∂y/∂x| at every step; ModelSeen the same for the trained
	// WaveNet at step ModelAt.
	StackSeen, ModelSeen []int
	StackGrad, ModelGrad []float64
	StackAt, ModelAt     int
	// MSE is the held-out next-sample mean squared error of the model's most likely class
	// (decoded), RepeatMSE that of repeating the last sample; Accuracy and RepeatAccuracy the
	// shares of exactly right μ-law classes.
	MSE, RepeatMSE, Accuracy, RepeatAccuracy float64
	// Real is the held-out melody (decoded μ-law), Predicted the model's next-sample prediction
	// for each of its steps, Generated the sound the model generated after the priming.
	Real, Predicted, Generated []float32
	Loss                       []float64
}

// runWaveNet measures the bare stack's receptive field, trains the tiny WaveNet on the training
// melody (resuming from dir), scores next-sample prediction on the held-out melody against
// repeating the last sample, measures the trained model's receptive field and generates sound.
func runWaveNet(backend backends.Backend, wc WaveNetConfig, dir string, quiet bool) (*WaveNetResult, error) {
	rf := 1 << wc.Layers
	out := &WaveNetResult{StackAt: 3 * rf / 2, ModelAt: 3 * rf / 2}
	stackCtx := context.New()
	if err := stackCtx.SetRNGStateFromSeed(int64(wc.Seed)); err != nil {
		return nil, fmt.Errorf("architectures: %w", err)
	}
	var err error
	if out.StackGrad, out.StackSeen, err = ReceptiveField(backend, stackCtx, func(ctx *context.Context, x *G.Node) *G.Node {
		return DilatedStack(ctx, x, wc.Layers, 4)
	}, 2*rf, out.StackAt, wc.Seed); err != nil {
		return nil, err
	}

	trainClasses, trainX := quantise(Melody(wc, wc.TrainNotes, wc.Seed))
	testClasses, testX := quantise(Melody(wc, wc.TestNotes, wc.Seed+1))
	if len(trainX) < wc.Frame+2 {
		return nil, fmt.Errorf("architectures: the training melody (%d samples) is shorter than a frame (%d): raise TrainNotes", len(trainX), wc.Frame)
	}
	ctx := context.New()
	if err := ctx.SetRNGStateFromSeed(int64(wc.Seed)); err != nil {
		return nil, fmt.Errorf("architectures: %w", err)
	}
	model := func(ctx *context.Context, _ any, inputs []*G.Node) []*G.Node {
		return []*G.Node{WaveNet(ctx, inputs[0], wc)}
	}
	trainer := train.NewTrainer(backend, ctx, model, losses.SparseCategoricalCrossEntropyLogits,
		optimizers.Adam().LearningRate(wc.LearningRate).Done(), nil, nil)
	ds := gomlxext.NewStepBatches("melody", func(step int64) (inputs, labels []*tensors.Tensor, err error) {
		rng := rand.New(rand.NewPCG(wc.Seed, uint64(step)))
		x, y := make([]float32, wc.Batch*wc.Frame), make([]int32, wc.Batch*wc.Frame)
		for b := range wc.Batch {
			start := rng.IntN(len(trainX) - wc.Frame - 1)
			copy(x[b*wc.Frame:], trainX[start:start+wc.Frame])
			copy(y[b*wc.Frame:], trainClasses[start+1:start+1+wc.Frame]) // the next sample's class
		}
		return []*tensors.Tensor{tensors.FromFlatDataAndDimensions(x, wc.Batch, wc.Frame, 1)},
			[]*tensors.Tensor{tensors.FromFlatDataAndDimensions(y, wc.Batch, wc.Frame, 1)}, nil
	})
	opts := gomlxext.FitOptions{Steps: wc.Steps, CheckpointDir: dir}
	var live *plotting.Live
	if !quiet {
		live = plotting.NewLive("tiny WaveNet on a μ-law melody", wc.Steps, "loss")
		opts.Progress = live
	}
	res, err := gomlxext.Fit(trainer, ds, opts)
	if live != nil {
		live.Done()
	}
	if err != nil {
		return nil, fmt.Errorf("architectures: train WaveNet: %w", err)
	}
	for _, s := range res.History {
		out.Loss = append(out.Loss, s.Values["loss"])
	}
	net := func(ctx *context.Context, x *G.Node) *G.Node { return WaveNet(ctx, x, wc) }
	if out.ModelGrad, out.ModelSeen, err = ReceptiveField(backend, ctx.Reuse(), net, 2*rf, out.ModelAt, wc.Seed); err != nil {
		return nil, err
	}

	// Held-out next-sample prediction: the whole held-out melody in one pass (causal: step t
	// sees only samples ≤ t).
	predict, err := context.NewExec(backend, ctx.Reuse(), func(ctx *context.Context, x *G.Node) *G.Node {
		return G.ArgMax(net(ctx, x), -1)
	})
	if err != nil {
		return nil, fmt.Errorf("architectures: %w", err)
	}
	r, err := predict.Exec(tensors.FromFlatDataAndDimensions(testX, 1, len(testX), 1))
	if err != nil {
		return nil, fmt.Errorf("architectures: WaveNet prediction: %w", err)
	}
	pred := tensors.MustCopyFlatData[int32](r[0])
	out.Real, out.Predicted = testX, make([]float32, len(testX))
	n := len(testX) - 1
	for t := range n { // predict sample t+1 from samples ≤ t
		p := MuLawDecode(int(pred[t]))
		out.Predicted[t+1] = float32(p)
		truth := float64(testX[t+1])
		out.MSE += (p - truth) * (p - truth) / float64(n)
		out.RepeatMSE += (float64(testX[t]) - truth) * (float64(testX[t]) - truth) / float64(n)
		if pred[t] == testClasses[t+1] {
			out.Accuracy += 1 / float64(n)
		}
		if testClasses[t] == testClasses[t+1] {
			out.RepeatAccuracy += 1 / float64(n)
		}
	}

	// Generation: prime with the held-out melody's first 2^L samples, then sample each next
	// class from the model's distribution and feed it back.
	gen, err := context.NewExec(backend, ctx.Reuse(), func(ctx *context.Context, x *G.Node) *G.Node {
		logits := G.SliceAxis(net(ctx, x), 1, G.AxisRange(rf-1, rf)) // the last step: [1, 1, 256]
		return G.Softmax(G.Reshape(logits, MuLaw+1), -1)
	})
	if err != nil {
		return nil, fmt.Errorf("architectures: %w", err)
	}
	rng := rand.New(rand.NewPCG(wc.Seed, 6))
	window := append([]float32(nil), testX[:rf]...)
	total := int(wc.GenerateSeconds * float64(wc.SampleRate))
	out.Generated = append([]float32(nil), window...)
	for len(out.Generated) < total {
		r, err := gen.Exec(tensors.FromFlatDataAndDimensions(window, 1, rf, 1))
		if err != nil {
			return nil, fmt.Errorf("architectures: WaveNet generation: %w", err)
		}
		probs := tensors.MustCopyFlatData[float32](r[0])
		u, q := rng.Float64(), MuLaw
		for c, p := range probs {
			if u -= float64(p); u < 0 {
				q = c
				break
			}
		}
		v := float32(MuLawDecode(q))
		out.Generated = append(out.Generated, v)
		window = append(window[1:], v)
	}
	return out, nil
}
