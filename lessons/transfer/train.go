package transfer

import (
	"fmt"

	"github.com/gomlx/gomlx/backends"
	G "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/train"
	"github.com/gomlx/gomlx/pkg/ml/train/losses"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"

	"github.com/dl4go/dl4go/gomlxext"
	"github.com/dl4go/dl4go/plotting"
)

// lossLog records the batch loss of every step (saved with the checkpoints as Fit's State, so
// a resumed or restored run keeps its whole curve) and forwards the values to a live view.
type lossLog struct {
	Loss []float64
	live *plotting.Live
}

func (l *lossLog) Update(step int, values map[string]float64) {
	l.Loss = append(l.Loss, values["loss"])
	if l.live != nil {
		l.live.Update(step, values)
	}
}

func (l *lossLog) Resumed(step int) {
	if l.live != nil {
		l.live.Resumed(step)
	}
}

// fit trains trainer on ds with a live view unless quiet, recording the loss in log.
func fit(trainer *train.Trainer, ds train.Dataset, opts gomlxext.FitOptions, title string, quiet bool, log *lossLog, series ...string) (gomlxext.FitResult, error) {
	if !quiet {
		log.live = plotting.NewLive(title, opts.Steps, append([]string{"loss"}, series...)...)
	}
	opts.Progress, opts.State = log, &log.Loss
	res, err := gomlxext.Fit(trainer, ds, opts)
	if log.live != nil {
		if res.Stopped {
			log.live.StopEarly(fmt.Sprintf("EarlyStopping after epoch %d", len(res.Epochs)))
		} else {
			log.live.Done()
		}
	}
	return res, err
}

// Pretrained is the ResNet-mini trained on the source task.
type Pretrained struct {
	// Dir is the checkpoint folder its backbone is loaded from: the lesson's own, or
	// Config.PretrainedDir.
	Dir string
	// FromUser is true when the weights came from Config.PretrainedDir (no pre-training here).
	FromUser bool
	// Loss is the training loss per step; SourceTestAcc the accuracy on the source task's
	// held-out images (MNIST test split, source digits); both unset with FromUser.
	Loss          []float64
	SourceTestAcc float64
}

// pretrain trains the ResNet-mini with a source head on the source images (Adam, sparse
// categorical cross-entropy, random batches), checkpointed in dir.
func pretrain(backend backends.Backend, cfg Config, source, sourceTest Images, dir string, quiet bool) (*Pretrained, error) {
	ctx := context.New()
	if err := ctx.SetRNGStateFromSeed(int64(cfg.Seed)); err != nil {
		return nil, fmt.Errorf("transfer: %w", err)
	}
	classes := len(cfg.SourceDigits)
	fn := func(ctx *context.Context, x *G.Node) *G.Node {
		return Head(ctx.In("source_head"), Backbone(ctx, x, cfg.Model, true), classes)
	}
	trainer := train.NewTrainer(backend, ctx, func(ctx *context.Context, _ any, in []*G.Node) []*G.Node { return []*G.Node{fn(ctx, in[0])} },
		losses.SparseCategoricalCrossEntropyLogits, optimizers.Adam().LearningRate(cfg.Pretrain.LearningRate).Done(), nil, nil)
	log := &lossLog{}
	p := cfg.Pretrain
	if _, err := fit(trainer, randomBatches("source", source, p.Batch, cfg.Seed), gomlxext.FitOptions{Steps: p.Steps, CheckpointDir: dir},
		fmt.Sprintf("pre-training on digits %v", cfg.SourceDigits), quiet, log); err != nil {
		return nil, fmt.Errorf("transfer: pre-train: %w", err)
	}
	var exec *context.Exec
	acc, err := accuracy(backend, ctx, fn, sourceTest, &exec)
	if err != nil {
		return nil, err
	}
	return &Pretrained{Dir: dir, Loss: log.Loss, SourceTestAcc: acc}, nil
}

// Way is one of the three ways of learning the target task.
type Way string

// The three ways, as the report's Keras code writes them.
const (
	FineTune Way = "fine-tune" // weights='imagenet', resnet.trainable = True: every weight learns
	Frozen   Way = "frozen"    // weights='imagenet', resnet.trainable = False: only the new head learns
	Scratch  Way = "scratch"   // weights=None: the same network from random weights (the baseline)
	// FrozenProbe is Frozen with Adam at TransferConfig.ProbeLearningRate instead of 1e-4: the
	// same frozen features, a head that can move in the epochs it has (a "linear probe").
	FrozenProbe Way = "frozen-fast"
)

// Ways lists the report's three ways in the order they are run and shown; FrozenProbe follows
// when TransferConfig.ProbeLearningRate > 0.
var Ways = []Way{FineTune, Frozen, Scratch}

