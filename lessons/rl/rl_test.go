package rl

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/dl4go/dl4go/gomlxext"
	"github.com/dl4go/dl4go/lessons"
	"github.com/dl4go/dl4go/plotting"
)

func TestQTablePolicy(t *testing.T) {
	q := QTable{{1, 3, 2, 0}, {3, 1, 3, 0}}
	tests := []struct {
		s     int
		eps   float64
		wantP []float64
		wantV float64
	}{
		{0, 0, []float64{0, 1, 0, 0}, 3},
		{0, 0.1, []float64{0.025, 0.925, 0.025, 0.025}, 0.025*(1+2+0) + 0.925*3},
		{0, 1, []float64{0.25, 0.25, 0.25, 0.25}, 1.5},
		{1, 0.2, []float64{0.45, 0.05, 0.45, 0.05}, 0.45*6 + 0.05},
	}
	for _, tt := range tests {
		p := q.Pi(tt.s, tt.eps)
		for a := range p {
			if math.Abs(p[a]-tt.wantP[a]) > 1e-12 {
				t.Errorf("ε=%g: π(%d|s)=%g, want %g", tt.eps, a, p[a], tt.wantP[a])
			}
		}
		if v := q.V(tt.s, tt.eps); math.Abs(v-tt.wantV) > 1e-12 {
			t.Errorf("ε=%g: V(s)=%g, want %g", tt.eps, v, tt.wantV)
		}
	}
	// ε-greedy sampling follows π.
	rng := rand.New(rand.NewPCG(1, 2))
	counts := make([]int, 4)
	for range 40000 {
		counts[q.EpsilonGreedy(0, 0.2, rng)]++
	}
	if f := float64(counts[1]) / 40000; math.Abs(f-0.85) > 0.01 {
		t.Errorf("ε=0.2: greedy action chosen %.3f of the time, want 0.85", f)
	}
}

func TestCliffEnv(t *testing.T) {
	c := NewCliff()
	tests := []struct {
		name string
		s, a int
		next int
		r    float64
		done bool
	}{
		{"start up", c.Start(), Up, 24, -1, false},
		{"start left: wall", c.Start(), Left, c.Start(), -1, false},
		{"start right: cliff", c.Start(), Right, c.Start(), -100, false},
		{"edge down: cliff", 2*12 + 5, Down, c.Start(), -100, false},
		{"above goal down", 2*12 + 11, Down, c.Goal(), -1, true},
		{"top up: wall", 3, Up, 3, -1, false},
	}
	for _, tt := range tests {
		next, r, done := c.Step(tt.s, tt.a)
		if next != tt.next || r != tt.r || done != tt.done {
			t.Errorf("%s: got (%d, %g, %v), want (%d, %g, %v)", tt.name, next, r, done, tt.next, tt.r, tt.done)
		}
	}
	if !c.IsEdge(2*12+1) || c.IsEdge(2*12) || c.IsEdge(2*12+11) || c.IsEdge(12+5) {
		t.Error("IsEdge: the edge is row 2, columns 1..10")
	}
}

func TestBandit(t *testing.T) {
	out, err := RunBandit(Quick().Bandit)
	if err != nil {
		t.Fatal(err)
	}
	idx := func(name string) int {
		i := slices.IndexFunc(out.Config.Methods, func(m BanditMethod) bool { return m.Name == name })
		if i < 0 {
			t.Fatalf("no method %q", name)
		}
		return i
	}
	greedy, eps01 := idx("greedy ε=0"), idx("ε=0.1")
	if g, e := out.FinalPctOptimal(greedy), out.FinalPctOptimal(eps01); e <= g+10 {
		t.Errorf("%% optimal: ε=0.1 %.1f, greedy %.1f: exploration should win clearly", e, g)
	}
	if g, e := out.FinalAvgReward(greedy), out.FinalAvgReward(eps01); e <= g {
		t.Errorf("average reward: ε=0.1 %.3f, greedy %.3f", e, g)
	}
	for _, name := range []string{"UCB c=2", "optimistic Q0=5, ε=0"} {
		if o, g := out.FinalPctOptimal(idx(name)), out.FinalPctOptimal(greedy); o <= g {
			t.Errorf("%% optimal: %s %.1f not above greedy %.1f", name, o, g)
		}
	}
	for _, c := range []func() (*plotting.Chart, error){out.RewardChart, out.OptimalChart} {
		if ch, err := c(); err != nil {
			t.Error(err)
		} else if err := plotting.Display(ch); err != nil {
			t.Error(err)
		}
	}
}

