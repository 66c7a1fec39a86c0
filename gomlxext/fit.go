package gomlxext

import (
	"bytes"
	"encoding/gob"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/train"
)

// ErrInterrupted is returned (wrapped) by Fit when the run was stopped by Ctrl-C / a kernel
// interrupt or by FitOptions.Stop. The checkpoint, if any, holds the last completed step.
var ErrInterrupted = errors.New("training interrupted")

// Progress receives the training values after each step (e.g. "loss", "~loss", "~acc"). The
// engine draws nothing itself: a view attaches from outside, as GoMLX's progress bar attaches to
// a train.Loop — plotting.Live is the one the lessons use:
//
//	live := plotting.NewLive("MNIST MLP", steps, "loss")
//	res, err := gomlxext.Fit(trainer, ds, gomlxext.FitOptions{Steps: steps, Progress: live})
//	live.Done()
type Progress interface {
	Update(step int, values map[string]float64)
}

// Resumer is implemented by a Progress that wants to know where a resumed run starts (so that
// its rate and ETA count from there); Fit calls Resumed before the first Update.
type Resumer interface {
	Resumed(step int)
}

// Seeker is implemented by datasets whose stream can be positioned at a global step (e.g.
// mnist.Dataset), so that a resumed run sees exactly the batches an uninterrupted run would.
type Seeker interface {
	SeekStep(step int64)
}

// FitOptions configures Fit. Only Steps is required.
type FitOptions struct {
	// Steps is the global step to train to: a resumed run only does the steps that remain.
	Steps int
	// CheckpointDir, if not empty, is where checkpoints are loaded from (resuming the run) and saved
	// to (see Checkpoints): every EveryN steps, at the end, and when interrupted.
	CheckpointDir string
	// EveryN is the checkpoint period in steps; 0 means Steps/10 (at least 1).
	EveryN int
	// Keep is how many checkpoints to keep; 0 means 2.
	Keep int
	// Progress, if not nil, receives each step's values.
	Progress Progress
	// Stop, when closed, interrupts the run like Ctrl-C: a checkpoint is saved and Fit returns
	// ErrInterrupted.
	Stop <-chan struct{}
	// State, if not nil, is a pointer to the caller's own record of the run (e.g. the history of
	// every step, which FitResult.History only holds for the steps of this call): with a
	// CheckpointDir, Fit loads it from the checkpoint it resumes from and saves it with every
	// checkpoint (gob, as Checkpoints' LoadState and Save; NaN and ±Inf survive). Keep it in step
	// with the training steps, e.g. by updating it in Progress.Update, which Fit calls before it
	// saves the step.
	State any

	// StepsPerEpoch, when > 0, divides the run into epochs of that many global steps (epoch e
	// ends at step e·StepsPerEpoch), as Keras' fit does: at the end of each, Fit calls Validate,
	// adds its values to the step's (so History and Progress see them), records the epoch in
	// FitResult.Epochs and tells every callback. Set Steps to epochs·StepsPerEpoch.
	StepsPerEpoch int
	// Validate, if not nil, measures the model at the end of each epoch, e.g. the accuracy on a
	// validation set as "val_acc" (name the values as Keras does: "val_" and the metric).
	Validate func() (map[string]float64, error)
	// Callbacks are told of each epoch's end, in order (see Callback and EarlyStopping); the first
	// that says stop ends the run. Their state is saved with every checkpoint and restored on
	// resume, and a run that was stopped stays stopped: a rerun returns at once.
	Callbacks []Callback
}

// StepValues are the values reported at one training step.
type StepValues struct {
	Step   int
	Values map[string]float64
}

// FitResult describes a finished (or interrupted) run.
type FitResult struct {
	// StartStep is the global step the run started from: > 0 when it resumed from a checkpoint.
	StartStep int
	// GlobalStep is the global step reached.
	GlobalStep int
	// History holds the values of every step run by this call (not the steps before a resume).
	History []StepValues
	// Last holds the values of the last step, e.g. Last["loss"]; nil if no step ran (the
	// checkpoint had already reached Steps).
	Last map[string]float64
	// MedianStep is the median wall time of a training step in this call.
	MedianStep time.Duration
	// Checkpoint is the directory checkpoints were saved to, if any.
	Checkpoint string
	// Epochs holds the values at the end of every epoch of the run (with StepsPerEpoch), those
	// before a resume included.
	Epochs []StepValues
	// Stopped is true when a callback ended the run (at GlobalStep, the end of the last epoch).
	Stopped bool
}

