package gomlxext

import (
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/train"
)

// BatchFunc returns the training batch of one global step: the inputs and labels Fit feeds
// the trainer. It must depend only on step (and on values fixed before training), e.g. by
// drawing from rand.New(rand.NewPCG(seed, uint64(step))).
type BatchFunc func(step int64) (inputs, labels []*tensors.Tensor, err error)

// StepBatches is an endless training stream whose batch of step s is batch(s): a Seeker, so a
// run that Fit resumes from a checkpoint sees exactly the batches an uninterrupted run would.
// Lessons that generate their data (or sample it with a step-seeded generator) use it instead
// of writing their own train.Dataset.
type StepBatches struct {
	name  string
	batch BatchFunc
	step  int64
}

var (
	_ train.Dataset = (*StepBatches)(nil)
	_ Seeker        = (*StepBatches)(nil)
)

// NewStepBatches returns the stream named name (train.Dataset's Name) that yields batch(0),
// batch(1), ... and never ends.
func NewStepBatches(name string, batch BatchFunc) *StepBatches {
	return &StepBatches{name: name, batch: batch}
}

// Name implements train.Dataset.
func (d *StepBatches) Name() string { return d.name }

// Reset implements train.Dataset: the stream starts again at step 0.
func (d *StepBatches) Reset() { d.step = 0 }

// SeekStep implements Seeker: the next batch is batch(step).
func (d *StepBatches) SeekStep(step int64) { d.step = step }

// Yield implements train.Dataset: the batch of the current step, then the step advances.
func (d *StepBatches) Yield() (spec any, inputs, labels []*tensors.Tensor, err error) {
	inputs, labels, err = d.batch(d.step)
	if err != nil {
		return nil, nil, nil, err
	}
	d.step++
	return nil, inputs, labels, nil
}
