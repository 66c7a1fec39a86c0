package transfer_test

import (
	"fmt"

	G "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/janpfeifer/must"

	"github.com/dl4go/dl4go/gomlxext"
	xlayers "github.com/dl4go/dl4go/gomlxext/layers"
	"github.com/dl4go/dl4go/lessons/transfer"
)

// WideResNet: k× the filters, fewer layers. The counts match the WRN paper's tables.
func ExampleWideResNetTable() {
	for _, r := range transfer.WideResNetTable() {
		fmt.Printf("%-9s %5.2f M weights (paper %.1f M)\n", r.Name, float64(r.Params)/1e6, r.PaperMillion)
	}
	// Output:
	// WRN-40-1   0.56 M weights (paper 0.6 M)
	// WRN-40-4   8.95 M weights (paper 8.9 M)
	// WRN-16-8  10.96 M weights (paper 11.0 M)
	// WRN-28-10 36.48 M weights (paper 36.5 M)
}

// A basic block and a bottleneck at 256 channels: the formula and the weights of the blocks
// built by gomlxext/layers agree.
func ExampleCountBuilt() {
	basic := must.M1(transfer.CountBuilt(func(ctx *context.Context, x *G.Node) *G.Node {
		return xlayers.ResidualBlock(ctx, x).Channels(256).Done()
	}, 1, 4, 4, 256))
	bottleneck := must.M1(transfer.CountBuilt(func(ctx *context.Context, x *G.Node) *G.Node {
		return xlayers.BottleneckBlock(ctx, x).Channels(256).Bottleneck(64).Done()
	}, 1, 4, 4, 256))
	fmt.Println(basic, transfer.BasicBlockParams(256, 256, false))
	fmt.Println(bottleneck, transfer.BottleneckParams(256, 64))
	// Output:
	// 1180672 1180672
	// 70400 70400
}

// EarlyStopping(monitor='val_acc', patience=2, mode='max') on a sequence of validation
// accuracies: it stops after the second epoch in a row that does not beat the best.
func ExampleRun_earlyStopping() {
	es := &gomlxext.EarlyStopping{Monitor: "val_acc", Patience: 2, Mode: "max"}
	for epoch, acc := range []float64{0.62, 0.71, 0.74, 0.74, 0.73, 0.80} {
		stop := must.M1(es.EpochEnd(epoch+1, map[string]float64{"val_acc": acc}))
		fmt.Printf("epoch %d val_acc %.2f best %.2f wait %d stop %v\n", epoch+1, acc, es.Best, es.Wait, stop)
		if stop {
			break
		}
	}
	// Output:
	// epoch 1 val_acc 0.62 best 0.62 wait 0 stop false
	// epoch 2 val_acc 0.71 best 0.71 wait 0 stop false
	// epoch 3 val_acc 0.74 best 0.74 wait 0 stop false
	// epoch 4 val_acc 0.74 best 0.74 wait 1 stop false
	// epoch 5 val_acc 0.73 best 0.74 wait 2 stop true
}

// A notebook's last cell: run the lesson at its size (training, resuming or restoring) and print
// its RESULT line.
func ExampleRun() {
	cfg := transfer.Quick()
	cfg.Quiet = true
	out := must.M1(transfer.Run(cfg))
	fmt.Println(out.Result().Metric, out.Result().OK())
	// Output: heldout_target_acc_finetune_minus_scratch true
}
