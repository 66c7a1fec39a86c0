package scaling

import (
	"testing"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // GoMLX graph-building style.
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/ml/context"

	"github.com/dl4go/dl4go/gomlxext"
	"github.com/dl4go/dl4go/gomlxext/cost"
)

// TestMACsMatchTheGraph checks the multiply-adds counted from the layer table (Net.MACs, the
// report's formulas) against gomlxext/cost.Model, which counts the convolutions and matrix
// products of the built graph, for the baseline and scaled networks (odd sizes included), and
// that the graph's output has the classes.
func TestMACsMatchTheGraph(t *testing.T) {
	backend, err := gomlxext.Backend()
	if err != nil {
		t.Fatal(err)
	}
	b := Full().Base
	for _, m := range []Multipliers{{1, 1, 1}, {2, 1, 1}, {1, 1.45, 1}, {1, 1, 1.38}, {1.5, 1.26, 1.25}, {1, 1, 2}} {
		n := b.Scale(m)
		r, err := cost.Model(backend, context.New(), shapes.Make(dtypes.Float32, 1, n.Resolution, n.Resolution, 3),
			func(ctx *context.Context, x *Node) *Node {
				y := n.Model(ctx, x)
				if got := y.Shape().Dimensions; len(got) != 2 || got[1] != n.Classes {
					t.Errorf("%s: logits %v, want [1, %d]", n, got, n.Classes)
				}
				return y
			})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := r.Total(), n.MACs(); got != want {
			t.Errorf("%s: the graph has %d multiply-adds, the layer table %d", n, got, want)
		}
		if len(r.Ops) != len(n.Layers()) {
			t.Errorf("%s: the graph has %d counted ops, the layer table %d layers", n, len(r.Ops), len(n.Layers()))
		}
	}
}