// frozen says whether the way keeps the backbone fixed.
func (w Way) frozen() bool { return w == Frozen || w == FrozenProbe }

// Epoch is one epoch of a target-task run: its training loss (last batch), the accuracy on the
// training images and on the validation images, measured at its end (inference mode).
type Epoch struct {
	Loss, Acc, ValAcc float64
}

// WayRun is what one way reached on the target task.
type WayRun struct {
	Way    Way
	Epochs []Epoch
	// Stopped is true when EarlyStopping ended the run (before MaxEpochs).
	Stopped bool
	// Trainable is the number of weights the optimizer updates.
	Trainable int
	// TestAcc is the accuracy on the held-out target images, with the weights of the last
	// epoch (Keras' restore_best_weights=False).
	TestAcc float64
}

// learn trains the target task one way: a new head on the backbone (pre-trained for FineTune
// and Frozen, loaded from pre.Dir; random for Scratch) with the report's recipe — Adam(lr),
// categorical cross-entropy on one-hot labels, batch 16, EarlyStopping(val_acc, patience, max)
// — checkpointed in dir.
func learn(backend backends.Backend, cfg Config, way Way, pre *Pretrained, split *Split, dir string, quiet bool) (*WayRun, error) {
	tc := cfg.Transfer
	ctx := context.New()
	if err := ctx.SetRNGStateFromSeed(int64(cfg.Seed) + 1); err != nil {
		return nil, fmt.Errorf("transfer: %w", err)
	}
	classes := len(cfg.TargetDigits)
	fn := func(ctx *context.Context, x *G.Node) *G.Node {
		return Head(ctx.In("head"), Backbone(ctx, x, cfg.Model, !way.frozen()), classes)
	}
	ctx = ctx.Checked(false) // the backbone's variables exist (loaded) before the trainer builds the model
	if way != Scratch {
		if err := build(backend, ctx, fn); err != nil {
			return nil, err
		}
		if _, err := gomlxext.LoadScope(ctx, pre.Dir, BackboneScope); err != nil {
			return nil, fmt.Errorf("transfer: the pre-trained backbone: %w", err)
		}
	}
	lr := tc.LearningRate
	if way == FrozenProbe {
		lr = tc.ProbeLearningRate
	}
	var opt optimizers.Interface = optimizers.Adam().LearningRate(lr).Done()
	if way.frozen() {
		opt = gomlxext.FreezeScopes(opt, BackboneScope)
	}
	trainer := train.NewTrainer(backend, ctx, func(ctx *context.Context, _ any, in []*G.Node) []*G.Node { return []*G.Node{fn(ctx, in[0])} },
		losses.CategoricalCrossEntropyLogits, opt, nil, nil)

	ds, perEpoch := epochBatches(string(way), split.Train, tc.Batch, classes, true, cfg.Seed+2)
	var trainExec, valExec *context.Exec
	validate := func() (map[string]float64, error) {
		acc, err := accuracy(backend, ctx, fn, split.Train, &trainExec)
		if err != nil {
			return nil, err
		}
		val, err := accuracy(backend, ctx, fn, split.Validation, &valExec)
		return map[string]float64{"acc": acc, "val_acc": val}, err
	}
	es := &gomlxext.EarlyStopping{Monitor: "val_acc", Patience: tc.Patience, Mode: "max"}
	log := &lossLog{}
	res, err := fit(trainer, ds, gomlxext.FitOptions{Steps: tc.MaxEpochs * perEpoch, CheckpointDir: dir, EveryN: perEpoch,
		StepsPerEpoch: perEpoch, Validate: validate, Callbacks: []gomlxext.Callback{es}},
		fmt.Sprintf("%s on digits %v", way, cfg.TargetDigits), quiet, log, "acc", "val_acc")
	if err != nil {
		return nil, fmt.Errorf("transfer: %s: %w", way, err)
	}
	out := &WayRun{Way: way, Stopped: res.Stopped}
	for _, e := range res.Epochs {
		out.Epochs = append(out.Epochs, Epoch{Loss: e.Values["loss"], Acc: e.Values["acc"], ValAcc: e.Values["val_acc"]})
	}
	var testExec *context.Exec
	if out.TestAcc, err = accuracy(backend, ctx, fn, split.Test, &testExec); err != nil {
		return nil, err
	}
	// Counted after the evaluation built the model: a restored run creates its variables there.
	restore := func() {}
	if way.frozen() {
		restore = gomlxext.Freeze(ctx, BackboneScope)
	}
	for _, scope := range []string{"/" + BackboneScope, "/head"} {
		for v := range ctx.InAbsPath(scope).IterVariablesInScope() {
			if v.Trainable {
				out.Trainable += v.Shape().Size()
			}
		}
	}
	restore()
	return out, nil
}
