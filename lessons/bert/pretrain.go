package bert

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/train"
	"github.com/gomlx/gomlx/pkg/ml/train/metrics"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers/cosineschedule"

	"github.com/dl4go/dl4go/gomlxext"
	"github.com/dl4go/dl4go/plotting"
)

// pretrainDataset yields MLM+NSP batches drawn from a random stream fixed by (seed, step), so that
// a run resumed from a checkpoint sees the same batches as an uninterrupted one (gomlxext.Seeker).
// maxPred and rate are the most positions and the share of the tokens chosen for MLM, cont is
// whole-word masking's word continuations (nil: token by token), as in maskTokens.
func pretrainDataset(corpus *encodedCorpus, model Model, batch, maxPred int, rate float64, cont []bool, seed uint64) *gomlxext.StepBatches {
	return gomlxext.NewStepBatches("bert-mlm-nsp", func(step int64) ([]*tensors.Tensor, []*tensors.Tensor, error) {
		rng := rand.New(rand.NewPCG(seed, uint64(step)))
		exs := make([]Example, batch)
		for i := range exs {
			exs[i] = corpus.pretrainExample(rng, model, maxPred, rate, cont)
		}
		in, labels := batchTensors(exs)
		return in, labels, nil
	})
}

// batchTensors stacks examples into inputs [tokens, segments [B, L]; positions [B, P]] (int32) and
// labels [targets [B, P] int32, weights [B, P] float32, isNext [B] int32].
func batchTensors(exs []Example) (inputs, labels []*tensors.Tensor) {
	b, l, p := len(exs), len(exs[0].Tokens), len(exs[0].Positions)
	toks, segs := make([]int32, 0, b*l), make([]int32, 0, b*l)
	pos, tgt, w, nsp := make([]int32, 0, b*p), make([]int32, 0, b*p), make([]float32, 0, b*p), make([]int32, 0, b)
	for _, e := range exs {
		toks, segs = appendInt32(toks, e.Tokens), appendInt32(segs, e.Segments)
		pos, tgt = appendInt32(pos, e.Positions), appendInt32(tgt, e.Targets)
		w = append(w, e.Weights...)
		nsp = append(nsp, int32(e.IsNext))
	}
	inputs = []*tensors.Tensor{
		tensors.FromFlatDataAndDimensions(toks, b, l),
		tensors.FromFlatDataAndDimensions(segs, b, l),
		tensors.FromFlatDataAndDimensions(pos, b, p),
	}
	labels = []*tensors.Tensor{
		tensors.FromFlatDataAndDimensions(tgt, b, p),
		tensors.FromFlatDataAndDimensions(w, b, p),
		tensors.FromFlatDataAndDimensions(nsp, b),
	}
	return inputs, labels
}

func appendInt32(dst []int32, src []int) []int32 {
	for _, v := range src {
		dst = append(dst, int32(v))
	}
	return dst
}

// pretrainModelFn returns [MLM logits [B, P, V], NSP logits [B, 2]] for inputs
// [tokens, segments, positions].
func pretrainModelFn(m Model) train.ModelFn {
	return func(ctx *context.Context, _ any, in []*graph.Node) []*graph.Node {
		hidden, _ := m.Encode(ctx, in[0], in[1])
		return []*graph.Node{m.MLMLogits(ctx, hidden, in[2]), m.NSPLogits(ctx, hidden)}
	}
}

// pretrainLosses returns the MLM loss and accuracy (over the masked positions) and the NSP loss and
// accuracy of one batch.
func pretrainLosses(labels, pred []*graph.Node) (mlmLoss, mlmAcc, nspLoss, nspAcc *graph.Node) {
	mlmLoss, mlmAcc = maskedCrossEntropy(pred[0], labels[0], labels[1])
	ones := graph.OnesLike(graph.ConvertDType(labels[2], dtypes.Float32))
	nspLoss, nspAcc = maskedCrossEntropy(pred[1], labels[2], ones)
	return
}

