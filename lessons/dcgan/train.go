package dcgan

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/dl4go/dl4go/data/mnist"
	"github.com/dl4go/dl4go/gomlxext"
	"github.com/dl4go/dl4go/plotting"
	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context/checkpoints"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"
)

// Noise streams (with Config.Seed) of the lesson's fixed samples.
const (
	fixedStream  = 1 << 40 // the fixed-noise grid shown every epoch.
	judgeStream  = 2 << 40 // the samples the judge classifies.
	interpStream = 3 << 40 // the two end points of the interpolation.
	// FixedSamples is the number of images in the fixed-noise grid.
	FixedSamples = 64
)

// History is everything recorded while training, saved next to the checkpoints so that a resumed
// run draws the whole curves.
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

// Snapshot is the fixed-noise grid after Step iterations: FixedSamples images [n, 28, 28], stored
// as bytes (0..255).
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

// DefaultCheckpointDir returns where cfg's training is saved: <user cache>/dl4go/dcgan/<cfg.Key()>.
func DefaultCheckpointDir(cfg Config) (string, error) {
	return gomlxext.CheckpointDir("dcgan", cfg.Key())
}

func (cfg Config) checkpointDir() (string, error) {
	switch cfg.CheckpointDir {
	case "-":
		return "", nil
	case "":
		return DefaultCheckpointDir(cfg)
	}
	return cfg.CheckpointDir, nil
}

const historyFile = "history.json"

// trainRun trains the GAN of cfg up to cfg.Steps iterations, resuming from its checkpoint, and
// returns the trained players and the whole history. live, if not nil, receives the fixed-noise
// grid after every epoch.
func trainRun(backend backends.Backend, cfg Config, grid *plotting.LivePicture) (*gan, *History, runStats, error) {
	var st runStats
	g, err := newGAN(backend, cfg)
	if err != nil {
		return nil, nil, st, err
	}
	hist := &History{}
	dir, err := cfg.checkpointDir()
	if err != nil {
		return nil, nil, st, err
	}
	var ckpt *checkpoints.Handler
	if dir != "" {
		if ckpt, err = checkpoints.Build(g.ctx).Dir(dir).Keep(2).Immediate().Done(); err != nil {
			return nil, nil, st, fmt.Errorf("dcgan: checkpoint %s: %w", dir, err)
		}
		if err := loadHistory(dir, hist); err != nil {
			return nil, nil, st, err
		}
	}
	// Each iteration increments the global step twice (one D and one G optimizer step).
	start := int(optimizers.GetGlobalStep(g.ctx)) / 2
	hist.truncate(start)
	st.startStep = start

	set, err := mnist.Load(mnist.Train)
	if err != nil {
		return nil, nil, st, fmt.Errorf("dcgan: %w", err)
	}
	ds := set.Dataset(cfg.Batch).Shuffle(cfg.Seed).Infinite()
	ds.SeekStep(int64(start))
	fixedZ := noise(cfg.Seed, fixedStream, FixedSamples, cfg.ZDim)
	if grid != nil && len(hist.Snapshots) > 0 {
		last := hist.Snapshots[len(hist.Snapshots)-1]
		showSamples(grid, last.Images(), last.Step)
	}

	var live progress = quiet{}
	if !cfg.Quiet {
		live = plotting.NewLive("DCGAN on MNIST", cfg.Steps, "D loss", "G loss", "D(x)", "D(G(z))")
	}
	for i, d := range hist.DLoss {
		live.Update(i+1, map[string]float64{"D loss": d, "G loss": hist.GLoss[i], "D(x)": hist.DReal[i], "D(G(z))": hist.DFake[i]})
	}
	stop := interrupted()
	defer stop.release()
	save := func() error {
		if ckpt == nil {
			return nil
		}
		if err := ckpt.Save(); err != nil {
			return fmt.Errorf("dcgan: save checkpoint: %w", err)
		}
		return saveHistory(dir, hist)
	}
	var times []time.Duration
	for it := start; it < cfg.Steps; it++ {
		if stop.requested() {
			if err := save(); err != nil {
				return nil, nil, st, err
			}
			live.Done()
			return nil, nil, st, fmt.Errorf("dcgan: stopped at iteration %d (checkpoint saved; run again to resume): %w", it, gomlxext.ErrInterrupted)
		}
		t0 := time.Now()
		if cfg.ProbeEvery > 0 && it < cfg.ProbeSteps && it%cfg.ProbeEvery == 0 {
			z := noise(cfg.Seed, uint64(3*it+2), cfg.Batch, cfg.ZDim)
			out, err := g.probe.Exec(tensors.FromFlatDataAndDimensions(z, cfg.Batch, cfg.ZDim))
			if err != nil {
				return nil, nil, st, fmt.Errorf("dcgan: probe at %d: %w", it, err)
			}
			hist.Probes = append(hist.Probes, Probe{Step: it, NonSaturating: scalar(out[0]), Saturating: scalar(out[1]), DFake: scalar(out[2])})
		}
		// update_discriminator: fake_data = G(noise) outside the step, then D's step.
		_, inputs, _, err := ds.Yield()
		if err != nil {
			return nil, nil, st, fmt.Errorf("dcgan: data: %w", err)
		}
		z := noise(cfg.Seed, uint64(3*it), cfg.Batch, cfg.ZDim)
		fakeOut, err := g.generate.Exec(tensors.FromFlatDataAndDimensions(z, cfg.Batch, cfg.ZDim))
		if err != nil {
			return nil, nil, st, fmt.Errorf("dcgan: generate at %d: %w", it, err)
		}
		dOut, err := g.dStep.Exec(inputs[0], fakeOut[0])
		if err != nil {
			return nil, nil, st, fmt.Errorf("dcgan: update_discriminator at %d: %w", it, err)
		}
		// update_generator: new noise, G's step through the (frozen) D.
		z = noise(cfg.Seed, uint64(3*it+1), cfg.Batch, cfg.ZDim)
		gOut, err := g.gStep.Exec(tensors.FromFlatDataAndDimensions(z, cfg.Batch, cfg.ZDim))
		if err != nil {
			return nil, nil, st, fmt.Errorf("dcgan: update_generator at %d: %w", it, err)
		}
		times = append(times, time.Since(t0))
		dl, gl, dr, df := scalar(dOut[0]), scalar(gOut[0]), scalar(dOut[1]), scalar(dOut[2])
		hist.DLoss, hist.GLoss = append(hist.DLoss, dl), append(hist.GLoss, gl)
		hist.DReal, hist.DFake = append(hist.DReal, dr), append(hist.DFake, df)
		live.Update(it+1, map[string]float64{"D loss": dl, "G loss": gl, "D(x)": dr, "D(G(z))": df})

		if (it+1)%cfg.EpochSteps == 0 || it+1 == cfg.Steps {
			pix, err := g.images(g.sample, fixedZ)
			if err != nil {
				return nil, nil, st, err
			}
			hist.Snapshots = append(hist.Snapshots, Snapshot{Step: it + 1, Pixels: toBytes(pix)})
			if grid != nil {
				showSamples(grid, pix, it+1)
			}
			if err := save(); err != nil {
				return nil, nil, st, err
			}
		}
	}
	live.Done()
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

func (h *History) truncate(n int) {
	if len(h.DLoss) > n {
		h.DLoss, h.GLoss, h.DReal, h.DFake = h.DLoss[:n], h.GLoss[:n], h.DReal[:n], h.DFake[:n]
	}
	for len(h.DLoss) < n { // iterations done before the history was saved: unknown.
		nan := math.NaN()
		h.DLoss, h.GLoss, h.DReal, h.DFake = append(h.DLoss, nan), append(h.GLoss, nan), append(h.DReal, nan), append(h.DFake, nan)
	}
	for len(h.Probes) > 0 && h.Probes[len(h.Probes)-1].Step >= n {
		h.Probes = h.Probes[:len(h.Probes)-1]
	}
	for len(h.Snapshots) > 0 && h.Snapshots[len(h.Snapshots)-1].Step > n {
		h.Snapshots = h.Snapshots[:len(h.Snapshots)-1]
	}
}

func loadHistory(dir string, h *History) error {
	data, err := os.ReadFile(filepath.Join(dir, historyFile))
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf("dcgan: read history: %w", err)
	}
	var j historyJSON
	if err := json.Unmarshal(data, &j); err != nil {
		return fmt.Errorf("dcgan: parse %s: %w", historyFile, err)
	}
	*h = j.toHistory()
	return nil
}