// epochState is what Fit saves with a checkpoint when the run has epochs: the caller's State,
// the epochs so far, every callback and whether one stopped the run (each gob-encoded).
type epochState struct {
	User      []byte
	Epochs    []StepValues
	Callbacks [][]byte
	Stopped   bool
}

// encode fills s from the caller's state and the callbacks.
func (s *epochState) encode(user any, callbacks []Callback) error {
	var err error
	if user != nil {
		if s.User, err = gobBytes(user); err != nil {
			return fmt.Errorf("encode State: %w", err)
		}
	}
	s.Callbacks = s.Callbacks[:0]
	for i, c := range callbacks {
		b, err := gobBytes(c)
		if err != nil {
			return fmt.Errorf("encode callback %d (%T): %w", i, c, err)
		}
		s.Callbacks = append(s.Callbacks, b)
	}
	return nil
}

// decode restores the caller's state and the callbacks from s (as loaded from a checkpoint).
func (s *epochState) decode(user any, callbacks []Callback) error {
	if user != nil && s.User != nil {
		if err := gob.NewDecoder(bytes.NewReader(s.User)).Decode(user); err != nil {
			return fmt.Errorf("decode State: %w", err)
		}
	}
	if len(s.Callbacks) != len(callbacks) {
		return fmt.Errorf("the checkpoint has %d callbacks, the run %d: use a fresh CheckpointDir", len(s.Callbacks), len(callbacks))
	}
	for i, c := range callbacks {
		if err := gob.NewDecoder(bytes.NewReader(s.Callbacks[i])).Decode(c); err != nil {
			return fmt.Errorf("decode callback %d (%T): %w", i, c, err)
		}
	}
	return nil
}

func gobBytes(v any) ([]byte, error) {
	var buf bytes.Buffer
	err := gob.NewEncoder(&buf).Encode(v)
	return buf.Bytes(), err
}

// errStopped ends train.Loop when a callback stopped the run.
var errStopped = errors.New("stopped by a callback")

