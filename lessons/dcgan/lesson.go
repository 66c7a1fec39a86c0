package dcgan

import (
	"fmt"
	"path/filepath"
	"time"

	"github.com/dl4go/dl4go/gomlxext"
	"github.com/dl4go/dl4go/lessons"
	"github.com/dl4go/dl4go/plotting"
)

// Outcome is what Run measured, with the data of every chart (see charts.go).
type Outcome struct {
	Config  Config
	History History
	// Samples are the judged samples [Config.Samples, 28, 28] in [0, 1], and Score the judge's verdict.
	Samples []float32
	Score   Score
	// JudgeAccuracy is the judge's MNIST test accuracy, and JudgeRealConfident the fraction of the
	// real test digits it is confident about (the score of a perfect generator);
	// JudgeNoiseConfident the fraction of uniform-noise images it is confident about (the score of
	// a generator that learned nothing).
	JudgeAccuracy, JudgeRealConfident, JudgeNoiseConfident float64
	// Interpolation is a row of InterpolationSteps images [n, 28, 28]: G(z) for z moving on a
	// straight line between two noise vectors.
	Interpolation []float32
	// StartStep is the iteration this run resumed from (0: a fresh run, Steps: a finished one);
	// StepTime the median wall time of one iteration (D step + G step) while it trained; Wall
	// the time of the call that trained and judged it.
	StartStep int
	StepTime  time.Duration
	Wall      time.Duration
	// Restored reports that this outcome was the run's saved one (returned at once, nothing
	// trained or judged again); Dir is the run's folder ("" when nothing is saved).
	Restored bool
	Dir      string
}

// InterpolationSteps is the number of images in the z-space interpolation row.
const InterpolationSteps = 10

