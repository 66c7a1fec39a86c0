package efficiency

import (
	"fmt"
	"math"
	"time"

	"github.com/gomlx/gomlx/backends"
	G "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// Span is one stage computing one micro-batch: seconds from the pipeline's start.
type Span struct {
	Stage, MicroBatch int
	Start, End        float64
}

// PipelineRun is model parallelism on the teacher: stage 1 (the convolutions) on one worker,
// stage 2 (the dense layers) on another, micro-batches flowing from the first to the second, so
// that while stage 2 works on micro-batch i, stage 1 already computes i+1.
type PipelineRun struct {
	MicroBatches, MicroBatch int
	// Spans of the pipelined run and of the sequential one (one worker, stage 1 then stage 2 for
	// each micro-batch).
	Pipelined, Sequential []Span
	// Wall times of both.
	PipelinedWall, SequentialWall time.Duration
	// MaxDiff is the largest |logit| difference between the pipelined stages and the whole model.
	MaxDiff float64
}

// pipeline runs the teacher's forward pass over cfg.MicroBatches micro-batches of the held-out
// images, pipelined over two goroutine workers and sequentially, and checks the logits against
// the unsplit model's.
func pipeline(backend backends.Backend, cfg Config, ctx *context.Context, d *Data) (*PipelineRun, error) {
	m, mb := cfg.MicroBatches, cfg.MicroBatch
	if m*mb > len(d.Test.Labels) {
		return nil, fmt.Errorf("efficiency: %d micro-batches of %d need that many held-out images; TestSize is %d", m, mb, len(d.Test.Labels))
	}
	stage1, err := logitsExec(backend, ctx, func(ctx *context.Context, x *G.Node) *G.Node { return cnnFeatures(ctx, x, cfg.Teacher) })
	if err != nil {
		return nil, err
	}
	stage2, err := logitsExec(backend, ctx, func(ctx *context.Context, f *G.Node) *G.Node { return cnnHead(ctx, f, cfg.Teacher) })
	if err != nil {
		return nil, err
	}
	whole, err := logitsExec(backend, ctx, func(ctx *context.Context, x *G.Node) *G.Node { return cnnLogits(ctx, x, cfg.Teacher) })
	if err != nil {
		return nil, err
	}
	inputs := make([]*tensors.Tensor, m)
	for i := range inputs {
		idx := make([]int, mb)
		for j := range idx {
			idx[j] = i*mb + j
		}
		inputs[i], _ = batchOf(d.Test, idx)
	}
	// Compile (and warm) every graph outside the timed runs.
	f0, err := stage1.Exec(inputs[0])
	if err != nil {
		return nil, fmt.Errorf("efficiency: stage 1: %w", err)
	}
	if _, err := stage2.Exec(f0[0]); err != nil {
		return nil, fmt.Errorf("efficiency: stage 2: %w", err)
	}
	out := &PipelineRun{MicroBatches: m, MicroBatch: mb}

	// Pipelined: worker 1 runs stage 1 and hands each micro-batch's features to worker 2.
	logits := make([]*tensors.Tensor, m)
	handoff := make(chan int, m)
	features := make([]*tensors.Tensor, m)
	spans := make(chan Span, 2*m)
	errs := make(chan error, 2)
	t0 := time.Now()
	since := func() float64 { return time.Since(t0).Seconds() }
	go func() {
		defer close(handoff)
		for i := range m {
			s := since()
			f, err := stage1.Exec(inputs[i])
			if err != nil {
				errs <- fmt.Errorf("efficiency: stage 1: %w", err)
				return
			}
			features[i] = f[0]
			spans <- Span{Stage: 1, MicroBatch: i, Start: s, End: since()}
			handoff <- i
		}
	}()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range handoff {
			s := since()
			l, err := stage2.Exec(features[i])
			if err != nil {
				errs <- fmt.Errorf("efficiency: stage 2: %w", err)
				return
			}
			logits[i] = l[0]
			spans <- Span{Stage: 2, MicroBatch: i, Start: s, End: since()}
		}
	}()
	<-done
	out.PipelinedWall = time.Since(t0)
	close(spans)
	select {
	case err := <-errs:
		return nil, err
	default:
	}
	for s := range spans {
		out.Pipelined = append(out.Pipelined, s)
	}

	// Sequential: one worker, both stages in turn.
	t0 = time.Now()
	for i := range m {
		s := since()
		f, err := stage1.Exec(inputs[i])
		if err != nil {
			return nil, fmt.Errorf("efficiency: stage 1: %w", err)
		}
		mid := since()
		out.Sequential = append(out.Sequential, Span{Stage: 1, MicroBatch: i, Start: s, End: mid})
		if _, err := stage2.Exec(f[0]); err != nil {
			return nil, fmt.Errorf("efficiency: stage 2: %w", err)
		}
		out.Sequential = append(out.Sequential, Span{Stage: 2, MicroBatch: i, Start: mid, End: since()})
	}
	out.SequentialWall = time.Since(t0)

	for i := range m {
		w, err := whole.Exec(inputs[i])
		if err != nil {
			return nil, fmt.Errorf("efficiency: whole model: %w", err)
		}
		a, b := tensors.MustCopyFlatData[float32](logits[i]), tensors.MustCopyFlatData[float32](w[0])
		for j := range a {
			out.MaxDiff = math.Max(out.MaxDiff, math.Abs(float64(a[j]-b[j])))
		}
	}
	return out, nil
}
