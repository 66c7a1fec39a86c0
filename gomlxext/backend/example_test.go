package backend_test

import (
	"fmt"
	"math"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/graph"

	"github.com/dl4go/dl4go/gomlxext/backend" // registers "dl4go"
)

// Importing the package registers the "dl4go" backend; select it by name
// (or with GOMLX_BACKEND=dl4go). Here it runs a max pool, which plain
// simplego can run, and its gradient, which plain simplego cannot
// (SelectAndScatterMax is missing there).
func Example() {
	b, err := backends.NewWithConfig("dl4go")
	if err != nil {
		panic(err)
	}
	grad := graph.MustNewExec(b, func(x *graph.Node) *graph.Node {
		pooled := graph.MaxPool(x).Window(2).Done() // [batch 1, width 6, channels 1] → [1, 3, 1]
		return graph.Gradient(graph.ReduceAllSum(pooled), x)[0]
	})
	fmt.Println(b.String())
	g := grad.MustExec([][][]float32{{{1}, {5}, {3}, {2}, {4}, {0}}})[0]
	fmt.Println(g.Value().([][][]float32)[0])
	// Output:
	// dl4go
	// [[0] [1] [1] [0] [1] [0]]
}

// RFFT works on real/imaginary pairs (simplego has no complex dtypes): the
// spectrum of a cosine with 2 periods in 8 samples has one peak at bin 2.
func ExampleRFFT() {
	b, err := backends.NewWithConfig("dl4go")
	if err != nil {
		panic(err)
	}
	spectrum := graph.MustNewExec(b, func(x *graph.Node) *graph.Node {
		re, im := backend.RFFT(x) // [8] → [5], [5]
		return graph.Sqrt(graph.Add(graph.Mul(re, re), graph.Mul(im, im)))
	})
	x := make([]float64, 8)
	for i := range x {
		x[i] = math.Cos(2 * math.Pi * 2 * float64(i) / 8)
	}
	for _, v := range spectrum.MustExec(x)[0].Value().([]float64) {
		fmt.Printf("%.1f ", v)
	}
	fmt.Println()
	// Output:
	// 0.0 0.0 4.0 0.0 0.0
}
