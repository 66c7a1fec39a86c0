package gomlxext

import (
	"strings"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // GoMLX graph-building style.
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/context/initializers"
)

// UpdateEMA adds to step's graph one update of an exponential moving average (EMA) of the weights:
// for every trainable variable of ctx under the absolute scope (e.g. "generator" for
// "/generator/..."), its shadow — the variable of the same name under "/<emaScope>/<scope>/...",
// not trainable, created at zero — becomes
//
//	shadow ← d·shadow + (1 − d)·v,   d = min(decay, step / (step + 10)),
//
// step being the scalar count of earlier updates (0 for the first, which copies the weights).
// Until step/(step+10) reaches decay the average covers about the last tenth of the updates made
// so far (TensorFlow's ExponentialMovingAverage with num_updates), so a short run does not
// average in its first, poor weights. Build the model again below ctx.InAbsPath(emaScope) to use
// the averaged weights (its variables are the shadows). Call it after the shadowed variables exist
// (after the model was built once). Returns d (a scalar).
//
// Sampling a GAN's generator from an EMA of its weights (Yazıcı et al., 2019; BigGAN, Brock et
// al., 2019) smooths out the oscillation of the game around its equilibrium.
func UpdateEMA(ctx *context.Context, step *Node, scope, emaScope string, decay float64) *Node {
	prefix := "/" + strings.Trim(scope, "/")
	var vars []*context.Variable
	for v := range ctx.IterVariables() {
		if s := v.Scope(); v.Trainable && (s == prefix || strings.HasPrefix(s, prefix+"/")) {
			vars = append(vars, v)
		}
	}
	g := step.Graph()
	step = ConvertDType(step, dtypes.Float32)
	d := Min(Scalar(g, dtypes.Float32, decay), Div(step, AddScalar(step, 10)))
	for _, v := range vars {
		shadowCtx := ctx.InAbsPath("/" + strings.Trim(emaScope, "/") + v.Scope()).Checked(false).WithInitializer(initializers.Zero)
		shadow := shadowCtx.VariableWithShape(v.Name(), v.Shape()).SetTrainable(false)
		s := shadow.ValueGraph(g)
		w := v.ValueGraph(g)
		shadow.SetValueGraph(Add(Mul(ConvertDType(d, s.DType()), s), Mul(OneMinus(ConvertDType(d, s.DType())), w)))
	}
	return d
}
