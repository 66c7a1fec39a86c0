package a3c

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"

	"github.com/dl4go/dl4go/gomlxext"
	"github.com/dl4go/dl4go/internal/cputime"
	"github.com/dl4go/dl4go/lessons"
	"github.com/dl4go/dl4go/lessons/rl"
	"github.com/dl4go/dl4go/plotting"
)

// Method is how the workers' experience reaches the shared parameters.
type Method string

const (
	// A3C: every worker is a goroutine with its own environment and its own copy θ' of the
	// weights; it plays n steps, computes its gradient and applies it to the shared θ at once,
	// without waiting for the others (asynchronous).
	A3C Method = "A3C"
	// A2C: the synchronous variant — every worker plays n steps in lock step, the gradient of
	// all their samples together (the average of the workers' gradients) is applied once, and
	// every worker goes on with the same new weights.
	A2C Method = "A2C"
)

// Variant is one training run: a method and its number of workers.
type Variant struct {
	Method  Method
	Workers int
}

func (v Variant) String() string { return fmt.Sprintf("%s, %s", v.Method, workersLabel(v.Workers)) }

// workersLabel is "1 worker", "2 workers", ...
func workersLabel(w int) string {
	if w == 1 {
		return "1 worker"
	}
	return fmt.Sprintf("%d workers", w)
}

// Random streams of a run (PCG's second seed word): workers use theirs from workerStream on.
const (
	evalStream    = 1 << 40
	monitorStream = 1 << 41
	workerStream  = 1 << 42
)

// EpisodeRecord is one training episode: its return (sampled actions), and the environment
// steps, training seconds and CPU seconds of the run when it ended.
type EpisodeRecord struct {
	Return     float64
	EnvSteps   int64
	Seconds    float64 // training wall time (the greedy checks left out)
	CPUSeconds float64 // CPU time of the process spent training
}

// MonitorRecord is one greedy check of the shared policy during training.
type MonitorRecord struct {
	EnvSteps   int64
	Seconds    float64 // training wall time so far (the checks' own time left out)
	CPUSeconds float64 // CPU time of the process spent training so far
	Return     float64 // mean greedy return over MonitorEpisodes episodes
}

// updateRecord is what the autocorrelation measurement keeps of one update, in the order the
// updates reached the shared parameters: its samples' count and the per-feature sums of their
// standardised-later states and squares, and its staleness.
type updateRecord struct {
	N         int32
	Staleness int32
	Worker    int32 // the A3C worker that computed it (A2C: 0, every worker's samples)
	Sum       [4]float32
	SumSq     [4]float32
}

// history is a run's state saved with each checkpoint beside the shared parameters.
type history struct {
	Episodes     []EpisodeRecord
	Monitor      []MonitorRecord
	Updates      []updateRecord
	EnvSteps     int64
	TrainSeconds float64
	CPUSeconds   float64
	Done         bool // the stop rule fired or the budget ran out
	Starts       int  // how many times training started (a resume reseeds the workers)
	// Load holds the machine's load average at each greedy check (none where unknown).
	Load []float64
}

// RunOutcome is one variant's training and score.
type RunOutcome struct {
	Variant
	Seed     uint64 // the run's seed (weights, episodes)
	Episodes []EpisodeRecord
	Monitor  []MonitorRecord
	// SolvedSeconds, SolvedCPUSeconds and SolvedSteps are the training wall time, CPU time and
	// environment steps when the last SolveWindow training episodes first averaged
	// SolvedReturn or more (NaN, NaN, −1 when they never did).
	SolvedSeconds, SolvedCPUSeconds float64
	SolvedSteps                     int64
	EnvSteps, Updates               int64
	TrainSeconds, CPUSeconds        float64
	// Staleness[k] counts the updates computed on weights k updates old (A2C's are all 0).
	Staleness []int64
	// LagCorr[k−1] is the correlation between the mean states of update u and update u+k, for
	// k = 1..len(LagCorr): how alike consecutive updates' samples are, in the order the shared
	// parameters received them.
	LagCorr []float64
	// WithinCorr is the mean correlation between two different samples of the same update.
	WithinCorr float64
	// SameWorker is the share of consecutive updates computed by the same worker (A2C: 1, every
	// update holds every worker's samples).
	SameWorker float64
	// EvalReturns are the greedy returns on the held-out episodes; MeanReturn their mean.
	EvalReturns []float64
	MeanReturn  float64
	// Trace is the first held-out episode, step by step.
	Trace Trace
	// ResumedFrom is the environment steps restored from a checkpoint (0: trained from scratch).
	ResumedFrom int64
	// Load is the machine's mean load average during training (NaN where unknown): the wall
	// times above had 2 cores (or NumCPU) shared with that many runnable processes.
	Load float64
}

