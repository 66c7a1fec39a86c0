package backend_test

import (
	"testing"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// BenchmarkMatMul measures simplego's DotGeneral on the MLP's first layer
// [64,784]×[784,256] (12.8 M multiply-adds), reporting GFLOP/s of CPU time.
func BenchmarkMatMul(b *testing.B) {
	be := newBackend(b, "dl4go")
	exec := graph.MustNewExec(be, func(x, w *graph.Node) *graph.Node { return graph.Dot(x, w) })
	x := tensors.FromShape(shapes.Make(dtypes.Float32, 64, 784))
	w := tensors.FromShape(shapes.Make(dtypes.Float32, 784, 256))
	exec.MustExec(x, w)
	b.ResetTimer()
	cpu0, n := cpuTime(), 0
	for b.Loop() {
		exec.MustExec(x, w)
		n++
	}
	b.ReportMetric(2*64*784*256*float64(n)/float64(cpuTime()-cpu0), "GFLOP/s-cpu")
}
