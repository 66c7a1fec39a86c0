package ctc

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	G "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"

	"github.com/dl4go/dl4go/gomlxext"
	xlayers "github.com/dl4go/dl4go/gomlxext/layers"
	"github.com/dl4go/dl4go/lessons"
	"github.com/dl4go/dl4go/lessons/audio"
)

// Lesson describes lesson 14 to the lesson kit; it speaks with lesson 13's synthesiser.
var Lesson = lessons.Lesson{ID: "14", Name: "ctc", Uses: []string{"audio"}}

// Config sizes the lesson.
type Config struct {
	lessons.Options `json:"-"`

	Data  DataConfig
	Model ModelConfig
	// Beam is the width of the prefix beam search.
	Beam int
	// CheckFrames is the length of the random example the forward algorithm is checked on
	// against the sum over all 3^CheckFrames alignments (classes: blank, 1, 2).
	CheckFrames int
	// MaxLER is the largest held-out label error rate (beam search) that passes; CheckTolerance
	// the largest difference between the CTC loss and the brute-force sum.
	MaxLER, CheckTolerance float64
}

// Full is the notebook's lesson.
func Full() Config {
	return Config{
		Data: DataConfig{SampleRate: 16000, MinSymbols: 2, MaxSymbols: 5, MinDur: 0.08, MaxDur: 0.2, MinGap: 0.04, MaxGap: 0.12,
			Noise: 0.005, TrainSpeakers: 30, TestSpeakers: 10, TrainSize: 600, TestSize: 120,
			Features: audio.FeatureConfig{FrameSize: 512, Hop: 160, MelBands: 26}, Seed: 14},
		Model: ModelConfig{Channels: 48, Layers: 3, Kernel: 5, Steps: 1200, Batch: 16, LearningRate: 2e-3, Seed: 14},
		Beam:  8, CheckFrames: 7, MaxLER: 0.10, CheckTolerance: 1e-6,
	}
}

// Quick is the same lesson with fewer utterances and steps, for tests and CI.
func Quick() Config {
	c := Full()
	c.Data.TrainSize, c.Data.TestSize, c.Model.Steps = 200, 40, 300
	c.MaxLER = 0.40
	return c
}

// Size returns Quick when lessons.Quick() (DL4GO_QUICK=1), else Full.
func Size() Config {
	if lessons.Quick() {
		return Quick()
	}
	return Full()
}

// Check is the forward algorithm checked against its definition on a random example.
type Check struct {
	LogProbs [][]float64 // [frames][3]: blank, 1, 2
	Labels   []int
	// Forward is −log p from α (float64, this package), Engine from gomlxext/layers.CTCLoss on the
	// backend (float64), Brute the sum over every path; Paths and Matching count the paths.
	Forward, Engine, Brute float64
	Paths, Matching        int
	// GradMaxDiff is the largest difference between the closed-form gradient (softmax minus
	// occupancy) and finite differences of the forward loss.
	GradMaxDiff float64
}

// MaxDiff is the largest difference between the brute force and either CTC computation.
func (c Check) MaxDiff() float64 {
	return math.Max(math.Abs(c.Forward-c.Brute), math.Abs(c.Engine-c.Brute))
}

// Outcome is what Run measured.
type Outcome struct {
	Config  Config
	Check   Check
	Data    *Dataset
	Trained *Trained
	// BaselineLER is the held-out label error rate of the classical pipeline without CTC: cut the
	// utterance at silences (frame energy), label each piece with the nearest vowel template.
	BaselineLER float64
	Wall        time.Duration
}

// Result is the lesson's RESULT line: the label error rate of prefix beam search on utterances of
// speakers never heard in training. If the CTC loss misses the brute-force sum, it reports that.
func (o *Outcome) Result() lessons.Result {
	if d := o.Check.MaxDiff(); !(d <= o.Config.CheckTolerance) {
		return lessons.Result{Lesson: Lesson.ID, Metric: "ctc_loss_vs_brute_force_max_abs_diff", Value: d,
			Threshold: o.Config.CheckTolerance, LowerIsBetter: true}
	}
	return lessons.Result{Lesson: Lesson.ID, Metric: "label_error_rate_heldout_speakers", Value: o.Trained.BeamLER,
		Threshold: o.Config.MaxLER, LowerIsBetter: true}
}

// Summary is a short table of the lesson's numbers.
func (o *Outcome) Summary() string {
	c := o.Check
	return fmt.Sprintf("CTC loss of a random %d-frame example: forward %.10f, engine %.10f, brute force over %d paths (%d match) %.10f\n"+
		"gradient vs finite differences: max difference %.1e\n"+
		"held-out label error rate: beam search %.3f, greedy %.3f; silence-cut + templates baseline %.3f\n",
		len(c.LogProbs), c.Forward, c.Engine, c.Paths, c.Matching, c.Brute, c.GradMaxDiff,
		o.Trained.BeamLER, o.Trained.GreedyLER, o.BaselineLER)
}

// Run does the whole lesson: the check of the forward algorithm, the data, the training (or its
// resumption or restoration) and the decoding of the held-out utterances.
func Run(cfg Config) (*Outcome, error) {
	t0 := time.Now()
	backend, err := gomlxext.Backend()
	if err != nil {
		return nil, fmt.Errorf("ctc: %w", err)
	}
	run, err := Lesson.Open(cfg)
	if err != nil {
		return nil, err
	}
	out := &Outcome{Config: cfg}
	if out.Check, err = RunCheck(cfg.CheckFrames); err != nil {
		return nil, err
	}
	if out.Data, err = MakeDataset(cfg.Data); err != nil {
		return nil, err
	}
	dir, err := run.Part("model")
	if err != nil {
		return nil, err
	}
	if out.Trained, err = trainModel(backend, out.Data, cfg.Model, cfg.Beam, dir, run.Quiet); err != nil {
		return nil, err
	}
	out.BaselineLER = templateBaseline(out.Data)
	out.Wall = time.Since(t0)
	return out, nil
}

