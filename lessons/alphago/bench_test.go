package alphago

import (
	"fmt"
	"testing"
)

// BenchmarkNetEvaluate measures DualNet evaluations (positions/s) at the batch sizes the
// search uses.
func BenchmarkNetEvaluate(b *testing.B) {
	net, err := NewZeroNet(NetConfig{Size: 5, Channels: 16, Blocks: 2}, 1, 1e-3)
	if err != nil {
		b.Fatal(err)
	}
	for _, bs := range []int{8, 32, 64} {
		b.Run(fmt.Sprintf("batch%d", bs), func(b *testing.B) {
			ps := make([]*Position, bs)
			for i := range ps {
				p := NewPosition(5, 0.5)
				ps[i] = &p
			}
			for b.Loop() {
				if _, _, err := net.Evaluate(ps); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(bs*b.N)/b.Elapsed().Seconds(), "evals/s")
		})
	}
}
