package backend_test

import (
	"testing"
	"time"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // GoMLX graph-building style.
	"github.com/gomlx/gomlx/pkg/core/shapes"
)

// parallelDots is a graph of many independent batched DotGenerals, each
// large enough for simplego to split it across workers: the pattern that can
// deadlock simplego's worker pool when ops also run in parallel on 2 CPUs.
func parallelDots(g *Graph) *Node {
	var sum *Node
	for i := range 12 {
		a := AddScalar(IotaFull(g, shapes.Make(dtypes.Float32, 8, 96, 96)), float64(i))
		a = MulScalar(a, 1e-5)
		d := Einsum("bij,bjk->bik", a, a)
		d = Einsum("bij,bjk->bik", d, a)
		if sum == nil {
			sum = ReduceAllSum(d)
		} else {
			sum = Add(sum, ReduceAllSum(d))
		}
	}
	return sum
}

// TestNoDeadlock runs the nested-parallel DotGeneral graph a few times on
// "dl4go" (sequential ops, the default), without the SIMD kernel (every
// DotGeneral inside simplego), and with parallel ops and unlimited workers,
// and fails if a run does not finish within a minute. Plain simplego ("go",
// parallel ops with a pool of 2×NumCPU workers) hangs on this graph on a
// 2-CPU machine.
func TestNoDeadlock(t *testing.T) {
	for _, cfg := range []string{"dl4go", "dl4go:nokernel", "dl4go:ops_parallel,parallelism=-1,nokernel"} {
		t.Run(cfg, func(t *testing.T) {
			exec := MustNewExec(newBackend(t, cfg), parallelDots)
			done := make(chan error, 1)
			go func() {
				for range 5 {
					if _, err := exec.Exec(); err != nil {
						done <- err
						return
					}
				}
				done <- nil
			}()
			select {
			case err := <-done:
				if err != nil {
					t.Fatal(err)
				}
			case <-time.After(time.Minute):
				t.Fatalf("%s did not finish in a minute: worker pool deadlock?", cfg)
			}
		})
	}
}
