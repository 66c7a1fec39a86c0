package efficiency

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/gomlx/gomlx/backends"
	G "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/layers"
	"github.com/gomlx/gomlx/pkg/ml/layers/activations"

	"github.com/dl4go/dl4go/data/mnist"
)

// The lesson's models. Images are MNIST digits x [batch, 28, 28] in [0, 1]; every model returns
// logits [batch, 10].

// CNNConfig sizes the teacher: conv 3×3·C1 → ReLU → max-pool 2 → conv 3×3·C2 → ReLU → max-pool 2
// → dense Hidden → ReLU → dense 10 ("same" padding, so 28 → 14 → 7).
type CNNConfig struct {
	C1, C2, Hidden int
}

// MLPConfig sizes a small fully connected net: 784 → Hidden → ReLU → 10.
type MLPConfig struct {
	Hidden int
}

// Model scopes.
const (
	teacherScope = "teacher"
	studentScope = "student"
	mlpScope     = "mlp"
)

// cnnFeatures is the teacher's convolutional stage (the first stage of the model-parallel
// pipeline): x [batch, 28, 28] → flattened feature maps [batch, 7·7·C2].
func cnnFeatures(ctx *context.Context, x *G.Node, c CNNConfig) *G.Node {
	ctx = ctx.In(teacherScope)
	h := G.ExpandAxes(x, -1) // [batch, 28, 28, 1]
	for i, ch := range []int{c.C1, c.C2} {
		h = activations.Relu(layers.Convolution(ctx.In(fmt.Sprintf("conv%d", i)), h).Channels(ch).KernelSize(3).PadSame().Done())
		h = G.MaxPool(h).Window(2).Done()
	}
	return G.Reshape(h, h.Shape().Dimensions[0], -1)
}

// cnnHead is the teacher's dense stage (the pipeline's second): features [batch, 7·7·C2] →
// logits [batch, 10].
func cnnHead(ctx *context.Context, f *G.Node, c CNNConfig) *G.Node {
	ctx = ctx.In(teacherScope)
	h := activations.Relu(layers.DenseWithBias(ctx.In("dense0"), f, c.Hidden))
	return layers.DenseWithBias(ctx.In("dense1"), h, mnist.NumClasses)
}

// cnnLogits is the whole teacher: x [batch, 28, 28] → logits [batch, 10].
func cnnLogits(ctx *context.Context, x *G.Node, c CNNConfig) *G.Node {
	return cnnHead(ctx, cnnFeatures(ctx, x, c), c)
}

// mlpLogits is a small MLP under scope: x [batch, 28, 28] → logits [batch, 10].
func mlpLogits(ctx *context.Context, scope string, x *G.Node, c MLPConfig) *G.Node {
	ctx = ctx.In(scope)
	h := G.Reshape(x, x.Shape().Dimensions[0], -1)
	h = activations.Relu(layers.DenseWithBias(ctx.In("dense0"), h, c.Hidden))
	return layers.DenseWithBias(ctx.In("dense1"), h, mnist.NumClasses)
}

// Data is the lesson's split of MNIST: the first TrainSize training images, the next ValSize
// (validation: what the distillation temperature is chosen on; no model trains on them), and
// the first TestSize test images (held out: no model trains on them, nothing is chosen on them).
type Data struct {
	Train, Val, Test *mnist.Set
}

func loadData(trainSize, valSize, testSize int) (*Data, error) {
	train, err := mnist.Load(mnist.Train)
	if err != nil {
		return nil, fmt.Errorf("efficiency: %w", err)
	}
	test, err := mnist.Load(mnist.Test)
	if err != nil {
		return nil, fmt.Errorf("efficiency: %w", err)
	}
	if trainSize < 1 || valSize < 0 || trainSize+valSize > len(train.Labels) || testSize < 1 || testSize > len(test.Labels) {
		return nil, fmt.Errorf("efficiency: TrainSize %d + ValSize %d must be at most %d, TestSize %d in 1..%d",
			trainSize, valSize, len(train.Labels), testSize, len(test.Labels))
	}
	val := &mnist.Set{Split: train.Split, Images: train.Images[trainSize*px : (trainSize+valSize)*px], Labels: train.Labels[trainSize : trainSize+valSize]}
	return &Data{Train: subset(train, trainSize), Val: val, Test: subset(test, testSize)}, nil
}

const px = mnist.Height * mnist.Width

// subset is the first n examples of s.
func subset(s *mnist.Set, n int) *mnist.Set {
	return &mnist.Set{Split: s.Split, Images: s.Images[:n*px], Labels: s.Labels[:n]}
}

// batchOf stacks the examples idx of s: images [len(idx), 28, 28] and labels [len(idx), 1].
func batchOf(s *mnist.Set, idx []int) (*tensors.Tensor, *tensors.Tensor) {
	img := make([]float32, 0, len(idx)*px)
	lab := make([]int32, len(idx))
	for i, j := range idx {
		img = append(img, s.Images[j*px:(j+1)*px]...)
		lab[i] = s.Labels[j]
	}
	return tensors.FromFlatDataAndDimensions(img, len(idx), mnist.Height, mnist.Width), tensors.FromFlatDataAndDimensions(lab, len(idx), 1)
}