// Run trains the judge (or restores it, see NewJudge), then the DCGAN of cfg (resuming from its
// checkpoint), showing the live losses and the fixed-noise grid after every epoch unless
// cfg.Quiet, and finally judges cfg.Samples fresh samples. The judged outcome is saved in the
// run's folder (see Lesson.Open): a finished run returns it at once, so that every notebook cell
// can call Run. An interrupt saves a checkpoint and returns an error wrapping
// gomlxext.ErrInterrupted; running it again resumes.
func Run(cfg Config) (*Outcome, error) {
	t0 := time.Now()
	backend, err := gomlxext.Backend()
	if err != nil {
		return nil, fmt.Errorf("dcgan: %w", err)
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
	if cfg.Condition.Conditional() {
		return nil, fmt.Errorf("dcgan: Run plays lesson 15's unconditional DCGAN, not the %v conditional GAN: set Config.Condition to Unconditional, or use cgan.Run (lesson 16)", cfg.Condition)
	}
	out := &Outcome{Config: cfg, Dir: run.Dir}
	judge, err := newJudge(backend, judgeRun(cfg), cfg.MinProb)
	if err != nil {
		return nil, err
	}
	out.JudgeAccuracy, out.JudgeRealConfident, out.JudgeNoiseConfident = judge.Accuracy, judge.RealConfident, judge.NoiseConfident
	var grid *plotting.LivePicture
	if !cfg.Quiet {
		grid = plotting.NewLivePicture("fixed noise G(z)")
	}
	dir, err := run.Part("gan")
	if err != nil {
		return nil, err
	}
	g, hist, st, err := trainRun(backend, cfg, dir, grid, cfg.Quiet)
	if err != nil {
		return nil, err
	}
	out.History, out.StartStep, out.StepTime = *hist, st.startStep, st.median
	if out.Samples, _, err = g.sampleMany(cfg.Samples, judgeStream); err != nil {
		return nil, err
	}
	if out.Score, err = judge.Score(out.Samples); err != nil {
		return nil, err
	}
	if out.Interpolation, err = g.interpolate(InterpolationSteps); err != nil {
		return nil, err
	}
	out.Wall = time.Since(t0)
	return out, run.SaveOutcome(out)
}

// judgeRun is the judge's configuration in a run of cfg (see JudgeConfig.For).
func judgeRun(cfg Config) JudgeConfig { return cfg.Judge.For(cfg.Options) }

// For returns the judge's configuration in a GAN run with options o: its own run (cached apart
// from the GAN's, shared by every GAN configuration and by lesson 16), quiet when o is, saving
// nothing when o saves nothing, and in a "judge" sub-folder of o.CacheDir when o names a folder.
func (c JudgeConfig) For(o lessons.Options) JudgeConfig {
	c.Quiet = c.Quiet || o.Quiet
	if c.CacheDir == "" {
		switch o.CacheDir {
		case "", "-":
			c.CacheDir = o.CacheDir
		default:
			c.CacheDir = filepath.Join(o.CacheDir, "judge")
		}
	}
	return c
}

// interpolate returns G(z) in inference mode for n points z on the segment between two noise
// vectors, [n, 28, 28] in [0, 1].
func (g *gan) interpolate(n int) ([]float32, error) {
	ends := noise(g.cfg.Seed, interpStream, 2, g.cfg.ZDim)
	d := g.cfg.ZDim
	z := make([]float32, n*d)
	for i := range n {
		t := float32(i) / float32(n-1)
		for k := range d {
			z[i*d+k] = (1-t)*ends[k] + t*ends[d+k]
		}
	}
	return g.images(g.sample, z, nil)
}

// TrainOptions say where Train keeps its checkpoints and what it shows.
type TrainOptions struct {
	// Dir is the checkpoint folder (a part of a lessons.Run): Train resumes from its latest
	// checkpoint and saves one every Config.EpochSteps iterations and on an interrupt. "" saves
	// nothing.
	Dir string
	// Grid, if not nil, shows the fixed-noise grid (Config.FixedGrid) after every epoch.
	Grid *plotting.LivePicture
	// Quiet turns off the live chart of the losses and D's outputs.
	Quiet bool
}

// Players are the generator and discriminator of a game played by Train.
type Players struct {
	g *gan
	// StartStep is the iteration Train resumed from (0: a fresh run, Config.Steps: a finished
	// one), Steps the iterations it ran and StepTime the median wall time of one.
	StartStep, Steps int
	StepTime         time.Duration
}

// Train plays the game of cfg — the unconditional DCGAN or, with cfg.Condition set, lesson 16's
// conditional GAN — for cfg.Steps iterations of the report's update_discriminator and
// update_generator, resuming from the latest checkpoint in opts.Dir, and returns the players and
// the history of the whole run. It is what Run trains with, without the judge. An interrupt
// (SIGINT) saves a checkpoint and returns an error wrapping gomlxext.ErrInterrupted.
func Train(cfg Config, opts TrainOptions) (*Players, *History, error) {
	backend, err := gomlxext.Backend()
	if err != nil {
		return nil, nil, fmt.Errorf("dcgan: %w", err)
	}
	g, hist, st, err := trainRun(backend, cfg, opts.Dir, opts.Grid, opts.Quiet)
	if err != nil {
		return nil, nil, err
	}
	return &Players{g: g, StartStep: st.startStep, Steps: st.steps, StepTime: st.median}, hist, nil
}

// Sample draws n samples [n, 28, 28] in [0, 1] from the noise that Run judges (fixed by
// Config.Seed, apart from the noise of training and of the fixed grid). A conditional G is asked
// for digit i mod 10 in image i; labels returns those digits (nil for an unconditional G).
func (p *Players) Sample(n int) (images []float32, labels []int, err error) {
	pix, y, err := p.g.sampleMany(n, judgeStream)
	if err != nil {
		return nil, nil, err
	}
	if y != nil {
		labels = make([]int, len(y))
		for i, v := range y {
			labels[i] = int(v)
		}
	}
	return pix, labels, nil
}

// Result is the lesson's RESULT line: the fraction of confident samples against the threshold of
// the configuration that ran. If some digit gets less than Config.MinClassShare of the confident
// samples (mode collapse), the line reports that smallest share instead, with ok=false.
func (o *Outcome) Result() lessons.Result {
	r := lessons.Result{Lesson: Lesson.ID, Metric: "confident_samples", Value: o.Score.Confident, Threshold: o.Config.Threshold}
	if o.Score.MinShare() < o.Config.MinClassShare {
		r.Metric = "confident_samples_min_class_share"
		r.Value, r.Threshold = o.Score.MinShare(), o.Config.MinClassShare
	}
	return r
}
