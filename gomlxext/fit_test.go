package gomlxext

import (
	"errors"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/layers"
	"github.com/gomlx/gomlx/pkg/ml/train"
	"github.com/gomlx/gomlx/pkg/ml/train/losses"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"
)

// stepData is a Seeker dataset whose batch for step s depends only on s: y = x·(1,-2,3,0.5) + 0.5 + noise.
type stepData struct{ step int64 }

func (d *stepData) Name() string        { return "stepdata" }
func (d *stepData) Reset()              {}
func (d *stepData) SeekStep(step int64) { d.step = step }
func (d *stepData) Yield() (any, []*tensors.Tensor, []*tensors.Tensor, error) {
	r := rand.New(rand.NewPCG(7, uint64(d.step)))
	d.step++
	const b = 16
	x, y := make([]float32, b*4), make([]float32, b)
	w := []float32{1, -2, 3, 0.5}
	for i := range b {
		y[i] = 0.5 + 0.01*float32(r.NormFloat64())
		for j := range 4 {
			x[i*4+j] = float32(r.NormFloat64())
			y[i] += w[j] * x[i*4+j]
		}
	}
	return nil, []*tensors.Tensor{tensors.FromFlatDataAndDimensions(x, b, 4)},
		[]*tensors.Tensor{tensors.FromFlatDataAndDimensions(y, b, 1)}, nil
}

func newLinearTrainer(t *testing.T) *train.Trainer {
	t.Helper()
	b, err := Backend()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.New()
	if err := ctx.SetRNGStateFromSeed(1); err != nil {
		t.Fatal(err)
	}
	model := func(ctx *context.Context, _ any, inputs []*graph.Node) []*graph.Node {
		return []*graph.Node{layers.DenseWithBias(ctx.In("dense"), inputs[0], 1)}
	}
	return train.NewTrainer(b, ctx, model, losses.MeanSquaredError,
		optimizers.Adam().LearningRate(0.05).Done(), nil, nil)
}

// recorder is a Progress that can stop the run at a given step.
type recorder struct {
	steps  []int
	stopAt int
	stop   chan struct{}
}

func (r *recorder) Update(step int, values map[string]float64) {
	r.steps = append(r.steps, step)
	if step == r.stopAt {
		close(r.stop)
	}
}