// sample draws n example indices out of size, from the step's own random stream.
func sample(seed uint64, step int64, n, size int) []int {
	r := rand.New(rand.NewPCG(seed, uint64(step)))
	idx := make([]int, n)
	for i := range idx {
		idx[i] = r.IntN(size)
	}
	return idx
}

// evalChunk is how many images one call of an evaluation graph takes: the last chunk is padded,
// so each graph compiles for one shape.
const evalChunk = 500

// logitsOf runs exec (x [evalChunk, 28, 28] → logits [evalChunk, 10]) over all of s.
func logitsOf(exec *context.Exec, s *mnist.Set) ([][]float32, error) {
	n := len(s.Labels)
	out := make([][]float32, 0, n)
	for start := 0; start < n; start += evalChunk {
		idx := make([]int, evalChunk)
		for i := range idx {
			idx[i] = min(start+i, n-1)
		}
		x, _ := batchOf(s, idx)
		res, err := exec.Exec(x)
		if err != nil {
			return nil, fmt.Errorf("efficiency: evaluate: %w", err)
		}
		flat := tensors.MustCopyFlatData[float32](res[0])
		for i := 0; i < evalChunk && start+i < n; i++ {
			out = append(out, flat[i*mnist.NumClasses:(i+1)*mnist.NumClasses])
		}
	}
	return out, nil
}

// accuracy is the share of s whose largest logit is its label.
func accuracy(exec *context.Exec, s *mnist.Set) (float64, error) {
	logits, err := logitsOf(exec, s)
	if err != nil {
		return 0, err
	}
	right := 0
	for i, l := range logits {
		if argmax(l) == int(s.Labels[i]) {
			right++
		}
	}
	return float64(right) / float64(len(logits)), nil
}

func argmax(v []float32) int {
	best := 0
	for i := range v {
		if v[i] > v[best] {
			best = i
		}
	}
	return best
}

// logitsExec compiles a model's logits on ctx (whose variables must exist).
func logitsExec(backend backends.Backend, ctx *context.Context, model func(ctx *context.Context, x *G.Node) *G.Node) (*context.Exec, error) {
	exec, err := context.NewExec(backend, ctx.Reuse(), model)
	if err != nil {
		return nil, fmt.Errorf("efficiency: %w", err)
	}
	return exec, nil
}

// cloneWeights copies the trainable float32 variables of src under the scope into a fresh
// context (no optimizer state, no global step): the starting point of another training run.
func cloneWeights(src *context.Context, scope string) (*context.Context, error) {
	dst := context.New()
	prefix := "/" + scope
	for v := range src.IterVariables() {
		if !v.Trainable || (v.Scope() != prefix && !strings.HasPrefix(v.Scope(), prefix+"/")) {
			continue
		}
		t, err := v.Value()
		if err != nil {
			return nil, fmt.Errorf("efficiency: copy %s: %w", v.ScopeAndName(), err)
		}
		c, err := t.LocalClone()
		if err != nil {
			return nil, fmt.Errorf("efficiency: copy %s: %w", v.ScopeAndName(), err)
		}
		dst.InAbsPath(v.Scope()).Checked(false).VariableWithValue(v.Name(), c)
	}
	return dst, nil
}

// Weight is one trainable variable: its scope and name ("/teacher/conv0/conv/weights"), shape
// and values (row-major).
type Weight struct {
	Name   string
	Dims   []int
	Values []float32
}

// weightsOf returns the trainable float32 variables of ctx under scope, sorted by name.
func weightsOf(ctx *context.Context, scope string) ([]Weight, error) {
	var out []Weight
	prefix := "/" + scope
	for v := range ctx.IterVariables() {
		if !v.Trainable || (v.Scope() != prefix && !strings.HasPrefix(v.Scope(), prefix+"/")) {
			continue
		}
		t, err := v.Value()
		if err != nil {
			return nil, fmt.Errorf("efficiency: %s: %w", v.ScopeAndName(), err)
		}
		vals, err := tensors.CopyFlatData[float32](t)
		if err != nil {
			return nil, fmt.Errorf("efficiency: %s: %w", v.ScopeAndName(), err)
		}
		out = append(out, Weight{v.ScopeAndName(), append([]int(nil), v.Shape().Dimensions...), vals})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("efficiency: no trainable variables under /%s", scope)
	}
	slices.SortFunc(out, func(a, b Weight) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// setWeights writes values into ctx's variables of the same scope and name.
func setWeights(ctx *context.Context, ws []Weight) error {
	for _, w := range ws {
		i := strings.LastIndex(w.Name, "/")
		v := ctx.GetVariableByScopeAndName(w.Name[:i], w.Name[i+1:])
		if v == nil {
			return fmt.Errorf("efficiency: the context has no variable %s", w.Name)
		}
		if err := v.SetValue(tensors.FromFlatDataAndDimensions(w.Values, w.Dims...)); err != nil {
			return fmt.Errorf("efficiency: set %s: %w", w.Name, err)
		}
	}
	return nil
}

// countParams is the number of scalars in ws.
func countParams(ws []Weight) int {
	n := 0
	for _, w := range ws {
		n += len(w.Values)
	}
	return n
}
