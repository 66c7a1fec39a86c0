package gomlxext

import (
	"errors"
	"fmt"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/distributed"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/datasets"
	"github.com/gomlx/gomlx/pkg/ml/train"
)

// DataParallel trains a train.Trainer data-parallel: each batch is split along its first axis
// across the devices of the backend, every device runs the model on its slice with its own
// replica of the weights, the gradients are combined across devices (an AllReduce) and every
// replica applies the same update. The result is the update one device would compute on the
// whole batch, up to float32 rounding (TestDataParallelStep).
//
// It uses GoMLX's AutoSharding strategy (pkg/core/distributed): the batch axis is sharded over a
// one-axis device mesh called "batch", the weights are replicated, and XLA's Shardy partitioner
// inserts the collectives. That needs a backend with several devices, i.e. XLA:
//
//	backend, err := gomlxext.NewXLA(gomlxext.XLAOptions{Devices: 2}) // 2 CPU devices on one machine
//	trainer := train.NewTrainer(backend, ctx, model, loss, optimizer, nil, nil)
//	dp, err := gomlxext.NewDataParallel(backend, trainer, 2)
//	metrics, err := dp.TrainStep(inputs, labels)     // inputs [batch, ...], batch divisible by 2
//
// The same code runs on several GPUs: create the backend on the CUDA plugin
// (NewXLA(XLAOptions{Plugin: "cuda"}), or GOMLX_BACKEND=xla:cuda; one device per GPU) and ask for
// backend.NumDevices() devices. On one CPU the devices share its cores, so data parallelism shows
// the mechanics, not a speed-up.
//
// A DataParallel trainer should not also run plain TrainStep calls: its weights then live as
// replicas on every device.
type DataParallel struct {
	backend backends.Backend
	trainer *train.Trainer
	mesh    *distributed.DeviceMesh
	batch   *distributed.ShardingSpec // first axis split over the mesh
}

// NewDataParallel prepares trainer (created on backend) to train data-parallel over the first
// devices devices of backend. It fails if the backend has fewer devices (the dl4go and go
// backends have one).
func NewDataParallel(backend backends.Backend, trainer *train.Trainer, devices int) (*DataParallel, error) {
	if backend == nil || trainer == nil {
		return nil, errors.New("gomlxext.NewDataParallel: backend and trainer must not be nil")
	}
	if devices < 1 {
		return nil, fmt.Errorf("data parallelism over %d devices: want at least 1", devices)
	}
	if n := backend.NumDevices(); n < devices {
		return nil, fmt.Errorf("data parallelism over %d devices: backend %s has %d; on CPU use gomlxext.NewXLA(gomlxext.XLAOptions{Devices: %d}) (an XLA PJRT plugin, see docs/xla.md)",
			devices, backend.Name(), n, devices)
	}
	mesh, err := distributed.NewDeviceMesh([]int{devices}, []string{"batch"})
	if err != nil {
		return nil, fmt.Errorf("data parallelism: device mesh: %w", err)
	}
	spec, err := distributed.BuildSpec(mesh).S("batch").Done()
	if err != nil {
		return nil, fmt.Errorf("data parallelism: sharding spec: %w", err)
	}
	return &DataParallel{backend: backend, trainer: trainer, mesh: mesh, batch: spec}, nil
}

// Devices returns the number of devices each batch is split across.
func (d *DataParallel) Devices() int { return d.mesh.NumDevices() }

// Trainer returns the trainer DataParallel drives.
func (d *DataParallel) Trainer() *train.Trainer { return d.trainer }

// TrainStep splits inputs and labels (each [batch, ...], batch divisible by Devices()) along
// their first axis, one slice per device, runs one training step on all devices and returns the
// trainer's metrics (the first is the loss of the whole batch), as Trainer.TrainStep does.
func (d *DataParallel) TrainStep(inputs, labels []*tensors.Tensor) ([]*tensors.Tensor, error) {
	if len(inputs) == 0 {
		return nil, errors.New("data-parallel step: no inputs")
	}
	shard := func(kind string, ts []*tensors.Tensor) ([]*distributed.Tensor, error) {
		out := make([]*distributed.Tensor, len(ts))
		for i, t := range ts {
			if t.Rank() == 0 || t.Shape().Dimensions[0]%d.Devices() != 0 {
				return nil, fmt.Errorf("data-parallel step: %s[%d] has shape %s: its first (batch) axis must divide into %d devices",
					kind, i, t.Shape(), d.Devices())
			}
			var err error
			if out[i], err = distributed.ShardTensor(d.batch, t); err != nil {
				return nil, fmt.Errorf("data-parallel step: split %s[%d]: %w", kind, i, err)
			}
		}
		return out, nil
	}
	in, err := shard("inputs", inputs)
	if err != nil {
		return nil, err
	}
	lab, err := shard("labels", labels)
	if err != nil {
		return nil, err
	}
	m, err := d.trainer.DistributedTrainStep(distributed.AutoSharding, nil, nil, in, lab)
	if err != nil {
		return nil, fmt.Errorf("data-parallel step over %d devices: %w", d.Devices(), err)
	}
	return m, nil
}

// Dataset wraps source for train.Loop (and so Fit): each step it takes Devices() consecutive
// batches of source, one per device, so a step trains on Devices() × source's batch size examples.
// The returned dataset yields distributed tensors only (train.Loop uses them data-parallel).
func (d *DataParallel) Dataset(source train.Dataset) (train.Dataset, error) {
	ds, err := datasets.NewDistributedAccumulator(d.backend, source, distributed.AutoSharding,
		[]*distributed.ShardingSpec{d.batch}, []*distributed.ShardingSpec{d.batch}, nil)
	if err != nil {
		return nil, fmt.Errorf("data-parallel dataset over %d devices: %w", d.Devices(), err)
	}
	return ds, nil
}
