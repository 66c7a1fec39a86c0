package gomlxext

import (
	"math"
	"testing"

	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // GoMLX graph-building style.
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// TestUpdateEMA checks that the first update copies the weights, that the next ones average with
// d = min(decay, step/(step+10)), and that only trainable variables under the scope get a shadow.
func TestUpdateEMA(t *testing.T) {
	backend := MustBackend()
	ctx := context.New()
	w := ctx.In("m").VariableWithValue("w", []float32{1, 2})
	ctx.In("m").VariableWithValue("frozen", []float32{5}).SetTrainable(false)
	ctx.In("other").VariableWithValue("u", []float32{7})
	update := context.MustNewExec(backend, ctx, func(ctx *context.Context, step *Node) *Node {
		return UpdateEMA(ctx, step, "m", "ema", 0.95)
	})
	want := []float64{1, 2}
	for step, value := range [][]float32{{1, 2}, {3, 4}, {-1, 0}, {2, 2}} {
		w.MustSetValue(tensors.FromValue(value))
		d := float64(tensors.ToScalar[float32](update.MustExec(float32(step))[0]))
		wantD := math.Min(0.95, float64(step)/float64(step+10))
		if math.Abs(d-wantD) > 1e-6 {
			t.Errorf("step %d: d = %g, want %g", step, d, wantD)
		}
		for i := range want {
			want[i] = wantD*want[i] + (1-wantD)*float64(value[i])
		}
	}
	shadow := ctx.GetVariableByScopeAndName("/ema/m", "w")
	if shadow == nil || shadow.Trainable {
		t.Fatalf("shadow of /m/w: %v; want a non-trainable variable /ema/m/w", shadow)
	}
	got := tensors.MustCopyFlatData[float32](shadow.MustValue())
	for i := range want {
		if math.Abs(float64(got[i])-want[i]) > 1e-5 {
			t.Errorf("shadow %v, want %v", got, want)
			break
		}
	}
	for _, scope := range [][2]string{{"/ema/m", "frozen"}, {"/ema/other", "u"}} {
		if ctx.GetVariableByScopeAndName(scope[0], scope[1]) != nil {
			t.Errorf("%s/%s has a shadow: only trainable variables under /m should", scope[0], scope[1])
		}
	}
}
