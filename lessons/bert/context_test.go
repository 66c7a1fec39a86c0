package bert

import (
	"math/rand/v2"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"

	"github.com/dl4go/dl4go/gomlxext"
)

// TestEncoderUsesContext trains a tiny encoder with the MLM head on sequences that count up
// (k, k+1, k+2, … from a random start): a masked token can only be known from its neighbours, so
// beating the 1/40 chance level by far proves the attention carries context.
func TestEncoderUsesContext(t *testing.T) {
	m := Model{Vocab: 45, SeqLen: 12, Layers: 1, Dim: 32, Heads: 2, FFN: 64, PreNorm: true}
	acc := trainMaskedToy(t, m, 3e-3, 400, 10, func(rng *rand.Rand) (row []int32, p int, tgt int32) {
		start := MASK + 1 + rng.IntN(m.Vocab-MASK-1-m.SeqLen)
		p = rng.IntN(m.SeqLen)
		for i := range m.SeqLen {
			row = append(row, int32(start+i))
		}
		tgt, row[p] = row[p], MASK
		return row, p, tgt
	})
	t.Logf("accuracy over the last 10 steps: %.3f", acc)
	if acc < 0.5 {
		t.Errorf("masked-token accuracy %.3f: the encoder does not use the context", acc)
	}
}

// TestEncoderFindsNeighbour trains the lesson's encoder (one block, with Full's relative-position
// bias and its local start) on inputs of 32 random tokens, one of them [MASK]ed, whose answer is
// the token just left of the gap: nothing but attention to the previous position solves it.
// Without the local start (a zero bias, or none) the same encoder stays at chance (1/195) for
// hundreds of steps (docs/experiments/bert.md); with it, it must be nearly always right after
// 300 steps.
func TestEncoderFindsNeighbour(t *testing.T) {
	full := Full().Model
	m := Model{Vocab: 200, SeqLen: 32, Layers: 1, Dim: 64, Heads: 2, FFN: 128, PreNorm: true, RelPos: full.RelPos, RelDecay: full.RelDecay}
	const steps = 300
	acc := trainMaskedToy(t, m, 1e-3, steps, 20, func(rng *rand.Rand) (row []int32, p int, tgt int32) {
		p = 1 + rng.IntN(m.SeqLen-1)
		row = make([]int32, m.SeqLen)
		for i := range row {
			row[i] = int32(MASK + 1 + rng.IntN(m.Vocab-MASK-1))
		}
		tgt, row[p] = row[p-1], MASK
		return row, p, tgt
	})
	t.Logf("accuracy over the last 20 of %d steps: %.3f", steps, acc)
	if acc < 0.9 {
		t.Errorf("left-neighbour accuracy %.3f after %d steps: the encoder does not find the neighbour", acc, steps)
	}
}

// trainMaskedToy trains encoder m with the MLM head (Adam at lr) for steps steps of 32 inputs
// drawn by example (one [MASK]ed position p per input, its answer tgt) and returns the mean
// masked-token accuracy of the last `last` steps.
func trainMaskedToy(t *testing.T, m Model, lr float64, steps, last int, example func(*rand.Rand) ([]int32, int, int32)) float64 {
	t.Helper()
	backend, err := gomlxext.Backend()
	if err != nil {
		t.Fatal(err)
	}
	ctx := newContext(3)
	opt := optimizers.Adam().LearningRate(lr).Done()
	exec, err := context.NewExec(backend, ctx, func(ctx *context.Context, toks, pos, tgt *graph.Node) []*graph.Node {
		g := toks.Graph()
		ctx.SetTraining(g, true)
		hidden, _ := m.Encode(ctx, toks, graph.ZerosLike(toks))
		loss, acc := maskedCrossEntropy(m.MLMLogits(ctx, hidden, pos), tgt, graph.OnesLike(graph.ConvertDType(tgt, dtypes.Float32)))
		opt.UpdateGraph(ctx, g, loss)
		return []*graph.Node{loss, acc}
	})
	if err != nil {
		t.Fatal(err)
	}
	defer exec.Finalize()
	rng := rand.New(rand.NewPCG(1, 1))
	const b = 32
	acc := 0.0
	for step := range steps {
		var toks, pos, tgt []int32
		for range b {
			row, p, answer := example(rng)
			toks, pos, tgt = append(toks, row...), append(pos, int32(p)), append(tgt, answer)
		}
		out, err := exec.Exec(tensors.FromFlatDataAndDimensions(toks, b, m.SeqLen),
			tensors.FromFlatDataAndDimensions(pos, b, 1), tensors.FromFlatDataAndDimensions(tgt, b, 1))
		if err != nil {
			t.Fatal(err)
		}
		if step >= steps-last {
			acc += float64(tensors.ToScalar[float32](out[1])) / float64(last)
		}
	}
	return acc
}
