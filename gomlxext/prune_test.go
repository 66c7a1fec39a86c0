package gomlxext_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/layers"
	"github.com/gomlx/gomlx/pkg/ml/train"
	"github.com/gomlx/gomlx/pkg/ml/train/losses"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"

	"github.com/dl4go/dl4go/gomlxext"
)

// pruneModel is a 6-16-3 MLP under "/net": two kernels (96 and 48 weights) and two biases.
func pruneModel(ctx *context.Context, _ any, in []*graph.Node) []*graph.Node {
	h := graph.Tanh(layers.DenseWithBias(ctx.In("net").In("d0"), in[0], 16))
	return []*graph.Node{layers.DenseWithBias(ctx.In("net").In("d1"), h, 3)}
}

func pruneBatch(step int) ([]*tensors.Tensor, []*tensors.Tensor) {
	r := rand.New(rand.NewPCG(7, uint64(step)))
	x, y := make([]float32, 32*6), make([]int32, 32)
	for i := range y {
		for j := range 6 {
			x[i*6+j] = float32(r.NormFloat64())
		}
		if x[i*6] > 0 {
			y[i] = 1
		}
		if x[i*6+1] > 1 {
			y[i] = 2
		}
	}
	return []*tensors.Tensor{tensors.FromFlatDataAndDimensions(x, 32, 6)}, []*tensors.Tensor{tensors.FromFlatDataAndDimensions(y, 32, 1)}
}

// TestPruneMasks trains the MLP dense for 20 Adam steps, prunes 75% of its kernel weights by
// magnitude (globally, biases untouched), and retrains 20 steps through the masked optimizer: the
// pruned weights must be exactly zero after every step while the kept ones keep changing. As a
// control, the same retraining with the plain optimizer (Adam's momentum from the dense steps)
// moves pruned weights off zero: the test can tell masking from no masking.
func TestPruneMasks(t *testing.T) {
	backend := gomlxext.MustBackend()
	train20 := func(tr *train.Trainer, from int) {
		for s := range 20 {
			in, lab := pruneBatch(from + s)
			if _, err := tr.TrainStep(nil, in, lab); err != nil {
				t.Fatal(err)
			}
		}
	}
	dense := func() *context.Context {
		ctx := context.New()
		if err := ctx.SetRNGStateFromSeed(3); err != nil {
			t.Fatal(err)
		}
		train20(train.NewTrainer(backend, ctx.Checked(false), pruneModel, losses.SparseCategoricalCrossEntropyLogits,
			optimizers.Adam().LearningRate(0.01).Done(), nil, nil), 0)
		return ctx
	}

	ctx := dense()
	masks, err := gomlxext.MagnitudeMasks(ctx, "net", 0.75)
	if err != nil {
		t.Fatal(err)
	}
	if got := masks.Sparsity(); got != 0.75 || len(masks.Variables()) != 2 {
		t.Fatalf("sparsity %g over %v; want 0.75 over the two kernels", got, masks.Variables())
	}
	// The kept weights are the largest: every kept |w| ≥ every pruned |w|.
	keptMin, prunedMax := math.Inf(1), 0.0
	for _, name := range masks.Variables() {
		v := ctx.GetVariableByScopeAndName(name[:len(name)-len("/weights")], "weights") // name: /net/dN/dense/weights
		w := tensors.MustCopyFlatData[float32](v.MustValue())
		for i, k := range masks.Mask(name) {
			if k == 1 {
				keptMin = math.Min(keptMin, math.Abs(float64(w[i])))
			} else {
				prunedMax = math.Max(prunedMax, math.Abs(float64(w[i])))
			}
		}
	}
	if keptMin < prunedMax {
		t.Errorf("a kept weight (|w| = %g) is smaller than a pruned one (%g)", keptMin, prunedMax)
	}
	if err := masks.Apply(ctx); err != nil {
		t.Fatal(err)
	}
	if z, n, _ := gomlxext.ZeroWeights(ctx, "net"); z != 108 || n != 144 {
		t.Fatalf("after Apply: %d of %d kernel weights zero, want 108 of 144", z, n)
	}
	// Retrain with the optimizer state of a fresh Adam but through the mask.
	before, _, _ := gomlxext.ZeroWeights(ctx, "net")
	w0 := tensors.MustCopyFlatData[float32](ctx.GetVariableByScopeAndName("/net/d0/dense", "weights").MustValue())
	train20(train.NewTrainer(backend, ctx.Checked(false), pruneModel, losses.SparseCategoricalCrossEntropyLogits,
		masks.Optimizer(optimizers.Adam().LearningRate(0.01).Done()), nil, nil), 20)
	zeros, _, _ := gomlxext.ZeroWeights(ctx, "net")
	w1 := tensors.MustCopyFlatData[float32](ctx.GetVariableByScopeAndName("/net/d0/dense", "weights").MustValue())
	mask0 := masks.Mask("/net/d0/dense/weights")
	changed := 0
	for i := range w1 {
		if mask0[i] == 0 && w1[i] != 0 {
			t.Fatalf("pruned weight %d is %g after retraining, want 0", i, w1[i])
		}
		if mask0[i] == 1 && w1[i] != w0[i] {
			changed++
		}
	}
	if zeros != before || changed == 0 {
		t.Errorf("after masked retraining: %d zeros (before %d), %d kept weights changed; want the zeros kept and the rest trained", zeros, before, changed)
	}

	// Control: the same pruning, retrained without the mask.
	ctl := dense()
	ctlMasks, err := gomlxext.MagnitudeMasks(ctl, "net", 0.75)
	if err != nil {
		t.Fatal(err)
	}
	if err := ctlMasks.Apply(ctl); err != nil {
		t.Fatal(err)
	}
	train20(train.NewTrainer(backend, ctl.Checked(false), pruneModel, losses.SparseCategoricalCrossEntropyLogits,
		optimizers.Adam().LearningRate(0.01).Done(), nil, nil), 20)
	if z, _, _ := gomlxext.ZeroWeights(ctl, "net"); z > before/2 {
		t.Errorf("control: %d of the %d pruned weights still zero without the mask: the test cannot tell", z, before)
	}
	if _, err := gomlxext.MagnitudeMasks(ctx, "net", 1); err == nil {
		t.Error("sparsity 1: no error")
	}
	if _, err := gomlxext.MagnitudeMasks(context.New(), "net", 0.5); err == nil {
		t.Error("an empty context: no error")
	}
}