// MeanStaleness is the mean staleness of the run's updates.
func (r *RunOutcome) MeanStaleness() float64 {
	var n, s float64
	for k, c := range r.Staleness {
		n += float64(c)
		s += float64(k) * float64(c)
	}
	if n == 0 {
		return 0
	}
	return s / n
}

// Trace is one greedy episode: per step the state, the actor's π(push right | s) and the critic's
// V(s) in units of return (V/(1−γ)).
type Trace struct {
	States [][4]float64
	PRight []float64
	Value  []float64
}

// maxLag is the number of lags of RunOutcome.LagCorr.
const maxLag = 16

// trainer runs one variant.
type trainer struct {
	cfg     Config
	v       Variant
	backend backends.Backend
	ps      *gomlxext.ParamServer
	main    *context.Context
	ck      *gomlxext.Checkpoint
	stop    *gomlxext.Interrupt
	live    *plotting.Live
	eval    *context.Exec // actGraph on its own context, pulled before each check

	// gate pauses the workers during a check: each holds a read lock over one segment and its
	// update; the check takes the write lock.
	gate      sync.RWMutex
	monitorMu sync.Mutex
	next      atomic.Int64 // env steps at which the next check is due
	envSteps  atomic.Int64
	halt      atomic.Bool // set when training ends (stop rule, budget, interrupt or error)

	mu   sync.Mutex // guards hist, paused, cpuPaused
	hist history

	// The clock: training time excludes the checks.
	start                time.Time
	paused               time.Duration
	cpuStart, cpuPaused  time.Duration
	baseSeconds, baseCPU float64

	errMu       sync.Mutex
	err         error
	interrupted bool   // guarded by mu
	stopWhy     string // why the stop rule ended training, for the live view; guarded by mu
}

// params are the context parameters of every context of the run.
func (t *trainer) params() map[string]any {
	return map[string]any{
		"hidden":                 t.cfg.Hidden,
		"entropy":                t.cfg.Entropy,
		"value_coef":             t.cfg.ValueCoef,
		context.ParamInitialSeed: int64(t.cfg.Seed),
	}
}

func (t *trainer) fail(err error) {
	t.errMu.Lock()
	if t.err == nil {
		t.err = err
	}
	t.errMu.Unlock()
	t.halt.Store(true)
}

