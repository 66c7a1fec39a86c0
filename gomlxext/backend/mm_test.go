package backend_test

import (
	"fmt"
	"testing"

	"github.com/dl4go/dl4go/gomlxext/backend"

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

// BenchmarkMatmulKernels times the matmul with the AVX2 kernel alone and
// with the AVX-512 one (where the CPU has it), side by side, in GFLOP per
// second of wall time and of process CPU time (robust to other processes).
func BenchmarkMatmulKernels(b *testing.B) {
	for _, d := range [][3]int{{128, 784, 256}, {128, 288, 64}, {4096, 64, 128}} {
		m, k, n := d[0], d[1], d[2]
		lhs, rhs, out := make([]float32, m*k), make([]float32, k*n), make([]float32, m*n)
		for i := range lhs {
			lhs[i] = float32(i%7) - 3
		}
		for i := range rhs {
			rhs[i] = float32(i%5) - 2
		}
		for _, avx512 := range []bool{false, true} {
			if avx512 && !backend.HasAVX512 {
				continue
			}
			b.Run(fmt.Sprintf("%dx%dx%d/avx512=%v", m, k, n, avx512), func(b *testing.B) {
				defer backend.UseAVX512(avx512)()
				cpu0 := cpuTime()
				for b.Loop() {
					backend.MatmulF32(lhs, rhs, out, 1, m, k, n)
				}
				flop := 2 * float64(m*k*n) * float64(b.N)
				b.ReportMetric(flop/b.Elapsed().Seconds()/1e9, "GFLOP/s")
				b.ReportMetric(flop/(cpuTime()-cpu0).Seconds()/1e9, "GFLOP/cpu-s")
			})
		}
	}
}
