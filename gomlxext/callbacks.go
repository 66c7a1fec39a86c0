package gomlxext

import (
	"fmt"
	"maps"
	"math"
	"slices"
)

// Callback is told of the end of every epoch of a Fit run with FitOptions.StepsPerEpoch set, in
// the manner of Keras' callbacks (on_epoch_end): epoch counts from 1, values are the epoch's
// training values (those of its last step) and validation values (FitOptions.Validate's, e.g.
// "val_acc"). Returning stop ends the run after this epoch: Fit saves a checkpoint and returns
// without error, with FitResult.Stopped set.
//
// A Callback's state must survive a resumed run: Fit saves every callback with each checkpoint
// and restores it on resume (gob), so a callback is a pointer to a struct whose exported fields
// are its whole state, as EarlyStopping is.
type Callback interface {
	EpochEnd(epoch int, values map[string]float64) (stop bool, err error)
}

// EarlyStopping stops training when the monitored value has not improved for Patience epochs,
// with the rule of Keras' tf.keras.callbacks.EarlyStopping(monitor, patience, mode, min_delta)
// (restore_best_weights=False, the default: training ends with the last epoch's weights):
//
//	es := &gomlxext.EarlyStopping{Monitor: "val_acc", Patience: 2, Mode: "max"}
//	res, err := gomlxext.Fit(trainer, ds, gomlxext.FitOptions{Steps: epochs * perEpoch,
//		StepsPerEpoch: perEpoch, Validate: validate, Callbacks: []gomlxext.Callback{es}})
//
// After each epoch the counter Wait goes up by one; an epoch whose value beats Best by more than
// MinDelta (above it for "max", below for "min") becomes Best and resets Wait to 0; otherwise,
// once Wait reaches Patience (and it is not the first epoch), training stops. With Patience 2 and
// val_acc 0.5, 0.6, 0.6, 0.55 it stops after epoch 4: two epochs in a row did not beat 0.6.
type EarlyStopping struct {
	// Monitor names the value watched, e.g. "val_acc" (a key of the epoch's values).
	Monitor string
	// Patience is how many epochs without improvement are tolerated.
	Patience int
	// Mode is "max" (higher is better: accuracy) or "min" (lower is better: loss).
	Mode string
	// MinDelta is the least change that counts as an improvement (default 0).
	MinDelta float64

	// Best is the best value seen, BestEpoch its epoch (0: none yet), Wait the epochs since the
	// last improvement, StoppedEpoch the epoch training stopped after (0: not stopped).
	Best                          float64
	BestEpoch, Wait, StoppedEpoch int
}

// EpochEnd implements Callback with Keras' rule (see EarlyStopping).
func (e *EarlyStopping) EpochEnd(epoch int, values map[string]float64) (bool, error) {
	if e.Mode != "max" && e.Mode != "min" {
		return false, fmt.Errorf("EarlyStopping: Mode %q: use \"max\" (e.g. for val_acc) or \"min\" (e.g. for val_loss)", e.Mode)
	}
	current, ok := values[e.Monitor]
	if !ok {
		return false, fmt.Errorf("EarlyStopping: no value %q at epoch %d (have %v): set FitOptions.Validate to measure it",
			e.Monitor, epoch, keys(values))
	}
	if e.BestEpoch == 0 {
		e.Best = math.Inf(-1)
		if e.Mode == "min" {
			e.Best = math.Inf(1)
		}
	}
	e.Wait++
	if e.improves(current) {
		e.Best, e.BestEpoch, e.Wait = current, epoch, 0
		return false, nil
	}
	if e.Wait >= e.Patience && epoch > 1 {
		e.StoppedEpoch = epoch
		return true, nil
	}
	return false, nil
}

// improves says whether v beats Best by more than MinDelta in the direction of Mode.
func (e *EarlyStopping) improves(v float64) bool {
	if e.Mode == "min" {
		return v+e.MinDelta < e.Best
	}
	return v-e.MinDelta > e.Best
}

func keys(m map[string]float64) []string { return slices.Sorted(maps.Keys(m)) }
