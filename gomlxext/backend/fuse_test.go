package backend_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // GoMLX graph-building style.
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/layers/activations"
	"github.com/gomlx/gomlx/pkg/ml/train"

	"github.com/dl4go/dl4go/gomlxext/backend"
)

// elementwiseChains builds elementwise expressions the way GoMLX emits them
// (ReLU forward and backward, an Adam-like update, a normalisation, unary
// math, broadcasts of a row, a column and one value), with intermediates
// shared between outputs.
func elementwiseChains(x []*Node) []*Node {
	a, v, m := x[0], x[1], x[2]
	g := a.Graph()
	relu := activations.Relu(a)
	reluGrad := Mul(v, NonNegativeIndicator(Sub(a, ZerosLike(a))))
	m2 := Add(MulScalar(m, 0.9), MulScalar(v, 0.1))
	upd := Div(MulScalar(m2, 1e-3), AddScalar(Sqrt(Abs(m2)), 1e-8))
	centred := Sub(a, Mul(m2, Scalar(g, dtypes.Float32, 0.5)))
	norm := Mul(centred, Rsqrt(AddScalar(Square(centred), 1e-3)))
	misc := Add(Neg(Exp(MinScalar(a, 10))), Tanh(Logistic(Max(v, OneMinus(m)))))
	shared := Tanh(MinScalar(v, 5)) // used by two fused outputs only: computed once
	cols := a.Shape().Dimensions[1]
	perColumn := Add(MulScalar(a, 2), Reshape(ReduceSum(v, 0), 1, cols))           // [cols] → [rows, cols]
	perRow := Mul(Sub(m, ReduceAndKeep(a, ReduceMean, -1)), Slice(v, AxisElem(0))) // [rows, 1] and [1, cols]
	one := Div(v, AddScalar(Reshape(ReduceAllMax(Abs(m)), 1, 1), 1))               // [1, 1] → [rows, cols]
	rows := a.Shape().Dimensions[0]
	explicit := Sub(BroadcastToDims(Reshape(ReduceMax(m, 0), 1, cols), rows, cols), a) // a BroadcastInDim op
	return []*Node{relu, reluGrad, m2, upd, norm, misc, Sign(Sub(a, v)), Log(AddScalar(Abs(a), 1)),
		Mul(shared, a), Sub(shared, m), perColumn, perRow, one, explicit}
}

// specialTensor is [rows, cols] float32 with random values and special ones
// (±0, ±Inf, NaN, subnormals) sprinkled in.
func specialTensor(rng *rand.Rand, rows, cols int) *tensors.Tensor {
	special := []float32{0, float32(math.Copysign(0, -1)), float32(math.Inf(1)), float32(math.Inf(-1)),
		float32(math.NaN()), 1e-40, -1e-39}
	v := make([]float32, rows*cols)
	for i := range v {
		v[i] = 4*rng.Float32() - 2
		if rng.IntN(50) == 0 {
			v[i] = special[rng.IntN(len(special))]
		}
	}
	return tensors.FromFlatDataAndDimensions(v, rows, cols)
}

func sameBits(a, b []float32) int {
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) && !(a[i] != a[i] && b[i] != b[i]) {
			return i
		}
	}
	return -1
}

