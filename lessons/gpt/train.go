package gpt

import (
	"fmt"
	"math"
	"time"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	G "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/train"
	"github.com/gomlx/gomlx/pkg/ml/train/losses"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers/cosineschedule"

	"github.com/dl4go/dl4go/gomlxext"
	"github.com/dl4go/dl4go/plotting"
)

// TrainConfig sizes the training of one GPT: AdamW with a linear warm-up and a cosine decay to a
// tenth of LR.
type TrainConfig struct {
	Steps       int     // training steps (batches).
	Batch       int     // sequences per step.
	LR          float64 // peak learning rate.
	Warmup      int     // warm-up steps.
	WeightDecay float64 // AdamW's decoupled weight decay.
	Seed        uint64  // initial weights and the batches' stream.
	// ProbeEvery is the period, in steps, of the held-out probe drawn in the learning curve.
	ProbeEvery int
}

// History is the record of one model's training, saved with each checkpoint so that a resumed
// run keeps the steps before the interruption.
type History struct {
	Step, Loss []float64
	// Seconds is the training time up to each step, in tenths of a second (the first step of
	// each call, mostly compiling, and the probes excluded).
	Seconds []float64
	// ProbeStep and Probe are the held-out probe's points (perplexity for the language model,
	// 8-shot accuracy for the in-context learner).
	ProbeStep, Probe []float64
}

func (h *History) truncate(step int) {
	n := 0
	for n < len(h.Step) && int(h.Step[n]) <= step {
		n++
	}
	h.Step, h.Loss, h.Seconds = h.Step[:n], h.Loss[:n], h.Seconds[:n]
	n = 0
	for n < len(h.ProbeStep) && int(h.ProbeStep[n]) <= step {
		n++
	}
	h.ProbeStep, h.Probe = h.ProbeStep[:n], h.Probe[:n]
}

// Trained is a GPT after training, with its record.
type Trained struct {
	Model   Model
	History History
	// Params is the number of trained parameters.
	Params int
	// StartStep is the step this call resumed from (Steps: a finished run restored).
	StartStep int

	ctx     *context.Context
	backend backends.Backend
	execs   map[int]*context.Exec // log-probabilities, by batch size
}

// TrainSeconds is the training time of the whole run (across resumes).
func (t *Trained) TrainSeconds() float64 {
	if n := len(t.History.Seconds); n > 0 {
		return t.History.Seconds[n-1]
	}
	return 0
}

// progress records each step in a History, runs the held-out probe every ProbeEvery steps and
// forwards to a live view (opened at the first step; none when a finished run is restored).
type progress struct {
	tr        *Trained
	tc        TrainConfig
	probe     func(*Trained) (float64, error)
	probeName string
	title     string
	quiet     bool
	live      *plotting.Live
	last      time.Time
	base      float64
	err       error
	stopAt    int
	stop      chan struct{}
}

func (p *progress) Update(step int, v map[string]float64) {
	now := time.Now()
	h := &p.tr.History
	if p.last.IsZero() {
		h.truncate(step - 1)
		p.last, p.base = now, p.tr.TrainSeconds()
	}
	p.base += now.Sub(p.last).Seconds()
	p.last = now
	h.Step, h.Loss, h.Seconds = append(h.Step, float64(step)), append(h.Loss, v["loss"]), append(h.Seconds, math.Round(p.base*10)/10)
	values := map[string]float64{"loss": v["loss"]}
	if n := len(h.Probe); n > 0 {
		values[p.probeName] = h.Probe[n-1] // held until the next probe, so the live curve is a line
	}
	if step%p.tc.ProbeEvery == 0 || step == p.tc.Steps {
		x, err := p.probe(p.tr)
		if err != nil && p.err == nil {
			p.err = err
		}
		h.ProbeStep, h.Probe = append(h.ProbeStep, float64(step)), append(h.Probe, x)
		values[p.probeName] = x
		p.last = time.Now() // the probe's time is not training time
	}
	if p.live == nil && !p.quiet {
		p.live = plotting.NewLive(p.title, p.tc.Steps, "loss", p.probeName)
	}
	if p.live != nil {
		p.live.Update(step, values)
	}
	if step == p.stopAt {
		close(p.stop)
	}
}

// interruptAt makes training stop after that step as if interrupted (tests; 0: never).
var interruptAt int

