package maml

import (
	"errors"
	"fmt"
	"math"
	"testing"

	"github.com/dl4go/dl4go/gomlxext"
	"github.com/dl4go/dl4go/lessons"
	"github.com/dl4go/dl4go/plotting"
)

// TestQuickOutcome runs the lesson at its quick size and asserts its quick outcome: after 10
// fine-tuning steps on K = 5 points, MAML's mean query MSE over 100 new tasks is at most 0.8 ×
// the jointly trained baseline's.
func TestQuickOutcome(t *testing.T) {
	cfg := Quick()
	cfg.Quiet = true
	checkOutcome(t, cfg)
}

// TestFullOutcome runs the notebook's experiment (DL4GO_FULL=1; about 3 minutes on 2 cores) and
// asserts its outcome: MAML's ratio at most 0.5.
func TestFullOutcome(t *testing.T) {
	lessons.SkipUnlessFull(t)
	cfg := Full()
	cfg.Quiet = true
	checkOutcome(t, cfg)
}

func checkOutcome(t *testing.T, cfg Config) {
	t.Helper()
	out, err := Run(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("meta-training %.1fs (%s)", out.TrainSeconds, out.Dir)
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
		t.Errorf("outcome not reached: %s", r)
	}
	// Second order costs more than first order: the compute cost the report names as MAML's problem.
	if a, b := out.Method(MAML).SecondsPerStep, out.Method(FOMAML).SecondsPerStep; a <= b {
		t.Errorf("MAML meta-step %.2f ms not slower than FOMAML's %.2f ms", 1e3*a, 1e3*b)
	}
}

// tiny is a configuration small enough to train in a second or two.
func tiny() Config {
	cfg := Quick()
	cfg.MetaSteps, cfg.SaveEvery, cfg.EvalTasks, cfg.Quiet = 6, 4, 8, true
	return cfg
}

// TestResume checks that a second run with the same config restores every method's meta-training
// from its checkpoint and evaluates the restored weights again (the same numbers), that every
// chart draws from it, and that a run with more meta-steps trains afresh in its own folder.
func TestResume(t *testing.T) {
	cfg := tiny()
	cfg.CacheDir = t.TempDir()
	first, err := Run(cfg)
	if err != nil {
		t.Fatal(err)
	}
	second, err := Run(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for i, m := range second.Methods {
		f := first.Methods[i]
		if f.StartStep != 0 || m.StartStep != cfg.MetaSteps {
			t.Errorf("%s: started at step %d then %d, want 0 then %d", m.Method, f.StartStep, m.StartStep, cfg.MetaSteps)
		}
		if a, b := f.MSE[cfg.EvalSteps], m.MSE[cfg.EvalSteps]; math.Abs(a-b) > 1e-6*math.Abs(a) {
			t.Errorf("%s: MSE %g after restoring, %g before", m.Method, b, a)
		}
		if a, b := f.Loss[cfg.MetaSteps-1], m.Loss[cfg.MetaSteps-1]; a != b {
			t.Errorf("%s: last loss %g restored as %g", m.Method, a, b)
		}
		if f.SecondsPerStep != m.SecondsPerStep {
			t.Errorf("%s: cost %g s restored as %g s", m.Method, f.SecondsPerStep, m.SecondsPerStep)
		}
	}
	if second.TrainSeconds != 0 {
		t.Errorf("restored run reports %g s of training", second.TrainSeconds)
	}
	// Every chart of the lesson draws from a restored outcome.
	charts := map[string]func() (*plotting.Chart, error){
		"data sets": func() (*plotting.Chart, error) { return DatasetChart(cfg.K) },
		"MSE":       second.MSEChart,
		"loss":      second.LossChart,
		"cost":      second.CostChart,
	}
	for _, m := range Methods {
		charts[m.String()] = func() (*plotting.Chart, error) { return second.TaskChart(m) }
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

	// More meta-steps: another run, trained from scratch in its own folder (never resumed from this one).
	t.Setenv(gomlxext.CacheDirEnv, t.TempDir())
	cfg.CacheDir = ""
	short, err := Run(cfg)
	if err != nil {
		t.Fatal(err)
	}
	longer := cfg
	longer.MetaSteps += 2
	l, err := Run(longer)
	if err != nil {
		t.Fatal(err)
	}
	if l.Dir == short.Dir || l.Methods[0].StartStep != 0 || len(l.Methods[0].Loss) != longer.MetaSteps {
		t.Errorf("with MetaSteps %d → %d: same folder %v, started at %d, %d losses; want a fresh run in its own folder",
			cfg.MetaSteps, longer.MetaSteps, l.Dir == short.Dir, l.Methods[0].StartStep, len(l.Methods[0].Loss))
	}
}

// TestInterruptResumes interrupts meta-training after its first round, as a kernel interrupt
// does, and checks that the run saved, said so, and that running it again resumes there and ends
// with the weights of an uninterrupted run.
func TestInterruptResumes(t *testing.T) {
	cfg := tiny()
	whole := cfg
	whole.CacheDir = t.TempDir()
	want, err := Run(whole)
	if err != nil {
		t.Fatal(err)
	}

	cfg.CacheDir = t.TempDir()
	watchInterrupt = func() *gomlxext.Interrupt {
		i := gomlxext.WatchInterrupt()
		i.Request() // as if Ctrl-C arrived during the first round
		return i
	}
	_, err = Run(cfg)
	watchInterrupt = gomlxext.WatchInterrupt
	if !errors.Is(err, gomlxext.ErrInterrupted) {
		t.Fatalf("interrupted run returned %v, want an error wrapping gomlxext.ErrInterrupted", err)
	}
	t.Log(err)
	got, err := Run(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for i, m := range got.Methods {
		if m.StartStep != 1 {
			t.Errorf("%s resumed at step %d, want 1", m.Method, m.StartStep)
		}
		if a, b := want.Methods[i].MSE[cfg.EvalSteps], m.MSE[cfg.EvalSteps]; math.Abs(a-b) > 1e-5*math.Abs(a) {
			t.Errorf("%s: MSE %g after an interrupt and a resume, %g uninterrupted", m.Method, b, a)
		}
		for s, w := range want.Methods[i].Loss {
			if g := m.Loss[s]; math.Abs(g-w) > 1e-5*math.Abs(w) {
				t.Errorf("%s: loss at step %d: %g resumed, %g uninterrupted", m.Method, s+1, g, w)
			}
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
