package dcgan

import (
	"fmt"

	"github.com/dl4go/dl4go/data/mnist"
	"github.com/dl4go/dl4go/gomlxext"
	"github.com/dl4go/dl4go/plotting"
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// saturationStream is the noise stream of RunSaturation.
const saturationStream = 4 << 40

// SaturationLR is D's Adam learning rate in RunSaturation (10× the game's): D wins fast.
const SaturationLR = 2e-3

// RunSaturation reproduces the situation in which the original minimax generator loss fails: the
// start of training, when D easily rejects G's samples. It takes a fresh (untrained) G and D, trains
// D alone for steps Adam steps against the frozen G, and before each step probes both generator
// losses' gradients (see Probe) on the same noise batch. As D(G(z)) falls toward 0 the saturating
// gradient vanishes while the non-saturating one does not. D's learning rate here is
// SaturationLR, so that D wins within a few steps. Nothing is checkpointed.
func RunSaturation(cfg Config, steps int) ([]Probe, error) {
	backend, err := gomlxext.Backend()
	if err != nil {
		return nil, fmt.Errorf("dcgan: %w", err)
	}
	cfg.LearningRate = SaturationLR // let D win quickly, as it does in a real run's first moments
	g, err := newGAN(backend, cfg)
	if err != nil {
		return nil, err
	}
	set, err := mnist.Load(mnist.Train)
	if err != nil {
		return nil, fmt.Errorf("dcgan: %w", err)
	}
	ds := set.Dataset(cfg.Batch).Shuffle(cfg.Seed + 1).Infinite()
	zProbe := tensors.FromFlatDataAndDimensions(noise(cfg.Seed, saturationStream, cfg.Batch, cfg.ZDim), cfg.Batch, cfg.ZDim)
	var probes []Probe
	for step := 0; step <= steps; step++ {
		out, err := g.probe.Exec(zProbe)
		if err != nil {
			return nil, fmt.Errorf("dcgan: probe: %w", err)
		}
		probes = append(probes, Probe{Step: step, NonSaturating: scalar(out[0]), Saturating: scalar(out[1]), DFake: scalar(out[2])})
		if step == steps {
			break
		}
		_, inputs, _, err := ds.Yield()
		if err != nil {
			return nil, fmt.Errorf("dcgan: data: %w", err)
		}
		z := noise(cfg.Seed, saturationStream+1+uint64(step), cfg.Batch, cfg.ZDim)
		fake, err := g.generate.Exec(tensors.FromFlatDataAndDimensions(z, cfg.Batch, cfg.ZDim))
		if err != nil {
			return nil, fmt.Errorf("dcgan: generate: %w", err)
		}
		if _, err := g.dStep.Exec(inputs[0], fake[0]); err != nil {
			return nil, fmt.Errorf("dcgan: update_discriminator: %w", err)
		}
	}
	return probes, nil
}

// SaturationSteps is the number of D-only steps RunSaturation takes at cfg's size.
func SaturationSteps(cfg Config) int {
	if cfg.Steps < 1000 {
		return 25
	}
	return 40
}

// ProbeChart draws probes (from RunSaturation or History.Probes): the norms, over all of G's
// weights, of the gradients of both generator losses, and the mean D(G(z)) (log scale).
func ProbeChart(title, xName string, probes []Probe) (*plotting.Chart, error) {
	if len(probes) == 0 {
		return nil, fmt.Errorf("dcgan: no gradient probes")
	}
	x := make([]float64, len(probes))
	ns, sat, df := make([]float64, len(probes)), make([]float64, len(probes)), make([]float64, len(probes))
	for i, v := range probes {
		x[i], ns[i], sat[i], df[i] = float64(v.Step), v.NonSaturating, v.Saturating, v.DFake
	}
	return plotting.Line(title, x, []plotting.Series{
		{Name: "‖∇G‖ non-saturating −log D(G(z)) (label 1)", Y: ns},
		{Name: "‖∇G‖ saturating log(1 − D(G(z)))", Y: sat},
		{Name: "mean D(G(z))", Y: df},
	}, plotting.WithAxisNames(xName, "gradient norm / probability"), plotting.WithLogY())
}
