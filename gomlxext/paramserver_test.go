package gomlxext

import (
	"math"
	"strings"
	"sync"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/layers"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"
)

// psModel is a linear model y = x·W + b: x [batch, 3] → [batch, 2].
func psModel(ctx *context.Context, x *graph.Node) *graph.Node {
	return layers.DenseWithBias(ctx.In("lin"), x, 2)
}

// psWorker is a worker's context with its gradient executable: the gradients of
// ½·Σ(x·W + b)² on the server's variables.
type psWorker struct {
	ctx  *context.Context
	grad *context.Exec
}

func newPSWorker(t *testing.T, ps *ParamServer) *psWorker {
	t.Helper()
	w := &psWorker{ctx: context.New().Checked(false)}
	if _, err := ps.Pull(w.ctx); err != nil {
		t.Fatal(err)
	}
	var err error
	w.grad, err = context.NewExec(MustBackend(), w.ctx, func(ctx *context.Context, x *graph.Node) []*graph.Node {
		y := psModel(ctx, x)
		loss := graph.MulScalar(graph.ReduceAllSum(graph.Square(y)), 0.5)
		return ps.Gradients(ctx, loss)
	})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

var psInput = tensors.FromFlatDataAndDimensions([]float32{1, 2, 3, -1, 0.5, 2}, 2, 3)

// newTestServer builds the model once on a fresh context and returns a server on it.
func newTestServer(t *testing.T, b *ParamServerBuilder) *ParamServer {
	t.Helper()
	ps, err := b.Done()
	if err != nil {
		t.Fatal(err)
	}
	return ps
}

func builtContext(t *testing.T) *context.Context {
	t.Helper()
	ctx := context.New()
	ctx.SetParam(context.ParamInitialSeed, int64(3))
	exec, err := context.NewExec(MustBackend(), ctx, psModel)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := exec.Exec(psInput); err != nil {
		t.Fatal(err)
	}
	return ctx
}

// gradsOf returns the gradients of the worker's loss at its current weights (W, b order: the
// server's sorted order is /lin/dense/biases, /lin/dense/weights).
func (w *psWorker) gradsOf(t *testing.T) []*tensors.Tensor {
	t.Helper()
	g, err := w.grad.Exec(psInput)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// TestParamServerSGD checks one pull–gradient–push round against the formula: with y = xW + b
// and L = ½Σy², ∂L/∂W = xᵀy and ∂L/∂b = Σ_batch y, and SGD moves W by −lr·xᵀy.
func TestParamServerSGD(t *testing.T) {
	ctx := builtContext(t)
	ps := newTestServer(t, NewParamServer(ctx).SGD(0.1))
	if got := strings.Join(ps.Variables(), ","); got != "/lin/dense/biases,/lin/dense/weights" {
		t.Fatalf("variables %s", got)
	}
	if ps.NumParams() != 2+6 {
		t.Fatalf("NumParams %d, want 8", ps.NumParams())
	}
	before, _ := ps.Values()
	b, W := before[0], before[1] // b [2], W [3, 2]
	x := [][]float64{{1, 2, 3}, {-1, 0.5, 2}}
	var gW [3][2]float64
	var gb [2]float64
	for _, xi := range x {
		for j := range 2 {
			y := float64(b[j])
			for k := range 3 {
				y += xi[k] * float64(W[k*2+j])
			}
			gb[j] += y
			for k := range 3 {
				gW[k][j] += xi[k] * y
			}
		}
	}
	w := newPSWorker(t, ps)
	if s, err := ps.Push(w.gradsOf(t), 0); err != nil || s != 0 {
		t.Fatalf("push: staleness %d, %v", s, err)
	}
	after, version := ps.Values()
	if version != 1 {
		t.Errorf("version %d after one push, want 1", version)
	}
	for j := range 2 {
		if want := float64(b[j]) - 0.1*gb[j]; math.Abs(float64(after[0][j])-want) > 1e-5 {
			t.Errorf("b[%d] = %g, want %g", j, after[0][j], want)
		}
		for k := range 3 {
			if want := float64(W[k*2+j]) - 0.1*gW[k][j]; math.Abs(float64(after[1][k*2+j])-want) > 1e-5 {
				t.Errorf("W[%d][%d] = %g, want %g", k, j, after[1][k*2+j], want)
			}
		}
	}
}

// TestParamServerAdamAndRMSProp applies the same constant gradient three times and compares with
// the optimizers' formulas worked out by hand for one scalar.
func TestParamServerAdamAndRMSProp(t *testing.T) {
	for _, tc := range []struct {
		name string
		b    func(*ParamServerBuilder) *ParamServerBuilder
		step func(t float64, g float64, m, v *float64) float64 // the change of θ at update t
	}{
		{"adam", func(b *ParamServerBuilder) *ParamServerBuilder { return b.Adam(0.01) },
			func(t, g float64, m, v *float64) float64 {
				*m = 0.9**m + 0.1*g
				*v = 0.999**v + 0.001*g*g
				mh, vh := *m/(1-math.Pow(0.9, t)), *v/(1-math.Pow(0.999, t))
				// Kingma & Ba's "efficient" form, which the server uses: ε enters as ε/√(1−β₂ᵗ).
				return -0.01 * mh / (math.Sqrt(vh) + 1e-8/math.Sqrt(1-math.Pow(0.999, t)))
			}},
		{"rmsprop", func(b *ParamServerBuilder) *ParamServerBuilder { return b.RMSProp(0.01, 0.99, 1e-5) },
			func(t, g float64, m, v *float64) float64 {
				*v = 0.99**v + 0.01*g*g
				return -0.01 * g / math.Sqrt(*v+1e-5)
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ps := newTestServer(t, tc.b(NewParamServer(builtContext(t))))
			start, _ := ps.Values()
			grads := [][]float32{{0.5, -2}, {1, 1, 1, 1, 1, 1}}
			theta := float64(start[0][1])
			var m, v float64
			for i := range 3 {
				if _, err := ps.PushFlat(grads, int64(i)); err != nil {
					t.Fatal(err)
				}
				theta += tc.step(float64(i+1), -2, &m, &v)
			}
			got, _ := ps.Values()
			if math.Abs(float64(got[0][1])-theta) > 1e-6 {
				t.Errorf("after 3 updates θ = %.8f, want %.8f", got[0][1], theta)
			}
		})
	}
}

// TestParamServerStaleness: two workers pull the same version; the second push is one update
// stale, and a push from a version the server never had is refused.
func TestParamServerStaleness(t *testing.T) {
	ps := newTestServer(t, NewParamServer(builtContext(t)).SGD(0.01))
	w1, w2 := newPSWorker(t, ps), newPSWorker(t, ps)
	v1, _ := ps.Pull(w1.ctx)
	v2, _ := ps.Pull(w2.ctx)
	if s, err := ps.Push(w1.gradsOf(t), v1); err != nil || s != 0 {
		t.Fatalf("first push: staleness %d, %v; want 0", s, err)
	}
	if s, err := ps.Push(w2.gradsOf(t), v2); err != nil || s != 1 {
		t.Fatalf("second push: staleness %d, %v; want 1", s, err)
	}
	if _, err := ps.Push(w2.gradsOf(t), 7); err == nil {
		t.Error("a push from version 7 of a server at 2 was accepted")
	}
}

// TestParamServerConcurrent pushes from several goroutines at once (run with -race): every
// update is applied exactly once, and the staleness of each is below the number of pushes.
func TestParamServerConcurrent(t *testing.T) {
	ps := newTestServer(t, NewParamServer(builtContext(t)).Adam(1e-3))
	const workers, pushes = 4, 25
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for range workers {
		w := newPSWorker(t, ps)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range pushes {
				v, err := ps.Pull(w.ctx)
				if err == nil {
					var g []*tensors.Tensor
					if g, err = w.grad.Exec(psInput); err == nil {
						var s int64
						if s, err = ps.Push(g, v); err == nil && s >= workers*pushes {
							t.Errorf("staleness %d", s)
						}
					}
				}
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if v := ps.Version(); v != workers*pushes {
		t.Errorf("version %d, want %d", v, workers*pushes)
	}
}

// TestParamServerStoreRestore: a server stored into a context and rebuilt from it continues with
// the same next update as the original (weights, moments and update count all survive).
func TestParamServerStoreRestore(t *testing.T) {
	ps := newTestServer(t, NewParamServer(builtContext(t)).Adam(0.05))
	grads := [][]float32{{0.3, -0.2}, {1, -1, 0.5, 0.25, 2, -3}}
	for i := range 3 {
		if _, err := ps.PushFlat(grads, int64(i)); err != nil {
			t.Fatal(err)
		}
	}
	saved := context.New()
	if err := ps.Store(saved); err != nil {
		t.Fatal(err)
	}
	if s := optimizers.GetGlobalStep(saved); s != 3 {
		t.Errorf("stored global step %d, want 3", s)
	}
	// Through a checkpoint on disk, as a lesson saves and resumes it.
	dir := t.TempDir()
	ck, err := Checkpoints(saved, dir).Done()
	if err != nil {
		t.Fatal(err)
	}
	if err := ck.Save(nil); err != nil {
		t.Fatal(err)
	}
	loaded := context.New()
	if _, err := Checkpoints(loaded, dir).Immediate().Done(); err != nil {
		t.Fatal(err)
	}
	again := newTestServer(t, NewParamServer(loaded).Adam(0.05))
	if again.Version() != 3 {
		t.Fatalf("restored version %d, want 3", again.Version())
	}
	for _, p := range []*ParamServer{ps, again} {
		if _, err := p.PushFlat(grads, 3); err != nil {
			t.Fatal(err)
		}
	}
	a, _ := ps.Values()
	b, _ := again.Values()
	for i := range a {
		for j := range a[i] {
			if a[i][j] != b[i][j] {
				t.Fatalf("after restore, variable %d[%d]: %g vs %g", i, j, b[i][j], a[i][j])
			}
		}
	}
	if _, err := NewParamServer(loaded).RMSProp(0.01, 0.9, 1e-6).Done(); err == nil || !strings.Contains(err.Error(), "another optimizer") {
		t.Errorf("an RMSProp server on Adam's saved state: %v; want a refusal naming the other optimizer", err)
	}
}

// TestParamServerErrors: each kind of bad input is refused with a message naming the problem.
func TestParamServerErrors(t *testing.T) {
	if _, err := NewParamServer(context.New()).Done(); err == nil || !strings.Contains(err.Error(), "build the model") {
		t.Errorf("an empty context: %v", err)
	}
	if _, err := NewParamServer(builtContext(t)).Adam(-1).Done(); err == nil || !strings.Contains(err.Error(), "learning rate") {
		t.Errorf("a negative learning rate: %v", err)
	}
	if _, err := NewParamServer(builtContext(t)).Scope("/nothing").Done(); err == nil || !strings.Contains(err.Error(), "/nothing") {
		t.Errorf("a scope without variables: %v", err)
	}
	ps := newTestServer(t, NewParamServer(builtContext(t)).SGD(0.1))
	if _, err := ps.PushFlat([][]float32{{1, 2}}, 0); err == nil || !strings.Contains(err.Error(), "1 gradients for 2") {
		t.Errorf("too few gradients: %v", err)
	}
	if _, err := ps.PushFlat([][]float32{{1, float32(math.NaN())}, make([]float32, 6)}, 0); err == nil || !strings.Contains(err.Error(), "NaN") {
		t.Errorf("a NaN gradient: %v", err)
	}
	if v := ps.Version(); v != 0 {
		t.Errorf("refused pushes changed the version to %d", v)
	}
	if _, err := ps.Push([]*tensors.Tensor{tensors.FromValue([]float32{1, 2}), tensors.FromValue([]float32{1})}, 0); err == nil || !strings.Contains(err.Error(), "/lin/dense/weights") {
		t.Errorf("a gradient of the wrong shape: %v", err)
	}
}

// TestParamServerClipNorm: a gradient of norm 10 clipped to 1 moves SGD's weights by lr·g/10.
func TestParamServerClipNorm(t *testing.T) {
	ps := newTestServer(t, NewParamServer(builtContext(t)).SGD(1).ClipNorm(1))
	before, _ := ps.Values()
	g := [][]float32{{6, 8}, make([]float32, 6)} // norm 10
	if _, err := ps.PushFlat(g, 0); err != nil {
		t.Fatal(err)
	}
	after, _ := ps.Values()
	if d := before[0][0] - after[0][0]; math.Abs(float64(d)-0.6) > 1e-6 {
		t.Errorf("clipped step %g, want 0.6", d)
	}
}
