package gomlxext_test

import (
	"fmt"
	"math"
	"testing"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/train"

	"github.com/dl4go/dl4go/bench/models"
	"github.com/dl4go/dl4go/data/mnist"
	"github.com/dl4go/dl4go/internal/xlatest"
)

// Parity tolerances of TestBackendParity (docs/xla.md): after each of the 50 Adam steps (learning
// rate 1e-3, batch 32, float32), the training loss on XLA and on dl4go may differ by at most
// parityTol·(1+|loss|). Both start from the same weights; they then differ only by float32
// rounding (summation order, XLA's vectorised exp/log), which training amplifies slowly.
const (
	parityTol   = 2e-3
	paritySteps = 50
	parityBatch = 32
)

// batchFn returns the inputs and labels of step i as new local tensors (one set per backend:
// GoMLX tensors are bound to the backend that uses them first).
type batchFn func(i int) (inputs, labels []*tensors.Tensor)

func mnistBatches(t *testing.T) batchFn {
	set, err := mnist.Load(mnist.Test)
	if err != nil {
		t.Fatal(err)
	}
	const px = mnist.Height * mnist.Width
	return func(i int) ([]*tensors.Tensor, []*tensors.Tensor) {
		lo := (i * parityBatch) % (set.Len() - parityBatch)
		img := append([]float32(nil), set.Images[lo*px:(lo+parityBatch)*px]...)
		lab := append([]int32(nil), set.Labels[lo:lo+parityBatch]...)
		return []*tensors.Tensor{tensors.FromFlatDataAndDimensions(img, parityBatch, mnist.Height, mnist.Width)},
			[]*tensors.Tensor{tensors.FromFlatDataAndDimensions(lab, parityBatch, 1)}
	}
}

func tokenBatches() batchFn {
	var cached [][2][]*tensors.Tensor
	ds := models.NewTokens(parityBatch, 3)
	return func(i int) ([]*tensors.Tensor, []*tensors.Tensor) {
		for len(cached) <= i {
			_, in, lab, _ := ds.Yield()
			cached = append(cached, [2][]*tensors.Tensor{in, lab})
		}
		clone := func(ts []*tensors.Tensor) []*tensors.Tensor {
			out := make([]*tensors.Tensor, len(ts))
			for j, t := range ts {
				out[j] = tensors.FromFlatDataAndDimensions(tensors.MustCopyFlatData[int32](t), t.Shape().Dimensions...)
			}
			return out
		}
		return clone(cached[i][0]), clone(cached[i][1])
	}
}

// trainLosses trains a fresh bench trainer of model on backend for paritySteps steps from the
// weights in init (cloned), and returns the loss of each step.
func trainLosses(t *testing.T, backend backends.Backend, model train.ModelFn, init *context.Context, batch batchFn) []float64 {
	trainer, err := models.NewTrainer(backend, model, 1e-3, 1)
	if err != nil {
		t.Fatal(err)
	}
	copyVariables(t, init, trainer)
	losses := make([]float64, paritySteps)
	for i := range losses {
		in, lab := batch(i)
		m, err := trainer.TrainStep(nil, in, lab)
		if err != nil {
			t.Fatalf("%s step %d: %v", backend.Name(), i, err)
		}
		losses[i] = float64(tensors.ToScalar[float32](m[0]))
	}
	return losses
}

// TestBackendParity trains the bench's MLP, CNN and transformer block for 50 steps on dl4go and on
// XLA from the same initial weights (drawn on dl4go: the backends' random generators differ) and
// the same batches, and checks that the losses agree within parityTol. Without a PJRT plugin it
// is skipped, loudly; CI's XLA job requires it ($DL4GO_REQUIRE_XLA=1).
func TestBackendParity(t *testing.T) {
	x := xlatest.Backend(t, 0)
	dl, err := backends.NewWithConfig("dl4go")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		model train.ModelFn
		batch batchFn
	}{
		{"mlp", models.MLP, mnistBatches(t)},
		{"cnn", models.CNN, mnistBatches(t)},
		{"transformer", models.Transformer, tokenBatches()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Draw the initial weights on dl4go: an eval step creates the variables.
			initTrainer, err := models.NewTrainer(dl, tc.model, 1e-3, 1)
			if err != nil {
				t.Fatal(err)
			}
			in, lab := tc.batch(0)
			if _, err := initTrainer.EvalStep(nil, in, lab); err != nil {
				t.Fatal(err)
			}
			init := initTrainer.Context()
			want := trainLosses(t, dl, tc.model, init, tc.batch)
			got := trainLosses(t, x, tc.model, init, tc.batch)
			worst, at := 0.0, 0
			for i := range want {
				if d := math.Abs(got[i]-want[i]) / (1 + math.Abs(want[i])); d > worst || math.IsNaN(d) {
					worst, at = d, i
				}
			}
			t.Logf("%s: loss %.4f → %.4f on dl4go, %.4f → %.4f on XLA; largest difference %.2g·(1+|loss|) at step %d",
				tc.name, want[0], want[len(want)-1], got[0], got[len(got)-1], worst, at)
			if !(worst <= parityTol) {
				t.Errorf("%s: step %d loss %.6f on XLA, %.6f on dl4go: differ by %.2g·(1+|loss|), tolerance %g\nXLA:   %s\ndl4go: %s",
					tc.name, at, got[at], want[at], worst, parityTol, fmtLosses(got), fmtLosses(want))
			}
			if !(want[len(want)-1] < want[0]) {
				t.Errorf("%s: the loss did not fall on dl4go (%.4f → %.4f): the comparison says nothing", tc.name, want[0], want[len(want)-1])
			}
		})
	}
}

// copyVariables gives trainer copies of the variables of from (as local tensors), so that it
// starts from the same weights on any backend.
func copyVariables(t *testing.T, from *context.Context, trainer *train.Trainer) {
	t.Helper()
	ctx := trainer.Context()
	for v := range from.IterVariables() {
		value, err := v.MustValue().LocalClone()
		if err != nil {
			t.Fatal(err)
		}
		if old := ctx.GetVariableByScopeAndName(v.Scope(), v.Name()); old != nil {
			if err := old.SetValue(value); err != nil {
				t.Fatal(err)
			}
			continue
		}
		ctx.InAbsPath(v.Scope()).VariableWithValue(v.Name(), value).SetTrainable(v.Trainable)
	}
	trainer.SetContext(ctx.Checked(false)) // the model finds its variables already there
}

func fmtLosses(l []float64) string {
	s := ""
	for i := 0; i < len(l); i += 5 {
		s += fmt.Sprintf("%.4f ", l[i])
	}
	return s
}