// runVariant trains (or resumes, or restores) one variant with the seed cfg.Seed and scores it.
func runVariant(cfg Config, run *lessons.Run, v Variant, stop *gomlxext.Interrupt) (*RunOutcome, error) {
	name := fmt.Sprintf("%s-%d-seed%d", map[Method]string{A3C: "a3c", A2C: "a2c"}[v.Method], v.Workers, cfg.Seed)
	backend, err := gomlxext.Backend()
	if err != nil {
		return nil, fmt.Errorf("a3c: %w", err)
	}
	dir, err := run.Part(name)
	if err != nil {
		return nil, err
	}
	t := &trainer{cfg: cfg, v: v, backend: backend, stop: stop, main: context.New().Checked(false)}
	t.main.SetParams(t.params())
	if dir != "" {
		if t.ck, err = gomlxext.Checkpoints(t.main, dir).Immediate().LoadState(&t.hist).Done(); err != nil {
			return nil, fmt.Errorf("a3c %s: %w", v, err)
		}
	}
	// Build the networks once on the main context (a fresh run initialises them here; a resumed
	// one reuses the loaded weights), then the shared parameters live in the server.
	init, err := context.NewExec(backend, t.main, actGraph)
	if err != nil {
		return nil, fmt.Errorf("a3c %s: compile the networks: %w", v, err)
	}
	if _, err := init.Exec(tensors.FromFlatDataAndDimensions(make([]float32, 4), 1, 4)); err != nil {
		return nil, fmt.Errorf("a3c %s: %w", v, err)
	}
	ps := gomlxext.NewParamServer(t.main).RMSProp(cfg.LearningRate, cfg.RMSDecay, cfg.RMSEpsilon)
	if cfg.GradClip > 0 {
		ps = ps.ClipNorm(cfg.GradClip)
	}
	if t.ps, err = ps.Done(); err != nil {
		return nil, fmt.Errorf("a3c %s: %w", v, err)
	}
	if t.ps.Version() != int64(len(t.hist.Updates)) {
		return nil, fmt.Errorf("a3c %s: the checkpoint in %s holds %d updates but its history %d: delete the folder to start over",
			v, dir, t.ps.Version(), len(t.hist.Updates))
	}
	evalCtx := context.New().Checked(false)
	evalCtx.SetParams(t.params())
	if _, err := t.ps.Pull(evalCtx); err != nil {
		return nil, fmt.Errorf("a3c %s: %w", v, err)
	}
	if t.eval, err = context.NewExec(backend, evalCtx, actGraph); err != nil {
		return nil, fmt.Errorf("a3c %s: compile the evaluation: %w", v, err)
	}
	out := &RunOutcome{Variant: v, Seed: cfg.Seed, ResumedFrom: t.hist.EnvSteps}
	if !t.hist.Done {
		if err := t.train(); err != nil {
			return nil, err
		}
	}
	h := t.hist
	out.Episodes, out.Monitor, out.EnvSteps, out.Updates = h.Episodes, h.Monitor, h.EnvSteps, int64(len(h.Updates))
	out.TrainSeconds, out.CPUSeconds = h.TrainSeconds, h.CPUSeconds
	out.Load = mean(h.Load)
	out.SolvedSeconds, out.SolvedCPUSeconds, out.SolvedSteps = math.NaN(), math.NaN(), -1
	for i := cfg.SolveWindow; i <= len(h.Episodes); i++ {
		if trainingMean(h.Episodes[:i], cfg.SolveWindow) >= cfg.SolvedReturn {
			e := h.Episodes[i-1]
			out.SolvedSeconds, out.SolvedCPUSeconds, out.SolvedSteps = e.Seconds, e.CPUSeconds, e.EnvSteps
			break
		}
	}
	out.Staleness = stalenessCounts(h.Updates)
	out.LagCorr, out.WithinCorr = correlations(h.Updates, maxLag)
	out.SameWorker = sameWorker(h.Updates)

	// Held-out evaluation: greedy actions, start states from a stream of their own. Cheap, so a
	// finished run is scored again from its restored weights.
	if _, err := t.ps.Pull(evalCtx); err != nil {
		return nil, fmt.Errorf("a3c %s: %w", v, err)
	}
	rng := rand.New(rand.NewPCG(cfg.Seed, evalStream))
	if out.EvalReturns, err = playGreedy(t.eval, cfg.EvalEpisodes, rng, cfg.Gamma, &out.Trace); err != nil {
		return nil, fmt.Errorf("a3c %s: %w", v, err)
	}
	out.MeanReturn = mean(out.EvalReturns)
	return out, nil
}

