package backend_test

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/backends"

	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/train"
)

// TestNodesAtOnceMatchOneAfterAnother trains the CNN, the transformer and the batch-norm
// ResNet a few steps with every stage and kernel run one after another ("nodes=1") and with
// up to 4 at once, and requires the same losses to the bit: running independent nodes at the
// same time changes when they run, never what they compute (run it with -race too).
func TestNodesAtOnceMatchOneAfterAnother(t *testing.T) {
	type job struct {
		name  string
		model train.ModelFn
		data  func(*rand.Rand, int) (*tensors.Tensor, *tensors.Tensor)
		lr    float64
	}
	jobs := []job{
		{"cnn", cnnModel, syntheticImages, 1e-3},
		{"transformer", transformerModel, syntheticTokens, 1e-3},
		{"resnet", resNetModel, syntheticImages, 1e-2},
	}
	const steps = 4
	losses := func(config string, j job) []float32 {
		x, y := j.data(rand.New(rand.NewPCG(1, 2)), 16)
		tr := newTrainer(newBackend(t, config), j.model, j.lr)
		var out []float32
		for i := range steps {
			m, err := tr.TrainStep(nil, []*tensors.Tensor{x}, []*tensors.Tensor{y})
			if err != nil {
				t.Fatalf("%s on %s, step %d: %v", j.name, config, i, err)
			}
			out = append(out, tensors.ToScalar[float32](m[0]))
		}
		return out
	}
	for _, j := range jobs {
		one, many := losses("dl4go:nodes=1", j), losses("dl4go:nodes=4", j)
		for i := range one {
			if one[i] != many[i] {
				t.Errorf("%s step %d: loss %v one node at a time, %v with 4 at once", j.name, i, one[i], many[i])
			}
		}
	}
}

// TestNodesOption refuses a bad "nodes=" option with an error that names it.
func TestNodesOption(t *testing.T) {
	for _, bad := range []string{"dl4go:nodes=0", "dl4go:nodes=x"} {
		_, err := backends.NewWithConfig(bad)
		if err == nil || !strings.Contains(err.Error(), "nodes=") {
			t.Errorf("%q: error %v, want one naming the nodes= option", bad, err)
		}
	}
}
