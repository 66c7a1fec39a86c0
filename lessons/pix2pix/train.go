package pix2pix

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/dl4go/dl4go/gomlxext"
	"github.com/dl4go/dl4go/plotting"
	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// History is what one model's training recorded per iteration (saved with every checkpoint).
type History struct {
	// L1 is the training batch's L1 error (the [0, 1] scale) before the G step; GAN the G step's
	// adversarial term BCE(1, D(x, G(x))) (0 for L1Only).
	L1, GAN []float64
	// DLoss, DReal, DFake are the D step's loss and its mean D(x, y), D(x, G(x)) (NaN for L1Only).
	DLoss, DReal, DFake []float64
	// Snapshots are G's outputs on the first Config.Show held-out outlines every
	// Config.SnapshotEvery iterations.
	Snapshots []Snapshot
}

// Snapshot is G's output on the shown held-out outlines after Step iterations, [Show, S, S, 3]
// stored as bytes (0..255).
type Snapshot struct {
	Step   int
	Pixels []byte
}

// Images returns the snapshot's images, flat [Show, S, S, 3] in [0, 1].
func (s Snapshot) Images() []float32 { return fromBytes(s.Pixels) }

func toBytes(pix []float32) []byte {
	out := make([]byte, len(pix))
	for i, v := range pix {
		out[i] = byte(math.Round(float64(min(max(v, 0), 1)) * 255))
	}
	return out
}

func fromBytes(b []byte) []float32 {
	out := make([]float32, len(b))
	for i, v := range b {
		out[i] = float32(v) / 255
	}
	return out
}

// batchIndices returns the training scenes of iteration it: Batch indices drawn uniformly from
// the training pairs by a stream fixed by (Seed, it), the same for every model (and for a resumed
// run).
func batchIndices(cfg Config, it int) []int {
	rng := rand.New(rand.NewPCG(cfg.Seed, uint64(it)))
	idx := make([]int, cfg.Batch)
	for i := range idx {
		idx[i] = rng.IntN(cfg.TrainPairs)
	}
	return idx
}

// batch gathers the pairs idx of train into tensors: outlines [b, S, S, 1] and scenes
// [b, S, S, 3] mapped to [−1, 1].
func batch(cfg Config, train []Pair, idx []int) (x, y *tensors.Tensor) {
	s := cfg.ImageSize
	xs := make([]float32, 0, len(idx)*s*s)
	ys := make([]float32, 0, len(idx)*s*s*3)
	for _, i := range idx {
		xs = append(xs, train[i].Outline...)
		for _, v := range train[i].Scene {
			ys = append(ys, 2*v-1)
		}
	}
	return tensors.FromFlatDataAndDimensions(xs, len(idx), s, s, 1), tensors.FromFlatDataAndDimensions(ys, len(idx), s, s, 3)
}

// watchInterrupt starts watching for an interrupt (tests replace it).
var watchInterrupt = gomlxext.WatchInterrupt

// trainStats are timing facts of one train call.
type trainStats struct {
	startStep int
	median    time.Duration // median wall time of one iteration.
}