// train runs the workers until the stop rule, the budget or an interrupt.
func (t *trainer) train() error {
	cfg := t.cfg
	t.hist.Starts++
	t.envSteps.Store(t.hist.EnvSteps)
	t.next.Store((t.hist.EnvSteps/int64(cfg.MonitorEvery) + 1) * int64(cfg.MonitorEvery))
	t.baseSeconds, t.baseCPU = t.hist.TrainSeconds, t.hist.CPUSeconds
	if !t.cfg.Quiet {
		t.live = plotting.NewLive(fmt.Sprintf("CartPole, %s, seed %d: return every %d environment steps", t.v, cfg.Seed, cfg.MonitorEvery),
			cfg.MaxEnvSteps, "greedy return", "training return")
		for _, m := range t.hist.Monitor {
			t.live.Update(int(m.EnvSteps), map[string]float64{"greedy return": m.Return})
		}
		if len(t.hist.Monitor) > 0 {
			t.live.Resumed(int(t.hist.EnvSteps))
		}
	}
	t.start = time.Now()
	t.cpuStart, _ = cputime.Process()

	var wg sync.WaitGroup
	switch t.v.Method {
	case A3C:
		for w := range t.v.Workers {
			rng := rand.New(rand.NewPCG(cfg.Seed, workerStream+uint64(t.hist.Starts)<<8+uint64(w)))
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := t.a3cWorker(w, rng); err != nil && !errors.Is(err, errStopped) {
					t.fail(err)
				}
			}()
		}
	case A2C:
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := t.a2c(); err != nil && !errors.Is(err, errStopped) {
				t.fail(err)
			}
		}()
	}
	wg.Wait()
	if t.err == nil {
		cpu, _ := cputime.Process()
		t.mu.Lock()
		if err := t.save(time.Now(), cpu); err != nil {
			t.failLocked(err)
		}
		t.mu.Unlock()
	}
	if t.live != nil {
		vals := map[string]float64{}
		if m := trainingMean(t.hist.Episodes, cfg.SolveWindow); !math.IsNaN(m) {
			vals["training return"] = m
		}
		t.live.Update(int(t.hist.EnvSteps), vals) // where training stopped, not the last check
		if t.stopWhy != "" {
			t.live.StopEarly(t.stopWhy)
		} else {
			t.live.Done()
		}
	}
	if t.err != nil {
		return fmt.Errorf("a3c %s: %w", t.v, t.err)
	}
	if t.interrupted {
		where := ""
		if t.ck != nil {
			where = "; run it again to resume from the checkpoint in " + t.ck.Dir()
		}
		return fmt.Errorf("a3c %s: stopped after %d environment steps%s: %w", t.v, t.hist.EnvSteps, where, gomlxext.ErrInterrupted)
	}
	return nil
}

// segment is the buffer of one update: n samples (A3C) or n·workers (A2C), padded.
type segment struct {
	states  []float32 // [size, 4]
	actions []int32
	targets []float32
	mask    []float32
	rewards []float64
	ends    []End
	truncV  []float64
	rec     updateRecord
}

func newSegment(size int) *segment {
	return &segment{states: make([]float32, size*4), actions: make([]int32, size), targets: make([]float32, size),
		mask: make([]float32, size), rewards: make([]float64, size), ends: make([]End, size), truncV: make([]float64, size)}
}

func (s *segment) reset() {
	clear(s.states)
	clear(s.actions)
	clear(s.targets)
	clear(s.mask)
	clear(s.ends)
	s.rec = updateRecord{}
}

// add records sample k: state obs, action a, reward r.
func (s *segment) add(k int, obs []float32, a int, r float64) {
	copy(s.states[k*4:k*4+4], obs)
	s.actions[k] = int32(a)
	s.rewards[k] = r
	s.mask[k] = 1
	s.rec.N++
	for j, x := range obs {
		s.rec.Sum[j] += x
		s.rec.SumSq[j] += x * x
	}
}

