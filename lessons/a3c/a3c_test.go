package a3c

import (
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/dl4go/dl4go/gomlxext"
	"github.com/dl4go/dl4go/lessons"
)

func TestQuickOutcome(t *testing.T) {
	cfg := Quick()
	cfg.Quiet = true
	out, err := Run(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s\n%s", out.Result(), out.Summary())
	if !out.Result().OK() {
		t.Errorf("quick outcome not reached: %s", out.Result())
	}
	if out.RandomReturn > 50 {
		t.Errorf("the random baseline returns %.1f; CartPole's random policy averages about 22", out.RandomReturn)
	}
	a3c2, ok1 := out.Find(A3C, 2)
	a2c2, ok2 := out.Find(A2C, 2)
	if !ok1 || !ok2 {
		t.Fatalf("quick runs lack the 2-worker variants: %v", cfg.Variants())
	}
	// The autocorrelation argument: an A2C update holds the samples of two independent
	// episodes, an A3C update the consecutive steps of one; the first are less alike.
	if !(a2c2.WithinCorr < a3c2.WithinCorr-0.1) {
		t.Errorf("correlation within an update: A2C %.2f, A3C %.2f; want A2C's clearly below", a2c2.WithinCorr, a3c2.WithinCorr)
	}
	if len(a2c2.Staleness) != 1 || a2c2.SameWorker != 1 {
		t.Errorf("A2C: staleness counts %v, same-worker share %.2f; want every update fresh and holding every worker", a2c2.Staleness, a2c2.SameWorker)
	}
	var counted int64
	for _, c := range a3c2.Staleness {
		counted += c
	}
	if counted != a3c2.Updates {
		t.Errorf("A3C: staleness counted for %d updates of %d", counted, a3c2.Updates)
	}
	for _, c := range []func() error{
		func() error { _, _, err := out.LearningCurves(); return err },
		func() error { _, _, err := out.SpeedCharts(); return err },
		func() error { _, _, err := out.CorrelationCharts(); return err },
		func() error { _, err := out.StalenessChart(); return err },
		func() error { _, _, err := out.EpisodeCharts(); return err },
		func() error { _, err := out.FramesPicture(5); return err },
		func() error { _, err := out.EvalChart(); return err },
	} {
		if err := c(); err != nil {
			t.Error(err)
		}
	}
}

func TestFullOutcome(t *testing.T) {
	lessons.SkipUnlessFull(t)
	out, err := Run(Full())
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s\n%s", out.Result(), out.Summary())
	if !out.Result().OK() {
		t.Errorf("full outcome not reached: %s", out.Result())
	}
}

// TestNStepReturns checks R_t = Σ_{k<n−t} γ^k r_{t+k} + γ^{n−t} V(s_n) by the explicit sum, and
// the two ways an episode can end inside a segment.
func TestNStepReturns(t *testing.T) {
	r := []float64{1, 2, 3, 4}
	const gamma, v = 0.9, 10.0
	got := NStepReturns(r, v, gamma)
	for i := range r {
		want := math.Pow(gamma, float64(len(r)-i)) * v
		for k := i; k < len(r); k++ {
			want += math.Pow(gamma, float64(k-i)) * r[k]
		}
		if math.Abs(got[i]-want) > 1e-12 {
			t.Errorf("R_%d = %g, want %g", i, got[i], want)
		}
	}
	// The pole falls after sample 1: samples 0–1 see nothing after it, samples 2–3 are a new
	// episode bootstrapped from V; a truncation after sample 1 bootstraps from its own V.
	ends := []End{Continues, Terminated, Continues, Continues}
	got = nStepTargets(r, ends, make([]float64, 4), v, gamma)
	want := []float64{1 + gamma*2, 2, 3 + gamma*4 + gamma*gamma*v, 4 + gamma*v}
	ends[1] = Truncated
	gotT := nStepTargets(r, ends, []float64{0, 5, 0, 0}, v, gamma)
	wantT := []float64{1 + gamma*(2+gamma*5), 2 + gamma*5, want[2], want[3]}
	for i := range want {
		if math.Abs(got[i]-want[i]) > 1e-12 || math.Abs(gotT[i]-wantT[i]) > 1e-12 {
			t.Errorf("sample %d: terminated %g (want %g), truncated %g (want %g)", i, got[i], want[i], gotT[i], wantT[i])
		}
	}
}

// TestCorrelations feeds the measurement updates of known structure: samples that repeat one
// state within an update are perfectly correlated, independent ones are not, and a series of
// updates that alternates between two independent workers' slowly moving states is correlated
// at lag 2 but not at lag 1.
func TestCorrelations(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	rec := func(states ...[4]float32) updateRecord {
		var u updateRecord
		for _, s := range states {
			u.N++
			for j, x := range s {
				u.Sum[j] += x
				u.SumSq[j] += x * x
			}
		}
		return u
	}
	state := func() [4]float32 {
		return [4]float32{float32(rng.NormFloat64()), float32(rng.NormFloat64()), float32(rng.NormFloat64()), float32(rng.NormFloat64())}
	}
	var same, indep, alternating []updateRecord
	walk := [2][4]float32{}
	for i := range 3000 {
		s := state()
		same = append(same, rec(s, s, s))
		indep = append(indep, rec(state(), state(), state()))
		w := &walk[i%2]
		for j := range w {
			w[j] = 0.95*w[j] + 0.3*float32(rng.NormFloat64())
		}
		alternating = append(alternating, rec(*w))
	}
	if _, within := correlations(same, 2); math.Abs(within-1) > 0.02 {
		t.Errorf("repeated states: within-update correlation %.3f, want 1", within)
	}
	lag, within := correlations(indep, 2)
	if math.Abs(within) > 0.05 || math.Abs(lag[0]) > 0.06 {
		t.Errorf("independent states: within %.3f, lag 1 %.3f; want ≈ 0", within, lag[0])
	}
	lag, _ = correlations(alternating, 2)
	if math.Abs(lag[0]) > 0.1 || lag[1] < 0.5 {
		t.Errorf("two alternating workers: lag 1 %.3f (want ≈ 0), lag 2 %.3f (want high)", lag[0], lag[1])
	}
	if got := sameWorker([]updateRecord{{N: 1, Worker: 0}, {N: 1, Worker: 0}, {N: 1, Worker: 1}}); got != 0.5 {
		t.Errorf("sameWorker %.2f, want 0.5", got)
	}
	if got := stalenessCounts([]updateRecord{{N: 1}, {N: 1, Staleness: 2}, {N: 1}}); !slices.Equal(got, []int64{2, 0, 1}) {
		t.Errorf("stalenessCounts %v", got)
	}
}

// TestInterruptResumes interrupts an A3C run (as a kernel interrupt would) and runs it again:
// the second run resumes from the checkpoint (the training episodes before the interrupt kept),
// and a third one restores the finished run and only evaluates.
func TestInterruptResumes(t *testing.T) {
	t.Setenv(gomlxext.CacheDirEnv, t.TempDir())
	cfg := Quick()
	cfg.Quiet = true
	cfg.Workers = []int{2}
	afterRecord = func(steps int64, stop *gomlxext.Interrupt) {
		if steps >= 1500 {
			stop.Request()
		}
	}
	_, err := Run(cfg)
	afterRecord = nil
	if !errors.Is(err, gomlxext.ErrInterrupted) || !strings.Contains(err.Error(), "resume") {
		t.Fatalf("interrupted run: %v, want an error wrapping gomlxext.ErrInterrupted that says how to resume", err)
	}
	resumed, err := Run(cfg)
	if err != nil {
		t.Fatal(err)
	}
	r := resumed.Runs[0]
	if r.ResumedFrom < 1500 || r.ResumedFrom > 1500+int64(cfg.Workers[0]*cfg.NSteps) {
		t.Errorf("resumed from %d environment steps, want just past 1500", r.ResumedFrom)
	}
	if r.EnvSteps <= r.ResumedFrom || len(r.Episodes) == 0 || r.Episodes[0].EnvSteps > 1500 {
		t.Errorf("resumed run: %d steps, first episode at %d; want training continued with the earlier episodes kept",
			r.EnvSteps, r.Episodes[0].EnvSteps)
	}
	// A rerun returns the saved outcome; without it, each variant is restored from its finished
	// checkpoint and evaluated again, with the same numbers.
	again, err := Run(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if again.Runs[0].EnvSteps != r.EnvSteps || again.Runs[0].MeanReturn != r.MeanReturn || again.Runs[0].ResumedFrom != r.ResumedFrom {
		t.Errorf("rerun: %d steps, mean %.1f; want the saved outcome (%d, %.1f)", again.Runs[0].EnvSteps, again.Runs[0].MeanReturn, r.EnvSteps, r.MeanReturn)
	}
	run, err := Lesson.Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(run.Dir, "outcome.gob")); err != nil {
		t.Fatal(err)
	}
	restored, err := Run(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for i, a := range restored.Runs {
		b := resumed.Runs[i]
		if a.ResumedFrom != b.EnvSteps || a.EnvSteps != b.EnvSteps || a.MeanReturn != b.MeanReturn {
			t.Errorf("%s restored: resumed from %d of %d steps, mean %.1f; want the finished run (%d steps, %.1f) restored and evaluated",
				a.Variant, a.ResumedFrom, a.EnvSteps, a.MeanReturn, b.EnvSteps, b.MeanReturn)
		}
	}
}

// TestResult: the RESULT line takes the worst A3C run, ignores A2C, and uses the Config's bar.
func TestResult(t *testing.T) {
	cfg := Full()
	o := &Outcome{Config: cfg, Runs: []RunOutcome{
		{Variant: Variant{A3C, 1}, MeanReturn: 500}, {Variant: Variant{A3C, 2}, MeanReturn: 240},
		{Variant: Variant{A2C, 2}, MeanReturn: 30}}}
	if r := o.Result(); r.Value != 240 || !r.OK() || r.Lesson != "18" || r.Threshold != 195 {
		t.Errorf("%v: want value 240, ok", r)
	}
	o.Runs[1].MeanReturn = 150
	if r := o.Result(); r.OK() {
		t.Errorf("%v: an A3C run at 150 passed a bar of 195", r)
	}
	if _, err := Run(Config{}); err == nil || !strings.Contains(err.Error(), "invalid config") {
		t.Errorf("an empty config: %v; want it refused", err)
	}
}