func TestCliff(t *testing.T) {
	out, err := RunCliff(Quick().Cliff)
	if err != nil {
		t.Fatal(err)
	}
	if r := out.QLearningReturn(); r != -13 {
		t.Errorf("Q-learning greedy return %g, want -13:\n%s", r, out.Env.DrawPath(out.Path[QLearning]))
	}
	if !out.SARSASafe() {
		t.Errorf("SARSA greedy path steps on the cliff edge or misses the goal:\n%s", out.Env.DrawPath(out.Path[SARSA]))
	}
	if out.Env.pathSafe(out.Path[QLearning]) {
		t.Errorf("Q-learning's greedy path should run along the edge:\n%s", out.Env.DrawPath(out.Path[QLearning]))
	}
	if !out.Reached[MonteCarlo] {
		t.Errorf("Monte Carlo control's greedy path does not reach the goal:\n%s", out.Env.DrawPath(out.Path[MonteCarlo]))
	}
	if s, q := out.MeanOnlineReturn(SARSA), out.MeanOnlineReturn(QLearning); s <= q {
		t.Errorf("online return: SARSA %.1f should beat Q-learning %.1f", s, q)
	}
	if !out.OK() {
		t.Error("CliffOutcome.OK false")
	}
	for m := range CliffMethodNames {
		if ch, err := out.QChart(m); err != nil {
			t.Error(err)
		} else if err := plotting.Display(ch); err != nil {
			t.Error(err)
		}
	}
	for _, c := range []func() (*plotting.Chart, error){out.ReturnsChart, out.MonteCarloChart} {
		if ch, err := c(); err != nil {
			t.Error(err)
		} else if err := plotting.Display(ch); err != nil {
			t.Error(err)
		}
	}
	if _, err := out.PathsPicture(true); err != nil {
		t.Error(err)
	}
}

func TestCartPolePhysics(t *testing.T) {
	// One step from rest, worked by hand from the equations: temp = ±10/1.1,
	// θ̈ = −temp / (0.5·(4/3 − 0.1/1.1)), ẍ = temp − 0.05·θ̈/1.1.
	temp := 10 / 1.1
	thetaAcc := -temp / (0.5 * (4.0/3 - 0.1/1.1))
	xAcc := temp - 0.05*thetaAcc/1.1
	tests := []struct {
		name     string
		state    [4]float64
		steps    int
		action   int
		want     [4]float64
		wantDone bool
	}{
		{"push right from rest", [4]float64{}, 0, 1, [4]float64{0, 0.02 * xAcc, 0, 0.02 * thetaAcc}, false},
		{"push left from rest", [4]float64{}, 0, 0, [4]float64{0, -0.02 * xAcc, 0, -0.02 * thetaAcc}, false},
		{"positions move with the old velocities", [4]float64{1, 2, 0, 0}, 0, 1,
			[4]float64{1.04, 2 + 0.02*xAcc, 0, 0.02 * thetaAcc}, false},
		{"cart leaves the track", [4]float64{2.39, 1, 0, 0}, 0, 1, [4]float64{2.41, 1 + 0.02*xAcc, 0, 0.02 * thetaAcc}, true},
		{"truncated at 500 steps", [4]float64{}, 499, 1, [4]float64{0, 0.02 * xAcc, 0, 0.02 * thetaAcc}, true},
	}
	for _, tt := range tests {
		c := CartPole{State: tt.state, Steps: tt.steps}
		if r := c.Step(tt.action); r != 1 {
			t.Errorf("%s: reward %g, want 1", tt.name, r)
		}
		for i := range c.State {
			if math.Abs(c.State[i]-tt.want[i]) > 1e-12 {
				t.Errorf("%s: state %v, want %v", tt.name, c.State, tt.want)
				break
			}
		}
		if c.Done != tt.wantDone {
			t.Errorf("%s: done %v, want %v", tt.name, c.Done, tt.wantDone)
		}
	}

	// Gravity: a leaning pole falls further, and the episode ends past 12°.
	c := CartPole{State: [4]float64{0, 0, 0.1, 0}}
	for i := 0; !c.Done; i++ {
		c.Step(i % 2) // alternate pushes: no net force
		if i > 100 {
			t.Fatal("the pole never fell")
		}
	}
	if th := c.State[2]; th <= CartPoleThetaLimit {
		t.Errorf("ended at θ=%g, want > %g", th, CartPoleThetaLimit)
	}

	// Mirror symmetry: mirrored state and action give the mirrored next state.
	rng := rand.New(rand.NewPCG(3, 4))
	for range 100 {
		var s [4]float64
		for i := range s {
			s[i] = rng.Float64()*0.4 - 0.2
		}
		a, b := CartPole{State: s}, CartPole{State: [4]float64{-s[0], -s[1], -s[2], -s[3]}}
		a.Step(1)
		b.Step(0)
		for i := range s {
			if math.Abs(a.State[i]+b.State[i]) > 1e-12 {
				t.Fatalf("mirror of %v: %v vs %v", s, a.State, b.State)
			}
		}
	}
}