func TestFitResume(t *testing.T) {
	const total, half = 60, 30

	// Reference: one uninterrupted run.
	ref, err := Fit(newLinearTrainer(t), &stepData{}, FitOptions{Steps: total})
	if err != nil {
		t.Fatal(err)
	}
	if ref.StartStep != 0 || ref.GlobalStep != total || len(ref.History) != total {
		t.Fatalf("reference run: start %d, end %d, %d steps recorded", ref.StartStep, ref.GlobalStep, len(ref.History))
	}
	first, last := ref.History[0].Values["loss"], ref.Last["loss"]
	if !(last < first/10) {
		t.Fatalf("reference run did not learn: loss %g -> %g", first, last)
	}

	// The same run, stopped half way by a new process (fresh context and trainer), then resumed.
	dir := t.TempDir()
	a, err := Fit(newLinearTrainer(t), &stepData{}, FitOptions{Steps: half, CheckpointDir: dir, EveryN: 7})
	if err != nil {
		t.Fatal(err)
	}
	b, err := Fit(newLinearTrainer(t), &stepData{}, FitOptions{Steps: total, CheckpointDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if b.StartStep != half || b.GlobalStep != total || b.History[0].Step != half+1 {
		t.Fatalf("resumed run: start %d, end %d, first step %d; want %d, %d, %d",
			b.StartStep, b.GlobalStep, b.History[0].Step, half, total, half+1)
	}
	// The loss continues where it was: step half+1 matches the uninterrupted run, far below the start.
	if got, want := b.History[0].Values["loss"], ref.History[half].Values["loss"]; math.Abs(got-want) > 1e-6*math.Max(1, want) || !(got < first/3) {
		t.Errorf("loss at step %d after resume %g, uninterrupted %g (step 1: %g, step %d: %g)", half+1, got, want, first, half, a.Last["loss"])
	}
	// No data and no state lost: the resumed run ends exactly where the uninterrupted one did.
	if got, want := b.Last["loss"], ref.Last["loss"]; math.Abs(got-want) > 1e-6*math.Max(1, math.Abs(want)) {
		t.Errorf("final loss after resume %g, uninterrupted %g", got, want)
	}

	// Already done: nothing to run.
	c, err := Fit(newLinearTrainer(t), &stepData{}, FitOptions{Steps: total, CheckpointDir: dir})
	if err != nil || c.StartStep != total || len(c.History) != 0 {
		t.Errorf("rerun of a finished run: start %d, %d steps, err %v", c.StartStep, len(c.History), err)
	}
}

func TestFitInterrupt(t *testing.T) {
	dir := t.TempDir()
	rec := &recorder{stopAt: 12, stop: make(chan struct{})}
	res, err := Fit(newLinearTrainer(t), &stepData{}, FitOptions{Steps: 40, CheckpointDir: dir, EveryN: 5, Progress: rec, Stop: rec.stop})
	if !errors.Is(err, ErrInterrupted) || !strings.Contains(err.Error(), dir) {
		t.Fatalf("interrupted Fit: err = %v, want ErrInterrupted mentioning %s", err, dir)
	}
	if res.GlobalStep != 12 || len(rec.steps) != 12 {
		t.Fatalf("interrupted at step %d after %d updates, want 12", res.GlobalStep, len(rec.steps))
	}
	again, err := Fit(newLinearTrainer(t), &stepData{}, FitOptions{Steps: 40, CheckpointDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if again.StartStep != 12 || again.GlobalStep != 40 {
		t.Errorf("resume after interrupt: start %d end %d, want 12 and 40", again.StartStep, again.GlobalStep)
	}
}

func TestFitMetricNames(t *testing.T) {
	res, err := Fit(newLinearTrainer(t), &stepData{}, FitOptions{Steps: 5})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"loss", "~loss"} {
		if _, ok := res.Last[k]; !ok {
			t.Errorf("Last lacks %q: %v", k, res.Last)
		}
	}
	if _, ok := res.Last["~loss+"]; ok {
		t.Errorf("Last has the redundant ~loss+: %v", res.Last)
	}
}

// resumeRecorder is a Progress that records where Fit said the run resumed.
type resumeRecorder struct {
	recorder
	resumed int
}

func (r *resumeRecorder) Resumed(step int) { r.resumed = step }

func TestFitTellsProgressWhereItResumed(t *testing.T) {
	dir := t.TempDir()
	if _, err := Fit(newLinearTrainer(t), &stepData{}, FitOptions{Steps: 10, CheckpointDir: dir}); err != nil {
		t.Fatal(err)
	}
	rec := &resumeRecorder{recorder: recorder{stopAt: -1}}
	if _, err := Fit(newLinearTrainer(t), &stepData{}, FitOptions{Steps: 15, CheckpointDir: dir, Progress: rec}); err != nil {
		t.Fatal(err)
	}
	if rec.resumed != 10 || len(rec.steps) != 5 || rec.steps[0] != 11 {
		t.Errorf("Resumed(%d), then %d updates from step %v; want Resumed(10) and 5 updates from 11", rec.resumed, len(rec.steps), rec.steps)
	}
}

func TestFitErrors(t *testing.T) {
	if _, err := Fit(newLinearTrainer(t), &stepData{}, FitOptions{}); err == nil {
		t.Error("Fit with Steps 0: no error")
	}
	if _, err := Fit(newLinearTrainer(t), &emptyData{}, FitOptions{Steps: 3}); err == nil {
		t.Error("Fit on an empty dataset: no error")
	}
}

type emptyData struct{}

func (emptyData) Name() string { return "empty" }
func (emptyData) Reset()       {}
func (emptyData) Yield() (any, []*tensors.Tensor, []*tensors.Tensor, error) {
	return nil, nil, nil, io.EOF
}

func TestCheckpointDir(t *testing.T) {
	root := t.TempDir()
	t.Setenv(CacheDirEnv, root)
	tests := []struct{ lesson, key, want string }{
		{"mnist", "mlp-b64", filepath.Join(root, "mnist", "mlp-b64")},
		{"../x", "a b/c:d", filepath.Join(root, "_x", "a_b_c_d")},
		{"", "..", filepath.Join(root, "default", "default")},
	}
	for _, tc := range tests {
		got, err := CheckpointDir(tc.lesson, tc.key)
		if err != nil {
			t.Fatal(err)
		}
		if got != tc.want {
			t.Errorf("CheckpointDir(%q, %q) = %q, want %q", tc.lesson, tc.key, got, tc.want)
		}
		if fi, err := os.Stat(got); err != nil || !fi.IsDir() {
			t.Errorf("CheckpointDir did not create %s: %v", got, err)
		}
	}
}

// TestCheckpointDirInTests: without $DL4GO_CACHE_DIR a test binary never uses the user cache.
func TestCheckpointDirInTests(t *testing.T) {
	t.Setenv(CacheDirEnv, "")
	userCache, err := os.UserCacheDir()
	if err != nil {
		t.Skip(err)
	}
	got, err := CheckpointDir("mnist", "k")
	if err != nil {
		t.Fatal(err)
	}
	if strings.HasPrefix(got, userCache) {
		t.Errorf("in a test, CheckpointDir = %s, inside the user cache %s", got, userCache)
	}
}

// stateRecorder is a Progress that records every step in a state that Fit checkpoints.
type stateRecorder struct{ state *fitState }

type fitState struct{ Steps []int }

func (r stateRecorder) Update(step int, _ map[string]float64) {
	r.state.Steps = append(r.state.Steps, step)
}

// TestFitState checks that FitOptions.State is saved with the checkpoints and loaded on resume:
// the record of a run stopped half way and resumed by a new process holds every step once.
func TestFitState(t *testing.T) {
	dir := t.TempDir()
	var first fitState
	if _, err := Fit(newLinearTrainer(t), &stepData{}, FitOptions{Steps: 12, CheckpointDir: dir, EveryN: 5,
		Progress: stateRecorder{&first}, State: &first}); err != nil {
		t.Fatal(err)
	}
	var second fitState
	res, err := Fit(newLinearTrainer(t), &stepData{}, FitOptions{Steps: 20, CheckpointDir: dir,
		Progress: stateRecorder{&second}, State: &second})
	if err != nil {
		t.Fatal(err)
	}
	if res.StartStep != 12 || len(second.Steps) != 20 || second.Steps[0] != 1 || second.Steps[12] != 13 || second.Steps[19] != 20 {
		t.Fatalf("resumed from %d with the state %v; want steps 1…20", res.StartStep, second.Steps)
	}
	var restored fitState
	if res, err := Fit(newLinearTrainer(t), &stepData{}, FitOptions{Steps: 20, CheckpointDir: dir, State: &restored}); err != nil || res.StartStep != 20 {
		t.Fatalf("rerun of the finished run: start %d, err %v", res.StartStep, err)
	}
	if len(restored.Steps) != 20 {
		t.Errorf("the finished run's state has %d steps, want 20", len(restored.Steps))
	}
}
