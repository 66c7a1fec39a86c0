package efficiency

import (
	"testing"

	"github.com/dl4go/dl4go/lessons"
)

// logOutcome writes every number of an outcome to the test log.
func logOutcome(t *testing.T, o *Outcome) {
	t.Helper()
	t.Logf("backend %s, wall %s", o.Backend, o.Wall)
	t.Log("\n" + o.Summary())
	for _, r := range o.Checks() {
		t.Log(r)
	}
}

func TestQuickOutcome(t *testing.T) {
	cfg := Quick()
	cfg.Quiet = true
	out, err := Run(cfg)
	if err != nil {
		t.Fatal(err)
	}
	logOutcome(t, out)
	for _, r := range out.Checks() {
		if !r.OK() {
			t.Errorf("quick outcome not reached: %s", r)
		}
	}
	checkInvariants(t, out)
}

func TestFullOutcome(t *testing.T) {
	lessons.SkipUnlessFull(t)
	cfg := Full()
	cfg.Quiet = true
	out, err := Run(cfg)
	if err != nil {
		t.Fatal(err)
	}
	logOutcome(t, out)
	for _, r := range out.Checks() {
		if !r.OK() {
			t.Errorf("full outcome not reached: %s", r)
		}
	}
	checkInvariants(t, out)
}

// checkInvariants checks what must hold whatever the accuracies: pruned weights stayed zero,
// fp64 and fp32 give the same model, sizes shrink as the report says, the pipeline computes what
// the whole model does, asynchronous runs saw stale gradients, and the cells' parameter counts
// are the formulas'.
func checkInvariants(t *testing.T, o *Outcome) {
	t.Helper()
	for _, p := range o.Pruned {
		if p.ZeroShare < p.Sparsity-1e-9 {
			t.Errorf("pruned to %.0f%%: only %.4f of the kernel weights are zero after retraining", 100*p.Sparsity, p.ZeroShare)
		}
	}
	f64, f32, f16, i8 := o.QuantFor(FP64), o.QuantFor(FP32), o.QuantFor(FP16), o.QuantFor(INT8)
	if f64.MaxError != 0 || f64.Accuracy != f32.Accuracy || f64.Bytes != 2*f32.Bytes || f16.Bytes*2 != f32.Bytes {
		t.Errorf("fp64 %+v / fp32 %+v / fp16 bytes %d: want fp64 exact (error 0, same accuracy) at twice fp32's bytes, fp16 at half", f64.MaxError, f32.Bytes, f16.Bytes)
	}
	if i8.MaxError > i8.HalfStep*(1+1e-6) {
		t.Errorf("int8: max weight error %g above half a step %g", i8.MaxError, i8.HalfStep)
	}
	if !(i8.MaxError > f16.MaxError && f16.MaxError > 0) {
		t.Errorf("max weight errors: fp16 %g, int8 %g; want 0 < fp16 < int8", f16.MaxError, i8.MaxError)
	}
	if p := o.Pipeline; p == nil || p.MaxDiff > 1e-4 || len(p.Pipelined) != 2*p.MicroBatches {
		t.Errorf("pipeline: %+v; want the whole model's logits (difference ≤ 1e-4) and one span per stage and micro-batch", p)
	}
	stale := int64(0)
	for _, r := range o.DP {
		for _, s := range r.Staleness {
			if r.Mode == Sync && s != 0 {
				t.Errorf("%s: staleness %d in a synchronous run", r.Label(), s)
			}
			if r.Mode == Async {
				stale = max(stale, s)
			}
		}
	}
	if stale == 0 {
		t.Error("no asynchronous update was stale: the workers did not run concurrently")
	}
	for _, c := range o.RNN {
		if c.Params != c.FormulaParams {
			t.Errorf("%s: %d parameters, the formula says %d", c.Name, c.Params, c.FormulaParams)
		}
	}
}

func TestParamFormulas(t *testing.T) {
	// Hand-computed: GRU 3·(28·64 + 64·64 + 2·64) = 3·6016 = 18048; LSTM 4·6016 = 24064.
	if GRUParams(28, 64) != 18048 || LSTMParams(28, 64) != 24064 {
		t.Errorf("GRUParams(28, 64) = %d, LSTMParams = %d; want 18048 and 24064", GRUParams(28, 64), LSTMParams(28, 64))
	}
}

// TestTwoDevices runs the data-parallel step on two XLA CPU devices when a plugin is found
// ($GOMLX_BACKEND=xla:...): one device's and two devices' updates must agree (the gomlxext test
// TestDataParallelStep has the control showing the comparison can fail). Without XLA it must
// explain itself, not fail.
func TestTwoDevices(t *testing.T) {
	c, err := TwoDevices(Quick())
	if err != nil {
		t.Fatal(err)
	}
	t.Log(c)
	if !c.Ran {
		if c.Why == "" {
			t.Error("not run, and no reason given")
		}
		return
	}
	if !(c.MaxUpdate > 0) || !(c.RelDiff <= 1e-4) {
		t.Errorf("two devices' weights differ from one device's by %.3g of the update (%.3g); want ≤ 1e-4", c.RelDiff, c.MaxUpdate)
	}
	for i := range c.LossOne {
		if d := c.LossOne[i] - c.LossTwo[i]; d > 1e-5 || d < -1e-5 {
			t.Errorf("step %d: loss %.6f on one device, %.6f on two", i, c.LossOne[i], c.LossTwo[i])
		}
	}
}
