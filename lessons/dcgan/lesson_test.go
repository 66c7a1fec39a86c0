package dcgan

import (
	"errors"
	"math"
	"testing"

	"github.com/dl4go/dl4go/gomlxext"
	"github.com/dl4go/dl4go/lessons"
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// TestQuickOutcome runs the quick size exactly as the notebook does (fresh, in the test's own
// cache) and asserts the quick outcome; a second run returns the saved outcome.
func TestQuickOutcome(t *testing.T) {
	cfg := Quick()
	cfg.Quiet = true
	out, err := Run(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("judge accuracy %.4f, confident on %.3f of noise; confident %.3f; shares %.2f; %v/iteration; wall %v",
		out.JudgeAccuracy, out.JudgeNoiseConfident, out.Score.Confident, out.Score.Share, out.StepTime, out.Wall)
	t.Log(out.Result())
	if out.JudgeAccuracy < 0.9 {
		t.Errorf("quick judge accuracy %.4f < 0.9", out.JudgeAccuracy)
	}
	if out.JudgeRealConfident <= out.Score.Confident {
		t.Errorf("the judge is confident on %.3f of real digits, no more than on %.3f of the samples", out.JudgeRealConfident, out.Score.Confident)
	}
	if out.JudgeNoiseConfident >= out.Score.Confident {
		t.Errorf("the judge is confident on %.3f of noise images, no less than on %.3f of the samples", out.JudgeNoiseConfident, out.Score.Confident)
	}
	if !out.Result().OK() {
		t.Errorf("quick outcome not reached: %s", out.Result())
	}
	if len(out.History.DLoss) != cfg.Steps || len(out.History.Snapshots) != cfg.Steps/cfg.EpochSteps {
		t.Errorf("history: %d iterations, %d snapshots", len(out.History.DLoss), len(out.History.Snapshots))
	}
	checkCharts(t, out)
	again, err := Run(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if !again.Restored || again.Score.Confident != out.Score.Confident || len(again.History.DLoss) != cfg.Steps {
		t.Errorf("rerun: restored %v, confident %.3f (first %.3f), %d iterations of history; want the saved outcome",
			again.Restored, again.Score.Confident, out.Score.Confident, len(again.History.DLoss))
	}
	checkCharts(t, again)
}

// checkCharts draws every chart of the outcome.
func checkCharts(t *testing.T, out *Outcome) {
	t.Helper()
	for name, f := range map[string]func() (any, error){
		"loss":   func() (any, error) { return out.LossChart() },
		"d":      func() (any, error) { return out.DChart() },
		"grad":   func() (any, error) { return out.GradientChart() },
		"evol":   func() (any, error) { return out.EvolutionPicture(8) },
		"final":  func() (any, error) { return out.FinalGrid() },
		"interp": func() (any, error) { return out.InterpolationPicture() },
		"judged": func() (any, error) { return out.JudgedPicture(20) },
		"share":  func() (any, error) { return out.ShareChart() },
	} {
		if _, err := f(); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestFullOutcome runs the notebook's full experiment (DL4GO_FULL=1; minutes on 2 cores) and
// asserts the full outcome. Like every test it trains in a fresh cache folder, unless
// $DL4GO_CACHE_DIR names one: then it resumes (or restores) the run there.
func TestFullOutcome(t *testing.T) {
	lessons.SkipUnlessFull(t)
	cfg := Full()
	cfg.Quiet = true
	out, err := Run(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("judge accuracy %.4f, confident on %.3f of real digits and %.3f of noise; confident %.3f; shares %.3f; min share %.3f; %v/iteration; wall %v (resumed at %d)",
		out.JudgeAccuracy, out.JudgeRealConfident, out.JudgeNoiseConfident, out.Score.Confident, out.Score.Share, out.Score.MinShare(), out.StepTime, out.Wall, out.StartStep)
	t.Log(out.Result())
	if out.JudgeAccuracy < 0.98 {
		t.Errorf("judge accuracy %.4f < 0.98", out.JudgeAccuracy)
	}
	if !out.Result().OK() {
		t.Errorf("full outcome not reached: %s", out.Result())
	}
}

// tiny is a configuration that trains in seconds: small networks, 6 iterations, a judge of 20
// steps on 200 test images.
func tiny() Config {
	cfg := Quick()
	cfg.GFeatures, cfg.DFeatures, cfg.Batch = 8, 8, 16
	cfg.Steps, cfg.EpochSteps, cfg.ProbeSteps, cfg.ProbeEvery = 6, 3, 4, 2
	cfg.Samples, cfg.Quiet = 50, true
	cfg.Judge.Steps, cfg.Judge.TestImages = 20, 200
	return cfg
}

// TestResume checks that a run stopped after 3 iterations and resumed to 6 equals an uninterrupted
// run of 6, for the DCGAN and for both of lesson 16's conditional GANs (whose digits must resume
// too), and for lesson 16's projection GAN with conditional batch norm and the moving average of
// G's weights (which must resume too: its fixed grid is drawn by the averaged G).
func TestResume(t *testing.T) {
	backend := gomlxext.MustBackend()
	for _, c := range []struct {
		cond Conditioning
		cbn  bool
		ema  float64
	}{{Unconditional, false, 0}, {InputLabels, false, 0}, {ProjectedLabels, false, 0}, {ProjectedLabels, true, 0.999}} {
		name := c.cond.String()
		if c.ema > 0 {
			name += " with EMA"
		}
		t.Run(name, func(t *testing.T) {
			full := tiny()
			full.Condition, full.ClassBatchNorm, full.EMA = c.cond, c.cbn, c.ema
			_, want, _, err := trainRun(backend, full, t.TempDir(), nil, true)
			if err != nil {
				t.Fatal(err)
			}
			part := full
			part.Steps = 3
			dir := t.TempDir()
			if _, _, _, err := trainRun(backend, part, dir, nil, true); err != nil {
				t.Fatal(err)
			}
			part.Steps = 6
			_, got, st, err := trainRun(backend, part, dir, nil, true)
			if err != nil {
				t.Fatal(err)
			}
			if st.startStep != 3 || st.steps != 3 {
				t.Fatalf("resumed at %d and ran %d iterations, want 3 and 3", st.startStep, st.steps)
			}
			compareHistories(t, got, want)
			last, wantLast := got.Snapshots[len(got.Snapshots)-1].Pixels, want.Snapshots[len(want.Snapshots)-1].Pixels
			for i := range last {
				if d := int(last[i]) - int(wantLast[i]); d < -1 || d > 1 {
					t.Errorf("last grid: pixel %d is %d resumed, %d uninterrupted", i, last[i], wantLast[i])
					break
				}
			}
			if n, _ := full.FixedGrid(); len(got.Snapshots[0].Pixels) != n*784 {
				t.Errorf("snapshot of %d pixels, want %d images", len(got.Snapshots[0].Pixels), n)
			}
		})
	}
}

func compareHistories(t *testing.T, got, want *History) {
	t.Helper()
	for _, c := range []struct {
		name      string
		got, want []float64
	}{{"D loss", got.DLoss, want.DLoss}, {"G loss", got.GLoss, want.GLoss}, {"D(x)", got.DReal, want.DReal}} {
		if len(c.got) != len(c.want) {
			t.Fatalf("%s: %d values, want %d", c.name, len(c.got), len(c.want))
		}
		for i := range c.got {
			if math.Abs(c.got[i]-c.want[i]) > 1e-4 {
				t.Errorf("%s[%d] = %.6f, uninterrupted %.6f", c.name, i, c.got[i], c.want[i])
			}
		}
	}
	if len(got.Snapshots) != len(want.Snapshots) || len(got.Probes) != len(want.Probes) {
		t.Errorf("resumed: %d snapshots, %d probes; want %d, %d", len(got.Snapshots), len(got.Probes), len(want.Snapshots), len(want.Probes))
	}
}

// TestStepsTrainAfresh checks the stale cache that once gave learners wrong answers: a run with
// more Steps than a finished one neither reuses its saved outcome nor resumes its checkpoint — it
// trains from iteration 0 in a folder of its own — while the same Steps again restores the saved
// outcome.
func TestStepsTrainAfresh(t *testing.T) {
	t.Setenv(gomlxext.CacheDirEnv, t.TempDir())
	short := tiny()
	short.Steps = 3
	first, err := Run(short)
	if err != nil {
		t.Fatal(err)
	}
	again, err := Run(short)
	if err != nil {
		t.Fatal(err)
	}
	if first.Restored || !again.Restored || again.Dir != first.Dir {
		t.Errorf("first run restored %v, second %v (same folder %v); want a fresh run, then the saved one", first.Restored, again.Restored, again.Dir == first.Dir)
	}
	longer := short
	longer.Steps = 6
	l, err := Run(longer)
	if err != nil {
		t.Fatal(err)
	}
	if l.Restored || l.StartStep != 0 || len(l.History.DLoss) != longer.Steps || l.Dir == first.Dir {
		t.Errorf("Steps 3 → 6: restored %v, started at %d, %d iterations of history, same folder %v; want a fresh run of 6 in its own folder",
			l.Restored, l.StartStep, len(l.History.DLoss), l.Dir == first.Dir)
	}
}

// TestInterruptResumes interrupts training after its first iteration, as a kernel interrupt
// does, and checks that the run saved and said so, and that running it again resumes there and
// ends with the history of an uninterrupted run.
func TestInterruptResumes(t *testing.T) {
	backend := gomlxext.MustBackend()
	cfg := tiny()
	_, want, _, err := trainRun(backend, cfg, t.TempDir(), nil, true)
	if err != nil {
		t.Fatal(err)
	}
	watchInterrupt = func() *gomlxext.Interrupt {
		i := gomlxext.WatchInterrupt()
		i.Request() // as if Ctrl-C arrived during the first iteration
		return i
	}
	defer func() { watchInterrupt = gomlxext.WatchInterrupt }()
	cfg.CacheDir = t.TempDir()
	_, err = Run(cfg)
	t.Log(err)
	if !errors.Is(err, gomlxext.ErrInterrupted) {
		t.Fatalf("interrupted run returned %v, want an error wrapping gomlxext.ErrInterrupted", err)
	}
	watchInterrupt = gomlxext.WatchInterrupt
	out, err := Run(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if out.StartStep != 1 || out.Restored {
		t.Errorf("rerun started at iteration %d (restored %v); want it resumed from the checkpoint", out.StartStep, out.Restored)
	}
	compareHistories(t, &out.History, want)
}

// TestSeparateUpdates checks that update_discriminator changes only D's weights and
// update_generator only G's.
func TestSeparateUpdates(t *testing.T) {
	backend := gomlxext.MustBackend()
	cfg := tiny()
	cfg.Steps = 1
	g, _, _, err := trainRun(backend, cfg, "", nil, true)
	if err != nil {
		t.Fatal(err)
	}
	snapshot := func() map[string][]float32 {
		m := map[string][]float32{}
		for v := range g.ctx.IterVariables() {
			if v.Trainable {
				m[v.ScopeAndName()] = tensors.MustCopyFlatData[float32](v.MustValue())
			}
		}
		return m
	}
	changed := func(before, after map[string][]float32, scope string) (in, out int) {
		for k, b := range before {
			a := after[k]
			diff := false
			for i := range b {
				if a[i] != b[i] {
					diff = true
					break
				}
			}
			if diff {
				if len(k) > len(scope)+1 && k[1:len(scope)+1] == scope {
					in++
				} else {
					out++
				}
			}
		}
		return
	}
	z := tensors.FromFlatDataAndDimensions(noise(1, 1, cfg.Batch, cfg.ZDim), cfg.Batch, cfg.ZDim)
	real := tensors.FromFlatDataAndDimensions(make([]float32, cfg.Batch*784), cfg.Batch, 28, 28)
	fake, err := g.generate.Exec(z)
	if err != nil {
		t.Fatal(err)
	}
	before := snapshot()
	if _, err := g.dStep.Exec(real, fake[0]); err != nil {
		t.Fatal(err)
	}
	mid := snapshot()
	if in, out := changed(before, mid, DiscriminatorScope); in == 0 || out != 0 {
		t.Errorf("update_discriminator changed %d D and %d other variables", in, out)
	}
	if _, err := g.gStep.Exec(z); err != nil {
		t.Fatal(err)
	}
	if in, out := changed(mid, snapshot(), GeneratorScope); in == 0 || out != 0 {
		t.Errorf("update_generator changed %d G and %d other variables", in, out)
	}
}

// TestSaturation checks the answer to the report's open question: once D rejects G's samples,
// the saturating loss's gradient is much smaller than the non-saturating one's.
func TestSaturation(t *testing.T) {
	probes, err := RunSaturation(Quick(), SaturationSteps(Quick()))
	if err != nil {
		t.Fatal(err)
	}
	first, last := probes[0], probes[len(probes)-1]
	t.Logf("first %+v last %+v", first, last)
	if !(last.DFake < 0.2 && last.DFake < first.DFake) {
		t.Errorf("D(G(z)) went from %.3f to %.3f; want < 0.2", first.DFake, last.DFake)
	}
	if !(last.Saturating < last.NonSaturating/4) {
		t.Errorf("at D(G(z)) = %.3f: saturating ‖∇‖ %.3g not ≪ non-saturating %.3g", last.DFake, last.Saturating, last.NonSaturating)
	}
}