// PretrainLoss is BERT's pre-training loss (a train.LossFn), MLM loss + NSP loss: labels are
// [targets [B, P] int32, weights [B, P] float32 (1 at the masked positions), isNext [B] int32],
// pred [MLM logits [B, P, V], NSP logits [B, 2]] (Model.MLMLogits, Model.NSPLogits); it returns
// the mean cross entropy over the masked positions plus the mean NSP cross entropy, a scalar.
func PretrainLoss(labels, pred []*graph.Node) *graph.Node {
	ml, _, nl, _ := pretrainLosses(labels, pred)
	return graph.Add(ml, nl)
}

func pretrainMetrics() []metrics.Interface {
	pick := func(k int) metrics.BaseMetricGraph {
		return func(_ *context.Context, labels, pred []*graph.Node) *graph.Node {
			a, b, c, d := pretrainLosses(labels, pred)
			return []*graph.Node{a, b, c, d}[k]
		}
	}
	return []metrics.Interface{
		metrics.NewBaseMetric("MLM loss", "mlm_loss", "loss", pick(0), nil),
		metrics.NewBaseMetric("MLM accuracy", "mlm_acc", "accuracy", pick(1), nil),
		metrics.NewBaseMetric("NSP loss", "nsp_loss", "loss", pick(2), nil),
		metrics.NewBaseMetric("NSP accuracy", "nsp_acc", "accuracy", pick(3), nil),
	}
}

// newContext returns a context whose variables are initialized from seed.
func newContext(seed uint64) *context.Context {
	ctx := context.New()
	ctx.SetParam(context.ParamInitialSeed, int64(seed))
	_ = ctx.SetRNGStateFromSeed(int64(seed))
	return ctx
}

// History is the per-step record of pre-training: batch MLM/NSP losses and accuracies, and the
// held-out curve. It is saved with every checkpoint (gomlxext.FitOptions.State), so a resumed run
// keeps the steps before the interruption.
type History struct {
	Step                             []float64
	MLMLoss, MLMAcc, NSPLoss, NSPAcc []float64
	// HeldOutStep are the steps at which the held-out text was measured (every Config.CurveEvery
	// steps), HeldOutMLM the [MASK]-only MLM top-1 and HeldOutNSP the NSP accuracy with A and B
	// held out there, measured as Evaluate measures them, on the same pairs: the point at the last
	// step is the evaluation's. A measurement of the run, not a choice: the lesson keeps the model
	// of the last step whatever the curve says.
	HeldOutStep, HeldOutMLM, HeldOutNSP []float64
}

func (h *History) add(step int, v map[string]float64) {
	h.truncate(step - 1)
	h.Step = append(h.Step, float64(step))
	h.MLMLoss = append(h.MLMLoss, v["mlm_loss"])
	h.MLMAcc = append(h.MLMAcc, v["mlm_acc"])
	h.NSPLoss = append(h.NSPLoss, v["nsp_loss"])
	h.NSPAcc = append(h.NSPAcc, v["nsp_acc"])
	if nsp, ok := v[valNSP]; ok {
		h.HeldOutStep = append(h.HeldOutStep, float64(step))
		h.HeldOutMLM = append(h.HeldOutMLM, v[valMLM])
		h.HeldOutNSP = append(h.HeldOutNSP, nsp)
	}
}

// The names of the held-out curve's values in the steps' values (gomlxext.FitOptions.Validate).
const (
	valMLM = "val_mask_top1"
	valNSP = "val_nsp_heldout"
)

// truncate drops the records after step (steps redone after a resume).
func (h *History) truncate(step int) {
	n := 0
	for n < len(h.Step) && int(h.Step[n]) <= step {
		n++
	}
	h.Step, h.MLMLoss, h.MLMAcc, h.NSPLoss, h.NSPAcc = h.Step[:n], h.MLMLoss[:n], h.MLMAcc[:n], h.NSPLoss[:n], h.NSPAcc[:n]
	k := 0
	for k < len(h.HeldOutStep) && int(h.HeldOutStep[k]) <= step {
		k++
	}
	h.HeldOutStep, h.HeldOutMLM, h.HeldOutNSP = h.HeldOutStep[:k], h.HeldOutMLM[:k], h.HeldOutNSP[:k]
}