// setTargets fills the targets of samples [from, to) from their rewards and ends and the value
// of the state after the last one.
func (s *segment) setTargets(from, to int, bootstrap, gamma float64) {
	r := nStepTargets(s.rewards[from:to], s.ends[from:to], s.truncV[from:to], bootstrap, gamma)
	for i, x := range r {
		s.targets[from+i] = float32(x)
	}
}

func (s *segment) tensors() []any {
	n := len(s.actions)
	return []any{tensors.FromFlatDataAndDimensions(s.states, n, 4), tensors.FromFlatDataAndDimensions(s.actions, n),
		tensors.FromFlatDataAndDimensions(s.targets, n), tensors.FromFlatDataAndDimensions(s.mask, n)}
}

// terminated reports whether env's episode ended because the pole fell or the cart left the
// track (rather than being cut off at 500 steps with the pole up).
func terminated(env *rl.CartPole) bool {
	return math.Abs(env.State[0]) > rl.CartPoleXLimit || math.Abs(env.State[2]) > rl.CartPoleThetaLimit
}

// act runs the actor and critic on states [n, 4]: π(right|s) and V(s) per state.
func act(exec *context.Exec, obs []float32, n int) (pRight, value []float32, err error) {
	res, err := exec.Exec(tensors.FromFlatDataAndDimensions(obs, n, 4))
	if err != nil {
		return nil, nil, fmt.Errorf("actor-critic: %w", err)
	}
	probs, err := tensors.CopyFlatData[float32](res[0])
	if err != nil {
		return nil, nil, err
	}
	value, err = tensors.CopyFlatData[float32](res[1])
	if err != nil {
		return nil, nil, err
	}
	pRight = make([]float32, n)
	for i := range n {
		pRight[i] = probs[2*i+1]
	}
	return pRight, value, nil
}

// worker is one learner's private side: its context, holding its copy θ' of the weights, its
// executables and the buffer of its update.
type worker struct {
	id         int
	ctx        *context.Context
	act, grad  *context.Exec
	seg        *segment
	finished   []float64 // returns of the episodes that ended in the current segment
	stepsTaken int       // environment steps of the current segment
}

// newWorker makes a worker whose updates hold size samples.
func (t *trainer) newWorker(id, size int) (*worker, error) {
	w := &worker{id: id, ctx: context.New().Checked(false), seg: newSegment(size)}
	w.ctx.SetParams(t.params())
	if _, err := t.ps.Pull(w.ctx); err != nil {
		return nil, err
	}
	var err error
	if w.act, err = context.NewExec(t.backend, w.ctx, actGraph); err != nil {
		return nil, fmt.Errorf("worker %d: %w", id, err)
	}
	if w.grad, err = context.NewExec(t.backend, w.ctx, gradGraph(t.ps)); err != nil {
		return nil, fmt.Errorf("worker %d: %w", id, err)
	}
	return w, nil
}

// loop repeats "pull θ' ← θ, play (filling w.seg), compute the gradient on θ', push it to θ"
// until training halts. It never waits for another worker; a greedy check pauses it between two
// updates.
func (t *trainer) loop(w *worker, play func(w *worker) error) error {
	for {
		t.gate.RLock()
		err := t.update(w, play)
		t.gate.RUnlock()
		if err != nil {
			return err
		}
		t.maybeMonitor()
		// Let the other workers in: with more workers than cores, Go would otherwise run this
		// goroutine for up to 10 ms (a dozen updates) before switching, and the shared weights
		// would see runs of one worker's updates instead of the workers taking turns.
		runtime.Gosched()
	}
}

// update is one turn of loop; the caller holds the gate's read lock.
func (t *trainer) update(w *worker, play func(w *worker) error) error {
	if t.halt.Load() {
		return errStopped
	}
	version, err := t.ps.Pull(w.ctx)
	if err != nil {
		return err
	}
	w.seg.reset()
	w.finished, w.stepsTaken = w.finished[:0], 0
	if err := play(w); err != nil {
		return fmt.Errorf("worker %d: %w", w.id, err)
	}
	grads, err := w.grad.Exec(w.seg.tensors()...)
	if err != nil {
		return fmt.Errorf("worker %d: gradient: %w", w.id, err)
	}
	staleness, err := t.ps.Push(grads[3:], version)
	if err != nil {
		return fmt.Errorf("worker %d: %w", w.id, err)
	}
	w.seg.rec.Worker = int32(w.id)
	t.record(version+staleness, staleness, w.seg.rec, w.finished, w.stepsTaken)
	return nil
}

