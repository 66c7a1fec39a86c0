package layers

import (
	"fmt"
	"strings"
	"testing"

	"github.com/dl4go/dl4go/gomlxext"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // GoMLX graph-building style.
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// TestUNet checks the U-Net's output size (the input's), that its variables are the ones the doc
// names, that the skip connections are there or not as asked (the first decoder layer reads the
// encoder's channels too), and that an input not divisible by 2^Depth panics with a clear message.
func TestUNet(t *testing.T) {
	backend, err := gomlxext.Backend()
	if err != nil {
		t.Fatal(err)
	}
	for _, skips := range []bool{true, false} {
		t.Run(fmt.Sprintf("skips=%v", skips), func(t *testing.T) {
			ctx := context.New()
			exec, err := context.NewExec(backend, ctx, func(ctx *context.Context, x *Node) *Node {
				return UNet(ctx, x).Channels(3).Features(4).Depth(3).Skips(skips).Done()
			})
			if err != nil {
				t.Fatal(err)
			}
			out, err := exec.Exec(tensors.FromFlatDataAndDimensions(make([]float32, 2*16*24*1), 2, 16, 24, 1))
			if err != nil {
				t.Fatal(err)
			}
			if got := fmt.Sprint(out[0].Shape().Dimensions); got != "[2 16 24 3]" {
				t.Errorf("output %s, want [2 16 24 3]", got)
			}
			shapes := map[string]string{}
			for v := range ctx.IterVariables() {
				shapes[v.ScopeAndName()] = fmt.Sprint(v.Shape().Dimensions)
			}
			// dec1 up-samples to the input's resolution from the level-1 maps (4 channels) and, with
			// skips, the level-1 encoder maps concatenated (4 more).
			in := 4
			if skips {
				in = 8
			}
			want := map[string]string{
				"/unet/enc1/weights": "[4 4 1 4]", "/unet/enc2/weights": "[4 4 4 8]", "/unet/enc3/weights": "[4 4 8 16]",
				"/unet/dec3/weights": "[4 4 16 8]", "/unet/dec1/weights": fmt.Sprintf("[4 4 %d 3]", in),
			}
			for name, dims := range want {
				if shapes[name] != dims {
					t.Errorf("%s: %q, want %q (variables: %v)", name, shapes[name], dims, shapes)
				}
			}
		})
	}
	defer func() {
		msg := fmt.Sprint(recover())
		if !strings.Contains(msg, "divisible by 2^Depth") {
			t.Errorf("12×12 input with Depth 3: panic %q, want one naming 'divisible by 2^Depth'", msg)
		}
	}()
	ex, _ := context.NewExec(backend, context.New(), func(ctx *context.Context, x *Node) *Node {
		return UNet(ctx, x).Channels(3).Features(4).Depth(3).Done()
	})
	_, _ = ex.Exec(tensors.FromFlatDataAndDimensions(make([]float32, 144), 1, 12, 12, 1))
}
