package gomlxext

import (
	"testing"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// TestFreeze checks that Freeze marks exactly the variables under a scope (not a scope that only
// shares its prefix) and that restore undoes it.
func TestFreeze(t *testing.T) {
	ctx := context.New()
	s := shapes.Make(dtypes.Float32, 2)
	d := ctx.In("d").VariableWithShape("w", s)
	dInner := ctx.In("d").In("bn").VariableWithShape("scale", s)
	other := ctx.In("dx").VariableWithShape("w", s)
	g := ctx.In("g").VariableWithShape("w", s)
	fixed := ctx.In("d").VariableWithShape("fixed", s)
	fixed.Trainable = false

	restore := Freeze(ctx, "d")
	for _, c := range []struct {
		v    *context.Variable
		want bool
	}{{d, false}, {dInner, false}, {other, true}, {g, true}, {fixed, false}} {
		if c.v.Trainable != c.want {
			t.Errorf("frozen: %s trainable = %v, want %v", c.v.ScopeAndName(), c.v.Trainable, c.want)
		}
	}
	restore()
	for _, c := range []struct {
		v    *context.Variable
		want bool
	}{{d, true}, {dInner, true}, {other, true}, {g, true}, {fixed, false}} {
		if c.v.Trainable != c.want {
			t.Errorf("restored: %s trainable = %v, want %v", c.v.ScopeAndName(), c.v.Trainable, c.want)
		}
	}
}
