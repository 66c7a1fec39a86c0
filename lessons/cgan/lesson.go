package cgan

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/dl4go/dl4go/lessons"
	"github.com/dl4go/dl4go/lessons/dcgan"
	"github.com/dl4go/dl4go/plotting"
)

// Outcome is what Run measured: one GAN per Config.Conditions, in that order, with the data of
// every chart (see charts.go).
type Outcome struct {
	Config Config
	GANs   []GAN
	// JudgeAccuracy is the judge's MNIST test accuracy, JudgeRealConfident the fraction of the real
	// test digits it is confident about (the most a perfect generator could score) and
	// JudgeNoiseConfident that of uniform-noise images (what drawing anything scores).
	JudgeAccuracy, JudgeRealConfident, JudgeNoiseConfident float64
	// Wall is the time of the call that trained and judged the GANs; Restored reports that this
	// outcome is the run's saved one (nothing trained or judged again), Dir the run's folder ("" when
	// nothing is saved).
	Wall     time.Duration
	Restored bool
	Dir      string
}

// GAN is one trained GAN and the judge's verdict on it.
type GAN struct {
	Condition dcgan.Conditioning
	History   dcgan.History // losses per iteration and the fixed grid after every epoch.
	// Samples are the judged samples [Config.Samples, 28, 28] in [0, 1], drawn from noise never
	// used in training; Requested the digit asked for in each (i mod 10) — an unconditional GAN
	// cannot be asked, so for it they are the digits a request would have named; Score the judge's
	// verdict.
	Samples   []float32
	Requested []int
	Score     dcgan.Score
	// Agreement is the fraction of samples whose judged digit (the judge's argmax) is the requested
	// one, ConfidentAgreement the fraction where it also has probability ≥ Config.MinProb.
	Agreement, ConfidentAgreement float64
	// Epochs are the fixed grid's scores after every epoch (the stability curves).
	Epochs []Epoch
	// StartStep is the iteration its training resumed from (0: fresh, Config.Steps: finished) and
	// StepTime the median wall time of one iteration while it trained.
	StartStep int
	StepTime  time.Duration
}

// Epoch is the judge's verdict on the fixed grid (dcgan.Config.FixedGrid: the same noise in every
// epoch) after Step iterations.
type Epoch struct {
	Step int
	// Agreement is the fraction of the grid judged as the requested digit (for an unconditional
	// GAN: the digit its row would request), Confident the fraction judged confidently as some digit.
	Agreement, Confident float64
	// Changed is the fraction of the grid whose judged digit differs from the previous epoch's: the
	// same noise drawing another digit (NaN in the first epoch).
	Changed float64
}

// Run trains (or restores) lesson 15's judge, then every GAN of cfg.Conditions in turn for
// cfg.Steps iterations (resuming from its checkpoint), with the live losses and the live fixed
// grid (rows: the requested digits 0–9, columns: shared noise) unless cfg.Quiet, and judges
// cfg.Samples fresh samples of each. The judged outcome is saved in the run's folder (see
// Lesson.Open): a finished run returns it at once, so every notebook cell can call Run. An
// interrupt saves a checkpoint and returns an error wrapping gomlxext.ErrInterrupted; running it
// again resumes.
func Run(cfg Config) (*Outcome, error) {
	t0 := time.Now()
	if err := cfg.check(); err != nil {
		return nil, err
	}
	run, err := Lesson.Open(cfg)
	if err != nil {
		return nil, err
	}
	saved := &Outcome{}
	if ok, err := run.LoadOutcome(saved); err != nil {
		return nil, err
	} else if ok {
		saved.Config, saved.Restored, saved.Dir = cfg, true, run.Dir
		return saved, nil
	}
	judge, err := dcgan.NewJudge(cfg.Judge.For(cfg.Options), cfg.MinProb)
	if err != nil {
		return nil, fmt.Errorf("cgan: %w", err)
	}
	out := &Outcome{Config: cfg, Dir: run.Dir,
		JudgeAccuracy: judge.Accuracy, JudgeRealConfident: judge.RealConfident, JudgeNoiseConfident: judge.NoiseConfident}
	for _, cond := range cfg.Conditions {
		g, err := trainAndJudge(run, cfg, cond, judge)
		if err != nil {
			return nil, err
		}
		out.GANs = append(out.GANs, *g)
	}
	out.Wall = time.Since(t0)
	return out, run.SaveOutcome(out)
}

// check reports settings Run cannot use.
func (c Config) check() error {
	if len(c.Conditions) == 0 || !c.Conditions[0].Conditional() {
		return fmt.Errorf("cgan: Config.Conditions must start with the lesson's conditional GAN (dcgan.InputLabels or dcgan.ProjectedLabels), got %v", c.Conditions)
	}
	seen := map[dcgan.Conditioning]bool{}
	for _, cond := range c.Conditions {
		switch {
		case cond != dcgan.Unconditional && cond != dcgan.InputLabels && cond != dcgan.ProjectedLabels:
			return fmt.Errorf("cgan: unknown conditioning %v in Config.Conditions", cond)
		case seen[cond]:
			return fmt.Errorf("cgan: %v appears twice in Config.Conditions %v: each GAN is trained once", cond, c.Conditions)
		}
		seen[cond] = true
	}
	if c.Samples < dcgan.NumLabels || c.Samples%dcgan.NumLabels != 0 {
		return fmt.Errorf("cgan: Config.Samples %d must be a positive multiple of %d, so every digit is requested equally often", c.Samples, dcgan.NumLabels)
	}
	return nil
}

