package alphago

import (
	"math/rand/v2"
	"testing"
	"time"
)

func TestProbeSpeed(t *testing.T) {
	for _, nc := range []NetConfig{{5, 16, 2}, {5, 16, 1}, {5, 32, 2}} {
		net, err := NewZeroNet(nc, 1, 1e-3)
		if err != nil {
			t.Fatal(err)
		}
		for _, bs := range []int{16, 32, 64} {
			ps := make([]*Position, bs)
			for i := range ps {
				p := NewPosition(5, 0.5)
				ps[i] = &p
			}
			net.Evaluate(ps)
			t0 := time.Now()
			n := 0
			for time.Since(t0) < time.Second {
				net.Evaluate(ps)
				n++
			}
			el := time.Since(t0)
			t.Logf("%+v batch=%d: %.2f ms/exec, %.0f evals/s", nc, bs, el.Seconds()*1000/float64(n), float64(n*bs)/el.Seconds())
		}
		buf := &replay{cap: 100}
		for i := 0; i < 100; i++ {
			buf.add(sample{make([]float32, 100), make([]float32, 26), 1})
		}
		t0 := time.Now()
		for i := 0; i < 10; i++ {
			pl, pi, z := buf.batch(64, 5, nil2())
			net.Step(pl, pi, z)
		}
		t.Logf("train step batch 64: %v", time.Since(t0)/10)
	}
}

func nil2() *rand.Rand { return rand.New(rand.NewPCG(1, 1)) }
