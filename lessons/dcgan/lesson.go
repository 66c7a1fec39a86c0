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
	if out.Samples, err = g.sampleMany(cfg.Samples, judgeStream); err != nil {
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

// judgeRun is the judge's configuration in a run of cfg: its own run (cached apart from the
// GAN's, shared by every GAN configuration), quiet when cfg is, saving nothing when cfg saves
// nothing, and in a sub-folder of cfg's folder when cfg names one.
func judgeRun(cfg Config) JudgeConfig {
	j := cfg.Judge
	j.Quiet = j.Quiet || cfg.Quiet
	if j.CacheDir == "" {
		switch cfg.CacheDir {
		case "", "-":
			j.CacheDir = cfg.CacheDir
		default:
			j.CacheDir = filepath.Join(cfg.CacheDir, "judge")
		}
	}
	return j
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
	return g.images(g.sample, z)
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