// train trains model m of cfg for cfg.Steps iterations on the training pairs, resuming from the
// latest checkpoint in dir ("": nothing saved), and returns it with its whole history. show are
// the outlines [Show, S, S, 1] snapshotted every SnapshotEvery iterations (and drawn, with the
// inputs and targets in showPic's first and last rows, in live if not nil). Unless quiet, a live
// chart follows the losses. An interrupt saves a checkpoint and returns an error wrapping
// gomlxext.ErrInterrupted.
func train(backend backends.Backend, cfg Config, m Model, dir string, trainSet []Pair, show []float32,
	live *plotting.LivePicture, frame func(outputs []float32) (*plotting.Picture, error), quiet bool) (*translator, *History, trainStats, error) {
	var st trainStats
	t, err := newTranslator(backend, cfg, m)
	if err != nil {
		return nil, nil, st, err
	}
	hist := &History{}
	var ckpt *gomlxext.Checkpoint
	if dir != "" {
		if ckpt, err = gomlxext.Checkpoints(t.ctx, dir).Immediate().LoadState(hist).Done(); err != nil {
			return nil, nil, st, fmt.Errorf("pix2pix: %v: %w", m, err)
		}
	}
	start := len(hist.L1)
	st.startStep = start
	draw := func(step int, pix []float32) {
		if live == nil {
			return
		}
		if pic, err := frame(pix); err == nil {
			_ = live.Update(pic, fmt.Sprintf("%v after %d iterations", m, step))
		}
	}
	if n := len(hist.Snapshots); n > 0 {
		draw(hist.Snapshots[n-1].Step, hist.Snapshots[n-1].Images())
	}
	var chart *plotting.Live
	if !quiet && start < cfg.Steps {
		series := []string{"L1 (train batch)"}
		if m.Adversarial() {
			series = append(series, "G: BCE(1, D(x, G(x)))", "D loss", "D(x, y)", "D(x, G(x))")
		}
		chart = plotting.NewLive(fmt.Sprintf("pix2pix: %v", m), cfg.Steps, series...)
		defer chart.Done()
		for i := range start {
			chart.Update(i+1, hist.point(i, m))
		}
	}
	save := func() error {
		if ckpt == nil {
			return nil
		}
		if err := ckpt.Save(hist); err != nil {
			return fmt.Errorf("pix2pix: %v: %w", m, err)
		}
		return nil
	}
	stop := watchInterrupt()
	defer stop.Release()
	var times []time.Duration
	for it := start; it < cfg.Steps; it++ {
		t0 := time.Now()
		x, y := batch(cfg, trainSet, batchIndices(cfg, it))
		dl, dr, df := math.NaN(), math.NaN(), math.NaN()
		if m.Adversarial() {
			out, err := t.dStep.Exec(x, y)
			if err != nil {
				return nil, nil, st, fmt.Errorf("pix2pix: %v: update_discriminator at %d: %w", m, it, err)
			}
			dl, dr, df = scalar(out[0]), scalar(out[1]), scalar(out[2])
		}
		out, err := t.gStep.Exec(x, y)
		if err != nil {
			return nil, nil, st, fmt.Errorf("pix2pix: %v: update_generator at %d: %w", m, it, err)
		}
		times = append(times, time.Since(t0))
		hist.GAN, hist.L1 = append(hist.GAN, scalar(out[0])), append(hist.L1, scalar(out[1]))
		hist.DLoss, hist.DReal, hist.DFake = append(hist.DLoss, dl), append(hist.DReal, dr), append(hist.DFake, df)
		if chart != nil {
			chart.Update(it+1, hist.point(it, m))
		}
		if (it+1)%cfg.SnapshotEvery == 0 || it+1 == cfg.Steps {
			pix, err := t.translate(show)
			if err != nil {
				return nil, nil, st, err
			}
			hist.Snapshots = append(hist.Snapshots, Snapshot{Step: it + 1, Pixels: toBytes(pix)})
			draw(it+1, pix)
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
			return nil, nil, st, fmt.Errorf("pix2pix: %v stopped after iteration %d of %d%s: %w", m, it+1, cfg.Steps, where, gomlxext.ErrInterrupted)
		}
	}
	st.median = median(times)
	return t, hist, st, nil
}

// point is iteration i of the history as a live chart's values.
func (h *History) point(i int, m Model) map[string]float64 {
	p := map[string]float64{"L1 (train batch)": h.L1[i]}
	if m.Adversarial() {
		p["G: BCE(1, D(x, G(x)))"], p["D loss"], p["D(x, y)"], p["D(x, G(x))"] = h.GAN[i], h.DLoss[i], h.DReal[i], h.DFake[i]
	}
	return p
}

func scalar(t *tensors.Tensor) float64 { return float64(tensors.ToScalar[float32](t)) }

func median(d []time.Duration) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}
