package dcgan

import (
	"fmt"

	"github.com/dl4go/dl4go/lessons"
)

// Lesson describes lesson 15 to the lesson kit: its RESULT id, cache folder and source folder.
// Lesson 16 (conditional GAN) builds on this package's networks, training step and judge.
var Lesson = lessons.Lesson{ID: "15", Name: "dcgan"}

// Config sizes one DCGAN experiment. Full is the notebook's size, Quick the quick size
// (DL4GO_QUICK=1); Size picks one. Every exported field but the embedded Options is part of the
// run's key (the judge's settings included): a run with another Steps, Batch, threshold, ... trains
// afresh instead of resuming or replaying this one.
type Config struct {
	lessons.Options `json:"-"`

	ZDim      int // length of the noise vector z.
	GFeatures int // generator: channels of the 14×14 maps (the 7×7 map has twice as many).
	DFeatures int // discriminator: channels of the 14×14 map (the 7×7 map has 2×, the 4×4 map 4×).
	Batch     int // images per step, real and fake each.
	Steps     int // training iterations (each one D update then one G update).
	// EpochSteps is the number of iterations between two snapshots of the fixed-noise grid
	// (an "epoch" of the lesson's charts; a pass over MNIST is 60000/Batch iterations).
	EpochSteps int
	// ProbeSteps is how many early iterations get the gradient probe (saturating vs
	// non-saturating generator loss), every ProbeEvery iterations.
	ProbeSteps, ProbeEvery int
	// LearningRate is Adam's learning rate: G's, and D's too unless DLearningRate is set (DCGAN:
	// 2e-4).
	LearningRate float64
	// DLearningRate, when positive, is D's own learning rate, a two time-scale update rule (TTUR,
	// Heusel et al., 2017: D faster than G); 0 gives D LearningRate. Lesson 15 leaves it 0.
	DLearningRate float64
	Beta1         float64 // Adam's β₁, both players (DCGAN: 0.5).
	// Beta2 is Adam's β₂, both players; 0 means Adam's usual 0.999 (lesson 15's).
	Beta2 float64
	// DecaySteps, when positive, makes both learning rates fall linearly to 0 over the last
	// DecaySteps iterations (iteration i < Steps runs at min(1, (Steps − i)/DecaySteps) of its
	// rate), as in the training of SNGAN and the projection cGAN (Miyato et al., 2018). Lesson 15
	// leaves it 0: constant rates.
	DecaySteps int
	Samples    int // samples the judge classifies at the end.
	Seed       uint64
	// Condition is how the players are told which digit to draw: Unconditional (this lesson's
	// DCGAN) or one of lesson 16's conditional GANs.
	Condition Conditioning
	// ClassBatchNorm (a conditional GAN only) makes G's batch norms conditional on the requested
	// digit: a scale and a shift per digit (see Generator). Lesson 15 leaves it false.
	ClassBatchNorm bool
	// EMA, when positive, is the decay of an exponential moving average of G's weights
	// (gomlxext.UpdateEMA, updated after every G step): the fixed grid and the judged samples are
	// then drawn by the averaged generator (in training mode, with its batch's statistics), not
	// by the one being trained. Lesson 15 leaves it 0.
	EMA   float64
	Judge JudgeConfig // the MNIST classifier that judges the samples.

	// MinProb is the judge probability from which a sample counts as a confident digit (0.9).
	MinProb float64
	// Threshold is the fraction of confident samples the lesson must reach.
	Threshold float64
	// MinClassShare is the smallest share of the confident samples every digit must get (no mode
	// collapse); 0 asserts nothing.
	MinClassShare float64
}

// Conditioning is how a GAN is told which digit to draw: lesson 16's conditional GAN (Mirza &
// Osindero, 2014), where G takes the label y beside z and D takes it beside the image, so that D
// judges whether the pair (image, label) is real. The zero value is this lesson's DCGAN.
type Conditioning int

const (
	// Unconditional is DCGAN: G(z), D(x).
	Unconditional Conditioning = iota
	// InputLabels feeds the label at the start of both networks: its one-hot vector is
	// concatenated to z in G, and, broadcast to a 28×28 map per digit, to D's image as 10 more
	// input channels.
	InputLabels
	// ProjectedLabels feeds G the same way, but D only at its end: a projection discriminator
	// (Miyato & Koyama, 2018) adds ⟨E[y], φ(x)⟩ to D's logit, φ(x) being the features D's last
	// layer reads (the flattened 4×4 map) and E a learned embedding of the ten digits, so the
	// last layer has a weight vector of its own for every digit.
	ProjectedLabels
)

// NumLabels is the number of conditions: MNIST's ten digits.
const NumLabels = 10

// String names the conditioning for charts and errors.
func (c Conditioning) String() string {
	switch c {
	case Unconditional:
		return "unconditional"
	case InputLabels:
		return "labels as input"
	case ProjectedLabels:
		return "projection"
	}
	return fmt.Sprintf("Conditioning(%d)", int(c))
}

// Conditional reports whether the players take a label.
func (c Conditioning) Conditional() bool { return c != Unconditional }

// Full is the full experiment: G 7×7×128 → 14×14×64 → 14×14×64 → 28×28×1, D 28×28×1 →
// 14×14×32 → 7×7×64 → 4×4×128 → 1, 16000 iterations of batch 8 (2.1 passes over MNIST), judged by
// FullJudge's classifier: at least 80% of 1000 samples must be confident digits, every digit at
// least 3% of them. The variants tried on the way there are in docs/experiments/dcgan.md.
func Full() Config {
	return Config{
		ZDim: 32, GFeatures: 64, DFeatures: 32, Batch: 8,
		Steps: 16000, EpochSteps: 1000, ProbeSteps: 300, ProbeEvery: 10,
		LearningRate: 2e-4, Beta1: 0.5, Samples: 1000, Seed: 15,
		Judge:   FullJudge(),
		MinProb: 0.9, Threshold: 0.80, MinClassShare: 0.03,
	}
}

// Quick is the quick size: the same networks and code path, 450 iterations of batch 16 and a
// briefly trained judge (QuickJudge); 30% of 500 samples must be confident, with no bar on the
// digits' shares.
func Quick() Config {
	c := Full()
	c.Batch = 16
	c.Steps, c.EpochSteps, c.ProbeSteps, c.ProbeEvery = 450, 50, 100, 10
	c.Samples = 500
	c.Judge = QuickJudge()
	c.Threshold, c.MinClassShare = 0.30, 0
	return c
}

// Size returns Quick when lessons.Quick() (DL4GO_QUICK=1), else Full.
func Size() Config {
	if lessons.Quick() {
		return Quick()
	}
	return Full()
}
