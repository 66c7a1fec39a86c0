package transformer

import (
	"fmt"
	"math"
	"math/rand/v2"
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

// TrainConfig sizes the training of one model: Adam with a linear warm-up and a cosine decay to
// a tenth of LR, on batches of numbers drawn from the training side of the split.
type TrainConfig struct {
	Steps  int     // training steps (batches).
	Batch  int     // pairs per step.
	LR     float64 // peak learning rate.
	Warmup int     // warm-up steps.
	Seed   uint64  // initial weights and the batches' stream.
	// ProbeEvery is the period, in steps, of the held-out probe (teacher-forced token accuracy
	// on ProbeSize held-out pairs) drawn in the learning curve.
	ProbeEvery, ProbeSize int
}

// History is the record of one model's training, saved with each checkpoint so that a resumed
// run keeps the steps before the interruption.
type History struct {
	Step, Loss []float64
	// Seconds is the training time up to each step, in tenths of a second: the wall time of the
	// steps after the first of each call (whose time is mostly compiling the graph), without the
	// held-out probes and interruptions.
	Seconds []float64
	// ProbeStep, ProbeSeconds and ProbeAcc are the held-out probe's points.
	ProbeStep, ProbeSeconds, ProbeAcc []float64
}

// truncate drops the records after step (steps redone after a resume).
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
	h.ProbeStep, h.ProbeSeconds, h.ProbeAcc = h.ProbeStep[:n], h.ProbeSeconds[:n], h.ProbeAcc[:n]
}

// batch is a padded batch of pairs: src [n, SourceLen], tgtIn [n, TargetLen] ([BOS] y₁ …),
// tgtOut [n, TargetLen] (y₁ … [EOS]) and real [n, TargetLen] (false on padding).
type batch struct {
	n                  int
	src, tgtIn, tgtOut []int32
	real               []bool
}

func newBatch(examples []Example) (*batch, error) {
	n := len(examples)
	b := &batch{n: n, src: make([]int32, n*SourceLen), tgtIn: make([]int32, n*TargetLen),
		tgtOut: make([]int32, n*TargetLen), real: make([]bool, n*TargetLen)}
	for i, e := range examples {
		if len(e.Source) > SourceLen || len(e.Target)+1 > TargetLen {
			return nil, fmt.Errorf("transformer: %d is too long for the model (%d words, %d kanji; at most %d and %d)",
				e.N, len(e.Source), len(e.Target), SourceLen, TargetLen-1)
		}
		for j, id := range e.Source {
			b.src[i*SourceLen+j] = int32(id)
		}
		b.tgtIn[i*TargetLen] = BOS
		for j, id := range e.Target {
			b.tgtIn[i*TargetLen+j+1] = int32(id)
			b.tgtOut[i*TargetLen+j] = int32(id)
		}
		b.tgtOut[i*TargetLen+len(e.Target)] = EOS
		for j := 0; j <= len(e.Target); j++ {
			b.real[i*TargetLen+j] = true
		}
	}
	return b, nil
}

func (b *batch) inputs() []*tensors.Tensor {
	return []*tensors.Tensor{tensors.FromFlatDataAndDimensions(b.src, b.n, SourceLen), tensors.FromFlatDataAndDimensions(b.tgtIn, b.n, TargetLen)}
}

func (b *batch) labels() []*tensors.Tensor {
	return []*tensors.Tensor{tensors.FromFlatDataAndDimensions(b.tgtOut, b.n, TargetLen, 1), tensors.FromFlatDataAndDimensions(b.real, b.n, TargetLen)}
}

