package dcgan

import (
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/dl4go/dl4go/data/mnist"
	"github.com/dl4go/dl4go/gomlxext"
	"github.com/dl4go/dl4go/plotting"
	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"
)

// Noise streams (with Config.Seed) of the lesson's fixed samples.
const (
	fixedStream  = 1 << 40 // the fixed-noise grid shown every epoch.
	judgeStream  = 2 << 40 // the samples the judge classifies.
	interpStream = 3 << 40 // the two end points of the interpolation.
	labelStream  = 5 << 40 // the digits a conditional G is asked for in training.
	// FixedSamples is the number of images in the fixed-noise grid of an unconditional GAN.
	FixedSamples = 64
)

// FixedGrid returns the size of cfg's fixed-noise grid, shown after every epoch: FixedSamples
// images in rows of 8 for an unconditional GAN; for a conditional one, one row per requested digit
// (0 at the top) and one column per noise vector, NumLabels × NumLabels images: the noise (the
// "style") is shared down a column, the digit changes along it.
func (c Config) FixedGrid() (n, cols int) {
	if c.Condition.Conditional() {
		return NumLabels * NumLabels, NumLabels
	}
	return FixedSamples, 8
}

// fixedInputs returns the noise [n, ZDim] and, for a conditional GAN, the digits [n] of cfg's
// fixed-noise grid (see FixedGrid).
func fixedInputs(cfg Config) ([]float32, []int32) {
	n, cols := cfg.FixedGrid()
	if !cfg.Condition.Conditional() {
		return noise(cfg.Seed, fixedStream, n, cfg.ZDim), nil
	}
	col := noise(cfg.Seed, fixedStream, cols, cfg.ZDim)
	z, labels := make([]float32, 0, n*cfg.ZDim), make([]int32, 0, n)
	for row := range n / cols {
		z = append(z, col...)
		for range cols {
			labels = append(labels, int32(row))
		}
	}
	return z, labels
}

// History is everything recorded while training, saved with every checkpoint (gob: NaN and ±Inf
// survive) so that a resumed or restored run draws the whole curves.
type History struct {
	// Per iteration: discriminator and generator losses, mean D(x) on the real batch and mean
	// D(G(z)) on the fake batch, as seen by the D step.
	DLoss, GLoss, DReal, DFake []float64
	Probes                     []Probe
	Snapshots                  []Snapshot
}

// Probe compares the two generator losses' gradients at one early iteration.
type Probe struct {
	Step int
	// NonSaturating and Saturating are the L2 norms, over all of G's weights, of the gradients of
	// −mean log D(G(z)) and of mean log(1 − D(G(z))).
	NonSaturating, Saturating float64
	DFake                     float64 // mean D(G(z)) of the probe batch.
}

// Snapshot is the fixed-noise grid after Step iterations: the images of Config.FixedGrid
// [n, 28, 28], stored as bytes (0..255).
type Snapshot struct {
	Step   int
	Pixels []byte
}

// Images returns the snapshot's images flattened, [n, 28, 28] in [0, 1].
func (s Snapshot) Images() []float32 {
	out := make([]float32, len(s.Pixels))
	for i, b := range s.Pixels {
		out[i] = float32(b) / 255
	}
	return out
}

func toBytes(pix []float32) []byte {
	out := make([]byte, len(pix))
	for i, v := range pix {
		out[i] = byte(math.Round(float64(min(max(v, 0), 1)) * 255))
	}
	return out
}

// watchInterrupt starts watching for an interrupt (tests replace it).
var watchInterrupt = gomlxext.WatchInterrupt