// fit trains m on ds (its labels: the next tokens [batch, L, 1], and optionally a mask
// [batch, L] of the positions that count) with its checkpoints in dir ("" for none), or
// resumes, or restores a finished run.
func fit(backend backends.Backend, m Model, tc TrainConfig, ds train.Dataset, dir, title, probeName string,
	probe func(*Trained) (float64, error), quiet bool) (*Trained, error) {
	if tc.Steps < 1 || tc.Batch < 1 || tc.ProbeEvery < 1 {
		return nil, fmt.Errorf("gpt: %s: Steps, Batch and ProbeEvery must be ≥ 1, got %d, %d, %d", title, tc.Steps, tc.Batch, tc.ProbeEvery)
	}
	ctx := context.New()
	ctx.SetParam(context.ParamInitialSeed, int64(tc.Seed))
	if err := ctx.SetRNGStateFromSeed(int64(tc.Seed)); err != nil {
		return nil, fmt.Errorf("gpt: %w", err)
	}
	tr := &Trained{Model: m, ctx: ctx, backend: backend, execs: map[int]*context.Exec{}}
	modelFn := func(ctx *context.Context, _ any, in []*G.Node) []*G.Node {
		if ctx.IsTraining(in[0].Graph()) {
			cosineschedule.New(ctx, in[0].Graph(), dtypes.Float32).LearningRate(tc.LR).
				MinLearningRate(tc.LR / 10).WarmUpSteps(tc.Warmup).PeriodInSteps(tc.Steps).Done()
		}
		return []*G.Node{m.Logits(ctx, in[0])}
	}
	trainer := train.NewTrainer(backend, ctx, modelFn, losses.SparseCategoricalCrossEntropyLogits,
		optimizers.Adam().LearningRate(tc.LR).WeightDecay(tc.WeightDecay).Done(), nil, nil)
	prog := &progress{tr: tr, tc: tc, probe: probe, probeName: probeName, title: title, quiet: quiet,
		stop: make(chan struct{}), stopAt: interruptAt}
	res, err := gomlxext.Fit(trainer, ds, gomlxext.FitOptions{Steps: tc.Steps, CheckpointDir: dir, Progress: prog, State: &tr.History, Stop: prog.stop})
	if prog.live != nil {
		prog.live.Done()
	}
	if err != nil {
		return nil, fmt.Errorf("gpt: %s: %w", title, err)
	}
	if prog.err != nil {
		return nil, fmt.Errorf("gpt: %s: held-out probe: %w", title, prog.err)
	}
	tr.StartStep = res.StartStep
	if dir != "" && len(tr.History.Step) != tc.Steps {
		return nil, fmt.Errorf("gpt: %s: the checkpoint in %s is at step %d but holds the history of %d steps: delete the folder to train afresh",
			title, dir, res.GlobalStep, len(tr.History.Step))
	}
	ctx.EnumerateVariables(func(v *context.Variable) {
		if v.IsValid() && v.Trainable && v.Shape().DType.IsFloat() && v.Scope() != context.RootScope {
			tr.Params += v.Shape().Size()
		}
	})
	return tr, nil
}

// logProbs returns log p(next token) [n][L][Vocab] for ids [n, L] (L = the model's SeqLen).
func (t *Trained) logProbs(n int, ids []int32) ([]float32, error) {
	exec, ok := t.execs[n]
	if !ok {
		var err error
		exec, err = context.NewExec(t.backend, t.ctx.Reuse(), func(ctx *context.Context, ids *G.Node) *G.Node {
			return G.LogSoftmax(t.Model.Logits(ctx, ids), -1)
		})
		if err != nil {
			return nil, fmt.Errorf("gpt: %w", err)
		}
		t.execs[n] = exec
	}
	out, err := exec.Exec(tensors.FromFlatDataAndDimensions(ids, n, t.Model.SeqLen))
	if err != nil {
		return nil, fmt.Errorf("gpt: %w", err)
	}
	return tensors.CopyFlatData[float32](out[0])
}

// NextLogProbs returns log p(next token | context) [Vocab] for each context (each at most SeqLen
// ids; longer ones keep their last SeqLen): the model's prediction after the context's last token.
func (t *Trained) NextLogProbs(contexts [][]int) ([][]float64, error) {
	l, v := t.Model.SeqLen, t.Model.Vocab
	ids := make([]int32, len(contexts)*l)
	for i, c := range contexts {
		if len(c) == 0 {
			return nil, fmt.Errorf("gpt: an empty context has no next token to predict (start it with a token)")
		}
		c = c[max(0, len(c)-l):]
		for j, id := range c {
			ids[i*l+j] = int32(id) // the rest stays 0: later positions never affect earlier ones
		}
	}
	lp, err := t.logProbs(len(contexts), ids)
	if err != nil {
		return nil, err
	}
	out := make([][]float64, len(contexts))
	for i, c := range contexts {
		pos := min(len(c), l) - 1
		out[i] = make([]float64, v)
		for k := range v {
			out[i][k] = float64(lp[(i*l+pos)*v+k])
		}
	}
	return out, nil
}
