package dcgan

import (
	"fmt"
	"time"

	"github.com/dl4go/dl4go/gomlxext"
	"github.com/dl4go/dl4go/lessons"
	"github.com/dl4go/dl4go/plotting"
)

// Thresholds of the lesson's outcome.
const (
	// MinProb is the judge probability from which a sample counts as a confident digit.
	MinProb = 0.9
	// FullConfident and QuickConfident are the fractions of confident samples the full and quick
	// sizes must reach.
	FullConfident  = 0.80
	QuickConfident = 0.30
	// MinClassShare is the smallest share of the confident samples every digit must get at the
	// full size (no mode collapse).
	MinClassShare = 0.03
)

// Outcome is what RunDCGAN measured, with the data of every chart (see charts.go).
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
	// StartStep is the iteration this run resumed from (0: a fresh run); StepTime the median
	// wall time of one iteration (D step + G step) in this run; Wall the time of the whole call.
	StartStep int
	StepTime  time.Duration
	Wall      time.Duration
	// Grid is the live fixed-noise grid (nil when Config.Quiet).
	Grid *plotting.LivePicture
}

// InterpolationSteps is the number of images in the z-space interpolation row.
const InterpolationSteps = 10

// RunDCGAN trains the judge (or loads it from the cache), then the DCGAN of cfg (resuming from its
// checkpoint), showing the live losses and the fixed-noise grid after every epoch, and finally
// judges cfg.Samples fresh samples.
func RunDCGAN(cfg Config) (Outcome, error) {
	t0 := time.Now()
	out := Outcome{Config: cfg}
	backend, err := gomlxext.Backend()
	if err != nil {
		return out, fmt.Errorf("dcgan: %w", err)
	}
	jcfg := cfg.Judge
	jcfg.Quiet = jcfg.Quiet || cfg.Quiet
	judge, err := newJudge(backend, jcfg)
	if err != nil {
		return out, err
	}
	out.JudgeAccuracy, out.JudgeRealConfident, out.JudgeNoiseConfident = judge.Accuracy, judge.RealConfident, judge.NoiseConfident
	if !cfg.Quiet {
		out.Grid = plotting.NewLivePicture("fixed noise G(z)")
	}
	g, hist, st, err := trainRun(backend, cfg, out.Grid)
	if err != nil {
		return out, err
	}
	out.History, out.StartStep, out.StepTime = *hist, st.startStep, st.median
	if out.Samples, err = g.sampleMany(cfg.Samples, judgeStream); err != nil {
		return out, err
	}
	if out.Score, err = judge.Score(out.Samples, MinProb); err != nil {
		return out, err
	}
	if out.Interpolation, err = g.interpolate(InterpolationSteps); err != nil {
		return out, err
	}
	out.Wall = time.Since(t0)
	return out, nil
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
// the size that ran. At full size, if some digit gets less than MinClassShare of the confident
// samples (mode collapse), the line reports that smallest share instead, with ok=false.
func (o Outcome) Result() lessons.Result {
	r := lessons.Result{Lesson: "15", Metric: "confident_samples", Value: o.Score.Confident, Threshold: FullConfident}
	if lessons.Quick() {
		r.Threshold = QuickConfident
	} else if o.Score.MinShare() < MinClassShare {
		r.Metric = "confident_samples_min_class_share"
		r.Value, r.Threshold = o.Score.MinShare(), MinClassShare
	}
	return r
}