// a3cWorker is one A3C worker: its own environment and its own copy θ' of the weights; each
// update plays n steps (fewer at an episode's end) with θ'.
func (t *trainer) a3cWorker(id int, rng *rand.Rand) error {
	cfg := t.cfg
	w, err := t.newWorker(id, cfg.NSteps)
	if err != nil {
		return err
	}
	obs := make([]float32, 4)
	var env rl.CartPole
	env.Reset(rng)
	epReturn := 0.0
	scale := 1 - cfg.Gamma // rewards in units of (1−γ): V stays in [0, 1)
	return t.loop(w, func(w *worker) error {
		L := 0
		for L < cfg.NSteps && !env.Done {
			env.Observe(obs)
			p, _, err := act(w.act, obs, 1)
			if err != nil {
				return err
			}
			a := 0
			if rng.Float64() < float64(p[0]) {
				a = 1
			}
			r := env.Step(a)
			epReturn += r
			w.seg.add(L, obs, a, r*scale)
			L++
		}
		// The segment ends after n steps or at the episode's end: R after it is V(s_n) (with
		// the weights the samples were played with), or 0 when the pole fell.
		bootstrap := 0.0
		if !(env.Done && terminated(&env)) {
			env.Observe(obs)
			_, v, err := act(w.act, obs, 1)
			if err != nil {
				return err
			}
			bootstrap = float64(v[0])
		}
		if env.Done {
			w.finished = append(w.finished, epReturn)
			epReturn = 0
			env.Reset(rng)
		}
		w.seg.setTargets(0, L, bootstrap, cfg.Gamma)
		w.stepsTaken = L
		return nil
	})
}

// a2c is synchronous advantage actor-critic: the workers' environments step in lock step with
// the same weights (one batched forward pass for all of them), and after n steps the gradient of
// all n·workers samples — the average of the workers' gradients — is applied once. The next
// segment starts from the new weights for everyone: that wait is the synchronisation barrier.
func (t *trainer) a2c() error {
	cfg := t.cfg
	n, W := cfg.NSteps, t.v.Workers
	w, err := t.newWorker(0, n*W) // worker k's samples at [k·n, (k+1)·n)
	if err != nil {
		return err
	}
	envs := make([]rl.CartPole, W)
	rngs := make([]*rand.Rand, W)
	epReturn := make([]float64, W)
	for k := range envs {
		rngs[k] = rand.New(rand.NewPCG(cfg.Seed, workerStream+uint64(t.hist.Starts)<<8+uint64(k)))
		envs[k].Reset(rngs[k])
	}
	obs := make([]float32, 4*W)
	one := make([]float32, 4)
	scale := 1 - cfg.Gamma
	return t.loop(w, func(w *worker) error {
		for step := range n {
			for k := range envs {
				envs[k].Observe(obs[4*k:])
			}
			p, _, err := act(w.act, obs, W)
			if err != nil {
				return err
			}
			for k := range envs {
				env := &envs[k]
				a := 0
				if rngs[k].Float64() < float64(p[k]) {
					a = 1
				}
				r := env.Step(a)
				epReturn[k] += r
				i := k*n + step
				w.seg.add(i, obs[4*k:4*k+4], a, r*scale)
				if env.Done {
					w.seg.ends[i] = Terminated
					if !terminated(env) {
						// Cut off at 500 steps with the pole up: the return goes on, V(s_final).
						w.seg.ends[i] = Truncated
						env.Observe(one)
						_, v, err := act(w.act, one, 1)
						if err != nil {
							return err
						}
						w.seg.truncV[i] = float64(v[0])
					}
					w.finished = append(w.finished, epReturn[k])
					epReturn[k] = 0
					env.Reset(rngs[k])
				}
			}
		}
		for k := range envs {
			envs[k].Observe(obs[4*k:])
		}
		_, boot, err := act(w.act, obs, W)
		if err != nil {
			return err
		}
		for k := range envs {
			w.seg.setTargets(k*n, (k+1)*n, float64(boot[k]), cfg.Gamma)
		}
		w.stepsTaken = n * W
		return nil
	})
}

