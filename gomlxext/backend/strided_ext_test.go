package backend_test

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // GoMLX graph-building style.
	"github.com/gomlx/gomlx/pkg/core/shapes"
)

// TestCopyKernelDTypes runs large broadcasts and transposes of bool, int32, int64, uint8 and
// float64 operands (an attention mask broadcast over heads is bool) on the copy kernel and on
// simplego ("dl4go:nokernel"), and wants the same values.
func TestCopyKernelDTypes(t *testing.T) {
	kern, plain := newBackend(t, "dl4go"), newBackend(t, "dl4go:nokernel")
	for _, dt := range []dtypes.DType{dtypes.Bool, dtypes.Int32, dtypes.Int64, dtypes.Uint8, dtypes.Float64} {
		t.Run(dt.String(), func(t *testing.T) {
			fn := func(g *Graph) []*Node {
				x := Iota(g, shapes.Make(dtypes.Int32, 4, 1, 96), 2) // [4, 1, 96]
				x = Mod(Add(x, Iota(g, shapes.Make(dtypes.Int32, 4, 1, 96), 0)), Const(g, int32(7)))
				var v *Node
				if dt == dtypes.Bool {
					v = GreaterThan(x, Const(g, int32(3)))
				} else {
					v = ConvertDType(x, dt)
				}
				b := BroadcastToDims(v, 4, 64, 96)                     // [4, 64, 96]: 24576 values
				tr := TransposeAllDims(Reshape(b, 4, 64, 96), 2, 0, 1) // [96, 4, 64]
				return []*Node{b, tr}
			}
			got := MustNewExec(kern, fn).MustExec()
			want := MustNewExec(plain, fn).MustExec()
			for i := range want {
				if g, w := got[i].Value(), want[i].Value(); !reflect.DeepEqual(g, w) {
					t.Errorf("output %d (%s): kernel and simplego differ: %s vs %s", i, got[i].Shape(), head(g), head(w))
				}
			}
		})
	}
}

func head(v any) string { s := fmt.Sprint(v); return s[:min(len(s), 200)] }