// TestFusionMatchesUnfused compares fused elementwise kernels with the same
// graphs unfused ("dl4go:nofuse"), bit for bit, on large operands (fused by
// default) and on small ones with every op on a kernel ("kernelall").
func TestFusionMatchesUnfused(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	for _, c := range []struct {
		fused, unfused string
		rows, cols     int
	}{{"dl4go", "dl4go:nofuse", 128, 300}, {"dl4go:kernelall", "dl4go:kernelall,nofuse", 3, 7}} {
		var vals [][]float32
		for range 3 {
			vals = append(vals, tensors.MustCopyFlatData[float32](specialTensor(rng, c.rows, c.cols)))
		}
		args := func() []any { // fresh tensors for each backend
			out := make([]any, len(vals))
			for i, v := range vals {
				out[i] = tensors.FromFlatDataAndDimensions(v, c.rows, c.cols)
			}
			return out
		}
		built, bcasts := backend.FusedBuilt(), backend.FusedBroadcasts()
		got := MustNewExec(newBackend(t, c.fused), elementwiseChains).MustExec(args()...)
		if backend.FusedBuilt() == built {
			t.Fatalf("%s built no fused kernel", c.fused)
		}
		t.Logf("%s: %d broadcasts read in place", c.fused, backend.FusedBroadcasts()-bcasts)
		if backend.FusedBroadcasts()-bcasts < 5 {
			t.Fatalf("%s read %d broadcasts in place, want at least 5 (a row, a column, a value, an explicit one)", c.fused, backend.FusedBroadcasts()-bcasts)
		}
		built = backend.FusedBuilt()
		want := MustNewExec(newBackend(t, c.unfused), elementwiseChains).MustExec(args()...)
		if backend.FusedBuilt() != built {
			t.Fatalf("%s built fused kernels", c.unfused)
		}
		for i := range want {
			g, w := tensors.MustCopyFlatData[float32](got[i]), tensors.MustCopyFlatData[float32](want[i])
			if j := sameBits(g, w); j >= 0 {
				t.Fatalf("%s output %d [%d]: fused %g, unfused %g", c.fused, i, j, g[j], w[j])
			}
		}
	}
}

// TestFusedTrainingMatchesUnfused trains the CNN (ReLU, max-pool, Adam) for
// a few steps fused and unfused: the losses must agree bit for bit.
func TestFusedTrainingMatchesUnfused(t *testing.T) {
	var losses [2][]float32
	for i, cfg := range []string{"dl4go", "dl4go:nofuse"} {
		rng := rand.New(rand.NewPCG(1, 2))
		x, y := syntheticImages(rng, 32)
		tr := newTrainer(newBackend(t, cfg), cnnModel, 1e-3)
		for range 4 {
			m, err := tr.TrainStep(nil, []*tensors.Tensor{x}, []*tensors.Tensor{y})
			if err != nil {
				t.Fatal(err)
			}
			losses[i] = append(losses[i], tensors.ToScalar[float32](m[0]))
		}
	}
	if j := sameBits(losses[0], losses[1]); j >= 0 {
		t.Fatalf("step %d loss: fused %g, unfused %g (all: %v vs %v)", j, losses[0][j], losses[1][j], losses[0], losses[1])
	}
	_ = train.Dataset(nil)
}

// BenchmarkFusion times elementwiseChains on [512, 1024] float32 operands,
// fused and unfused, and ReLU's gradient alone.
func BenchmarkFusion(b *testing.B) {
	rng := rand.New(rand.NewPCG(9, 9))
	var vals [][]float32
	for range 3 {
		vals = append(vals, tensors.MustCopyFlatData[float32](specialTensor(rng, 512, 1024)))
	}
	reluGrad := func(x []*Node) []*Node {
		return []*Node{Mul(x[1], NonNegativeIndicator(Sub(x[0], ZerosLike(x[0]))))}
	}
	for _, fn := range []struct {
		name string
		f    func([]*Node) []*Node
	}{{"chains", elementwiseChains}, {"relu-grad", reluGrad}} {
		for _, cfg := range []string{"dl4go", "dl4go:nofuse"} {
			b.Run(fn.name+"/"+cfg, func(b *testing.B) {
				exec := MustNewExec(newBackend(b, cfg), fn.f)
				args := make([]any, 3)
				for i, v := range vals {
					args[i] = tensors.FromFlatDataAndDimensions(v, 512, 1024)
				}
				exec.MustExec(args...)
				cpu0 := cpuTime()
				for b.Loop() {
					for _, o := range exec.MustExec(args...) {
						o.FinalizeAll()
					}
				}
				b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(b.N), "cpu-µs/op")
			})
		}
	}
}
