package gomlxext

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"
)

// PruneMasks are the 0/1 masks of magnitude pruning: for each pruned variable (the trainable
// float32 kernels — rank ≥ 2 — under a scope; biases are left whole), 1 where a weight is kept
// and 0 where it is pruned. Make them with MagnitudeMasks, zero the pruned weights with Apply,
// and retrain through Optimizer, which multiplies every pruned variable by its mask after each
// update, so that pruned weights stay exactly zero however the optimizer's state would move them:
//
//	masks, err := gomlxext.MagnitudeMasks(ctx, "/model", 0.9) // the 90% smallest |w|, over all kernels
//	err = masks.Apply(ctx)
//	trainer := train.NewTrainer(backend, ctx, model, loss, masks.Optimizer(optimizers.Adam().Done()), nil, nil)
type PruneMasks struct {
	names []string // scope and name of each masked variable, sorted
	masks map[string]*tensors.Tensor
	kept  map[string]int
	total int
}

// MagnitudeMasks returns the masks that prune the share sparsity (in [0, 1)) of the weights with
// the smallest magnitudes, counted over all kernels under the absolute scope together (global
// magnitude pruning: a layer with many small weights loses more of them). Ties at the threshold
// are broken by position, so exactly round(sparsity·n) weights are pruned. Weights already zero
// are the smallest: pruning again at a higher sparsity keeps them pruned.
func MagnitudeMasks(ctx *context.Context, scope string, sparsity float64) (*PruneMasks, error) {
	if !(sparsity >= 0 && sparsity < 1) {
		return nil, fmt.Errorf("magnitude pruning: sparsity %g: want 0 ≤ sparsity < 1", sparsity)
	}
	prefix := "/" + strings.Trim(scope, "/")
	type cand struct {
		name   string
		dims   []int
		values []float32
	}
	var cands []cand
	for v := range ctx.IterVariables() {
		s := v.Scope()
		if !v.Trainable || v.Shape().DType != dtypes.Float32 || v.Shape().Rank() < 2 {
			continue
		}
		if prefix != "/" && s != prefix && !strings.HasPrefix(s, prefix+"/") {
			continue
		}
		t, err := v.Value()
		if err != nil {
			return nil, fmt.Errorf("magnitude pruning: %s: %w", v.ScopeAndName(), err)
		}
		values, err := tensors.CopyFlatData[float32](t)
		if err != nil {
			return nil, fmt.Errorf("magnitude pruning: %s: %w", v.ScopeAndName(), err)
		}
		cands = append(cands, cand{v.ScopeAndName(), slices.Clone(v.Shape().Dimensions), values})
	}
	if len(cands) == 0 {
		return nil, fmt.Errorf("magnitude pruning: no trainable float32 kernels under %s: build the model on the context first", prefix)
	}
	slices.SortFunc(cands, func(a, b cand) int { return strings.Compare(a.name, b.name) })
	type ref struct {
		mag  float32
		c, i int
	}
	var all []ref
	for c, cd := range cands {
		for i, v := range cd.values {
			all = append(all, ref{float32(math.Abs(float64(v))), c, i})
		}
	}
	slices.SortStableFunc(all, func(a, b ref) int {
		switch {
		case a.mag < b.mag:
			return -1
		case a.mag > b.mag:
			return 1
		}
		return 0
	})
	prune := int(math.Round(sparsity * float64(len(all))))
	flat := make([][]float32, len(cands))
	for c, cd := range cands {
		flat[c] = make([]float32, len(cd.values))
		for i := range flat[c] {
			flat[c][i] = 1
		}
	}
	for _, r := range all[:prune] {
		flat[r.c][r.i] = 0
	}
	m := &PruneMasks{masks: map[string]*tensors.Tensor{}, kept: map[string]int{}, total: len(all)}
	for c, cd := range cands {
		m.names = append(m.names, cd.name)
		m.masks[cd.name] = tensors.FromFlatDataAndDimensions(flat[c], cd.dims...)
		for _, x := range flat[c] {
			m.kept[cd.name] += int(x)
		}
	}
	return m, nil
}

