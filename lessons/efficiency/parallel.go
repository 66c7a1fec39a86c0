package efficiency

import (
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gomlx/gomlx/backends"
	G "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/train/losses"

	"github.com/dl4go/dl4go/gomlxext"
	"github.com/dl4go/dl4go/internal/cputime"
	"github.com/dl4go/dl4go/plotting"
)

// Mode is how data-parallel workers combine their gradients.
type Mode string

const (
	// Sync: every step, each of K workers computes the gradient of its shard (B/K examples) of
	// the batch on the same weights; the gradients are averaged, the parent model updated once
	// and the new weights copied back into every worker. Mathematically one step on the whole
	// batch.
	Sync Mode = "sync"
	// Async: each worker, on its own, pulls the parameter server's weights, computes the
	// gradient of a shard and pushes it; the server applies it at once. Nobody waits, so a
	// gradient may have been computed on weights that other workers' updates have since
	// changed: its staleness.
	Async Mode = "async"
)

// DPRun is one data-parallel training run of the MLP.
type DPRun struct {
	Mode    Mode
	Workers int
	// Loss per update, with the examples seen and the wall seconds when it was applied.
	Loss, Examples, Seconds []float64
	// Staleness of every update (async; zero for sync).
	Staleness []int64
	// Accuracy on the held-out images after training; Wall and CPU the training's times.
	Accuracy  float64
	Wall, CPU time.Duration
}

// Label names the run in charts.
func (r DPRun) Label() string {
	if r.Workers == 1 {
		return "1 worker"
	}
	return fmt.Sprintf("%s, %d workers", r.Mode, r.Workers)
}

// dpWorker is one worker: its own context (its copy of the weights) and its gradient graph.
type dpWorker struct {
	ctx  *context.Context
	grad *context.Exec
}