// RunCheck draws a random example of the given number of frames over the classes blank, 1, 2
// with the labels 1 1 2 (a repeat: a blank must separate the two 1s) and computes its CTC loss
// three ways, and the gradient two ways.
func RunCheck(frames int) (Check, error) {
	rng := rand.New(rand.NewPCG(uint64(frames), 1))
	c := Check{Labels: []int{1, 1, 2}}
	logits := make([][]float64, frames)
	for t := range logits {
		logits[t] = []float64{rng.NormFloat64(), rng.NormFloat64(), rng.NormFloat64()}
	}
	c.LogProbs = logSoftmax(logits)
	c.Forward = -LogLikelihood(Forward(c.LogProbs, c.Labels))
	c.Brute, c.Paths, c.Matching = BruteForce(c.LogProbs, c.Labels)
	grad := Gradient(c.LogProbs, c.Labels)
	for t := range logits {
		for k := range logits[t] {
			const h = 1e-6
			save := logits[t][k]
			logits[t][k] = save + h
			up := -LogLikelihood(Forward(logSoftmax(logits), c.Labels))
			logits[t][k] = save - h
			down := -LogLikelihood(Forward(logSoftmax(logits), c.Labels))
			logits[t][k] = save
			c.GradMaxDiff = math.Max(c.GradMaxDiff, math.Abs((up-down)/(2*h)-grad[t][k]))
		}
	}
	backend, err := gomlxext.Backend()
	if err != nil {
		return c, err
	}
	flat := make([]float64, 0, 3*frames)
	for _, row := range logits {
		flat = append(flat, row...)
	}
	res, err := G.ExecOnce(backend, func(x, xl, y, yl *G.Node) *G.Node { return xlayers.CTCLoss(x, xl, y, yl) },
		tensors.FromFlatDataAndDimensions(flat, 1, frames, 3), []int32{int32(frames)},
		[][]int32{{1, 1, 2}}, []int32{3})
	if err != nil {
		return c, fmt.Errorf("ctc: the engine's CTC loss: %w", err)
	}
	c.Engine = tensors.MustCopyFlatData[float64](res)[0]
	return c, nil
}

// logSoftmax is log softmax over each frame's classes.
func logSoftmax(logits [][]float64) [][]float64 {
	out := make([][]float64, len(logits))
	for t, row := range logits {
		m := math.Inf(-1)
		for _, v := range row {
			m = math.Max(m, v)
		}
		var z float64
		for _, v := range row {
			z += math.Exp(v - m)
		}
		out[t] = make([]float64, len(row))
		for c, v := range row {
			out[t][c] = v - m - math.Log(z)
		}
	}
	return out
}

// segments cuts an utterance at silences: runs of frames whose energy is within 15 dB of the
// loudest frame, of at least 3 frames; each segment's mean log-mel vector.
func segments(u Utterance) [][]float64 {
	energy := make([]float64, len(u.Frames))
	top := math.Inf(-1)
	for t, fr := range u.Frames {
		var e float64
		for _, v := range fr {
			e += math.Exp(4 * v) // frames are (log-mel − mean)/4
		}
		energy[t] = 10 * math.Log10(e)
		top = math.Max(top, energy[t])
	}
	var segs [][]float64
	start := -1
	for t := 0; t <= len(energy); t++ {
		loud := t < len(energy) && energy[t] > top-15
		switch {
		case loud && start < 0:
			start = t
		case !loud && start >= 0:
			if t-start >= 3 {
				mean := make([]float64, len(u.Frames[0]))
				for _, fr := range u.Frames[start:t] {
					for m, v := range fr {
						mean[m] += v / float64(t-start)
					}
				}
				segs = append(segs, mean)
			}
			start = -1
		}
	}
	return segs
}

// templateBaseline is the classical pipeline without CTC: cut at silences, learn one template
// (mean segment vector) per vowel from the training utterances whose cut gave as many pieces as
// labels (matched in order), and label each held-out piece with the nearest template. Returns
// the held-out label error rate.
func templateBaseline(d *Dataset) float64 {
	sum := make([][]float64, NumClasses)
	count := make([]float64, NumClasses)
	for _, u := range d.Train {
		segs := segments(u)
		if len(segs) != len(u.Labels) {
			continue
		}
		for i, s := range segs {
			l := u.Labels[i]
			if sum[l] == nil {
				sum[l] = make([]float64, len(s))
			}
			for m, v := range s {
				sum[l][m] += v
			}
			count[l]++
		}
	}
	errs, total := 0, 0
	for _, u := range d.Test {
		var hyp []int
		for _, s := range segments(u) {
			best, bestD := 1, math.Inf(1)
			for l := 1; l < NumClasses; l++ {
				if count[l] == 0 {
					continue
				}
				var dist float64
				for m, v := range s {
					dd := v - sum[l][m]/count[l]
					dist += dd * dd
				}
				if dist < bestD {
					best, bestD = l, dist
				}
			}
			hyp = append(hyp, best)
		}
		errs += EditDistance(hyp, u.Labels)
		total += len(u.Labels)
	}
	return float64(errs) / float64(total)
}