// Fit trains with trainer on ds up to global step opts.Steps, using GoMLX's train.Loop. With a
// CheckpointDir it first loads the latest valid checkpoint there (variables, optimizer state,
// global step, and opts.State; see Checkpoints) and continues from it, positioning ds with SeekStep when ds
// implements Seeker; it saves every EveryN steps, at the end and on interrupt (SIGINT/SIGTERM,
// or opts.Stop). ds must yield at least the remaining steps' batches (e.g. an infinite dataset).
//
// The values reported per step are "loss" (the batch loss, regularization included) and the
// trainer's other train metrics by short name (e.g. "~loss", the moving average, and "~acc").
//
// With StepsPerEpoch the run has epochs, as Keras' model.fit: Validate measures the model at
// the end of each and Callbacks (EarlyStopping) may end the run there, and a run so stopped
// stays finished when rerun (see FitOptions).
func Fit(trainer *train.Trainer, ds train.Dataset, opts FitOptions) (res FitResult, err error) {
	if opts.Steps <= 0 {
		return res, fmt.Errorf("gomlxext.Fit: Steps must be positive, got %d", opts.Steps)
	}
	if opts.StepsPerEpoch < 0 || (opts.StepsPerEpoch == 0 && (opts.Validate != nil || len(opts.Callbacks) > 0)) {
		return res, fmt.Errorf("gomlxext.Fit: Validate and Callbacks run at the end of each epoch: set StepsPerEpoch > 0 (got %d)", opts.StepsPerEpoch)
	}
	// state is what is saved with each checkpoint: the caller's, or with epochs the epochState
	// that holds it.
	state := opts.State
	var epochs *epochState
	if opts.StepsPerEpoch > 0 {
		epochs = &epochState{}
		state = epochs
	}
	ctx := trainer.Context()
	var ckpt *Checkpoint
	if opts.CheckpointDir != "" {
		b := Checkpoints(ctx, opts.CheckpointDir).Keep(opts.Keep)
		if state != nil {
			b = b.LoadState(state)
		}
		ckpt, err = b.Done()
		if err != nil {
			return res, fmt.Errorf("gomlxext.Fit: %w", err)
		}
		res.Checkpoint = opts.CheckpointDir
		if epochs != nil && ckpt.Step() > 0 {
			if err := epochs.decode(opts.State, opts.Callbacks); err != nil {
				return res, fmt.Errorf("gomlxext.Fit: checkpoint in %s: %w", opts.CheckpointDir, err)
			}
		}
	}
	start := int(trainer.GlobalStep())
	res.StartStep, res.GlobalStep = start, start
	if epochs != nil {
		res.Epochs, res.Stopped = epochs.Epochs, epochs.Stopped
	}
	if start >= opts.Steps || res.Stopped {
		return res, nil
	}
	if start > 0 {
		trainer.SetContext(ctx.Reuse())
		if s, ok := ds.(Seeker); ok {
			s.SeekStep(int64(start))
		}
		if r, ok := opts.Progress.(Resumer); ok {
			r.Resumed(start)
		}
	}

	stop := WatchInterrupt()
	defer stop.Release()

	loop := train.NewLoop(trainer)
	names := metricNames(trainer)
	lastSaved := start
	save := func(step int) error {
		if ckpt == nil || step == lastSaved {
			return nil
		}
		if epochs != nil {
			epochs.Epochs, epochs.Stopped = res.Epochs, res.Stopped
			if err := epochs.encode(opts.State, opts.Callbacks); err != nil {
				return fmt.Errorf("at step %d: %w", step, err)
			}
		}
		if err := ckpt.Save(state); err != nil {
			return fmt.Errorf("at step %d: %w", step, err)
		}
		lastSaved = step
		return nil
	}
	everyN := opts.EveryN
	if everyN <= 0 {
		everyN = max(1, opts.Steps/10)
	}
	interrupted := false
	loop.OnStep("dl4go.fit", 100, func(loop *train.Loop, metrics []*tensors.Tensor) error {
		step := int(trainer.GlobalStep())
		values := make(map[string]float64, len(metrics))
		for i, m := range metrics {
			if names[i] != "" {
				values[names[i]] = shapes.ConvertTo[float64](m.Value())
			}
		}
		endOfEpoch := opts.StepsPerEpoch > 0 && step%opts.StepsPerEpoch == 0
		if endOfEpoch && opts.Validate != nil {
			val, err := opts.Validate()
			if err != nil {
				return fmt.Errorf("validate at step %d: %w", step, err)
			}
			maps.Copy(values, val)
		}
		res.History = append(res.History, StepValues{Step: step, Values: values})
		res.Last, res.GlobalStep = values, step
		if endOfEpoch {
			res.Epochs = append(res.Epochs, StepValues{Step: step, Values: values})
			for _, c := range opts.Callbacks {
				stop, err := c.EpochEnd(step/opts.StepsPerEpoch, values)
				if err != nil {
					return fmt.Errorf("epoch %d: %w", step/opts.StepsPerEpoch, err)
				}
				if stop {
					res.Stopped = true
					break
				}
			}
		}
		if opts.Progress != nil {
			opts.Progress.Update(step, values)
		}
		if res.Stopped {
			if err := save(step); err != nil {
				return err
			}
			return errStopped
		}
		select {
		case <-opts.Stop:
			stop.Request()
		default:
		}
		if stop.Requested() {
			interrupted = true
			if err := save(step); err != nil {
				return err
			}
			return ErrInterrupted
		}
		if step%everyN == 0 {
			return save(step)
		}
		return nil
	})

	_, err = loop.RunToGlobalStep(ds, opts.Steps)
	res.MedianStep = loop.MedianTrainStepDuration()
	if res.Stopped && errors.Is(err, errStopped) {
		return res, nil
	}
	if err != nil {
		if interrupted {
			where := ""
			if ckpt != nil {
				where = "; rerun to resume from the checkpoint in " + opts.CheckpointDir
			}
			return res, fmt.Errorf("gomlxext.Fit: stopped at step %d%s: %w", res.GlobalStep, where, ErrInterrupted)
		}
		return res, fmt.Errorf("gomlxext.Fit: train from step %d to %d: %w", start, opts.Steps, err)
	}
	if err := save(res.GlobalStep); err != nil {
		return res, fmt.Errorf("gomlxext.Fit: %w", err)
	}
	return res, nil
}