func saveHistory(dir string, h *History) error {
	data, err := json.Marshal(fromHistory(h))
	if err != nil {
		return fmt.Errorf("dcgan: encode history: %w", err)
	}
	tmp := filepath.Join(dir, historyFile+".tmp")
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return fmt.Errorf("dcgan: write history: %w", err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, historyFile)); err != nil {
		return fmt.Errorf("dcgan: write history: %w", err)
	}
	return nil
}

// historyJSON stores NaN (unknown values) as null.
type historyJSON struct {
	DLoss, GLoss, DReal, DFake []*float64
	Probes                     []Probe
	Snapshots                  []Snapshot
}

func fromHistory(h *History) historyJSON {
	enc := func(v []float64) []*float64 {
		out := make([]*float64, len(v))
		for i := range v {
			if !math.IsNaN(v[i]) && !math.IsInf(v[i], 0) {
				out[i] = &v[i]
			}
		}
		return out
	}
	return historyJSON{enc(h.DLoss), enc(h.GLoss), enc(h.DReal), enc(h.DFake), h.Probes, h.Snapshots}
}

func (j historyJSON) toHistory() History {
	dec := func(v []*float64) []float64 {
		out := make([]float64, len(v))
		for i, p := range v {
			out[i] = math.NaN()
			if p != nil {
				out[i] = *p
			}
		}
		return out
	}
	return History{dec(j.DLoss), dec(j.GLoss), dec(j.DReal), dec(j.DFake), j.Probes, j.Snapshots}
}

// stopper turns SIGINT/SIGTERM (a kernel interrupt) into a request to stop after the current
// iteration, saving a checkpoint.
type stopper struct {
	ch      chan os.Signal
	stopped atomic.Bool
}

func interrupted() *stopper {
	s := &stopper{ch: make(chan os.Signal, 1)}
	signal.Notify(s.ch, os.Interrupt, syscall.SIGTERM)
	go func() {
		for range s.ch {
			s.stopped.Store(true)
		}
	}()
	return s
}

func (s *stopper) requested() bool { return s.stopped.Load() }

func (s *stopper) release() {
	signal.Stop(s.ch)
	close(s.ch)
}

func median(d []time.Duration) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}

// progress is the live training view (*plotting.Live), or quiet.
type progress interface {
	Update(step int, values map[string]float64)
	Done() *plotting.Chart
}

type quiet struct{}

func (quiet) Update(int, map[string]float64) {}
func (quiet) Done() *plotting.Chart          { return nil }

// showSamples draws the fixed-noise samples (flat [n, 28, 28] in [0, 1]) in the live picture.
func showSamples(live *plotting.LivePicture, images []float32, step int) {
	pic, err := plotting.ImageGridFlat(images, len(images)/(28*28), 28, 28, 1, plotting.GridCols(8))
	if err == nil {
		_ = live.Update(pic, fmt.Sprintf("iteration %d", step))
	}
}
