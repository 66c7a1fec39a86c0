package layers

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/dl4go/dl4go/gomlxext"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // GoMLX graph-building style.
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// trainableCount is the number of trainable weights of ctx (convolution kernels, BN scale and
// offset), and the variables' names.
func trainableCount(ctx *context.Context) (n int, names []string) {
	for v := range ctx.IterVariables() {
		if v.Trainable {
			n += v.Shape().Size()
			names = append(names, v.ScopeAndName())
		}
	}
	return n, names
}

// TestResidualBlocks checks the output shapes and the number of weights of the basic and the
// bottleneck block, with and without a projection shortcut, against the formulas of their docs.
func TestResidualBlocks(t *testing.T) {
	backend, err := gomlxext.Backend()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name       string
		build      func(ctx *context.Context, x *Node) *Node
		inC        int
		wantDims   string
		wantParams int
	}{
		{"basic", func(ctx *context.Context, x *Node) *Node { return ResidualBlock(ctx, x).Channels(8).Done() },
			8, "[2 6 6 8]", 2*9*8*8 + 2*2*8},
		{"basic, stride 2, projection", func(ctx *context.Context, x *Node) *Node {
			return ResidualBlock(ctx, x).Channels(16).Strides(2).Done()
		}, 8, "[2 3 3 16]", 9*8*16 + 9*16*16 + 8*16 + 3*2*16},
		{"plain (no shortcut)", func(ctx *context.Context, x *Node) *Node {
			return ResidualBlock(ctx, x).Channels(16).Strides(2).Shortcut(false).Done()
		}, 8, "[2 3 3 16]", 9*8*16 + 9*16*16 + 2*2*16},
		{"bottleneck 32→32, width 8", func(ctx *context.Context, x *Node) *Node { return BottleneckBlock(ctx, x).Channels(32).Done() },
			32, "[2 6 6 32]", 32*8 + 9*8*8 + 8*32 + 2*(8+8+32)},
		{"bottleneck 8→32, width 4, stride 2", func(ctx *context.Context, x *Node) *Node {
			return BottleneckBlock(ctx, x).Channels(32).Bottleneck(4).Strides(2).Done()
		}, 8, "[2 3 3 32]", 8*4 + 9*4*4 + 4*32 + 8*32 + 2*(4+4+32+32)},
		{"pre-activation", func(ctx *context.Context, x *Node) *Node {
			return ResidualBlock(ctx, x).Channels(8).PreActivation().Done()
		}, 8, "[2 6 6 8]", 2*9*8*8 + 2*2*8},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.New()
			exec, err := context.NewExec(backend, ctx, c.build)
			if err != nil {
				t.Fatal(err)
			}
			out, err := exec.Exec(tensors.FromShape(tensors.FromFlatDataAndDimensions(make([]float32, 2*6*6*c.inC), 2, 6, 6, c.inC).Shape()))
			if err != nil {
				t.Fatal(err)
			}
			if got := fmt.Sprint(out[0].Shape().Dimensions); got != c.wantDims {
				t.Errorf("output %s, want %s", got, c.wantDims)
			}
			n, names := trainableCount(ctx)
			if n != c.wantParams {
				t.Errorf("%d trainable weights, want %d (%s)", n, c.wantParams, strings.Join(names, ", "))
			}
		})
	}
}

// TestResidualIdentity checks what the skip connection means: with its convolutions at zero, a
// basic block passes a non-negative input through unchanged (y = ReLU(0 + x) = x), while the
// same block without the shortcut outputs zeros.
func TestResidualIdentity(t *testing.T) {
	backend, err := gomlxext.Backend()
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	x := make([]float32, 2*5*5*4)
	for i := range x {
		x[i] = float32(rng.Float64())
	}
	for _, shortcut := range []bool{true, false} {
		ctx := context.New()
		exec, err := context.NewExec(backend, ctx, func(ctx *context.Context, x *Node) *Node {
			return ResidualBlock(ctx, x).Channels(4).Shortcut(shortcut).Trainable(false).Done()
		})
		if err != nil {
			t.Fatal(err)
		}
		input := tensors.FromFlatDataAndDimensions(x, 2, 5, 5, 4)
		if _, err := exec.Exec(input); err != nil { // creates the variables
			t.Fatal(err)
		}
		for v := range ctx.IterVariables() {
			if strings.HasSuffix(v.Scope(), "conv1") || strings.HasSuffix(v.Scope(), "conv2") {
				v.MustSetValue(tensors.FromShape(v.Shape()))
			}
		}
		out, err := exec.Exec(input)
		if err != nil {
			t.Fatal(err)
		}
		y := tensors.MustCopyFlatData[float32](out[0])
		var worst float64
		for i := range y {
			want := x[i]
			if !shortcut {
				want = 0
			}
			worst = math.Max(worst, math.Abs(float64(y[i]-want)))
		}
		if worst > 1e-5 {
			t.Errorf("shortcut %v: max |y − want| = %g with zero convolutions", shortcut, worst)
		}
	}
}