func TestQuickOutcome(t *testing.T) {
	cfg := Quick()
	cfg.Quiet = true
	out, err := Run(cfg)
	if err != nil {
		t.Fatal(err)
	}
	cp := out.CartPole
	t.Logf("%s\nquick: %d updates, %d episodes, train %s", out.Result(), cp.Iters, len(cp.EpisodeReturns), cp.TrainTime)
	if !out.Result().OK() {
		t.Errorf("quick outcome not reached: %s\n%s", out.Result(), out.Summary())
	}
	if len(cp.EvalReturns) != cfg.CartPole.EvalEpisodes || len(cp.Trajectory) < 2 {
		t.Errorf("%d evaluation returns, trajectory of %d states", len(cp.EvalReturns), len(cp.Trajectory))
	}
	if _, err := cp.TrainingChart(); err != nil {
		t.Error(err)
	}
	if _, err := cp.EvalChart(); err != nil {
		t.Error(err)
	}
	if _, err := cp.FramesPicture(10); err != nil {
		t.Error(err)
	}
}

func TestFullOutcome(t *testing.T) {
	lessons.SkipUnlessFull(t)
	cfg := Full()
	cfg.Quiet = true
	out, err := Run(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s\n%s", out.Result(), out.Summary())
	if !out.Result().OK() {
		t.Errorf("full outcome not reached: %s", out.Result())
	}
	if !out.Cliff.Reached[MonteCarlo] {
		t.Errorf("Monte Carlo control's greedy path does not reach the goal:\n%s", out.Cliff.Env.DrawPath(out.Cliff.Path[MonteCarlo]))
	}
	if s, q := out.Cliff.MeanOnlineReturn(SARSA), out.Cliff.MeanOnlineReturn(QLearning); s <= q {
		t.Errorf("online return: SARSA %.1f should beat Q-learning %.1f", s, q)
	}
}

// TestCartPoleResumes interrupts training after 3 updates (as a kernel interrupt would), then
// runs again: the run resumes from the checkpoint and ends with the episodes and the policy of the
// run that was never interrupted; a third run restores the finished run and only evaluates; a run
// with another setting trains from scratch in its own folder.
func TestCartPoleResumes(t *testing.T) {
	t.Setenv(gomlxext.CacheDirEnv, t.TempDir())
	cfg := Quick()
	cfg.Quiet = true

	whole := cfg
	whole.CacheDir = "-" // trains from scratch, saves nothing
	want, err := RunCartPole(whole)
	if err != nil {
		t.Fatal(err)
	}

	afterUpdate = func(iter int, stop *gomlxext.Interrupt) {
		if iter == 3 {
			stop.Request()
		}
	}
	_, err = RunCartPole(cfg)
	afterUpdate = nil
	if !errors.Is(err, gomlxext.ErrInterrupted) {
		t.Fatalf("interrupted run: %v, want an error wrapping gomlxext.ErrInterrupted", err)
	}
	resumed, err := RunCartPole(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if resumed.ResumedFrom != 3 {
		t.Errorf("resumed from %d, want 3", resumed.ResumedFrom)
	}
	if !slices.Equal(resumed.EpisodeReturns, want.EpisodeReturns) || resumed.MeanReturn != want.MeanReturn {
		t.Errorf("resumed run differs: %d episodes, mean %.1f; uninterrupted: %d, %.1f",
			len(resumed.EpisodeReturns), resumed.MeanReturn, len(want.EpisodeReturns), want.MeanReturn)
	}

	again, err := RunCartPole(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if again.ResumedFrom != want.Iters || again.Iters != want.Iters || again.MeanReturn != want.MeanReturn {
		t.Errorf("rerun of the finished run: resumed from %d, %d updates, mean %.1f; want %d, %d, %.1f (restored, evaluated)",
			again.ResumedFrom, again.Iters, again.MeanReturn, want.Iters, want.Iters, want.MeanReturn)
	}

	other := cfg
	other.CartPole.LearningRate *= 2
	o, err := RunCartPole(other)
	if err != nil {
		t.Fatal(err)
	}
	if o.ResumedFrom != 0 {
		t.Errorf("with another learning rate: resumed from %d, want a fresh run", o.ResumedFrom)
	}
}

func TestResult(t *testing.T) {
	good := CliffOutcome{Env: NewCliff(), GreedyReturn: []float64{-17, -13, -15},
		Reached: []bool{true, true, true}, Path: [][]int{{36, 24, 12, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 23, 35, 47}, nil, nil}}
	bad := good
	bad.GreedyReturn = []float64{-17, -15, -15}
	tests := []struct {
		cliff     CliffOutcome
		ret       float64
		threshold float64
		ok        bool
	}{
		{good, 500, 195, true}, {good, 150, 195, false}, {good, 150, 100, true}, {bad, 500, 195, false},
	}
	for _, tt := range tests {
		cfg := Full()
		cfg.Threshold = tt.threshold
		o := &Outcome{Config: cfg, Cliff: tt.cliff, CartPole: CartPoleOutcome{MeanReturn: tt.ret}}
		if r := o.Result(); r.OK() != tt.ok || r.Threshold != tt.threshold || r.Lesson != "01" {
			t.Errorf("%v: want ok=%v", r, tt.ok)
		}
	}
}