// partName is the checkpoint folder of the GAN with conditioning cond.
func partName(cond dcgan.Conditioning) string { return strings.ReplaceAll(cond.String(), " ", "-") }

// trainAndJudge trains the GAN of cfg with conditioning cond in its part of run, then judges its
// fixed grid at every epoch and cfg.Samples fresh samples.
func trainAndJudge(run *lessons.Run, cfg Config, cond dcgan.Conditioning, judge *dcgan.Judge) (*GAN, error) {
	gcfg := cfg.gan(cond)
	dir, err := run.Part(partName(cond))
	if err != nil {
		return nil, err
	}
	opts := dcgan.TrainOptions{Dir: dir, Quiet: cfg.Quiet}
	if !cfg.Quiet {
		title := "fixed grid: row = requested digit 0–9, column = shared noise"
		if !cond.Conditional() {
			title = "fixed noise G(z) of the unconditional DCGAN"
		}
		opts.Grid = plotting.NewLivePicture(title)
	}
	players, hist, err := dcgan.Train(gcfg, opts)
	if err != nil {
		return nil, fmt.Errorf("cgan: %v: %w", cond, err)
	}
	g := &GAN{Condition: cond, History: *hist, StartStep: players.StartStep, StepTime: players.StepTime}
	if g.Epochs, err = judgeEpochs(gcfg, hist.Snapshots, judge); err != nil {
		return nil, err
	}
	samples, requested, err := players.Sample(cfg.Samples)
	if err != nil {
		return nil, fmt.Errorf("cgan: %v: %w", cond, err)
	}
	if requested == nil { // an unconditional G hears no request: score it against the same digits
		requested = make([]int, cfg.Samples)
		for i := range requested {
			requested[i] = i % dcgan.NumLabels
		}
	}
	g.Samples, g.Requested = samples, requested
	if g.Score, err = judge.Score(samples); err != nil {
		return nil, fmt.Errorf("cgan: %v: %w", cond, err)
	}
	g.Agreement, g.ConfidentAgreement = agreement(g.Score, requested)
	return g, nil
}

// agreement returns the fraction of the scored images whose judged digit is the requested one,
// and the fraction where it also has at least the score's MinProb.
func agreement(s dcgan.Score, requested []int) (agree, confident float64) {
	if s.N == 0 {
		return 0, 0
	}
	for i, label := range s.Labels {
		if label == requested[i] {
			agree++
			if s.TopProb[i] >= s.MinProb {
				confident++
			}
		}
	}
	return agree / float64(s.N), confident / float64(s.N)
}

// gridRequests returns the digit each image of cfg's fixed grid requests (or, unconditional,
// would request: its row).
func gridRequests(cfg dcgan.Config) []int {
	n, cols := cfg.FixedGrid()
	req := make([]int, n)
	for i := range req {
		req[i] = (i / cols) % dcgan.NumLabels
	}
	return req
}

// judgeEpochs scores every snapshot of the fixed grid.
func judgeEpochs(cfg dcgan.Config, snaps []dcgan.Snapshot, judge *dcgan.Judge) ([]Epoch, error) {
	req := gridRequests(cfg)
	var out []Epoch
	var prev []int
	for _, snap := range snaps {
		s, err := judge.Score(snap.Images())
		if err != nil {
			return nil, fmt.Errorf("cgan: judge the grid after %d iterations: %w", snap.Step, err)
		}
		e := Epoch{Step: snap.Step, Confident: s.Confident, Changed: math.NaN()}
		e.Agreement, _ = agreement(s, req)
		if prev != nil {
			changed := 0
			for i := range prev {
				if prev[i] != s.Labels[i] {
					changed++
				}
			}
			e.Changed = float64(changed) / float64(len(prev))
		}
		prev = s.Labels
		out = append(out, e)
	}
	return out, nil
}

// Result is the lesson's RESULT line, for the first GAN of Config.Conditions: the fraction of its
// samples on which the judge agrees with the requested digit, against Config.Threshold. When that
// is met but the judge is confident of the requested digit on fewer than
// Config.ConfidentThreshold of them, the line reports that fraction instead, with ok=false.
func (o *Outcome) Result() lessons.Result {
	r := lessons.Result{Lesson: Lesson.ID, Metric: "judge_agrees_with_requested_digit", Threshold: o.Config.Threshold, Value: math.NaN()}
	if len(o.GANs) == 0 {
		return r
	}
	g := o.GANs[0]
	r.Value = g.Agreement
	if r.OK() && g.ConfidentAgreement < o.Config.ConfidentThreshold {
		r.Metric = "judge_confident_of_requested_digit"
		r.Value, r.Threshold = g.ConfidentAgreement, o.Config.ConfidentThreshold
	}
	return r
}
