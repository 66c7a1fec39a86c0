package gomlxext

import (
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/context/checkpoints"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"
)

// LoadScope sets the variables of ctx under the absolute scope (e.g. "backbone" for
// "/backbone/...") to their values in the latest checkpoint in dir — a folder written by Fit,
// Checkpoints or GoMLX's checkpoints package — and leaves every other variable alone: the way a
// pre-trained network is carried over to a new task before its new head is trained (Keras'
// ResNet50(weights=...)). It returns how many variables it set.
//
// The model must already be built in ctx, so that its variables exist (run it once, e.g. with
// context.NewExec on one batch). The two models must agree under scope: a variable missing from
// either side, or of another shape, is an error that names it. LoadScope only reads dir.
func LoadScope(ctx *context.Context, dir, scope string) (int, error) {
	prefix := "/" + strings.Trim(scope, "/")
	fail := func(format string, args ...any) (int, error) {
		return 0, fmt.Errorf("load %s from checkpoint %s: %s", prefix, dir, fmt.Sprintf(format, args...))
	}
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return fail("no such folder (give the folder a GoMLX checkpoint was saved to, e.g. a run's checkpoint folder)")
	}
	src := context.New()
	if _, err := checkpoints.Load(src).Dir(dir).Immediate().ExcludeAllParams().Done(); err != nil {
		return fail("%v", err)
	}
	under := func(v *context.Variable) bool { s := v.Scope(); return s == prefix || strings.HasPrefix(s, prefix+"/") }
	from := map[string]*context.Variable{}
	for v := range src.IterVariables() {
		if under(v) {
			from[v.ScopeAndName()] = v
		}
	}
	if len(from) == 0 {
		return fail("it holds no variables under %s", prefix)
	}
	n := 0
	var missing []string
	for v := range ctx.IterVariables() {
		if !under(v) {
			continue
		}
		s, ok := from[v.ScopeAndName()]
		switch {
		case !ok:
			missing = append(missing, v.ScopeAndName())
			continue
		case !s.Shape().Equal(v.Shape()):
			return fail("%s is %s there but %s in the model: the checkpoint holds another architecture", v.ScopeAndName(), s.Shape(), v.Shape())
		}
		if err := v.SetValue(s.MustValue()); err != nil {
			return fail("%s: %v", v.ScopeAndName(), err)
		}
		delete(from, v.ScopeAndName())
		n++
	}
	if len(missing) > 0 {
		slices.Sort(missing)
		return fail("the model's %s is not there: the checkpoint holds another architecture (or build the model in ctx first)", missing[0])
	}
	if len(from) > 0 {
		extra := make([]string, 0, len(from))
		for k := range from {
			extra = append(extra, k)
		}
		slices.Sort(extra)
		return fail("its %s is not in the model: the checkpoint holds another architecture (or build the model in ctx first)", extra[0])
	}
	return n, nil
}

// FreezeScopes returns opt with the variables under scopes left untouched: its UpdateGraph
// freezes them (Freeze), lets opt update the others and makes them trainable again. Give it to
// a train.Trainer, which builds the model and then calls UpdateGraph in the same graph, for
// Keras' base_model.trainable = False (only the new head learns):
//
//	opt := gomlxext.FreezeScopes(optimizers.Adam().LearningRate(1e-4).Done(), "backbone")
func FreezeScopes(opt optimizers.Interface, scopes ...string) optimizers.Interface {
	return &frozen{Interface: opt, scopes: scopes}
}

type frozen struct {
	optimizers.Interface
	scopes []string
}

func (f *frozen) UpdateGraph(ctx *context.Context, g *graph.Graph, loss *graph.Node) {
	restores := make([]func(), len(f.scopes))
	for i, s := range f.scopes {
		restores[i] = Freeze(ctx, s)
	}
	f.Interface.UpdateGraph(ctx, g, loss)
	for _, r := range restores {
		r()
	}
}