// progress records each step in a History and forwards the values to a live view, which it
// opens at the first step it gets (none when a finished run is restored), unless quiet.
type progress struct {
	hist  *History
	live  *plotting.Live
	quiet bool
	steps int
	// stop is closed after step stopAt (a test's interrupt; 0: never).
	stop   chan struct{}
	stopAt int
}

func (p *progress) Update(step int, v map[string]float64) {
	p.hist.add(step, v)
	if p.live == nil && !p.quiet {
		p.live = plotting.NewLive("BERT-mini pre-training (MLM + NSP)", p.steps, "MLM loss", "NSP loss")
	}
	if p.live != nil {
		p.live.Update(step, map[string]float64{"MLM loss": v["mlm_loss"], "NSP loss": v["nsp_loss"]})
	}
	if step == p.stopAt {
		close(p.stop)
	}
}

// interruptAt makes pre-training stop after that step as if interrupted (tests; 0: never).
var interruptAt int

// pretrain trains (or resumes, or restores) BERT-mini with MLM+NSP in p.ctx on p.train, with its
// checkpoints and history in p.Dir.
func (p *Pretrained) pretrain() error {
	backend, err := gomlxext.Backend()
	if err != nil {
		return fmt.Errorf("bert: %w", err)
	}
	cfg := p.Config
	m := cfg.Model
	opt := optimizers.Adam().LearningRate(cfg.LR).WeightDecay(0.01).Done()
	modelFn := pretrainModelFn(m)
	withSchedule := func(ctx *context.Context, spec any, in []*graph.Node) []*graph.Node {
		if ctx.IsTraining(in[0].Graph()) {
			cosineschedule.New(ctx, in[0].Graph(), dtypes.Float32).LearningRate(cfg.LR).
				MinLearningRate(cfg.LR / 10).WarmUpSteps(cfg.Warmup).PeriodInSteps(cfg.Steps).Done()
		}
		return modelFn(ctx, spec, in)
	}
	if cfg.UnigramBias && p.ctx.In(scopeMLM).GetVariableByScopeAndName(p.ctx.In(scopeMLM).Scope(), "bias") == nil {
		c := p.trainCounts()
		total := 0.0
		for _, f := range p.train.flat {
			for _, t := range f {
				if t > MASK {
					total++
				}
			}
		}
		initMLMBias(p.ctx, c.uni, total)
	}
	trainer := train.NewTrainer(backend, p.ctx, withSchedule, PretrainLoss, opt, pretrainMetrics(), nil)
	p.History = &History{}
	rate, maxPred := cfg.trainMasking()
	ds := pretrainDataset(p.train, m, cfg.Batch, maxPred, rate, p.cont(), cfg.Seed)
	prog := &progress{hist: p.History, quiet: cfg.Quiet, steps: cfg.Steps, stop: make(chan struct{}), stopAt: interruptAt}
	opts := gomlxext.FitOptions{Steps: cfg.Steps, CheckpointDir: p.Dir, Progress: prog, State: p.History, Stop: prog.stop}
	var exec *context.Exec // the held-out curve's model, compiled at its first point.
	if cfg.CurveEvery > 0 {
		opts.StepsPerEpoch = cfg.CurveEvery
		opts.Validate = func() (map[string]float64, error) {
			if exec == nil {
				e, err := p.predictExec()
				if err != nil {
					return nil, err
				}
				exec = e
			}
			mlm, nsp, err := p.heldOutPoint(exec)
			return map[string]float64{valMLM: mlm, valNSP: nsp}, err
		}
	}
	start := time.Now()
	res, err := gomlxext.Fit(trainer, ds, opts)
	if exec != nil {
		exec.Finalize()
	}
	if prog.live != nil {
		prog.live.Done()
	}
	p.TrainTime, p.StartStep = time.Since(start), res.StartStep
	if res.StartStep == res.GlobalStep {
		p.TrainTime = 0
	}
	if err != nil {
		return fmt.Errorf("bert: pre-training: %w", err)
	}
	if n := len(p.History.Step); n != cfg.Steps {
		return fmt.Errorf("bert: the checkpoint in %s is at step %d but holds the history of %d steps: delete the folder to train afresh", p.Dir, res.GlobalStep, n)
	}
	return nil
}
