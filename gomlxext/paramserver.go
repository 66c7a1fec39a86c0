package gomlxext

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"
)

// ParamServer is a parameter server on the host: the one shared copy of a model's trainable
// variables, which workers — goroutines, each with a context of its own holding its private copy
// of the weights — pull from and push gradients to, as in asynchronous data parallelism and in
// A3C (Mnih et al. 2016, "shared parameters θ, thread-specific θ'"):
//
//	ps, err := gomlxext.NewParamServer(ctx).Adam(1e-3).Done() // ctx: the model built once
//	// in each worker goroutine, with its own context wctx:
//	version, err := ps.Pull(wctx)                // θ' ← θ
//	grads := ...                                 // ∇θ' loss, from a graph built with ps.Gradients
//	staleness, err := ps.Push(grads, version)    // θ ← θ − η·update(∇); staleness = updates since the pull
//
// Pull and Push take a mutex for the microseconds of the copy or of the update, never across a
// worker's computation: workers do not wait for each other (there is no barrier), so a gradient
// computed on weights pulled at version v may be applied at version v+k; Push returns that k, the
// gradient's staleness. (Lock-free "Hogwild!" updates would be a data race in Go's memory model.)
// Synchronous data parallelism uses the same server: average the workers' gradients, Push once,
// and Pull into every worker.
//
// The optimizer runs on the host, in float64 arithmetic over float32 values: SGD, Adam or
// RMSProp. Store writes the weights, the optimizer's state and the update count (as the global
// step) into a context, so that a Checkpoint saves them; NewParamServer on a context loaded from
// such a checkpoint resumes where the server stopped.
type ParamServer struct {
	mu      sync.Mutex
	vars    []psVar
	opt     psOptimizer
	lr      float64
	decay   float64 // RMSProp's decay of the mean square.
	eps     float64
	clip    float64 // ClipNorm's maximum global norm, 0 for none.
	version int64   // updates applied.
}

// psVar is one variable held by the server: its place in a context, its shape and its value
// with the optimizer's per-element state.
type psVar struct {
	scope, name string
	dims        []int
	value       []float32
	m, v        []float64 // Adam's first and second moments; RMSProp's mean square in v.
}

type psOptimizer int

const (
	psSGD     psOptimizer = 0
	psAdam    psOptimizer = 1
	psRMSProp psOptimizer = 2
)

func (o psOptimizer) String() string {
	return [...]string{"sgd", "adam", "rmsprop"}[o]
}

// ParamServerScope is the context scope where Store keeps the server's optimizer state.
const ParamServerScope = "/paramserver"

// ParamServerBuilder configures a ParamServer; see [NewParamServer].
type ParamServerBuilder struct {
	ctx   *context.Context
	ps    *ParamServer
	err   error
	scope string
}

// NewParamServer starts configuring a parameter server holding the trainable float32 variables
// of ctx (all of them, or those under Scope), which must exist: build the model's graph on ctx
// once first (compile and run an executable of it), or load a checkpoint with Immediate. The
// default optimizer is SGD with learning rate 0.01.
func NewParamServer(ctx *context.Context) *ParamServerBuilder {
	return &ParamServerBuilder{ctx: ctx, ps: &ParamServer{opt: psSGD, lr: 0.01}}
}

// Scope restricts the server to the variables under the absolute scope (e.g. "/policy").
func (b *ParamServerBuilder) Scope(scope string) *ParamServerBuilder {
	b.scope = "/" + strings.Trim(scope, "/")
	return b
}

// SGD makes the server apply θ ← θ − lr·g.
func (b *ParamServerBuilder) SGD(lr float64) *ParamServerBuilder {
	b.ps.opt, b.ps.lr = psSGD, lr
	return b
}

// Adam makes the server apply Adam (Kingma & Ba 2015) with β₁ = 0.9, β₂ = 0.999, ε = 1e-8 and
// bias correction by the number of updates applied.
func (b *ParamServerBuilder) Adam(lr float64) *ParamServerBuilder {
	b.ps.opt, b.ps.lr, b.ps.eps = psAdam, lr, 1e-8
	return b
}

// RMSProp makes the server apply RMSProp with the mean square shared by all workers, A3C's
// "shared RMSProp": s ← decay·s + (1−decay)·g², θ ← θ − lr·g/√(s+eps).
func (b *ParamServerBuilder) RMSProp(lr, decay, eps float64) *ParamServerBuilder {
	b.ps.opt, b.ps.lr, b.ps.decay, b.ps.eps = psRMSProp, lr, decay, eps
	return b
}

