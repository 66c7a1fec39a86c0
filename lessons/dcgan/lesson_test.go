package dcgan

import (
	"math"
	"testing"

	"github.com/dl4go/dl4go/gomlxext"
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// TestQuickOutcome runs the quick size exactly as the notebook does (fresh, in a temporary
// checkpoint directory) and asserts the quick outcome.
func TestQuickOutcome(t *testing.T) {
	cfg := QuickConfig()
	cfg.CheckpointDir = t.TempDir()
	cfg.Judge.CheckpointDir = t.TempDir()
	out, err := RunDCGAN(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("judge accuracy %.4f, confident on %.3f of noise; confident %.3f; shares %.2f; %v/iteration; wall %v",
		out.JudgeAccuracy, out.JudgeNoiseConfident, out.Score.Confident, out.Score.Share, out.StepTime, out.Wall)
	if out.JudgeAccuracy < 0.9 {
		t.Errorf("quick judge accuracy %.4f < 0.9", out.JudgeAccuracy)
	}
	if out.JudgeRealConfident <= out.Score.Confident {
		t.Errorf("the judge is confident on %.3f of real digits, no more than on %.3f of the samples", out.JudgeRealConfident, out.Score.Confident)
	}
	if out.JudgeNoiseConfident >= out.Score.Confident {
		t.Errorf("the judge is confident on %.3f of noise images, no less than on %.3f of the samples", out.JudgeNoiseConfident, out.Score.Confident)
	}
	if out.Score.Confident < QuickConfident {
		t.Errorf("confident samples %.3f < %.2f", out.Score.Confident, QuickConfident)
	}
	if len(out.History.DLoss) != cfg.Steps || len(out.History.Snapshots) != cfg.Steps/cfg.EpochSteps {
		t.Errorf("history: %d iterations, %d snapshots", len(out.History.DLoss), len(out.History.Snapshots))
	}
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

func tinyConfig(dir string) Config {
	cfg := QuickConfig()
	cfg.GFeatures, cfg.DFeatures, cfg.Batch = 8, 8, 16
	cfg.Steps, cfg.EpochSteps, cfg.ProbeSteps, cfg.ProbeEvery = 6, 3, 4, 2
	cfg.CheckpointDir = dir
	return cfg
}

// TestResume checks that a run stopped after 3 iterations and resumed to 6 equals an uninterrupted
// run of 6.
func TestResume(t *testing.T) {
	backend := gomlxext.MustBackend()
	full := tinyConfig(t.TempDir())
	_, want, _, err := trainRun(backend, full, nil)
	if err != nil {
		t.Fatal(err)
	}
	part := tinyConfig(t.TempDir())
	part.Steps = 3
	if _, _, _, err := trainRun(backend, part, nil); err != nil {
		t.Fatal(err)
	}
	part.Steps = 6
	_, got, st, err := trainRun(backend, part, nil)
	if err != nil {
		t.Fatal(err)
	}
	if st.startStep != 3 || st.steps != 3 {
		t.Fatalf("resumed at %d and ran %d iterations, want 3 and 3", st.startStep, st.steps)
	}
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
	if len(got.Snapshots) != 2 || len(got.Probes) != len(want.Probes) {
		t.Errorf("resumed: %d snapshots, %d probes; want 2, %d", len(got.Snapshots), len(got.Probes), len(want.Probes))
	}
}

// TestSeparateUpdates checks that update_discriminator changes only D's weights and
// update_generator only G's.
func TestSeparateUpdates(t *testing.T) {
	backend := gomlxext.MustBackend()
	cfg := tinyConfig("-")
	cfg.Steps = 1
	g, _, _, err := trainRun(backend, cfg, nil)
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
	probes, err := RunSaturation(QuickConfig(), SaturationSteps(QuickConfig()))
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