// trainStream is the infinite stream of training batches: the batch of step s depends only on s
// (a gomlxext.Seeker), so a resumed run sees the batches an uninterrupted one would.
func trainStream(split Split, tc TrainConfig) *gomlxext.StepBatches {
	return gomlxext.NewStepBatches("numbers", func(step int64) ([]*tensors.Tensor, []*tensors.Tensor, error) {
		rng := rand.New(rand.NewPCG(tc.Seed, uint64(step)))
		ex := make([]Example, tc.Batch)
		for i := range ex {
			var err error
			if ex[i], err = NewExample(drawNumber(rng, split, false)); err != nil {
				return nil, nil, err
			}
		}
		b, err := newBatch(ex)
		if err != nil {
			return nil, nil, err
		}
		return b.inputs(), b.labels(), nil
	})
}

// modelFn is a Model as a GoMLX train.ModelFn: inputs (src, tgtIn) → logits.
func modelFn(m Model, tc TrainConfig) train.ModelFn {
	return func(ctx *context.Context, _ any, in []*G.Node) []*G.Node {
		if ctx.IsTraining(in[0].Graph()) {
			cosineschedule.New(ctx, in[0].Graph(), dtypes.Float32).LearningRate(tc.LR).
				MinLearningRate(tc.LR / 10).WarmUpSteps(tc.Warmup).PeriodInSteps(tc.Steps).Done()
		}
		return []*G.Node{m.Logits(ctx, in[0], in[1])}
	}
}

// Trained is a model after training, and its record.
type Trained struct {
	Model   Model
	History History
	// Params is the number of trained parameters.
	Params int
	// StartStep is the step this call resumed from (Steps: a finished run restored).
	StartStep int
	// MedianStep is the median wall time of a step in this call (0 when nothing ran).
	MedianStep time.Duration

	ctx       *context.Context
	backend   backends.Backend
	execs     map[int]*context.Exec // the log-probability exec, by batch size
	attention *context.Exec         // the cross-attention weights of one pair
}

// TrainSeconds is the training time of the whole run (across resumes).
func (t *Trained) TrainSeconds() float64 {
	if n := len(t.History.Seconds); n > 0 {
		return t.History.Seconds[n-1]
	}
	return 0
}

// progress records each step in a History, probes the held-out pairs every ProbeEvery steps and
// forwards to a live view (opened at the first step; none when a finished run is restored).
type progress struct {
	tr     *Trained
	tc     TrainConfig
	probe  *batch
	title  string
	quiet  bool
	live   *plotting.Live
	last   time.Time
	base   float64 // training seconds before this call
	err    error
	stopAt int // a test's interrupt after this step (0: never)
	stop   chan struct{}
}

