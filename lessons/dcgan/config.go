package dcgan

import (
	"fmt"

	"github.com/dl4go/dl4go/lessons"
)

// Config sizes one DCGAN experiment. DefaultConfig is the notebook's full size, QuickConfig the
// quick size (DL4GO_QUICK=1); Size picks one.
type Config struct {
	ZDim      int // length of the noise vector z.
	GFeatures int // generator: channels of the 14×14 map (the 7×7 map has twice as many).
	DFeatures int // discriminator: channels of the 14×14 map (the 7×7 map has twice as many).
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
	// CheckpointDir is where training is saved and resumed from. Empty means the user cache
	// (DefaultCheckpointDir); "-" disables checkpoints.
	CheckpointDir string
	Judge         JudgeConfig // the MNIST classifier that judges the samples.
	// Quiet turns off the live views (training progress, the evolving grid), e.g. to redraw the
	// charts of a finished run.
	Quiet bool
}

// DefaultConfig is the full experiment: G 7×7×128 → 14×14×64 → 28×28×1 (the classic MNIST DCGAN
// widths), D 28×28×1 → 14×14×32 → 7×7×64 → 1, 12000 iterations of batch 8 (1.6 passes over
// MNIST). With Adam's learning rate fixed at 2e-4 the samples improve with the number of updates
// more than with the batch size: measured on 2 cores, the confident fraction grew no faster per
// CPU-second with a wider G (128), a narrower G (32: 72% after 20000 iterations), a wider D (64),
// batch 16 or 32, or a longer z (100), so the small batch buys the most updates. Measured with the
// pure-Go engine: ≈ 0.034 s/iteration, 7 min; judged by DefaultJudgeConfig's classifier, 73.8% of
// 1000 samples are confident digits (smallest digit share 7.5%), short of the lesson's 80%: the
// curve flattens (about 67% at 6000–8000 iterations, 71–74% from 12000 to 20000), and neither a
// moving average of G's weights (71.5%), one-sided label smoothing, nor a last phase with less
// gradient noise (2000 more iterations at batch 32: 73.5%; 1000 at batch 64: 72.1%; 2000–3000 at a
// learning rate of 5e-5 or 2e-5: 71.8%, 72.9%) helped. Deeper networks (about 40% more time per
// iteration) moved it little: an extra 3×3 layer in G at 14×14 gave 74.3% at 10000 iterations,
// 76.3% at 12000 and 74.5% at 14000; G ending in 16 channels at 28×28 and a 3×3 layer, 75.0% at
// 12000; an extra 3×3 layer in D at 14×14, 70.7% at 10000. Nor did more data or width at 12000
// iterations: batch 32 (four times the samples; 77 ms per iteration) 74.3%, D 64 wide 72.4%, G 128
// and D 64 wide 75.0%.
func DefaultConfig() Config {
	return Config{
		ZDim: 32, GFeatures: 64, DFeatures: 32, Batch: 8,
		Steps: 12000, EpochSteps: 1000, ProbeSteps: 300, ProbeEvery: 10,
		LearningRate: 2e-4, Beta1: 0.5, Samples: 1000, Seed: 15,
		Judge: DefaultJudgeConfig(),
	}
}

// QuickConfig is the quick size: the same networks and code path, 300 iterations of batch 16 and a
// briefly trained judge (500 steps, ≈ 97%). Measured: 33.8% confident samples; ≈ 40 s CPU on 2
// cores for the whole run (judge, GAN, judging).
func QuickConfig() Config {
	c := DefaultConfig()
	c.Batch = 16
	c.Steps, c.EpochSteps, c.ProbeSteps, c.ProbeEvery = 300, 50, 100, 10
	c.Samples = 500
	c.Judge = QuickJudgeConfig()
	return c
}

// Size returns QuickConfig when lessons.Quick() (DL4GO_QUICK=1), else DefaultConfig.
func Size() Config {
	if lessons.Quick() {
		return QuickConfig()
	}
	return DefaultConfig()
}

// Key identifies a configuration's training run, for its checkpoint directory. It leaves out
// Steps, so that a longer run continues a shorter one's checkpoint.
func (c Config) Key() string {
	return fmt.Sprintf("z%d-g%d-d%d-b%d-e%d-lr%g-b1%g-s%d", c.ZDim, c.GFeatures, c.DFeatures, c.Batch,
		c.EpochSteps, c.LearningRate, c.Beta1, c.Seed)
}
