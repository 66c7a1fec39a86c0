package dcgan

import (
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
	LearningRate           float64 // Adam's learning rate, both players (DCGAN: 2e-4).
	Beta1                  float64 // Adam's β₁, both players (DCGAN: 0.5).
	Samples                int     // samples the judge classifies at the end.
	Seed                   uint64
	Judge                  JudgeConfig // the MNIST classifier that judges the samples.

	// MinProb is the judge probability from which a sample counts as a confident digit (0.9).
	MinProb float64
	// Threshold is the fraction of confident samples the lesson must reach.
	Threshold float64
	// MinClassShare is the smallest share of the confident samples every digit must get (no mode
	// collapse); 0 asserts nothing.
	MinClassShare float64
}

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
