package dcgan_test

import (
	"fmt"

	"github.com/janpfeifer/must"

	xlayers "github.com/dl4go/dl4go/gomlxext/layers"

	"github.com/dl4go/dl4go/gomlxext"
	"github.com/dl4go/dl4go/lessons/dcgan"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// The generator's two stride-2 transposed convolutions double the resolution each: 7 → 14 → 28.
func ExampleGenerator_upsampling() {
	x := tensors.FromShape(shapes.Make(dtypes.Float32, 1, 7, 7, 64))
	y, err := context.ExecOnce(gomlxext.MustBackend(), context.New(), func(ctx *context.Context, x *graph.Node) *graph.Node {
		y := xlayers.TransposedConvolution(ctx.In("up1"), x).Channels(32).KernelSize(4).Strides(2).Padding(1).Done()
		return xlayers.TransposedConvolution(ctx.In("up2"), y).Channels(1).KernelSize(4).Strides(2).Padding(1).Done()
	}, x)
	if err != nil {
		panic(err)
	}
	fmt.Println(x.Shape(), "→", y.Shape())
	// Output: (Float32)[1 7 7 64] → (Float32)[1 28 28 1]
}

// The saturation chart is pure arithmetic: σ(a) and 1 − σ(a) against D(G(z)) = σ(a).
func ExampleSaturationChart() {
	c, err := dcgan.SaturationChart()
	fmt.Println(c != nil, err)
	// Output: true <nil>
}

// A tiny run (small networks, 4 iterations, a judge of 20 steps; nothing saved, no live views).
// The notebook runs dcgan.Run(dcgan.Size()) and ends with its RESULT line.
func ExampleRun() {
	cfg := dcgan.Quick()
	cfg.GFeatures, cfg.DFeatures, cfg.Steps, cfg.EpochSteps, cfg.Samples = 8, 8, 4, 2, 20
	cfg.Judge.Steps, cfg.Judge.TestImages = 20, 100
	cfg.CacheDir, cfg.Quiet = "-", true
	out := must.M1(dcgan.Run(cfg))
	fmt.Println(len(out.History.DLoss), "iterations,", len(out.History.Snapshots), "snapshots,", out.Score.N, "samples judged")
	fmt.Println(out.Result().Metric)
	// Output:
	// 4 iterations, 2 snapshots, 20 samples judged
	// confident_samples
}
