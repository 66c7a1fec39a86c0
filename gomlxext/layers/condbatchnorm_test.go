package layers

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/dl4go/dl4go/gomlxext"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // GoMLX graph-building style.
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/layers/batchnorm"
)

// TestConditionalBatchNormalization checks y = γ[label] ⊙ x̂ + β[label] in training mode: x̂
// being plain batch normalisation (GoMLX's, without scale and offset) and γ, β set to tables that
// differ per class and per channel; and that the tables start at 1 and 0 (y = x̂).
func TestConditionalBatchNormalization(t *testing.T) {
	backend, err := gomlxext.Backend()
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	const n, h, w, c, classes = 4, 3, 3, 2, 3
	x := randomTensor(rng, n, h, w, c)
	labels := tensors.FromFlatDataAndDimensions([]int32{0, 2, 2, 1}, n)
	ctx := context.New()
	exec := context.MustNewExec(backend, ctx, func(ctx *context.Context, x, labels *Node) []*Node {
		ctx.SetTraining(x.Graph(), true)
		y := ConditionalBatchNormalization(ctx.In("cbn"), x, labels, classes).Done()
		ref := batchnorm.New(ctx.In("ref"), x, -1).Scale(false).Center(false).Done()
		return []*Node{y, ref}
	})
	check := func(gamma, beta func(k, ch int) float64) {
		t.Helper()
		out := exec.MustExec(x, labels)
		y, ref := tensors.MustCopyFlatData[float32](out[0]), tensors.MustCopyFlatData[float32](out[1])
		lab := tensors.MustCopyFlatData[int32](labels)
		for i := range y {
			b, ch := i/(h*w*c), i%c
			k := int(lab[b])
			want := gamma(k, ch)*float64(ref[i]) + beta(k, ch)
			if math.Abs(float64(y[i])-want) > 1e-4 {
				t.Fatalf("y[%d] (example %d, class %d, channel %d) = %g, want %g", i, b, k, ch, y[i], want)
			}
		}
	}
	check(func(int, int) float64 { return 1 }, func(int, int) float64 { return 0 })
	gamma := func(k, ch int) float64 { return float64(k+1) + 0.5*float64(ch) }
	beta := func(k, ch int) float64 { return 10*float64(k) - float64(ch) }
	set := func(name string, f func(k, ch int) float64) {
		v := ctx.GetVariableByScopeAndName("/cbn/conditional_batch_norm", name)
		if v == nil {
			t.Fatalf("no variable %q in /cbn/conditional_batch_norm", name)
		}
		vals := make([]float32, classes*c)
		for i := range vals {
			vals[i] = float32(f(i/c, i%c))
		}
		v.MustSetValue(tensors.FromFlatDataAndDimensions(vals, classes, c))
	}
	set("gamma", gamma)
	set("beta", beta)
	check(gamma, beta)
}
