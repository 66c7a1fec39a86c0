package backend_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/train"

	"github.com/dl4go/dl4go/gomlxext/backend"
)

// benchTrain measures one Adam training step at batch 64: wall time as
// ns/op and process CPU time as cpu-ms/step. The first step (graph
// compilation) is not timed.
func benchTrain(b *testing.B, config string, model train.ModelFn, data func() (*tensors.Tensor, *tensors.Tensor)) {
	be := newBackend(b, config)
	x, y := data()
	tr := newTrainer(be, model, 1e-3)
	trainSteps(b, tr, x, y, 1)
	b.ResetTimer()
	cpu0, n := cpuTime(), 0
	for b.Loop() {
		if _, err := tr.TrainStep(nil, []*tensors.Tensor{x}, []*tensors.Tensor{y}); err != nil {
			b.Fatal(err)
		}
		n++
	}
	// CPU time per step is robust to other processes sharing the cores;
	// wall time (ns/op) is what a user waits.
	b.ReportMetric(float64(cpuTime()-cpu0)/1e6/float64(n), "cpu-ms/step")
	b.ReportMetric(peakRSSMB(), "peak-RSS-MB")
}

func images64() (*tensors.Tensor, *tensors.Tensor) {
	return syntheticImages(rand.New(rand.NewPCG(3, 4)), 64)
}

func BenchmarkMLP(b *testing.B) {
	for _, cfg := range []string{"dl4go", "go"} {
		b.Run(cfg, func(b *testing.B) { benchTrain(b, cfg, mlpModel, images64) })
	}
}

// BenchmarkCNN runs only on "dl4go": plain simplego cannot train the CNN
// (Reverse, SelectAndScatterMax and Pad are missing).
func BenchmarkCNN(b *testing.B) {
	b.Run("dl4go", func(b *testing.B) { benchTrain(b, "dl4go", cnnModel, images64) })
}

func BenchmarkTransformer(b *testing.B) {
	for _, cfg := range []string{"dl4go", "go"} {
		b.Run(cfg, func(b *testing.B) { benchTrain(b, cfg, transformerModel, tokens64) })
	}
}

func tokens64() (*tensors.Tensor, *tensors.Tensor) {
	return syntheticTokens(rand.New(rand.NewPCG(5, 6)), 64)
}

// BenchmarkFFT times graph.FFT on complex64 [64, n] on dl4go, against the
// O(n²) DFT helper on the same data for n ≤ 1024: the FFT's time per
// element grows with log n (radix-2 for powers of two, Bluestein otherwise).
func BenchmarkFFT(b *testing.B) {
	be := newBackend(b, "dl4go")
	for _, n := range []int{256, 1000, 1024, 4096, 16384} {
		x := make([]complex64, 64*n)
		for i := range x {
			x[i] = complex(float32(i%17), float32(i%5))
		}
		xt := tensors.FromFlatDataAndDimensions(x, 64, n)
		b.Run(fmt.Sprintf("FFT/n=%d", n), func(b *testing.B) {
			exec := graph.MustNewExec(be, func(x *graph.Node) *graph.Node { return graph.FFT(x) })
			exec.MustExec(xt)[0].FinalizeAll()
			for b.Loop() {
				exec.MustExec(xt)[0].FinalizeAll()
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(64*n), "ns/element")
		})
		if n > 1024 {
			continue
		}
		b.Run(fmt.Sprintf("DFT-helper/n=%d", n), func(b *testing.B) {
			exec := graph.MustNewExec(be, func(x *graph.Node) []*graph.Node {
				re, im := backend.DFT(graph.Real(x), graph.Imag(x), false)
				return []*graph.Node{re, im}
			})
			exec.MustExec(xt)
			for b.Loop() {
				for _, t := range exec.MustExec(xt) {
					t.FinalizeAll()
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(64*n), "ns/element")
		})
	}
}
