package efficiency

import (
	"fmt"
	"math"

	G "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/train"
	"github.com/gomlx/gomlx/pkg/ml/train/losses"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"

	"github.com/dl4go/dl4go/gomlxext"
	"github.com/dl4go/dl4go/plotting"
)

// DeviceCheck is the data-parallel step on a real engine: GoMLX's pkg/core/distributed over two
// XLA CPU devices (gomlxext.DataParallel), against the same steps on one device.
type DeviceCheck struct {
	// Ran is false when no XLA PJRT plugin was found (or it could not make two devices); Why
	// then says why and how to get one.
	Ran bool
	Why string
	// Steps SGD steps of the MLP on batches of Batch MNIST images, from the same weights.
	Steps, Batch int
	// Losses on one device and on two; MaxUpdate is the largest change of any weight on one
	// device, RelDiff the largest weight difference between the two runs divided by it.
	LossOne, LossTwo []float64
	MaxUpdate        float64
	RelDiff          float64
}

// TwoDevices runs the data-parallel step on two XLA CPU devices when an XLA plugin is found
// (gomlxext.FindXLAPlugin: $GOMLX_BACKEND=xla:..., or one installed with `dl4go xla`), and
// otherwise returns Ran = false with the reason — not an error: the pure-Go dl4go backend has one
// device, and the goroutine workers above are its data parallelism.
func TwoDevices(cfg Config) (*DeviceCheck, error) {
	const steps, batch = 3, 32
	out := &DeviceCheck{Steps: steps, Batch: batch}
	plugin, err := gomlxext.FindXLAPlugin()
	if err != nil {
		out.Why = fmt.Sprintf("no XLA PJRT plugin: %v. Data parallelism over devices needs a backend with several (XLA: CPU devices, or one per GPU); see docs/xla.md", err)
		return out, nil
	}
	backend, err := gomlxext.NewXLA(gomlxext.XLAOptions{Plugin: plugin, Devices: 2})
	if err != nil {
		out.Why = fmt.Sprintf("XLA plugin %s: %v", plugin, err)
		return out, nil
	}
	d, err := loadData(steps*batch, 0, 1)
	if err != nil {
		return nil, err
	}
	model := func(ctx *context.Context, _ any, in []*G.Node) []*G.Node {
		return []*G.Node{mlpLogits(ctx, mlpScope, in[0], cfg.DP)}
	}
	// Plain SGD: its update is proportional to the gradient, so a gradient summed instead of
	// averaged over the devices, or half a batch dropped, would show.
	newTrainer := func(ctx *context.Context) *train.Trainer {
		return train.NewTrainer(backend, ctx, model, losses.SparseCategoricalCrossEntropyLogits,
			optimizers.StochasticGradientDescent().WithDecay(false).WithLearningRate(0.05).Done(), nil, nil)
	}
	batchOfStep := func(s int) ([]*tensors.Tensor, []*tensors.Tensor) {
		idx := make([]int, batch)
		for i := range idx {
			idx[i] = s*batch + i
		}
		x, y := batchOf(d.Train, idx)
		return []*tensors.Tensor{x}, []*tensors.Tensor{y}
	}
	init := context.New()
	if err := init.SetRNGStateFromSeed(int64(cfg.Seed) + 2); err != nil {
		return nil, fmt.Errorf("efficiency: %w", err)
	}
	in, lab := batchOfStep(0)
	if _, err := newTrainer(init).EvalStep(nil, in, lab); err != nil {
		return nil, fmt.Errorf("efficiency: XLA: %w", err)
	}
	w0, err := weightsOf(init, mlpScope)
	if err != nil {
		return nil, err
	}
	run := func(devices int) ([]Weight, []float64, error) {
		ctx, err := cloneWeights(init, mlpScope)
		if err != nil {
			return nil, nil, err
		}
		tr := newTrainer(ctx.Checked(false))
		var dp *gomlxext.DataParallel
		if devices > 1 {
			if dp, err = gomlxext.NewDataParallel(backend, tr, devices); err != nil {
				return nil, nil, fmt.Errorf("efficiency: %w", err)
			}
		}
		var ls []float64
		for s := range steps {
			in, lab := batchOfStep(s)
			var m []*tensors.Tensor
			if dp != nil {
				m, err = dp.TrainStep(in, lab)
			} else {
				m, err = tr.TrainStep(nil, in, lab)
			}
			if err != nil {
				return nil, nil, fmt.Errorf("efficiency: XLA step on %d devices: %w", devices, err)
			}
			ls = append(ls, float64(tensors.ToScalar[float32](m[0])))
		}
		ws, err := weightsOf(ctx, mlpScope)
		return ws, ls, err
	}
	one, l1, err := run(1)
	if err != nil {
		return nil, err
	}
	two, l2, err := run(2)
	if err != nil {
		return nil, err
	}
	out.Ran, out.LossOne, out.LossTwo = true, l1, l2
	diff := 0.0
	for i := range one {
		for j := range one[i].Values {
			out.MaxUpdate = math.Max(out.MaxUpdate, math.Abs(float64(one[i].Values[j]-w0[i].Values[j])))
			diff = math.Max(diff, math.Abs(float64(one[i].Values[j]-two[i].Values[j])))
		}
	}
	out.RelDiff = diff / out.MaxUpdate
	return out, nil
}

// String says what the check found.
func (c *DeviceCheck) String() string {
	if !c.Ran {
		return "two XLA devices: not run — " + c.Why
	}
	return fmt.Sprintf("two XLA CPU devices, %d SGD steps of batch %d: losses %.5f (one device) vs %.5f (two); weights differ by %.2g of the largest update (%.3g)",
		c.Steps, c.Batch, c.LossOne, c.LossTwo, c.RelDiff, c.MaxUpdate)
}

// LossChart draws the training loss of each step on one device and on two (an error when the
// check did not run).
func (c *DeviceCheck) LossChart() (*plotting.Chart, error) {
	if !c.Ran {
		return nil, fmt.Errorf("efficiency: the two-device check did not run: %s", c.Why)
	}
	x := make([]float64, len(c.LossOne))
	for i := range x {
		x[i] = float64(i + 1)
	}
	return plotting.Line("data parallel on XLA: one device vs two", x,
		[]plotting.Series{{Name: "1 device", Y: c.LossOne}, {Name: "2 devices (batch split)", Y: c.LossTwo}},
		plotting.WithAxisNames("SGD step", "batch loss"))
}
