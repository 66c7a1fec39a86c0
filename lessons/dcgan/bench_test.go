package dcgan

import (
	"testing"

	"github.com/dl4go/dl4go/gomlxext"
)

// BenchmarkIteration times one training iteration (G forward, D step, G step) at both sizes:
// go test -run '^$' -bench Iteration -benchtime 20x ./lessons/dcgan
func BenchmarkIteration(b *testing.B) {
	for _, c := range []struct {
		name string
		cfg  Config
	}{{"full", Full()}, {"quick", Quick()}} {
		b.Run(c.name, func(b *testing.B) {
			cfg := c.cfg
			cfg.ProbeSteps = 0
			cfg.Steps, cfg.EpochSteps = 2, 1000
			backend := gomlxext.MustBackend()
			if _, _, _, err := trainRun(backend, cfg, "", nil, true); err != nil { // compile and warm up
				b.Fatal(err)
			}
			cfg.Steps = b.N
			b.ResetTimer()
			if _, _, _, err := trainRun(backend, cfg, "", nil, true); err != nil {
				b.Fatal(err)
			}
		})
	}
}