// record files one applied update (the index-th the shared parameters received) and the episodes
// that ended in it, and ends training when the stop rule fires, the budget is spent or an
// interrupt was requested.
func (t *trainer) record(index, staleness int64, rec updateRecord, finished []float64, steps int) {
	rec.Staleness = int32(staleness)
	var cpu time.Duration
	if len(finished) > 0 {
		cpu, _ = cputime.Process()
	}
	now := time.Now()
	t.mu.Lock()
	defer t.mu.Unlock()
	total := t.envSteps.Add(int64(steps)) // under the lock: episodes are filed in step order
	for int64(len(t.hist.Updates)) <= index {
		t.hist.Updates = append(t.hist.Updates, updateRecord{})
	}
	t.hist.Updates[index] = rec
	for _, r := range finished {
		t.hist.Episodes = append(t.hist.Episodes, EpisodeRecord{Return: r, EnvSteps: total,
			Seconds: t.baseSeconds + (now.Sub(t.start) - t.paused).Seconds(), CPUSeconds: t.baseCPU + (cpu - t.cpuStart - t.cpuPaused).Seconds()})
	}
	if afterRecord != nil {
		afterRecord(total, t.stop)
	}
	switch {
	case t.halt.Load():
	case trainingMean(t.hist.Episodes, t.cfg.SolveWindow) >= t.cfg.StopReturn && t.lastGreedy() >= t.cfg.StopGreedy:
		t.hist.Done = true
		t.stopWhy = fmt.Sprintf("the last %d training episodes average ≥ %g, the last two greedy checks ≥ %g",
			t.cfg.SolveWindow, t.cfg.StopReturn, t.cfg.StopGreedy)
		t.halt.Store(true)
	case total >= int64(t.cfg.MaxEnvSteps):
		t.hist.Done = true
		t.halt.Store(true)
	case t.stop.Requested():
		t.interrupted = true
		t.halt.Store(true)
	}
}

// afterRecord, when set (by tests), is called after each update is recorded with the run's
// environment steps and its interrupt watcher, e.g. to request an interrupt at a chosen step.
var afterRecord func(envSteps int64, stop *gomlxext.Interrupt)

// lastGreedy is the lower mean return of the last two greedy checks (NaN before the second);
// the caller holds t.mu.
func (t *trainer) lastGreedy() float64 {
	m := t.hist.Monitor
	if len(m) < 2 {
		return math.NaN()
	}
	return min(m[len(m)-1].Return, m[len(m)-2].Return)
}

// trainingMean is the mean return of the last window training episodes (NaN before there are
// that many).
func trainingMean(eps []EpisodeRecord, window int) float64 {
	if len(eps) < window {
		return math.NaN()
	}
	var s float64
	for _, e := range eps[len(eps)-window:] {
		s += e.Return
	}
	return s / float64(window)
}

// save checkpoints the shared parameters (weights, RMSProp's mean squares, update count) with the
// history; the caller holds t.mu and no worker is running a segment.
func (t *trainer) save(now time.Time, cpu time.Duration) error {
	t.hist.EnvSteps = t.envSteps.Load()
	t.hist.TrainSeconds = t.baseSeconds + (now.Sub(t.start) - t.paused).Seconds()
	t.hist.CPUSeconds = t.baseCPU + (cpu - t.cpuStart - t.cpuPaused).Seconds()
	if t.ck == nil {
		return nil
	}
	if err := t.ps.Store(t.main); err != nil {
		return err
	}
	return t.ck.Save(t.hist)
}

