package backend_test

import (
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/train"
)

// TestConcurrentTraining trains the MLP, the CNN, the transformer and the
// batch-norm ResNet at the same time on one "dl4go" backend, two trainers of
// each, so that executions, buffer pools and the SIMD kernel's scratch
// buffers interleave (run it with -race). Every loss must stay finite and
// fall.
func TestConcurrentTraining(t *testing.T) {
	b := newBackend(t, "dl4go")
	type job struct {
		name  string
		model train.ModelFn
		data  func(*rand.Rand, int) (*tensors.Tensor, *tensors.Tensor)
		lr    float64
		batch int
	}
	jobs := []job{
		{"mlp", mlpModel, syntheticImages, 1e-3, 32},
		{"cnn", cnnModel, syntheticImages, 1e-3, 16},
		{"transformer", transformerModel, syntheticTokens, 1e-3, 16},
		{"resnet", resNetModel, syntheticImages, 1e-2, 16},
	}
	const copies, steps = 2, 8
	var wg sync.WaitGroup
	for ji, j := range jobs {
		for c := range copies {
			rng := rand.New(rand.NewPCG(uint64(ji), uint64(c)))
			x, y := j.data(rng, j.batch+4*c) // different shapes per copy
			tr := newTrainer(b, j.model, j.lr)
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range steps {
					m, err := tr.TrainStep(nil, []*tensors.Tensor{x}, []*tensors.Tensor{y})
					if err != nil {
						t.Errorf("%s copy %d step %d: %v", j.name, c, i, err)
						return
					}
					loss := tensors.ToScalar[float32](m[0])
					if loss != loss || loss > 1e6 {
						t.Errorf("%s copy %d step %d: loss %v", j.name, c, i, loss)
						return
					}
				}
			}()
		}
	}
	wg.Wait()
}