// Variables returns the scope and name of every masked variable.
func (m *PruneMasks) Variables() []string { return slices.Clone(m.names) }

// Sparsity is the share of the masked variables' weights that are pruned.
func (m *PruneMasks) Sparsity() float64 {
	kept := 0
	for _, k := range m.kept {
		kept += k
	}
	return 1 - float64(kept)/float64(m.total)
}

// Mask returns the 0/1 mask of a variable (by scope and name), nil if it is not masked.
func (m *PruneMasks) Mask(scopeAndName string) []float32 {
	t, ok := m.masks[scopeAndName]
	if !ok {
		return nil
	}
	return tensors.MustCopyFlatData[float32](t)
}

// Apply zeroes the pruned weights of ctx's variables (w ← w ⊙ mask).
func (m *PruneMasks) Apply(ctx *context.Context) error {
	for v := range ctx.IterVariables() {
		mask, ok := m.masks[v.ScopeAndName()]
		if !ok {
			continue
		}
		t, err := v.Value()
		if err != nil {
			return fmt.Errorf("prune %s: %w", v.ScopeAndName(), err)
		}
		w, err := tensors.CopyFlatData[float32](t)
		if err != nil {
			return fmt.Errorf("prune %s: %w", v.ScopeAndName(), err)
		}
		keep := tensors.MustCopyFlatData[float32](mask)
		if len(keep) != len(w) {
			return fmt.Errorf("prune %s: the mask has %d values, the variable %d", v.ScopeAndName(), len(keep), len(w))
		}
		for i := range w {
			w[i] *= keep[i]
		}
		if err := v.SetValue(tensors.FromFlatDataAndDimensions(w, v.Shape().Dimensions...)); err != nil {
			return fmt.Errorf("prune %s: %w", v.ScopeAndName(), err)
		}
	}
	return nil
}

// Optimizer wraps inner so that after each of its updates every masked variable is multiplied by
// its mask (in the training graph): pruned weights stay exactly zero while the others retrain.
func (m *PruneMasks) Optimizer(inner optimizers.Interface) optimizers.Interface {
	return &maskedOptimizer{inner: inner, masks: m}
}

type maskedOptimizer struct {
	inner optimizers.Interface
	masks *PruneMasks
}

// UpdateGraph runs the inner optimizer's update, then masks the pruned variables.
func (o *maskedOptimizer) UpdateGraph(ctx *context.Context, g *graph.Graph, loss *graph.Node) {
	o.inner.UpdateGraph(ctx, g, loss)
	for _, name := range o.masks.names {
		i := strings.LastIndex(name, context.ScopeSeparator)
		scope, vname := name[:i], name[i+1:]
		if scope == "" {
			scope = context.RootScope
		}
		v := ctx.GetVariableByScopeAndName(scope, vname)
		if v == nil {
			panic(errors.New("pruned training: the context has no variable " + name))
		}
		v.SetValueGraph(graph.Mul(v.ValueGraph(g), graph.Const(g, o.masks.masks[name])))
	}
}

// Clear clears the inner optimizer's state.
func (o *maskedOptimizer) Clear(ctx *context.Context) error { return o.inner.Clear(ctx) }

// ZeroWeights counts the weights that are exactly zero, and all weights, in the trainable
// float32 kernels (rank ≥ 2) under the absolute scope: the sparsity a pruned model really has.
func ZeroWeights(ctx *context.Context, scope string) (zeros, total int, err error) {
	prefix := "/" + strings.Trim(scope, "/")
	for v := range ctx.IterVariables() {
		s := v.Scope()
		if !v.Trainable || v.Shape().DType != dtypes.Float32 || v.Shape().Rank() < 2 ||
			(prefix != "/" && s != prefix && !strings.HasPrefix(s, prefix+"/")) {
			continue
		}
		t, err := v.Value()
		if err != nil {
			return 0, 0, fmt.Errorf("count zeros of %s: %w", v.ScopeAndName(), err)
		}
		for _, x := range tensors.MustCopyFlatData[float32](t) {
			if x == 0 {
				zeros++
			}
			total++
		}
	}
	return zeros, total, nil
}
