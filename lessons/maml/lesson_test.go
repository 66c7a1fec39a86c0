package maml

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/dl4go/dl4go/gomlxext"
	"github.com/dl4go/dl4go/plotting"
)

// TestQuickOutcome runs the lesson at its quick size and asserts its quick outcome: after 10
// fine-tuning steps on K = 5 points, MAML's mean query MSE over 100 new tasks is at most 0.8 ×
// the jointly trained baseline's.
func TestQuickOutcome(t *testing.T) {
	cfg := Quick()
	cfg.CheckpointDir = t.TempDir() // train from scratch, not from the user's cache.
	out, err := RunFewShot(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("meta-training %.1fs", out.TrainSeconds)
	t.Logf("\n%s", out.Summary())
	for _, m := range out.Methods {
		if len(m.Loss) != cfg.MetaSteps || len(m.MSE) != cfg.EvalSteps+1 || len(m.Predictions) != len(cfg.PlotSteps) {
			t.Errorf("%s: got %d losses, %d MSEs, %d prediction curves", m.Method, len(m.Loss), len(m.MSE), len(m.Predictions))
		}
		if m.SecondsPerStep <= 0 {
			t.Errorf("%s: compute cost not measured", m.Method)
		}
	}
	r := out.Result()
	t.Log(r)
	if !r.OK() {
		t.Errorf("quick outcome not reached: %s", r)
	}
	// Second order costs more than first order: the compute cost the report names as MAML's problem.
	if a, b := out.Method(MAML).SecondsPerStep, out.Method(FOMAML).SecondsPerStep; a <= b {
		t.Errorf("MAML meta-step %.2f ms not slower than FOMAML's %.2f ms", 1e3*a, 1e3*b)
	}
}

// TestResume checks that a second run with the same config restores every method's meta-training
// from its checkpoint (same weights: same evaluation) instead of training again.
func TestResume(t *testing.T) {
	cfg := Quick()
	cfg.MetaSteps, cfg.SaveEvery, cfg.CostSteps, cfg.EvalTasks, cfg.Live = 6, 4, 1, 8, false
	cfg.CheckpointDir = t.TempDir()
	first, err := RunFewShot(cfg)
	if err != nil {
		t.Fatal(err)
	}
	// Without the saved outcome, the second run must restore the weights and evaluate them again.
	if err := os.Remove(filepath.Join(cfg.CheckpointDir, outcomeFile)); err != nil {
		t.Fatal(err)
	}
	second, err := RunFewShot(cfg)
	if err != nil {
		t.Fatal(err)
	}
	third, err := RunFewShot(cfg) // the saved outcome, at once.
	if err != nil {
		t.Fatal(err)
	}
	if a, b := second.Ratio(MAML), third.Ratio(MAML); a != b {
		t.Errorf("saved outcome has ratio %g, want %g", b, a)
	}
	// Every chart of the lesson draws from a restored outcome.
	charts := map[string]func() (*plotting.Chart, error){
		"data sets": func() (*plotting.Chart, error) { return DatasetChart(cfg.K) },
		"MSE":       third.MSEChart,
		"loss":      third.LossChart,
		"cost":      third.CostChart,
	}
	for _, m := range Methods {
		charts[m.String()] = func() (*plotting.Chart, error) { return third.TaskChart(m) }
	}
	for name, chart := range charts {
		c, err := chart()
		if err == nil {
			_, err = c.HTML()
		}
		if err != nil {
			t.Errorf("%s chart: %v", name, err)
		}
	}
	for i, m := range second.Methods {
		if first.Methods[i].Resumed != 0 || m.Resumed != cfg.MetaSteps {
			t.Errorf("%s: resumed %d then %d steps, want 0 then %d", m.Method, first.Methods[i].Resumed, m.Resumed, cfg.MetaSteps)
		}
		if a, b := first.Methods[i].MSE[cfg.EvalSteps], m.MSE[cfg.EvalSteps]; math.Abs(a-b) > 1e-6*math.Abs(a) {
			t.Errorf("%s: MSE %g after resuming, %g before", m.Method, b, a)
		}
		if a, b := first.Methods[i].Loss[cfg.MetaSteps-1], m.Loss[cfg.MetaSteps-1]; a != b {
			t.Errorf("%s: last loss %g restored as %g", m.Method, a, b)
		}
	}
}

func TestSampleTaskRanges(t *testing.T) {
	b := sampleBatch(newRand(7), 200, 5, 10)
	for i, task := range b.Tasks {
		if task.Amplitude < AmplitudeMin || task.Amplitude > AmplitudeMax || task.Phase < PhaseMin || task.Phase > PhaseMax {
			t.Fatalf("task %d out of range: %+v", i, task)
		}
		for j, x := range b.XS[i] {
			if x[0] < XMin || x[0] > XMax || math.Abs(float64(b.YS[i][j][0])-task.F(float64(x[0]))) > 1e-5 {
				t.Fatalf("task %d point %d: x=%g y=%g", i, j, x[0], b.YS[i][j][0])
			}
		}
	}
}

func ExampleDatasetSizes() {
	for _, d := range DatasetSizes() {
		fmt.Printf("%-15s %9.0f images\n", d.Name, d.Images)
	}
	// Output:
	// MNIST               70000 images
	// ImageNet          1200000 images
	// Open Images v6    9000000 images
	// MegaFace          5700000 images
}

// TestOutcomeRoundTrip checks that a saved outcome with a diverged fine-tuning (±Inf, NaN)
// loads back, the non-finite values as NaN.
func TestOutcomeRoundTrip(t *testing.T) {
	cfg := Quick()
	inf := math.Inf(1)
	out := &Outcome{Config: cfg, Methods: []MethodOutcome{
		{Method: MAML, Loss: []float64{1, nan}, MSE: []float64{3, 0.5}, Predictions: [][]float64{{0, 1}}},
		{Method: FOMAML, Loss: []float64{2, 1}, MSE: []float64{3, inf}, Predictions: [][]float64{{-inf, 1}}},
	}}
	dir := t.TempDir()
	if err := saveOutcome(dir, out); err != nil {
		t.Fatal(err)
	}
	got, err := loadOutcome(dir, cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name      string
		got, want float64
	}{
		{"MAML loss[0]", got.Methods[0].Loss[0], 1},
		{"MAML loss[1]", got.Methods[0].Loss[1], nan},
		{"MAML MSE[1]", got.Methods[0].MSE[1], 0.5},
		{"FOMAML MSE[1]", got.Methods[1].MSE[1], nan},
		{"FOMAML prediction[0]", got.Methods[1].Predictions[0][0], nan},
		{"FOMAML prediction[1]", got.Methods[1].Predictions[0][1], 1},
	} {
		if tc.got != tc.want && !(math.IsNaN(tc.got) && math.IsNaN(tc.want)) {
			t.Errorf("%s = %g, want %g", tc.name, tc.got, tc.want)
		}
	}
}

// TestResumeMidRun interrupts meta-training after a checkpoint and checks that the resumed run
// continues exactly as an uninterrupted one: same tasks, same Adam state, same schedule.
func TestResumeMidRun(t *testing.T) {
	backend, err := gomlxext.Backend()
	if err != nil {
		t.Fatal(err)
	}
	cfg := Quick()
	cfg.MetaSteps = 10
	for _, m := range Methods {
		t.Run(m.String(), func(t *testing.T) {
			whole, err := newTrainer(backend, m, cfg, "")
			if err != nil {
				t.Fatal(err)
			}
			defer whole.exec.Finalize()
			for whole.step() < cfg.MetaSteps {
				if _, err := whole.runStep(); err != nil {
					t.Fatal(err)
				}
			}
			dir := t.TempDir()
			first, err := newTrainer(backend, m, cfg, dir)
			if err != nil {
				t.Fatal(err)
			}
			defer first.exec.Finalize()
			for first.step() < 6 {
				if _, err := first.runStep(); err != nil {
					t.Fatal(err)
				}
			}
			if err := first.save(); err != nil {
				t.Fatal(err)
			}
			resumed, err := newTrainer(backend, m, cfg, dir) // as after an interrupt: a new process.
			if err != nil {
				t.Fatal(err)
			}
			defer resumed.exec.Finalize()
			if resumed.step() != 6 {
				t.Fatalf("resumed at step %d, want 6", resumed.step())
			}
			for resumed.step() < cfg.MetaSteps {
				if _, err := resumed.runStep(); err != nil {
					t.Fatal(err)
				}
			}
			for i, want := range whole.history {
				if got := resumed.history[i]; math.Abs(got-want) > 1e-5*math.Abs(want) {
					t.Errorf("loss at step %d: %g resumed, %g uninterrupted", i+1, got, want)
				}
			}
		})
	}
}
