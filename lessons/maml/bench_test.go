package maml

import (
	"testing"

	"github.com/dl4go/dl4go/gomlxext"
)

// BenchmarkMetaStep times one meta-step of each method at the full configuration (the compute cost
// the lesson reports): go test -run NONE -bench MetaStep -benchtime 20x ./lessons/maml/
func BenchmarkMetaStep(b *testing.B) {
	backend, err := gomlxext.Backend()
	if err != nil {
		b.Fatal(err)
	}
	for _, m := range Methods {
		b.Run(m.key(), func(b *testing.B) {
			t, err := newTrainer(backend, m, Full(), "")
			if err != nil {
				b.Fatal(err)
			}
			defer t.finalize()
			if _, err := t.runStep(); err != nil { // compile
				b.Fatal(err)
			}
			b.ResetTimer()
			for range b.N {
				if _, err := t.runStep(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