// ClipNorm rescales each pushed gradient whose global L2 norm (over all variables) exceeds max
// to that norm before the optimizer sees it; 0 turns clipping off.
func (b *ParamServerBuilder) ClipNorm(max float64) *ParamServerBuilder {
	b.ps.clip = max
	return b
}

// Done reads the variables' values from the context (and the optimizer's state and update count,
// when the context holds those Store wrote) and returns the server.
func (b *ParamServerBuilder) Done() (*ParamServer, error) {
	ps := b.ps
	switch {
	case b.ctx == nil:
		return nil, errors.New("parameter server: nil context")
	case !(ps.lr > 0) || math.IsInf(ps.lr, 0):
		return nil, fmt.Errorf("parameter server: learning rate %g: want a finite value > 0", ps.lr)
	case ps.opt == psRMSProp && (!(ps.decay >= 0 && ps.decay < 1) || !(ps.eps > 0)):
		return nil, fmt.Errorf("parameter server: RMSProp decay %g and epsilon %g: want 0 ≤ decay < 1 and epsilon > 0", ps.decay, ps.eps)
	case ps.clip < 0:
		return nil, fmt.Errorf("parameter server: ClipNorm(%g): want ≥ 0", ps.clip)
	}
	for v := range b.ctx.IterVariables() {
		scope := v.Scope()
		if !v.Trainable || v.Shape().DType != dtypes.Float32 || scope == ParamServerScope || strings.HasPrefix(scope, ParamServerScope+"/") {
			continue
		}
		if b.scope != "" && scope != b.scope && !strings.HasPrefix(scope, b.scope+"/") {
			continue
		}
		t, err := v.Value()
		if err != nil {
			return nil, fmt.Errorf("parameter server: variable %s: %w", v.ScopeAndName(), err)
		}
		value, err := tensors.CopyFlatData[float32](t)
		if err != nil {
			return nil, fmt.Errorf("parameter server: variable %s: %w", v.ScopeAndName(), err)
		}
		ps.vars = append(ps.vars, psVar{scope: scope, name: v.Name(), dims: slices.Clone(v.Shape().Dimensions), value: value})
	}
	if len(ps.vars) == 0 {
		where := "the context"
		if b.scope != "" {
			where = "scope " + b.scope
		}
		return nil, fmt.Errorf("parameter server: %s has no trainable float32 variables: build the model's graph on it first (compile and run it once)", where)
	}
	slices.SortFunc(ps.vars, func(a, b psVar) int { return strings.Compare(a.scope+"/"+a.name, b.scope+"/"+b.name) })
	for i := range ps.vars {
		pv := &ps.vars[i]
		if ps.opt == psAdam {
			pv.m = make([]float64, len(pv.value))
		}
		if ps.opt != psSGD {
			pv.v = make([]float64, len(pv.value))
		}
	}
	if err := ps.restore(b.ctx); err != nil {
		return nil, err
	}
	return ps, nil
}

// Variables returns the scope and name ("/policy/dense/weights") of every variable the server
// holds, in the order Gradients returns their gradients and Push takes them.
func (ps *ParamServer) Variables() []string {
	names := make([]string, len(ps.vars))
	for i, v := range ps.vars {
		names[i] = joinScope(v.scope, v.name)
	}
	return names
}

// NumParams returns the number of scalar parameters the server holds.
func (ps *ParamServer) NumParams() int {
	n := 0
	for _, v := range ps.vars {
		n += len(v.value)
	}
	return n
}

// Version returns the number of updates applied so far.
func (ps *ParamServer) Version() int64 {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	return ps.version
}

func joinScope(scope, name string) string {
	if scope == context.RootScope {
		return scope + name
	}
	return scope + context.ScopeSeparator + name
}

// Gradients returns ∂loss/∂v for each of the server's variables v, in the server's order, as
// nodes of loss's graph: build the worker's gradient graph with it, and Push what it computes.
// The variables are ctx's of the same scope and name, and must exist (build the model on ctx
// before calling Gradients, in the same graph). loss is a scalar. It panics (a graph-building
// error) when ctx lacks one of the variables.
func (ps *ParamServer) Gradients(ctx *context.Context, loss *graph.Node) []*graph.Node {
	g := loss.Graph()
	nodes := make([]*graph.Node, len(ps.vars))
	for i, pv := range ps.vars {
		v := ctx.GetVariableByScopeAndName(pv.scope, pv.name)
		if v == nil {
			panic(fmt.Errorf("parameter server gradients: the context has no variable %s: build the model before asking for its gradients", joinScope(pv.scope, pv.name)))
		}
		nodes[i] = v.ValueGraph(g)
	}
	return graph.Gradient(loss, nodes...)
}

