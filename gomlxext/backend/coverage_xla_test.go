package backend_test

import (
	"fmt"
	"strings"
	"testing"

	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // GoMLX graph-building style.
	"github.com/gomlx/gomlx/pkg/core/tensors"

	"github.com/dl4go/dl4go/internal/xlatest"
)

// TestOpCoverageXLA runs the op coverage table (opCases) on GoMLX's XLA backend: each op's forward
// result is compared with dl4go's, and its gradient from GoMLX autodiff on XLA with a central
// finite difference on XLA. The plugin is the one gomlxext.FindXLAPlugin finds
// ($GOMLX_BACKEND=xla:/abs/path/plugin.so in CI's XLA job); without one the test is skipped, or
// fails when $DL4GO_REQUIRE_XLA=1.
func TestOpCoverageXLA(t *testing.T) {
	x, dl := xlatest.Backend(t, 0), newBackend(t, "dl4go")
	var table strings.Builder
	fmt.Fprintf(&table, "%-40s %-9s %s\n", "op", "vs dl4go", "gradient")
	for ci, c := range opCases {
		t.Run(c.name, func(t *testing.T) {
			vals := randInputs(uint64(ci+1), c.shapes)
			y, err := ExecOnce(x, func(in []*Node) *Node { return c.fn(in) }, toTensors(vals, c.shapes)...)
			if err != nil {
				t.Fatalf("forward on XLA: %v", err)
			}
			want, err := ExecOnce(dl, func(in []*Node) *Node { return c.fn(in) }, toTensors(vals, c.shapes)...)
			if err != nil {
				t.Fatalf("forward on dl4go: %v", err)
			}
			if !y.Shape().Equal(want.Shape()) {
				t.Fatalf("shape %s on XLA, %s on dl4go", y.Shape(), want.Shape())
			}
			got, exp := flat(y), flat(want)
			for i := range exp {
				if !closeEnough(got[i], exp[i], 1e-9) {
					t.Fatalf("forward[%d] = %g on XLA, %g on dl4go", i, got[i], exp[i])
				}
			}
			gradRes := c.noGrad
			if c.noGrad == "" {
				lossExec := MustNewExec(x, func(in []*Node) *Node { return weighted(c.fn(in)) })
				gradExec := MustNewExec(x, func(in []*Node) []*Node { return Gradient(weighted(c.fn(in)), in...) })
				grads, err := gradExec.Exec(toTensors(vals, c.shapes)...)
				if err != nil {
					t.Fatalf("gradient on XLA: %v", err)
				}
				const h = 1e-6
				for i := range vals {
					g := flat(grads[i])
					for j := 0; j < len(vals[i]); j += max(1, len(vals[i])/64) {
						orig := vals[i][j]
						vals[i][j] = orig + h
						up := tensors.ToScalar[float64](lossExec.MustExec(toTensors(vals, c.shapes)...)[0])
						vals[i][j] = orig - h
						down := tensors.ToScalar[float64](lossExec.MustExec(toTensors(vals, c.shapes)...)[0])
						vals[i][j] = orig
						if num := (up - down) / (2 * h); !closeEnough(g[j], num, 1e-5) {
							t.Fatalf("gradient of input %d [%d] = %.8g on XLA, numeric %.8g", i, j, g[j], num)
						}
					}
				}
				gradRes = "numeric ok"
			}
			fmt.Fprintf(&table, "%-40s %-9s %s\n", c.name, "equal", gradRes)
		})
	}
	t.Logf("op coverage on %s:\n%s", x.Description(), table.String())
}
