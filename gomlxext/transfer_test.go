package gomlxext

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/layers"
	"github.com/gomlx/gomlx/pkg/ml/layers/activations"
	"github.com/gomlx/gomlx/pkg/ml/train"
	"github.com/gomlx/gomlx/pkg/ml/train/losses"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"
)

// twoPart is a model with a "backbone" (4 → hidden) and a "head" (hidden → 1).
func twoPart(hidden int) train.ModelFn {
	return func(ctx *context.Context, _ any, inputs []*graph.Node) []*graph.Node {
		h := activations.Relu(layers.DenseWithBias(ctx.In("backbone"), inputs[0], hidden))
		return []*graph.Node{layers.DenseWithBias(ctx.In("head"), h, 1)}
	}
}

func newTwoPart(t *testing.T, hidden int, seed int64, opt optimizers.Interface) (*train.Trainer, *context.Context) {
	t.Helper()
	b, err := Backend()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.New()
	if err := ctx.SetRNGStateFromSeed(seed); err != nil {
		t.Fatal(err)
	}
	return train.NewTrainer(b, ctx.Checked(false), twoPart(hidden), losses.MeanSquaredError, opt, nil, nil), ctx
}

// values returns the variables of ctx under scope by name, as flat float32.
func values(t *testing.T, ctx *context.Context, scope string) map[string][]float32 {
	t.Helper()
	out := map[string][]float32{}
	for v := range ctx.InAbsPath("/" + scope).IterVariablesInScope() {
		out[v.ScopeAndName()] = tensors.MustCopyFlatData[float32](v.MustValue())
	}
	return out
}

// build runs the model once on a batch, so that its variables exist in ctx.
func build(t *testing.T, ctx *context.Context, hidden int) {
	t.Helper()
	b, _ := Backend()
	exec, err := context.NewExec(b, ctx, func(ctx *context.Context, x *graph.Node) *graph.Node {
		return twoPart(hidden)(ctx, nil, []*graph.Node{x})[0]
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := exec.Exec(tensors.FromFlatDataAndDimensions(make([]float32, 4), 1, 4)); err != nil {
		t.Fatal(err)
	}
}

func equalValues(a, b map[string][]float32) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if !slices.Equal(v, b[k]) {
			return false
		}
	}
	return true
}

// TestLoadScope trains a model, then carries its backbone into a freshly built model of the same
// shape: the backbone's values are the trained ones, the head keeps its own initial values.
// Missing folders, empty ones and another architecture are refused with a message that says so.
func TestLoadScope(t *testing.T) {
	dir := t.TempDir()
	trainer, trained := newTwoPart(t, 8, 1, optimizers.Adam().LearningRate(0.05).Done())
	if _, err := Fit(trainer, &stepData{}, FitOptions{Steps: 20, CheckpointDir: dir}); err != nil {
		t.Fatal(err)
	}
	ctx := context.New()
	if err := ctx.SetRNGStateFromSeed(2); err != nil {
		t.Fatal(err)
	}
	build(t, ctx, 8)
	headBefore := values(t, ctx, "head")
	n, err := LoadScope(ctx, dir, "backbone")
	if err != nil {
		t.Fatal(err)
	}
	if n != 2 || !equalValues(values(t, ctx, "backbone"), values(t, trained, "backbone")) {
		t.Errorf("loaded %d variables; the backbone equals the trained one: %v; want 2 and true", n, equalValues(values(t, ctx, "backbone"), values(t, trained, "backbone")))
	}
	if !equalValues(values(t, ctx, "head"), headBefore) || equalValues(headBefore, values(t, trained, "head")) {
		t.Errorf("the head changed: want it left at its own initial values")
	}

	other := context.New()
	build(t, other, 6)
	for _, c := range []struct {
		name, dir, scope string
		ctx              *context.Context
		want             string
	}{
		{"missing folder", filepath.Join(dir, "nope"), "backbone", ctx, "no such folder"},
		{"empty folder", t.TempDir(), "backbone", ctx, "no checkpoints"},
		{"scope not saved", dir, "encoder", ctx, "no variables under /encoder"},
		{"other shapes", dir, "backbone", other, "another architecture"},
	} {
		if _, err := LoadScope(c.ctx, c.dir, c.scope); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error saying %q", c.name, err, c.want)
		}
	}
}

// TestFreezeScopes trains with the backbone frozen: it keeps its initial values while the head
// learns.
func TestFreezeScopes(t *testing.T) {
	trainer, ctx := newTwoPart(t, 8, 1, FreezeScopes(optimizers.Adam().LearningRate(0.05).Done(), "backbone"))
	build(t, ctx.Checked(false), 8)
	backbone, head := values(t, ctx, "backbone"), values(t, ctx, "head")
	if _, err := Fit(trainer, &stepData{}, FitOptions{Steps: 10}); err != nil {
		t.Fatal(err)
	}
	if !equalValues(values(t, ctx, "backbone"), backbone) {
		t.Errorf("the frozen backbone changed")
	}
	if equalValues(values(t, ctx, "head"), head) {
		t.Errorf("the head did not learn")
	}
	for v := range ctx.InAbsPath("/backbone").IterVariablesInScope() {
		if !v.Trainable {
			t.Errorf("%s left frozen after the update: want it trainable again", v.ScopeAndName())
		}
	}
}