// Pull copies the server's current weights into ctx's variables of the same scope and name,
// creating those that do not exist yet, and returns the version (updates applied) it copied.
func (ps *ParamServer) Pull(ctx *context.Context) (int64, error) {
	ps.mu.Lock()
	version := ps.version
	values := make([]*tensors.Tensor, len(ps.vars))
	for i, pv := range ps.vars {
		values[i] = tensors.FromFlatDataAndDimensions(slices.Clone(pv.value), pv.dims...)
	}
	ps.mu.Unlock()
	for i, pv := range ps.vars {
		if err := setVariable(ctx, pv.scope, pv.name, values[i], true); err != nil {
			return 0, fmt.Errorf("parameter server pull: %w", err)
		}
	}
	return version, nil
}

// setVariable sets (or creates) ctx's variable scope/name to value.
func setVariable(ctx *context.Context, scope, name string, value *tensors.Tensor, trainable bool) error {
	v := ctx.GetVariableByScopeAndName(scope, name)
	if v == nil {
		ctx.InAbsPath(scope).Checked(false).VariableWithValue(name, value).SetTrainable(trainable)
		return nil
	}
	if !v.Shape().Equal(value.Shape()) {
		return fmt.Errorf("variable %s has shape %s, the server's is %s", joinScope(scope, name), v.Shape(), value.Shape())
	}
	return v.SetValue(value)
}

// Push applies one optimizer update with grads (one tensor per variable, in the order of
// Variables; float32, each of its variable's shape), computed on the weights of version pulled
// (Pull's result), and returns the gradient's staleness: the number of updates other workers
// applied between that pull and this push. A gradient with a NaN or infinite element is refused
// (an error), and nothing is applied.
func (ps *ParamServer) Push(grads []*tensors.Tensor, pulled int64) (staleness int64, err error) {
	if len(grads) != len(ps.vars) {
		return 0, fmt.Errorf("parameter server push: %d gradients for %d variables (%s)", len(grads), len(ps.vars), strings.Join(ps.Variables(), ", "))
	}
	flat := make([][]float32, len(grads))
	for i, t := range grads {
		pv := ps.vars[i]
		if t == nil || t.DType() != dtypes.Float32 || !slices.Equal(t.Shape().Dimensions, pv.dims) {
			shape := "nil"
			if t != nil {
				shape = t.Shape().String()
			}
			return 0, fmt.Errorf("parameter server push: gradient %d of %s is %s; want float32 %v", i, joinScope(pv.scope, pv.name), shape, pv.dims)
		}
		if flat[i], err = tensors.CopyFlatData[float32](t); err != nil {
			return 0, fmt.Errorf("parameter server push: gradient of %s: %w", joinScope(pv.scope, pv.name), err)
		}
	}
	return ps.PushFlat(flat, pulled)
}

// PushFlat is Push with the gradients as flat float32 slices (row-major, one per variable).
func (ps *ParamServer) PushFlat(grads [][]float32, pulled int64) (staleness int64, err error) {
	if len(grads) != len(ps.vars) {
		return 0, fmt.Errorf("parameter server push: %d gradients for %d variables", len(grads), len(ps.vars))
	}
	var norm2 float64
	for i, g := range grads {
		pv := ps.vars[i]
		if len(g) != len(pv.value) {
			return 0, fmt.Errorf("parameter server push: gradient of %s has %d elements, want %d", joinScope(pv.scope, pv.name), len(g), len(pv.value))
		}
		for _, x := range g {
			if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
				return 0, fmt.Errorf("parameter server push: gradient of %s holds %v: the loss diverged (lower the learning rate, or clip with ClipNorm)", joinScope(pv.scope, pv.name), x)
			}
			norm2 += float64(x) * float64(x)
		}
	}
	scale := 1.0
	if ps.clip > 0 && math.Sqrt(norm2) > ps.clip {
		scale = ps.clip / math.Sqrt(norm2)
	}
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if pulled < 0 || pulled > ps.version {
		return 0, fmt.Errorf("parameter server push: pulled version %d, but the server is at %d", pulled, ps.version)
	}
	staleness = ps.version - pulled
	ps.version++
	t := float64(ps.version)
	lr := ps.lr
	if ps.opt == psAdam {
		const b1, b2 = 0.9, 0.999
		lr *= math.Sqrt(1-math.Pow(b2, t)) / (1 - math.Pow(b1, t))
	}
	for i, g := range grads {
		pv := &ps.vars[i]
		for j, gj := range g {
			x := float64(gj) * scale
			switch ps.opt {
			case psSGD:
				pv.value[j] -= float32(lr * x)
			case psAdam:
				pv.m[j] = 0.9*pv.m[j] + 0.1*x
				pv.v[j] = 0.999*pv.v[j] + 0.001*x*x
				pv.value[j] -= float32(lr * pv.m[j] / (math.Sqrt(pv.v[j]) + ps.eps))
			case psRMSProp:
				pv.v[j] = ps.decay*pv.v[j] + (1-ps.decay)*x*x
				pv.value[j] -= float32(lr * x / math.Sqrt(pv.v[j]+ps.eps))
			}
		}
	}
	return staleness, nil
}