// trainRun trains the GAN of cfg up to cfg.Steps iterations, resuming from the latest checkpoint
// in dir ("" for none: nothing is saved), and returns the trained players and the whole history,
// saved with every checkpoint. grid, if not nil, receives the fixed-noise grid after every epoch;
// with quiet, no live progress. An interrupt (SIGINT) saves a checkpoint and returns an error
// wrapping gomlxext.ErrInterrupted.
func trainRun(backend backends.Backend, cfg Config, dir string, grid *plotting.LivePicture, quiet bool) (*gan, *History, runStats, error) {
	var st runStats
	g, err := newGAN(backend, cfg)
	if err != nil {
		return nil, nil, st, err
	}
	hist := &History{}
	var ckpt *gomlxext.Checkpoint
	if dir != "" {
		if ckpt, err = gomlxext.Checkpoints(g.ctx, dir).Immediate().LoadState(hist).Done(); err != nil {
			return nil, nil, st, fmt.Errorf("dcgan: %w", err)
		}
	}
	// Each iteration increments the global step twice (one D and one G optimizer step).
	start := int(optimizers.GetGlobalStep(g.ctx)) / 2
	if len(hist.DLoss) != start {
		return nil, nil, st, fmt.Errorf("dcgan: the checkpoint in %s is at iteration %d but holds the history of %d: delete the folder to train afresh",
			dir, start, len(hist.DLoss))
	}
	st.startStep = start

	set, err := mnist.Load(mnist.Train)
	if err != nil {
		return nil, nil, st, fmt.Errorf("dcgan: %w", err)
	}
	ds := set.Dataset(cfg.Batch).Shuffle(cfg.Seed).Infinite()
	ds.SeekStep(int64(start))
	fixedZ, fixedLabels := fixedInputs(cfg)
	_, gridCols := cfg.FixedGrid()
	if grid != nil && len(hist.Snapshots) > 0 {
		last := hist.Snapshots[len(hist.Snapshots)-1]
		showSamples(grid, last.Images(), gridCols, last.Step)
	}
	cond := cfg.Condition.Conditional()
	title := "DCGAN on MNIST"
	if cond {
		title = fmt.Sprintf("conditional GAN (%v) on MNIST", cfg.Condition)
	}

	var live *plotting.Live
	if !quiet && start < cfg.Steps {
		live = plotting.NewLive(title, cfg.Steps, "D loss", "G loss", "D(x)", "D(G(z))")
		defer live.Done()
		for i, d := range hist.DLoss {
			live.Update(i+1, map[string]float64{"D loss": d, "G loss": hist.GLoss[i], "D(x)": hist.DReal[i], "D(G(z))": hist.DFake[i]})
		}
	}
	stop := watchInterrupt()
	defer stop.Release()
	save := func() error {
		if ckpt == nil {
			return nil
		}
		if err := ckpt.Save(hist); err != nil {
			return fmt.Errorf("dcgan: %w", err)
		}
		return nil
	}
	var times []time.Duration
	for it := start; it < cfg.Steps; it++ {
		t0 := time.Now()
		if cfg.ProbeEvery > 0 && it < cfg.ProbeSteps && it%cfg.ProbeEvery == 0 {
			z := noise(cfg.Seed, uint64(3*it+2), cfg.Batch, cfg.ZDim)
			out, err := g.probe.Exec(g.inputs(z, drawLabels(cfg.Seed, labelStream+uint64(3*it+2), cfg.Batch))...)
			if err != nil {
				return nil, nil, st, fmt.Errorf("dcgan: probe at %d: %w", it, err)
			}
			hist.Probes = append(hist.Probes, Probe{Step: it, NonSaturating: scalar(out[0]), Saturating: scalar(out[1]), DFake: scalar(out[2])})
		}
		// One iteration (gan.iterate): update_discriminator on fake_data = G(noise) — a
		// conditional G asked for random digits, D told the real images' digits and the ones the
		// fakes were asked to show — then update_generator on new noise (and digits) through the
		// (frozen) D, then the average of G's weights.
		_, inputs, digits, err := ds.Yield()
		if err != nil {
			return nil, nil, st, fmt.Errorf("dcgan: data: %w", err)
		}
		in := []any{inputs[0],
			tensors.FromFlatDataAndDimensions(noise(cfg.Seed, uint64(3*it), cfg.Batch, cfg.ZDim), cfg.Batch, cfg.ZDim),
			tensors.FromFlatDataAndDimensions(noise(cfg.Seed, uint64(3*it+1), cfg.Batch, cfg.ZDim), cfg.Batch, cfg.ZDim)}
		if cond {
			in = append(in, digits[0],
				tensors.FromFlatDataAndDimensions(drawLabels(cfg.Seed, labelStream+uint64(3*it), cfg.Batch), cfg.Batch, 1),
				tensors.FromFlatDataAndDimensions(drawLabels(cfg.Seed, labelStream+uint64(3*it+1), cfg.Batch), cfg.Batch, 1))
		}
		if cfg.EMA > 0 {
			in = append(in, float32(it))
		}
		out, err := g.iterate.Exec(in...)
		if err != nil {
			return nil, nil, st, fmt.Errorf("dcgan: iteration %d: %w", it, err)
		}
		dOut, gOut := out[:3], out[3:]
		times = append(times, time.Since(t0))
		dl, gl, dr, df := scalar(dOut[0]), scalar(gOut[0]), scalar(dOut[1]), scalar(dOut[2])
		hist.DLoss, hist.GLoss = append(hist.DLoss, dl), append(hist.GLoss, gl)
		hist.DReal, hist.DFake = append(hist.DReal, dr), append(hist.DFake, df)
		if live != nil {
			live.Update(it+1, map[string]float64{"D loss": dl, "G loss": gl, "D(x)": dr, "D(G(z))": df})
		}

		if (it+1)%cfg.EpochSteps == 0 || it+1 == cfg.Steps {
			pix, err := g.images(g.sampler(false), fixedZ, fixedLabels)
			if err != nil {
				return nil, nil, st, err
			}
			hist.Snapshots = append(hist.Snapshots, Snapshot{Step: it + 1, Pixels: toBytes(pix)})
			if grid != nil {
				showSamples(grid, pix, gridCols, it+1)
			}
			if err := save(); err != nil {
				return nil, nil, st, err
			}
		}
		if stop.Requested() && it+1 < cfg.Steps {
			if err := save(); err != nil {
				return nil, nil, st, err
			}
			where := ""
			if ckpt != nil {
				where = "; run it again to resume from the checkpoint in " + dir
			}
			return nil, nil, st, fmt.Errorf("dcgan: stopped after iteration %d of %d%s: %w", it+1, cfg.Steps, where, gomlxext.ErrInterrupted)
		}
	}
	st.median = median(times)
	st.steps = len(times)
	return g, hist, st, nil
}

// runStats are timing facts of one trainRun call.
type runStats struct {
	startStep int
	steps     int           // iterations run by this call.
	median    time.Duration // median wall time of one iteration (D step + G step).
}

func median(d []time.Duration) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}

// showSamples draws the fixed-noise samples (flat [n, 28, 28] in [0, 1]) in the live picture, in
// rows of cols images.
func showSamples(live *plotting.LivePicture, images []float32, cols, step int) {
	pic, err := plotting.ImageGridFlat(images, len(images)/(28*28), 28, 28, 1, plotting.GridCols(cols))
	if err == nil {
		_ = live.Update(pic, fmt.Sprintf("iteration %d", step))
	}
}
