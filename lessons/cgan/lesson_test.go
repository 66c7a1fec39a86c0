package cgan

import (
	"math"
	"strings"
	"testing"

	"github.com/dl4go/dl4go/gomlxext"
	"github.com/dl4go/dl4go/lessons"
	"github.com/dl4go/dl4go/lessons/dcgan"
)

// TestQuickOutcome runs the quick size as the notebook does (fresh, in the test's own cache) and
// asserts the quick outcome; a second run returns the saved outcome.
func TestQuickOutcome(t *testing.T) {
	cfg := Quick()
	cfg.Quiet = true
	out, err := Run(cfg)
	if err != nil {
		t.Fatal(err)
	}
	logOutcome(t, out)
	if !out.Result().OK() {
		t.Errorf("quick outcome not reached: %s", out.Result())
	}
	checkOutcome(t, out)
	again, err := Run(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if !again.Restored || again.GANs[0].Agreement != out.GANs[0].Agreement {
		t.Errorf("rerun: restored %v, agreement %.3f (first %.3f); want the saved outcome", again.Restored, again.GANs[0].Agreement, out.GANs[0].Agreement)
	}
	checkCharts(t, again)
}

// TestFullOutcome runs the notebook's full experiment (DL4GO_FULL=1; minutes on 2 cores) and
// asserts the full outcome. It trains in a fresh cache folder unless $DL4GO_CACHE_DIR names one.
func TestFullOutcome(t *testing.T) {
	lessons.SkipUnlessFull(t)
	cfg := Full()
	cfg.Quiet = true
	out, err := Run(cfg)
	if err != nil {
		t.Fatal(err)
	}
	logOutcome(t, out)
	if out.JudgeAccuracy < 0.98 {
		t.Errorf("judge accuracy %.4f < 0.98", out.JudgeAccuracy)
	}
	if !out.Result().OK() {
		t.Errorf("full outcome not reached: %s", out.Result())
	}
	checkOutcome(t, out)
}

func logOutcome(t *testing.T, out *Outcome) {
	t.Helper()
	t.Logf("judge accuracy %.4f, confident on %.3f of real digits, %.3f of noise; wall %v",
		out.JudgeAccuracy, out.JudgeRealConfident, out.JudgeNoiseConfident, out.Wall)
	for _, g := range out.GANs {
		t.Logf("%-24s agreement %.3f, confident %.3f, confident and agreeing %.3f, min share %.3f; %v/iteration",
			name(g.Condition), g.Agreement, g.Score.Confident, g.ConfidentAgreement, g.Score.MinShare(), g.StepTime)
	}
	t.Log(out.Result())
}

// checkOutcome checks what every size must show: each GAN trained for Steps with a snapshot per
// epoch; the conditional GAN agrees with its requests far more often than the unconditional one,
// whose agreement is chance; every chart draws.
func checkOutcome(t *testing.T, out *Outcome) {
	t.Helper()
	cfg := out.Config
	if len(out.GANs) != len(cfg.Conditions) {
		t.Fatalf("%d GANs for %d conditions", len(out.GANs), len(cfg.Conditions))
	}
	for i, g := range out.GANs {
		if g.Condition != cfg.Conditions[i] || len(g.History.DLoss) != cfg.Steps || len(g.Epochs) != cfg.Steps/cfg.EpochSteps || g.Score.N != cfg.Samples {
			t.Errorf("GAN %d: %v, %d iterations, %d epochs, %d samples; want %v, %d, %d, %d",
				i, g.Condition, len(g.History.DLoss), len(g.Epochs), g.Score.N, cfg.Conditions[i], cfg.Steps, cfg.Steps/cfg.EpochSteps, cfg.Samples)
		}
		if !g.Condition.Conditional() {
			if g.Agreement > 0.2 {
				t.Errorf("the unconditional GAN agrees with requests it cannot hear on %.3f of samples: more than chance (0.1)", g.Agreement)
			}
			if g.Agreement >= out.GANs[0].Agreement {
				t.Errorf("the conditional GAN agrees on %.3f, no more than the unconditional one's %.3f", out.GANs[0].Agreement, g.Agreement)
			}
		}
	}
	checkCharts(t, out)
}

// checkCharts draws every chart of the outcome.
func checkCharts(t *testing.T, out *Outcome) {
	t.Helper()
	charts := map[string]func() (any, error){
		"comparison": func() (any, error) { return out.ComparisonChart() },
		"stability":  func() (any, error) { return out.StabilityChart() },
		"changed":    func() (any, error) { return out.ChangedChart() },
		"share":      func() (any, error) { return out.ShareChart() },
		"per digit":  func() (any, error) { return out.PerDigitChart() },
		"loss":       func() (any, error) { return out.LossChart() },
	}
	for i := range out.GANs {
		charts["grid"+string(rune('0'+i))] = func() (any, error) { return out.GridPicture(i) }
		charts["samples"+string(rune('0'+i))] = func() (any, error) { return out.SamplesPicture(i, 8) }
		charts["confusion"+string(rune('0'+i))] = func() (any, error) { return out.ConfusionChart(i) }
	}
	for name, f := range charts {
		if _, err := f(); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := out.GridPicture(len(out.GANs)); err == nil {
		t.Errorf("GridPicture of a GAN that is not there: no error")
	}
}

// tiny is a configuration that trains in seconds.
func tiny() Config {
	cfg := Quick()
	cfg.GFeatures, cfg.DFeatures, cfg.Batch = 8, 8, 16
	cfg.Steps, cfg.EpochSteps, cfg.Samples = 6, 3, 20
	cfg.Judge.Steps, cfg.Judge.TestImages = 20, 200
	cfg.Quiet = true
	return cfg
}

// TestRunTiny checks a whole run on tiny networks: every GAN in its own checkpoint folder, the
// epochs judged, the requests cycling through the digits, and a second Run restoring the outcome.
func TestRunTiny(t *testing.T) {
	t.Setenv(gomlxext.CacheDirEnv, t.TempDir())
	cfg := tiny()
	out, err := Run(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if out.Restored || len(out.GANs) != 3 {
		t.Fatalf("restored %v, %d GANs", out.Restored, len(out.GANs))
	}
	for _, g := range out.GANs {
		if len(g.Epochs) != 2 || !math.IsNaN(g.Epochs[0].Changed) || math.IsNaN(g.Epochs[1].Changed) {
			t.Errorf("%v: epochs %+v; want 2, the first without a change fraction", g.Condition, g.Epochs)
		}
		for i, r := range g.Requested {
			if r != i%dcgan.NumLabels {
				t.Fatalf("%v: sample %d requested %d, want %d", g.Condition, i, r, i%dcgan.NumLabels)
			}
		}
	}
	checkCharts(t, out)
	again, err := Run(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if !again.Restored || again.Dir != out.Dir {
		t.Errorf("second run restored %v, same folder %v", again.Restored, again.Dir == out.Dir)
	}
}

// TestBadConfig checks the errors for settings Run cannot use.
func TestBadConfig(t *testing.T) {
	for _, c := range []struct {
		edit func(*Config)
		want string
	}{
		{func(c *Config) { c.Conditions = nil }, "must start with the lesson's conditional GAN"},
		{func(c *Config) { c.Conditions = []dcgan.Conditioning{dcgan.Unconditional} }, "must start with"},
		{func(c *Config) { c.Conditions = append(c.Conditions, dcgan.InputLabels) }, "appears twice"},
		{func(c *Config) { c.Conditions = append(c.Conditions, 7) }, "unknown conditioning"},
		{func(c *Config) { c.Samples = 25 }, "multiple of 10"},
	} {
		cfg := tiny()
		cfg.CacheDir = "-"
		c.edit(&cfg)
		if _, err := Run(cfg); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Run(%v, %d samples): error %v, want one saying %q", cfg.Conditions, cfg.Samples, err, c.want)
		}
	}
}

// TestResult checks the RESULT line: agreement first; the confident fraction when agreement is
// met but confidence is not.
func TestResult(t *testing.T) {
	cfg := Full()
	for _, c := range []struct {
		agree, confident float64
		metric           string
		ok               bool
	}{
		{0.95, 0.85, "judge_agrees_with_requested_digit", true},
		{0.85, 0.85, "judge_agrees_with_requested_digit", false},
		{0.95, 0.70, "judge_confident_of_requested_digit", false},
	} {
		o := &Outcome{Config: cfg, GANs: []GAN{{Condition: dcgan.ProjectedLabels, Agreement: c.agree, ConfidentAgreement: c.confident}}}
		r := o.Result()
		if r.Metric != c.metric || r.OK() != c.ok || r.Lesson != "16" {
			t.Errorf("agreement %.2f, confident %.2f: %s; want metric %s ok=%v", c.agree, c.confident, r, c.metric, c.ok)
		}
	}
	if r := (&Outcome{Config: cfg}).Result(); r.OK() {
		t.Errorf("an outcome without GANs passes: %s", r)
	}
}

// TestOneHotIsEmbedding checks the identity the notebook shows: a dense layer over [z, onehot(y)]
// is a dense layer over z plus the row y of the label's weights.
func TestOneHotIsEmbedding(t *testing.T) {
	d, err := OneHotIsEmbedding(Full(), 64)
	if err != nil {
		t.Fatal(err)
	}
	if !(d < 1e-5) {
		t.Errorf("largest difference %g, want < 1e-5", d)
	}
}
