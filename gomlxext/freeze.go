package gomlxext

import (
	"strings"

	"github.com/gomlx/gomlx/pkg/ml/context"
)

// Freeze marks the trainable variables of ctx under the absolute scope (e.g. "discriminator" for
// "/discriminator/...") as not trainable, so that an optimizer's UpdateGraph built next leaves
// them alone, and returns the function that makes them trainable again. Call it after the model
// is built in the graph (some layers, batch norm among them, mark their variables trainable each
// time they are built) and restore right after the optimizer's update:
//
//	restore := gomlxext.Freeze(ctx, "discriminator")
//	opt.UpdateGraph(ctx, g, loss) // updates only the other variables
//	restore()
func Freeze(ctx *context.Context, scope string) (restore func()) {
	prefix := "/" + strings.Trim(scope, "/")
	var frozen []*context.Variable
	for v := range ctx.IterVariables() {
		if s := v.Scope(); v.Trainable && (s == prefix || strings.HasPrefix(s, prefix+"/")) {
			v.Trainable = false
			frozen = append(frozen, v)
		}
	}
	return func() {
		for _, v := range frozen {
			v.Trainable = true
		}
	}
}