func (p *progress) Update(step int, v map[string]float64) {
	now := time.Now()
	h := &p.tr.History
	if p.last.IsZero() {
		h.truncate(step - 1)
		p.last, p.base = now.Add(-time.Millisecond), p.tr.TrainSeconds()
	}
	p.base += now.Sub(p.last).Seconds()
	p.last = now
	secs := math.Round(p.base*10) / 10 // tenths: what a chart's axis shows
	h.Step, h.Loss, h.Seconds = append(h.Step, float64(step)), append(h.Loss, v["loss"]), append(h.Seconds, secs)
	values := map[string]float64{"loss": v["loss"]}
	if n := len(h.ProbeAcc); n > 0 {
		values["held-out token accuracy"] = h.ProbeAcc[n-1] // held until the next probe, so the live curve is a line
	}
	if step%p.tc.ProbeEvery == 0 || step == p.tc.Steps {
		acc, err := p.tr.tokenAccuracy(p.probe)
		if err != nil && p.err == nil {
			p.err = err
		}
		h.ProbeStep, h.ProbeSeconds, h.ProbeAcc = append(h.ProbeStep, float64(step)), append(h.ProbeSeconds, secs), append(h.ProbeAcc, acc)
		values["held-out token accuracy"] = acc
		p.last = time.Now() // the probe's time is not training time
	}
	if p.live == nil && !p.quiet {
		p.live = plotting.NewLive(p.title, p.tc.Steps, "loss", "held-out token accuracy")
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

// fit trains m (or resumes it, or restores a finished run) with its checkpoints in dir ("" for
// none), probing on probe: the teacher-forced token accuracy on held-out pairs.
func fit(backend backends.Backend, m Model, tc TrainConfig, split Split, probe []Example, dir string, quiet bool) (*Trained, error) {
	if tc.Steps < 1 || tc.Batch < 1 || tc.ProbeEvery < 1 {
		return nil, fmt.Errorf("transformer: %s: Steps, Batch and ProbeEvery must be ≥ 1, got %d, %d, %d", m.Name(), tc.Steps, tc.Batch, tc.ProbeEvery)
	}
	ctx := context.New()
	ctx.SetParam(context.ParamInitialSeed, int64(tc.Seed))
	if err := ctx.SetRNGStateFromSeed(int64(tc.Seed)); err != nil {
		return nil, fmt.Errorf("transformer: %w", err)
	}
	tr := &Trained{Model: m, ctx: ctx, backend: backend, execs: map[int]*context.Exec{}}
	pb, err := newBatch(probe)
	if err != nil {
		return nil, err
	}
	trainer := train.NewTrainer(backend, ctx, modelFn(m, tc), losses.SparseCategoricalCrossEntropyLogits,
		optimizers.Adam().LearningRate(tc.LR).Done(), nil, nil)
	prog := &progress{tr: tr, tc: tc, probe: pb, title: m.Name() + ": English words → kanji", quiet: quiet,
		stop: make(chan struct{}), stopAt: interruptAt}
	res, err := gomlxext.Fit(trainer, trainStream(split, tc), gomlxext.FitOptions{
		Steps: tc.Steps, CheckpointDir: dir, Progress: prog, State: &tr.History, Stop: prog.stop})
	if prog.live != nil {
		prog.live.Done()
	}
	if err != nil {
		return nil, fmt.Errorf("transformer: %s: %w", m.Name(), err)
	}
	if prog.err != nil {
		return nil, fmt.Errorf("transformer: %s: held-out probe: %w", m.Name(), prog.err)
	}
	tr.StartStep, tr.MedianStep = res.StartStep, res.MedianStep
	if dir != "" && len(tr.History.Step) != tc.Steps {
		return nil, fmt.Errorf("transformer: %s: the checkpoint in %s is at step %d but holds the history of %d steps: delete the folder to train afresh",
			m.Name(), dir, res.GlobalStep, len(tr.History.Step))
	}
	ctx.EnumerateVariables(func(v *context.Variable) {
		if v.IsValid() && v.Trainable && v.Shape().DType.IsFloat() && v.Scope() != context.RootScope {
			tr.Params += v.Shape().Size()
		}
	})
	return tr, nil
}

// logProbs returns log p(y_t | y_<t, x) [n][TargetLen][target vocabulary] for src [n, SourceLen]
// and tgtIn [n, TargetLen].
func (t *Trained) logProbs(n int, src, tgtIn []int32) ([]float32, error) {
	exec, ok := t.execs[n]
	if !ok {
		var err error
		exec, err = context.NewExec(t.backend, t.ctx.Reuse(), func(ctx *context.Context, src, tgtIn *G.Node) *G.Node {
			return G.LogSoftmax(t.Model.Logits(ctx, src, tgtIn), -1)
		})
		if err != nil {
			return nil, fmt.Errorf("transformer: %s: %w", t.Model.Name(), err)
		}
		t.execs[n] = exec
	}
	out, err := exec.Exec(tensors.FromFlatDataAndDimensions(src, n, SourceLen), tensors.FromFlatDataAndDimensions(tgtIn, n, TargetLen))
	if err != nil {
		return nil, fmt.Errorf("transformer: %s: %w", t.Model.Name(), err)
	}
	return tensors.CopyFlatData[float32](out[0])
}

// tokenAccuracy is the share of the target tokens (and [EOS]) of b the model predicts right
// with teacher forcing: each one from the true prefix.
func (t *Trained) tokenAccuracy(b *batch) (float64, error) {
	lp, err := t.logProbs(b.n, b.src, b.tgtIn)
	if err != nil {
		return 0, err
	}
	v := TargetVocab().Size()
	hit, total := 0, 0
	for i := range b.n * TargetLen {
		if !b.real[i] {
			continue
		}
		total++
		if argmax(lp[i*v:(i+1)*v]) == int(b.tgtOut[i]) {
			hit++
		}
	}
	return float64(hit) / float64(total), nil
}

func argmax(v []float32) int {
	best := 0
	for i, x := range v {
		if x > v[best] {
			best = i
		}
	}
	return best
}

// Greedy translates each example's source by greedy decoding: at every step the most probable
// next kanji, until [EOS] (or TargetLen−1 kanji). It returns the kanji ids, without [EOS].
func (t *Trained) Greedy(examples []Example) ([][]int, error) {
	b, err := newBatch(examples)
	if err != nil {
		return nil, err
	}
	n, v := b.n, TargetVocab().Size()
	in := make([]int32, n*TargetLen)
	for i := range n {
		in[i*TargetLen] = BOS
	}
	out := make([][]int, n)
	done := make([]bool, n)
	for pos := 0; pos < TargetLen; pos++ {
		lp, err := t.logProbs(n, b.src, in)
		if err != nil {
			return nil, err
		}
		left := 0
		for i := range n {
			if done[i] {
				continue
			}
			id := argmax(lp[(i*TargetLen+pos)*v : (i*TargetLen+pos+1)*v])
			if id == EOS || pos+1 == TargetLen {
				done[i] = true
				continue
			}
			out[i] = append(out[i], id)
			in[i*TargetLen+pos+1] = int32(id)
			left++
		}
		if left == 0 {
			break
		}
	}
	return out, nil
}

// Beam is one hypothesis of beam search: the kanji ids (without [EOS]) and the log-probability
// log p(y|x) = Σ_t log p(y_t | y_<t, x) of them followed by [EOS].
type Beam struct {
	IDs     []int
	LogProb float64
}

// BeamSearch translates each example's source keeping the width most probable prefixes at every
// step (a finished hypothesis, one that emitted [EOS], competes with the open ones by its
// log-probability). It returns each example's hypotheses, best first.
func (t *Trained) BeamSearch(examples []Example, width int) ([][]Beam, error) {
	if width < 1 {
		return nil, fmt.Errorf("transformer: beam width must be ≥ 1, got %d", width)
	}
	b, err := newBatch(examples)
	if err != nil {
		return nil, err
	}
	n, v := b.n, TargetVocab().Size()
	type hyp struct {
		ids  []int
		lp   float64
		done bool
	}
	beams := make([][]hyp, n)
	for i := range beams {
		beams[i] = []hyp{{}}
	}
	src := make([]int32, n*width*SourceLen)
	for i := range n {
		for k := range width {
			copy(src[(i*width+k)*SourceLen:], b.src[i*SourceLen:(i+1)*SourceLen])
		}
	}
	for pos := 0; pos < TargetLen; pos++ {
		in := make([]int32, n*width*TargetLen)
		open := false
		for i := range n {
			for k, h := range beams[i] {
				row := (i*width + k) * TargetLen
				in[row] = BOS
				for j, id := range h.ids {
					in[row+j+1] = int32(id)
				}
				open = open || !h.done
			}
		}
		if !open {
			break
		}
		lp, err := t.logProbs(n*width, src, in)
		if err != nil {
			return nil, err
		}
		for i := range n {
			var cand []hyp
			for k, h := range beams[i] {
				if h.done {
					cand = append(cand, h)
					continue
				}
				row := lp[((i*width+k)*TargetLen+pos)*v:]
				for id := EOS; id < v; id++ {
					c := hyp{ids: h.ids, lp: h.lp + float64(row[id])}
					if id == EOS || pos+1 == TargetLen {
						c.done = true
					} else {
						c.ids = append(append([]int(nil), h.ids...), id)
					}
					cand = append(cand, c)
				}
			}
			// Keep the width best (a partial selection sort: the lists are short).
			for a := 0; a < width && a < len(cand); a++ {
				best := a
				for c := a + 1; c < len(cand); c++ {
					if cand[c].lp > cand[best].lp {
						best = c
					}
				}
				cand[a], cand[best] = cand[best], cand[a]
			}
			beams[i] = cand[:min(width, len(cand))]
		}
	}
	out := make([][]Beam, n)
	for i, hs := range beams {
		for _, h := range hs {
			out[i] = append(out[i], Beam{IDs: h.ids, LogProb: h.lp})
		}
	}
	return out, nil
}

// Conditionals returns log p(y_t | y_<t, x) for each kanji of target ids and the [EOS] after
// them, given source ids, from one teacher-forced pass: the factors of the sentence's probability
// p(y|x) = Π_t p(y_t | y_<t, x).
func (t *Trained) Conditionals(source, target []int) ([]float64, error) {
	b, err := newBatch([]Example{{Source: source, Target: target}})
	if err != nil {
		return nil, err
	}
	lp, err := t.logProbs(1, b.src, b.tgtIn)
	if err != nil {
		return nil, err
	}
	v := TargetVocab().Size()
	out := make([]float64, len(target)+1)
	for j := range out {
		out[j] = float64(lp[j*v+int(b.tgtOut[j])])
		if math.IsNaN(out[j]) {
			return nil, fmt.Errorf("transformer: %s: log-probability is NaN", t.Model.Name())
		}
	}
	return out, nil
}

// SequenceLogProb returns log p(y|x) = Σ_t log p(y_t | y_<t, x) of target ids followed by [EOS]
// for source ids (the sum of Conditionals).
func (t *Trained) SequenceLogProb(source, target []int) (float64, error) {
	c, err := t.Conditionals(source, target)
	sum := 0.0
	for _, l := range c {
		sum += l
	}
	return sum, err
}

// CrossAttention returns the Transformer's source–target attention weights when its decoder
// reads the translation ids (kanji ids, without [BOS]/[EOS]) of source: [block][head][row][word],
// one row per decoder position ([BOS] and each kanji: the position that predicts the next kanji,
// the last one [EOS]) and one column per English word. It fails for a model without attention.
func (t *Trained) CrossAttention(source, ids []int) ([][][][]float64, error) {
	m, ok := t.Model.(TransformerModel)
	if !ok {
		return nil, fmt.Errorf("transformer: %s has no attention to show", t.Model.Name())
	}
	b, err := newBatch([]Example{{Source: source, Target: ids}})
	if err != nil {
		return nil, err
	}
	if t.attention == nil {
		t.attention, err = context.NewExec(t.backend, t.ctx.Reuse(), func(ctx *context.Context, src, tgtIn *G.Node) *G.Node {
			memory, srcReal := m.Encode(ctx, src)
			_, cross := m.Decode(ctx, memory, srcReal, tgtIn)
			return G.Stack(cross, 0) // [blocks, 1, heads, TargetLen, SourceLen]
		})
		if err != nil {
			return nil, fmt.Errorf("transformer: %w", err)
		}
	}
	in := b.inputs()
	res, err := t.attention.Exec(in[0], in[1])
	if err != nil {
		return nil, fmt.Errorf("transformer: cross-attention: %w", err)
	}
	w, err := tensors.CopyFlatData[float32](res[0])
	if err != nil {
		return nil, err
	}
	rows, cols := len(ids)+1, len(source)
	out := make([][][][]float64, m.Layers)
	for l := range out {
		out[l] = make([][][]float64, m.Heads)
		for h := range out[l] {
			out[l][h] = make([][]float64, rows)
			for r := range rows {
				out[l][h][r] = make([]float64, cols)
				for c := range cols {
					out[l][h][r][c] = float64(w[(((l*m.Heads)+h)*TargetLen+r)*SourceLen+c])
				}
			}
		}
	}
	return out, nil
}