// Values returns a copy of the server's current weights, one flat slice per variable in the
// order of Variables, and the version they are at.
func (ps *ParamServer) Values() ([][]float32, int64) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	out := make([][]float32, len(ps.vars))
	for i, pv := range ps.vars {
		out[i] = slices.Clone(pv.value)
	}
	return out, ps.version
}

// Store writes the server's weights into ctx's variables (Pull), its optimizer's state under
// ParamServerScope and its update count as ctx's global step, so that a Checkpoint of ctx saves
// the whole server and NewParamServer on the loaded context resumes it.
func (ps *ParamServer) Store(ctx *context.Context) error {
	version, err := ps.Pull(ctx)
	if err != nil {
		return err
	}
	ps.mu.Lock()
	type item struct {
		name string
		t    *tensors.Tensor
	}
	var items []item
	for _, pv := range ps.vars {
		key := stateName(pv)
		if pv.m != nil {
			items = append(items, item{key + "#m", tensors.FromFlatDataAndDimensions(slices.Clone(pv.m), pv.dims...)})
		}
		if pv.v != nil {
			items = append(items, item{key + "#v", tensors.FromFlatDataAndDimensions(slices.Clone(pv.v), pv.dims...)})
		}
	}
	ps.mu.Unlock()
	for _, it := range items {
		if err := setVariable(ctx, ParamServerScope, it.name, it.t, false); err != nil {
			return fmt.Errorf("parameter server store: %w", err)
		}
	}
	if err := setVariable(ctx, ParamServerScope, "optimizer", tensors.FromValue(int64(ps.opt)), false); err != nil {
		return fmt.Errorf("parameter server store: %w", err)
	}
	if err := optimizers.GetGlobalStepVar(ctx).SetValue(tensors.FromValue(version)); err != nil {
		return fmt.Errorf("parameter server store: global step: %w", err)
	}
	return nil
}

// stateName is the variable name, under ParamServerScope, of a variable's optimizer state.
func stateName(pv psVar) string {
	return strings.ReplaceAll(strings.TrimPrefix(joinScope(pv.scope, pv.name), "/"), "/", "|")
}

// restore reads the optimizer state and update count Store wrote into ctx, if any.
func (ps *ParamServer) restore(ctx *context.Context) error {
	kind := ctx.GetVariableByScopeAndName(ParamServerScope, "optimizer")
	if kind == nil {
		return nil // a fresh server
	}
	t, err := kind.Value()
	if err != nil {
		return fmt.Errorf("parameter server: saved state: %w", err)
	}
	if got, ok := t.Value().(int64); !ok || psOptimizer(got) != ps.opt {
		return fmt.Errorf("parameter server: the context holds the state of another optimizer (%v), not %s's: start from an empty checkpoint folder", t.Value(), ps.opt)
	}
	load := func(pv psVar, suffix string, dst []float64) error {
		if dst == nil {
			return nil
		}
		v := ctx.GetVariableByScopeAndName(ParamServerScope, stateName(pv)+suffix)
		if v == nil {
			return fmt.Errorf("parameter server: saved state lacks %s%s", stateName(pv), suffix)
		}
		t, err := v.Value()
		if err != nil {
			return fmt.Errorf("parameter server: saved state %s%s: %w", stateName(pv), suffix, err)
		}
		data, err := tensors.CopyFlatData[float64](t)
		if err != nil || len(data) != len(dst) {
			return fmt.Errorf("parameter server: saved state %s%s does not fit the variable %v (%v)", stateName(pv), suffix, pv.dims, err)
		}
		copy(dst, data)
		return nil
	}
	for _, pv := range ps.vars {
		if err := load(pv, "#m", pv.m); err != nil {
			return err
		}
		if err := load(pv, "#v", pv.v); err != nil {
			return err
		}
	}
	ps.version = optimizers.GetGlobalStep(ctx)
	return nil
}