// dataParallel trains the MLP on the training images with workers workers in mode, through a
// parameter server (Adam on the host), for cfg.DPSteps batches of cfg.DPBatch examples: a sync
// step splits each batch into one shard per worker; async workers push one shard each, so both
// see the same examples in the same number of gradient computations.
func dataParallel(backend backends.Backend, cfg Config, d *Data, mode Mode, workers int, quiet bool) (*DPRun, error) {
	if cfg.DPBatch%workers != 0 {
		return nil, fmt.Errorf("efficiency: DPBatch %d must divide into %d workers", cfg.DPBatch, workers)
	}
	shard := cfg.DPBatch / workers
	model := func(ctx *context.Context, x *G.Node) *G.Node { return mlpLogits(ctx, mlpScope, x, cfg.DP) }
	// The parent model, initialised once from the seed (the same for every run).
	parent := context.New()
	if err := parent.SetRNGStateFromSeed(int64(cfg.Seed) + 2); err != nil {
		return nil, fmt.Errorf("efficiency: %w", err)
	}
	init, err := context.NewExec(backend, parent, model)
	if err != nil {
		return nil, fmt.Errorf("efficiency: %w", err)
	}
	x0, _ := batchOf(d.Train, make([]int, shard))
	if _, err := init.Exec(x0); err != nil {
		return nil, fmt.Errorf("efficiency: %w", err)
	}
	ps, err := gomlxext.NewParamServer(parent).Adam(cfg.LearningRate).Done()
	if err != nil {
		return nil, fmt.Errorf("efficiency: %w", err)
	}
	ws := make([]*dpWorker, workers)
	for k := range ws {
		w := &dpWorker{ctx: context.New().Checked(false)}
		if _, err := ps.Pull(w.ctx); err != nil {
			return nil, err
		}
		if w.grad, err = context.NewExec(backend, w.ctx, func(ctx *context.Context, x, y *G.Node) []*G.Node {
			loss := G.ReduceAllMean(losses.SparseCategoricalCrossEntropyLogits([]*G.Node{y}, []*G.Node{model(ctx, x)}))
			return append([]*G.Node{loss}, ps.Gradients(ctx, loss)...)
		}); err != nil {
			return nil, fmt.Errorf("efficiency: worker %d: %w", k, err)
		}
		// Compile now, outside the timed training.
		xs, ys := batchOf(d.Train, make([]int, shard))
		if _, err := w.grad.Exec(xs, ys); err != nil {
			return nil, fmt.Errorf("efficiency: worker %d: %w", k, err)
		}
		ws[k] = w
	}
	// The shard k of batch s: examples [k·shard, (k+1)·shard) of the batch drawn for step s.
	shardOf := func(s int64, k int) (*tensors.Tensor, *tensors.Tensor) {
		idx := sample(cfg.Seed+2, s, cfg.DPBatch, len(d.Train.Labels))
		return batchOf(d.Train, idx[k*shard:(k+1)*shard])
	}
	grads := func(w *dpWorker, x, y *tensors.Tensor) (float64, [][]float32, error) {
		res, err := w.grad.Exec(x, y)
		if err != nil {
			return 0, nil, fmt.Errorf("efficiency: gradient: %w", err)
		}
		g := make([][]float32, len(res)-1)
		for i, t := range res[1:] {
			g[i] = tensors.MustCopyFlatData[float32](t)
		}
		return float64(tensors.ToScalar[float32](res[0])), g, nil
	}

	run := &DPRun{Mode: mode, Workers: workers}
	var live *plotting.Live
	if !quiet {
		live = plotting.NewLive("data parallel: "+run.Label(), cfg.DPSteps*cfg.DPBatch/shard, "loss")
	}
	var mu sync.Mutex
	record := func(loss float64, examples int, staleness int64, t0 time.Time) {
		mu.Lock()
		run.Loss = append(run.Loss, loss)
		run.Examples = append(run.Examples, float64(examples))
		run.Seconds = append(run.Seconds, time.Since(t0).Seconds())
		run.Staleness = append(run.Staleness, staleness)
		if live != nil {
			live.Update(len(run.Loss), map[string]float64{"loss": loss})
		}
		mu.Unlock()
	}
	cpu0, _ := cputime.Process()
	t0 := time.Now()
	switch mode {
	case Sync:
		for s := range int64(cfg.DPSteps) {
			losses := make([]float64, workers)
			gs := make([][][]float32, workers)
			errs := make([]error, workers)
			var wg sync.WaitGroup
			for k, w := range ws {
				wg.Add(1)
				go func() {
					defer wg.Done()
					x, y := shardOf(s, k)
					losses[k], gs[k], errs[k] = grads(w, x, y)
				}()
			}
			wg.Wait()
			for _, err := range errs {
				if err != nil {
					return nil, err
				}
			}
			// Average the workers' gradients (equal shards: the mean over the whole batch).
			avg, loss := gs[0], losses[0]/float64(workers)
			for k := 1; k < workers; k++ {
				loss += losses[k] / float64(workers)
				for i := range avg {
					for j := range avg[i] {
						avg[i][j] += gs[k][i][j]
					}
				}
			}
			for i := range avg {
				for j := range avg[i] {
					avg[i][j] /= float32(workers)
				}
			}
			if _, err := ps.PushFlat(avg, s); err != nil {
				return nil, err
			}
			for _, w := range ws {
				if _, err := ps.Pull(w.ctx); err != nil {
					return nil, err
				}
			}
			record(loss, int(s+1)*cfg.DPBatch, 0, t0)
		}
	case Async:
		total := int64(cfg.DPSteps * workers)
		var next atomic.Int64
		errs := make([]error, workers)
		var wg sync.WaitGroup
		for k, w := range ws {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					u := next.Add(1) - 1
					if u >= total {
						return
					}
					version, err := ps.Pull(w.ctx)
					if err != nil {
						errs[k] = err
						return
					}
					x, y := shardOf(u/int64(workers), int(u%int64(workers)))
					loss, g, err := grads(w, x, y)
					if err != nil {
						errs[k] = err
						return
					}
					staleness, err := ps.PushFlat(g, version)
					if err != nil {
						errs[k] = err
						return
					}
					record(loss, int(version+staleness+1)*shard, staleness, t0)
					// Let the other workers in between updates (more workers than cores).
					runtime.Gosched()
				}
			}()
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				return nil, err
			}
		}
	default:
		return nil, fmt.Errorf("efficiency: unknown data-parallel mode %q", mode)
	}
	run.Wall = time.Since(t0)
	cpu1, _ := cputime.Process()
	run.CPU = cpu1 - cpu0
	if live != nil {
		live.Done()
	}
	eval := context.New()
	if _, err := ps.Pull(eval); err != nil {
		return nil, err
	}
	exec, err := logitsExec(backend, eval, model)
	if err != nil {
		return nil, err
	}
	if run.Accuracy, err = accuracy(exec, d.Test); err != nil {
		return nil, err
	}
	return run, nil
}