// metricNames names the trainer's train metrics for progress reports: the batch loss is "loss",
// the others keep their GoMLX short name; "~loss+" is dropped when "~loss" (the same moving
// average without regularization) is present.
func metricNames(trainer *train.Trainer) []string {
	ms := trainer.TrainMetrics()
	names := make([]string, len(ms))
	short := map[string]bool{}
	for _, m := range ms {
		short[m.ShortName()] = true
	}
	for i, m := range ms {
		switch n := m.ShortName(); {
		case i == 0:
			names[i] = "loss"
		case n == "~loss+" && short["~loss"]:
		default:
			names[i] = n
		}
	}
	return names
}

// Evaluate runs trainer's evaluation metrics over the finite dataset ds and returns them by short
// name, e.g. "#loss" (mean loss) and "#acc" for metrics.NewSparseCategoricalAccuracy("Accuracy", "#acc").
func Evaluate(trainer *train.Trainer, ds train.Dataset) (map[string]float64, error) {
	values, err := trainer.Eval(ds)
	if err != nil {
		return nil, fmt.Errorf("gomlxext.Evaluate on %s: %w", ds.Name(), err)
	}
	out := make(map[string]float64, len(values))
	for i, m := range trainer.EvalMetrics() {
		out[m.ShortName()] = shapes.ConvertTo[float64](values[i].Value())
	}
	return out, nil
}

// CacheDirEnv names the environment variable that overrides where CheckpointDir
// keeps lessons' checkpoints and saved outcomes (default os.UserCacheDir()/dl4go).
const CacheDirEnv = "DL4GO_CACHE_DIR"

// CheckpointDir returns <cache>/<lesson>/<configKey>, the conventional place for a lesson's
// checkpoints, each part reduced to letters, digits, '.', '_' and '-' (others become '_').
// <cache> is $DL4GO_CACHE_DIR, else os.UserCacheDir()/dl4go; in a test binary
// (testing.Testing) with no $DL4GO_CACHE_DIR it is a fresh directory of that
// process, so that tests always train for real and never touch a learner's cache.
// configKey should identify the configuration (e.g. "mlp-b64-lr1e-3-quick") so that runs with
// different settings never resume each other. The directory is created.
func CheckpointDir(lesson, configKey string) (string, error) {
	base, err := cacheRoot()
	if err != nil {
		return "", fmt.Errorf("checkpoint dir for %s/%s: %w", lesson, configKey, err)
	}
	dir := filepath.Join(base, sanitize(lesson), sanitize(configKey))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("checkpoint dir for %s/%s: %w", lesson, configKey, err)
	}
	return dir, nil
}

func sanitize(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '_', r == '-':
			return r
		}
		return '_'
	}, s)
	s = strings.Trim(s, ".")
	if len(s) > 100 {
		s = s[:100]
	}
	if s == "" {
		s = "default"
	}
	return s
}

var (
	testCacheOnce sync.Once
	testCache     string
	testCacheErr  error
)

// cacheRoot returns the directory CheckpointDir works under.
func cacheRoot() (string, error) {
	if d := os.Getenv(CacheDirEnv); d != "" {
		return d, nil
	}
	if testing.Testing() {
		testCacheOnce.Do(func() { testCache, testCacheErr = os.MkdirTemp("", "dl4go-test-cache-") })
		return testCache, testCacheErr
	}
	base, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(base, "dl4go"), nil
}
