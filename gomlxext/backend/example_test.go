package backend_test

import (
	"fmt"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/graph"

	_ "github.com/dl4go/dl4go/gomlxext/backend" // registers "dl4go"
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
