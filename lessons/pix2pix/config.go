package pix2pix

import (
	"fmt"

	"github.com/dl4go/dl4go/lessons"
)

// Lesson describes lesson 17 to the lesson kit: its RESULT id, cache folder and source folder.
var Lesson = lessons.Lesson{ID: "17", Name: "pix2pix"}

// Model is one of the generators the lesson trains, each for the same number of iterations on
// the same batches: pix2pix's GAN + L1 and its three ablations.
type Model int

const (
	// GANL1 is pix2pix: a U-Net generator trained on the conditional GAN loss against a
	// PatchGAN plus λ·L1.
	GANL1 Model = iota
	// L1Only is the same U-Net trained on the L1 term alone (no discriminator).
	L1Only
	// GANOnly is the same U-Net trained on the conditional GAN loss alone (λ = 0).
	GANOnly
	// NoSkips is GAN + L1 with a generator without the U-Net's skip connections (a plain
	// encoder–decoder: everything goes through the 4×4 bottleneck).
	NoSkips
)

// String names the model for charts and errors.
func (m Model) String() string {
	switch m {
	case GANL1:
		return "GAN + L1"
	case L1Only:
		return "L1 only"
	case GANOnly:
		return "GAN only"
	case NoSkips:
		return "GAN + L1, no skips"
	}
	return fmt.Sprintf("Model(%d)", int(m))
}

// Adversarial reports whether the model is trained against a discriminator.
func (m Model) Adversarial() bool { return m != L1Only }

// Skips reports whether the model's U-Net has its skip connections.
func (m Model) Skips() bool { return m != NoSkips }

// lambda is the weight of the L1 term in the model's generator loss.
func (m Model) lambda(cfg Config) float64 {
	if m == GANOnly {
		return 0
	}
	return cfg.Lambda
}

// Config sizes the lesson. Every exported field but the embedded Options is part of the run's
// key: a run with another Steps, Lambda, threshold, ... trains afresh.
type Config struct {
	lessons.Options `json:"-"`

	// Models are the generators trained, one after the other, each for Steps iterations on the
	// same batches; the first must be GANL1 (the RESULT line's model).
	Models []Model

	// The paired task (see Pair): ImageSize×ImageSize scenes of 1–MaxObjects shapes of
	// MinSide–MaxSide pixels. Training pairs are scenes 0…TrainPairs−1, held-out pairs TestPairs
	// scenes from HeldOutStart on (never trained on); Show of those are drawn in the pictures.
	ImageSize, MaxObjects, MinSide, MaxSide int
	TrainPairs, TestPairs, Show             int

	GFeatures int // U-Net: channels of its first level (doubling per level).
	Depth     int // U-Net: levels (ImageSize / 2^Depth is the bottleneck's size).
	DFeatures int // PatchGAN: channels of its first convolution.
	// DDownsamplings is the PatchGAN's number of stride-2 convolutions: its receptive field is
	// 16×16 pixels with 1 (layers.ReceptiveField).
	DDownsamplings int

	Lambda        float64 // weight λ of the L1 term (pix2pix: 100).
	Batch         int     // pairs per iteration.
	Steps         int     // iterations of every model (one D step and one G step each).
	SnapshotEvery int     // iterations between two snapshots (live picture, checkpoint).
	LearningRate  float64 // Adam's learning rate, both players (pix2pix: 2e-4).
	Beta1         float64 // Adam's β₁, both players (pix2pix: 0.5).
	Seed          uint64

	// Threshold is the largest held-out L1 error of GAN + L1 ÷ that of the mean-image baseline
	// that passes (Full: 0.5, at least 50% below the baseline).
	Threshold float64
	// RequireSharper asks, too, that GAN + L1's sharpness be closer to the target's than L1
	// only's (|log(sharpness ratio)| smaller).
	RequireSharper bool
}

// HeldOutStart is the index of the first held-out scene: far from every training scene.
const HeldOutStart = 1 << 20

// Full is the notebook's experiment: the four models of 32×32 pairs (U-Net 16-32-64 channels
// down to 4×4, PatchGAN with a 16×16 receptive field) trained for 2800 iterations of batch 16
// each, sized for the 5-minute budget on 2 cores. The learning rate is 1e-3, not the paper's
// 2e-4: these small networks must converge within the budget (at 1e-3, GAN + L1 reached 0.54 of
// the mean-image baseline's L1 error after 1500 iterations, 0.47 after 2800).
func Full() Config {
	return Config{
		Models:    []Model{GANL1, L1Only, GANOnly, NoSkips},
		ImageSize: 32, MaxObjects: 3, MinSide: 8, MaxSide: 16,
		TrainPairs: 4000, TestPairs: 256, Show: 6,
		GFeatures: 16, Depth: 3, DFeatures: 16, DDownsamplings: 1,
		Lambda: 100, Batch: 16, Steps: 2800, SnapshotEvery: 200,
		LearningRate: 1e-3, Beta1: 0.5, Seed: 17,
		Threshold: 0.5, RequireSharper: true,
	}
}

// Quick is the quick size: the same models and code path, fewer iterations and pairs; GAN + L1
// must only beat the mean-image baseline.
func Quick() Config {
	c := Full()
	c.Steps, c.SnapshotEvery, c.TrainPairs, c.TestPairs = 150, 50, 1000, 128
	c.Threshold, c.RequireSharper = 1, false
	return c
}

// Size returns Quick when lessons.Quick() (DL4GO_QUICK=1), else Full.
func Size() Config {
	if lessons.Quick() {
		return Quick()
	}
	return Full()
}

// check reports settings Run cannot use.
func (c Config) check() error {
	if len(c.Models) == 0 || c.Models[0] != GANL1 {
		return fmt.Errorf("pix2pix: Config.Models must start with GANL1 (the RESULT line's model), got %v", c.Models)
	}
	seen := map[Model]bool{}
	for _, m := range c.Models {
		if m < GANL1 || m > NoSkips || seen[m] {
			return fmt.Errorf("pix2pix: Config.Models %v: unknown or repeated model %v", c.Models, m)
		}
		seen[m] = true
	}
	switch {
	case c.Depth < 1 || c.ImageSize%(1<<c.Depth) != 0:
		return fmt.Errorf("pix2pix: ImageSize %d must be divisible by 2^Depth = 2^%d", c.ImageSize, c.Depth)
	case c.TrainPairs < c.Batch || c.Batch < 1 || c.TestPairs < 1 || c.Show < 1 || c.Show > c.TestPairs:
		return fmt.Errorf("pix2pix: need 1 ≤ Batch ≤ TrainPairs and 1 ≤ Show ≤ TestPairs, got Batch %d, TrainPairs %d, Show %d, TestPairs %d",
			c.Batch, c.TrainPairs, c.Show, c.TestPairs)
	case c.TrainPairs > HeldOutStart:
		return fmt.Errorf("pix2pix: TrainPairs %d would reach the held-out scenes at %d", c.TrainPairs, HeldOutStart)
	case c.Steps < 1 || c.SnapshotEvery < 1:
		return fmt.Errorf("pix2pix: Steps %d and SnapshotEvery %d must be ≥ 1", c.Steps, c.SnapshotEvery)
	}
	return nil
}
