package gomlxext_test

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/train"
	"github.com/gomlx/gomlx/pkg/ml/train/losses"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"

	"github.com/dl4go/dl4go/bench/models"
	"github.com/dl4go/dl4go/data/mnist"
	"github.com/dl4go/dl4go/gomlxext"
	"github.com/dl4go/dl4go/internal/xlatest"
)

// dpTol bounds the difference between the weights after data-parallel steps and after the same
// steps on one device, relative to the largest change of any weight in those steps.
const dpTol = 1e-4

// sgdTrainer returns a trainer of the bench CNN with plain SGD (learning rate 0.02): unlike Adam's
// first steps, its update is proportional to the gradient, so a gradient summed instead of
// averaged over devices, or half a batch ignored, changes the update.
func sgdTrainer(t *testing.T, backend backends.Backend) *train.Trainer {
	ctx := context.New()
	if err := ctx.SetRNGStateFromSeed(1); err != nil {
		t.Fatal(err)
	}
	return train.NewTrainer(backend, ctx, models.CNN, losses.SparseCategoricalCrossEntropyLogits,
		optimizers.StochasticGradientDescent().WithDecay(false).WithLearningRate(0.02).Done(), nil, nil)
}

// weights returns the trainable float32 variables of ctx by scope and name.
func weights(t *testing.T, ctx *context.Context) map[string][]float32 {
	out := map[string][]float32{}
	for v := range ctx.IterVariables() {
		if !v.Trainable || v.Shape().DType.String() != "Float32" {
			continue
		}
		out[v.ScopeAndName()] = tensors.MustCopyFlatData[float32](v.MustValue())
	}
	if len(out) == 0 {
		t.Fatal("no trainable variables")
	}
	return out
}

// maxDiff returns max |a-b| over all weights.
func maxDiff(a, b map[string][]float32) float64 {
	d := 0.0
	for k, va := range a {
		for i := range va {
			d = math.Max(d, math.Abs(float64(va[i]-b[k][i])))
		}
	}
	return d
}

