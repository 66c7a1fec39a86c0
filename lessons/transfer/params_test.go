package transfer

import (
	"math"
	"testing"

	G "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/ml/context"

	xlayers "github.com/dl4go/dl4go/gomlxext/layers"
)

// TestWideResNetParamsMatchThePaper checks the count against the WRN paper's Table 1/2 (to the
// 0.1 M it prints).
func TestWideResNetParamsMatchThePaper(t *testing.T) {
	for _, r := range WideResNetTable() {
		if got := float64(r.Params) / 1e6; math.Abs(got-r.PaperMillion) > 0.05 {
			t.Errorf("%s: %.3f M weights, the paper says %.1f M", r.Name, got, r.PaperMillion)
		}
	}
	if _, err := WideResNetParams(12, 1, 3, 10); err == nil {
		t.Error("WRN-12-1 (not 6N+4) accepted")
	}
}

// TestCountsEqualBuiltNetworks builds networks from the blocks and compares their trainable
// weights with the formulas: a WRN-10-2 and a WRN-16-1, a basic block with a projection, a
// bottleneck, and the lesson's ResNet-mini.
func TestCountsEqualBuiltNetworks(t *testing.T) {
	count := func(fn func(ctx *context.Context, x *G.Node) *G.Node, dims ...int) int {
		n, err := CountBuilt(fn, dims...)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	for _, c := range []struct{ depth, k int }{{10, 2}, {16, 1}} {
		want, err := WideResNetParams(c.depth, c.k, 3, 10)
		if err != nil {
			t.Fatal(err)
		}
		got := count(func(ctx *context.Context, x *G.Node) *G.Node { return BuildWideResNet(ctx, x, c.depth, c.k, 10) }, 1, 8, 8, 3)
		if got != want {
			t.Errorf("WRN-%d-%d built: %d weights, WideResNetParams: %d", c.depth, c.k, got, want)
		}
	}
	if got, want := count(func(ctx *context.Context, x *G.Node) *G.Node {
		return xlayers.ResidualBlock(ctx, x).Channels(32).Strides(2).Done()
	}, 1, 8, 8, 16), BasicBlockParams(16, 32, true); got != want {
		t.Errorf("basic block 16→32: built %d, formula %d", got, want)
	}
	if got, want := count(func(ctx *context.Context, x *G.Node) *G.Node {
		return xlayers.BottleneckBlock(ctx, x).Channels(256).Bottleneck(64).Done()
	}, 1, 4, 4, 256), BottleneckParams(256, 64); got != want {
		t.Errorf("bottleneck 256/64: built %d, formula %d", got, want)
	}
	// The report's comparison at 256 channels: the bottleneck's convolutions have 17× fewer weights.
	if conv := BottleneckParams(256, 64) - 2*(64+64+256); conv != 69632 || BasicBlockParams(256, 256, false)-4*256 != 1179648 {
		t.Errorf("convolution weights: bottleneck %d (want 69632), basic %d (want 1179648)", conv, BasicBlockParams(256, 256, false)-4*256)
	}
	mc := Full().Model
	want := 9*1*16 + 2*16 + BasicBlockParams(16, 16, false) + BasicBlockParams(16, 32, true) + BasicBlockParams(32, 64, true) + 64*5 + 5
	if got := count(func(ctx *context.Context, x *G.Node) *G.Node {
		return Head(ctx.In("head"), Backbone(ctx, x, mc, true), 5)
	}, 1, 28, 28, 1); got != want {
		t.Errorf("ResNet-mini: built %d weights, formula %d", got, want)
	}
}