// maybeMonitor runs the greedy check when it is due: it pauses every worker (the write lock of
// the gate, taken once the running segments are applied), scores the shared policy, and saves a
// checkpoint. Its time is left out of the training clock.
func (t *trainer) maybeMonitor() {
	if t.envSteps.Load() < t.next.Load() || !t.monitorMu.TryLock() {
		return
	}
	defer t.monitorMu.Unlock()
	t.gate.Lock()
	defer t.gate.Unlock()
	if t.halt.Load() || t.envSteps.Load() < t.next.Load() {
		return
	}
	cfg := t.cfg
	pause := time.Now()
	cpu, _ := cputime.Process()
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := t.save(pause, cpu); err != nil {
		t.failLocked(err)
		return
	}
	if _, err := t.ps.Pull(t.eval.Context()); err != nil {
		t.failLocked(err)
		return
	}
	rng := rand.New(rand.NewPCG(cfg.Seed, monitorStream))
	rets, err := playGreedy(t.eval, cfg.MonitorEpisodes, rng, cfg.Gamma, nil)
	if err != nil {
		t.failLocked(err)
		return
	}
	ret := mean(rets)
	if l, err := cputime.LoadAverage(); err == nil {
		t.hist.Load = append(t.hist.Load, l)
	}
	t.hist.Monitor = append(t.hist.Monitor, MonitorRecord{EnvSteps: t.hist.EnvSteps, Seconds: t.hist.TrainSeconds,
		CPUSeconds: t.hist.CPUSeconds, Return: ret})
	if t.live != nil {
		vals := map[string]float64{"greedy return": ret}
		if m := trainingMean(t.hist.Episodes, cfg.SolveWindow); !math.IsNaN(m) {
			vals["training return"] = m
		}
		t.live.Update(int(t.hist.EnvSteps), vals)
	}
	t.next.Add(int64(cfg.MonitorEvery))
	t.paused += time.Since(pause)
	cpu2, _ := cputime.Process()
	t.cpuPaused += cpu2 - cpu
}

// failLocked is fail for a caller that holds t.mu.
func (t *trainer) failLocked(err error) {
	t.errMu.Lock()
	if t.err == nil {
		t.err = err
	}
	t.errMu.Unlock()
	t.halt.Store(true)
}

// playGreedy plays n episodes side by side with the greedy policy (push right when
// π(right|s) > ½) and returns their returns; trace, if not nil, receives episode 0 step by step.
func playGreedy(exec *context.Exec, n int, rng *rand.Rand, gamma float64, trace *Trace) ([]float64, error) {
	envs := make([]rl.CartPole, n)
	for i := range envs {
		envs[i].Reset(rng)
	}
	obs := make([]float32, 4*n)
	rets := make([]float64, n)
	for range rl.CartPoleMaxSteps {
		active := 0
		for i := range envs {
			envs[i].Observe(obs[4*i:])
			if !envs[i].Done {
				active++
			}
		}
		if active == 0 {
			break
		}
		p, v, err := act(exec, obs, n)
		if err != nil {
			return nil, err
		}
		if trace != nil && !envs[0].Done {
			trace.States = append(trace.States, envs[0].State)
			trace.PRight = append(trace.PRight, float64(p[0]))
			trace.Value = append(trace.Value, float64(v[0])/(1-gamma))
		}
		for i := range envs {
			if envs[i].Done {
				continue
			}
			a := 0
			if p[i] > 0.5 {
				a = 1
			}
			rets[i] += envs[i].Step(a)
		}
	}
	return rets, nil
}

func mean(x []float64) float64 {
	if len(x) == 0 {
		return math.NaN()
	}
	var s float64
	for _, v := range x {
		s += v
	}
	return s / float64(len(x))
}