// TestDataParallelStep trains the bench CNN for 3 SGD steps (batch 16 of MNIST) on one XLA CPU
// device and data-parallel over 2 (8 images each), from the same weights, and checks that the
// losses and the updated weights agree. As a control, training on half of each batch must give
// weights far outside the tolerance: the comparison can tell a wrong split from a right one.
func TestDataParallelStep(t *testing.T) {
	backend := xlatest.Backend(t, 2)
	set, err := mnist.Load(mnist.Test)
	if err != nil {
		t.Fatal(err)
	}
	const batch, steps, px = 16, 3, mnist.Height * mnist.Width
	data := func(step, lo, hi int) ([]*tensors.Tensor, []*tensors.Tensor) {
		first := step*batch + lo
		img := append([]float32(nil), set.Images[first*px:(step*batch+hi)*px]...)
		lab := append([]int32(nil), set.Labels[first:step*batch+hi]...)
		return []*tensors.Tensor{tensors.FromFlatDataAndDimensions(img, hi-lo, mnist.Height, mnist.Width)},
			[]*tensors.Tensor{tensors.FromFlatDataAndDimensions(lab, hi-lo, 1)}
	}

	initTrainer := sgdTrainer(t, backend)
	in, lab := data(0, 0, batch)
	if _, err := initTrainer.EvalStep(nil, in, lab); err != nil {
		t.Fatal(err)
	}
	w0 := weights(t, initTrainer.Context())

	run := func(name string, step func(tr *train.Trainer, i int) ([]*tensors.Tensor, error)) (map[string][]float32, []float64, time.Duration) {
		tr := sgdTrainer(t, backend)
		copyVariables(t, initTrainer.Context(), tr)
		var lossesSeen []float64
		var last time.Duration
		for i := range steps {
			t0 := time.Now()
			m, err := step(tr, i)
			if err != nil {
				t.Fatalf("%s step %d: %v", name, i, err)
			}
			last = time.Since(t0)
			lossesSeen = append(lossesSeen, float64(tensors.ToScalar[float32](m[0])))
		}
		return weights(t, tr.Context()), lossesSeen, last
	}
	one, oneLoss, oneTime := run("one device", func(tr *train.Trainer, i int) ([]*tensors.Tensor, error) {
		in, lab := data(i, 0, batch)
		return tr.TrainStep(nil, in, lab)
	})
	var dp *gomlxext.DataParallel
	two, twoLoss, twoTime := run("2 devices", func(tr *train.Trainer, i int) ([]*tensors.Tensor, error) {
		if dp == nil {
			var err error
			if dp, err = gomlxext.NewDataParallel(backend, tr, 2); err != nil {
				t.Fatal(err)
			}
		}
		in, lab := data(i, 0, batch)
		return dp.TrainStep(in, lab)
	})
	// The same steps through train.Loop on DataParallel.Dataset: two consecutive batches of 8, one per device.
	var loopLoss []float64
	viaLoop, _, _ := run("train.Loop", func(tr *train.Trainer, i int) ([]*tensors.Tensor, error) {
		if i > 0 {
			return []*tensors.Tensor{tensors.FromScalar(float32(loopLoss[i]))}, nil
		}
		dp, err := gomlxext.NewDataParallel(backend, tr, 2)
		if err != nil {
			t.Fatal(err)
		}
		next := 0
		ds, err := dp.Dataset(&funcDataset{yield: func() ([]*tensors.Tensor, []*tensors.Tensor) {
			in, lab := data(next/2, (next%2)*batch/2, (next%2+1)*batch/2)
			next++
			return in, lab
		}})
		if err != nil {
			t.Fatal(err)
		}
		loop := train.NewLoop(tr)
		train.EveryNSteps(loop, 1, "losses", 0, func(_ *train.Loop, m []*tensors.Tensor) error {
			loopLoss = append(loopLoss, float64(tensors.ToScalar[float32](m[0])))
			return nil
		})
		if _, err := loop.RunSteps(ds, steps); err != nil {
			return nil, err
		}
		return []*tensors.Tensor{tensors.FromScalar(float32(loopLoss[0]))}, nil
	})
	half, _, _ := run("half batch", func(tr *train.Trainer, i int) ([]*tensors.Tensor, error) {
		in, lab := data(i, 0, batch/2)
		return tr.TrainStep(nil, in, lab)
	})

	update := maxDiff(one, w0)
	diff, control := maxDiff(two, one)/update, maxDiff(half, one)/update
	t.Logf("%d SGD steps of the CNN, batch %d: losses %.5f on one device, %.5f on 2; largest weight change %.3g; "+
		"2 devices differ from one by %.2g of it (tolerance %g), half batches by %.2g; train.Loop on DataParallel.Dataset: losses %.5f; last step %s on one device, %s on 2",
		steps, batch, oneLoss, twoLoss, update, diff, dpTol, control, loopLoss, oneTime.Round(time.Millisecond), twoTime.Round(time.Millisecond))
	for i := range oneLoss {
		if math.Abs(oneLoss[i]-twoLoss[i]) > 1e-5*(1+math.Abs(oneLoss[i])) {
			t.Errorf("step %d loss: %.6f on one device, %.6f on 2", i, oneLoss[i], twoLoss[i])
		}
	}
	if !(update > 0) || !(diff <= dpTol) {
		t.Errorf("weights after %d data-parallel steps differ from one device's by %.3g of the update (%.3g), tolerance %g", steps, diff, update, dpTol)
	}
	if d := maxDiff(viaLoop, one) / update; !(d <= dpTol) || len(loopLoss) != steps {
		t.Errorf("train.Loop on DataParallel.Dataset: weights differ from one device's by %.3g of the update (tolerance %g); losses %.5f", d, dpTol, loopLoss)
	}
	if !(control > 100*dpTol) {
		t.Errorf("control: half batches give weights only %.3g of the update away: the test cannot tell", control)
	}
}

func TestDataParallelErrors(t *testing.T) {
	dl, err := backends.NewWithConfig("dl4go")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := gomlxext.NewDataParallel(dl, sgdTrainer(t, dl), 2); err == nil || !strings.Contains(err.Error(), "NewXLA") {
		t.Errorf("NewDataParallel on a one-device backend: %v, want an error naming gomlxext.NewXLA", err)
	}
	backend := xlatest.Backend(t, 2)
	dp, err := gomlxext.NewDataParallel(backend, sgdTrainer(t, backend), 2)
	if err != nil {
		t.Fatal(err)
	}
	odd := []*tensors.Tensor{tensors.FromFlatDataAndDimensions(make([]float32, 3*28*28), 3, 28, 28)}
	lab := []*tensors.Tensor{tensors.FromFlatDataAndDimensions(make([]int32, 3), 3, 1)}
	if _, err := dp.TrainStep(odd, lab); err == nil || !strings.Contains(err.Error(), "divide into 2 devices") {
		t.Errorf("TrainStep with batch 3 on 2 devices: %v", err)
	}
}

// funcDataset is a train.Dataset whose batches come from a function.
type funcDataset struct {
	yield func() (inputs, labels []*tensors.Tensor)
}

func (d *funcDataset) Name() string { return "func" }
func (d *funcDataset) Reset()       {}
func (d *funcDataset) Yield() (any, []*tensors.Tensor, []*tensors.Tensor, error) {
	in, lab := d.yield()
	return nil, in, lab, nil
}
