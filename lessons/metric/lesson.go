package metric

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/dl4go/dl4go/data/mnist"
	"github.com/dl4go/dl4go/gomlxext"
	"github.com/dl4go/dl4go/lessons"
)

// Lesson describes lesson 19 to the lesson kit.
var Lesson = lessons.Lesson{ID: "19", Name: "metric"}

// Config sizes the lesson: four embedding networks trained on the seen digits, then k-NN and
// retrieval on held-out test images.
type Config struct {
	lessons.Options `json:"-"`

	// SeenDigits: the networks train on digits 0 … SeenDigits−1 only; the rest are the unseen
	// digits, retrieved by nearest neighbour with no training on them at all.
	SeenDigits int
	// EmbedDim is the size of the (unit-length) embedding.
	EmbedDim int
	// PerClass images of every seen digit make one batch (PerClass × SeenDigits).
	PerClass int
	// Steps of Adam at LearningRate for each network; SaveEvery steps between checkpoints.
	Steps        int
	LearningRate float64
	SaveEvery    int
	// ContrastiveMargin is the contrastive loss's m; TripletMargin the triplet loss's (and the
	// quadruplet's first) m; PairMargin the quadruplet's second margin.
	ContrastiveMargin, TripletMargin, PairMargin float64
	// Seed fixes the initial weights and the batches (the same batches for every loss).
	Seed int64

	// Gallery training images of the seen digits are the k-NN reference; SeenQueries test images of
	// the seen digits are classified by their K nearest gallery images; UnseenQueries test images of
	// the unseen digits each retrieve their nearest neighbour among the others. OverlapImages of
	// each query set give the pair-distance statistics (histograms, overlap).
	Gallery, SeenQueries, UnseenQueries, K, OverlapImages int

	// Thresholds for the semi-hard triplet network (the lesson's model): k-NN accuracy on the
	// seen digits and recall@1 on the unseen digits.
	MinKNNAccuracy, MinUnseenRecall float64
}

// Full is the notebook's experiment: 4 networks of 600 steps (batches of 98), a gallery of 10 000
// training images, every test image of the seen digits and of the unseen ones.
func Full() Config {
	return Config{
		SeenDigits: 7, EmbedDim: 16, PerClass: 14,
		Steps: 600, LearningRate: 2e-3, SaveEvery: 100,
		ContrastiveMargin: 1, TripletMargin: 0.5, PairMargin: 0.25,
		Seed:    19,
		Gallery: 10000, SeenQueries: 10000, UnseenQueries: 10000, K: 5, OverlapImages: 1000,
		MinKNNAccuracy: 0.97, MinUnseenRecall: 0.85,
	}
}

// Quick is the same lesson with 100 steps per network and smaller query and gallery sets, for
// tests and CI.
func Quick() Config {
	c := Full()
	c.Steps, c.SaveEvery = 100, 50
	c.Gallery, c.SeenQueries, c.UnseenQueries, c.OverlapImages = 2000, 1000, 1000, 500
	c.MinKNNAccuracy, c.MinUnseenRecall = 0.85, 0.70
	return c
}

// Size returns Quick when lessons.Quick() (DL4GO_QUICK=1), else Full.
func Size() Config {
	if lessons.Quick() {
		return Quick()
	}
	return Full()
}

func (c Config) validate() error {
	var bad []string
	if c.SeenDigits < 2 || c.SeenDigits > 9 {
		bad = append(bad, fmt.Sprintf("SeenDigits %d (want 2…9: some digits seen, some unseen)", c.SeenDigits))
	}
	if c.EmbedDim < 2 || c.PerClass < 2 || c.Steps < 1 || c.SaveEvery < 1 || c.K < 1 || c.OverlapImages < 2 {
		bad = append(bad, "EmbedDim, PerClass and OverlapImages must be ≥ 2, Steps, SaveEvery and K ≥ 1")
	}
	if c.Gallery <= c.K || c.SeenQueries < 1 || c.UnseenQueries <= c.K {
		bad = append(bad, fmt.Sprintf("Gallery %d and UnseenQueries %d must exceed K=%d, SeenQueries ≥ 1", c.Gallery, c.UnseenQueries, c.K))
	}
	if c.LearningRate <= 0 || c.ContrastiveMargin <= 0 || c.TripletMargin <= 0 || c.PairMargin <= 0 {
		bad = append(bad, "LearningRate and the margins must be > 0")
	}
	if bad != nil {
		return fmt.Errorf("metric: invalid config: %s", strings.Join(bad, "; "))
	}
	return nil
}

// Outcome is what Run measured.
type Outcome struct {
	Config Config
	// Models are the four networks, in the order of Losses; Scores their retrieval numbers (same
	// order); Baselines the same numbers for raw pixels and for PCA of the pixels to EmbedDim.
	Models    []*Model
	Scores    []*Scores
	Baselines []*Scores
	// Gallery, Seen and Unseen are the image sets scored (training gallery, seen-digit and
	// unseen-digit test queries); SeenEmb and UnseenEmb the queries' embeddings by model.
	Gallery, Seen, Unseen Split
	SeenEmb, UnseenEmb    [][][]float32
	// Wall is the time Run took; Restored says the outcome was the saved one of a finished run
	// (its networks then carry their training history but cannot embed new images).
	Wall     time.Duration
	Restored bool
}

// saved is what SaveOutcome keeps of an Outcome: everything but the images, which are re-read.
type saved struct {
	Models             []*Model
	Scores, Baselines  []*Scores
	SeenEmb, UnseenEmb [][][]float32
}

// Main is the lesson's model: the network trained with semi-hard triplet mining.
func (o *Outcome) Main() (*Model, *Scores) {
	for i, m := range o.Models {
		if m.Loss == TripletSemiHard {
			return m, o.Scores[i]
		}
	}
	return nil, nil
}

func (c Config) digits(seen bool) string {
	if seen {
		return fmt.Sprintf("digits_0_%d", c.SeenDigits-1)
	}
	return fmt.Sprintf("digits_%d_9", c.SeenDigits)
}

// Result is the lesson's RESULT line: the semi-hard triplet network's k-NN (k = K) accuracy on
// the seen digits' test images; when that passes but its recall@1 on the unseen digits misses
// MinUnseenRecall, the line reports that instead (ok=false).
func (o *Outcome) Result() lessons.Result {
	c := o.Config
	_, s := o.Main()
	r := lessons.Result{Lesson: Lesson.ID, Metric: fmt.Sprintf("triplet_semihard_knn%d_test_accuracy_%s", c.K, c.digits(true)), Value: s.KNNAccuracy, Threshold: c.MinKNNAccuracy}
	if !r.OK() {
		return r
	}
	if s.UnseenRecall1 < c.MinUnseenRecall {
		return lessons.Result{Lesson: Lesson.ID, Metric: "triplet_semihard_recall_at_1_unseen_" + c.digits(false), Value: s.UnseenRecall1, Threshold: c.MinUnseenRecall}
	}
	return r
}

// Summary is a table of every representation's numbers.
func (o *Outcome) Summary() string {
	c := o.Config
	var b strings.Builder
	fmt.Fprintf(&b, "%-22s %12s %14s %13s %15s\n", "representation", fmt.Sprintf("%d-NN seen", c.K), "recall@1 unseen", "overlap seen", "overlap unseen")
	for _, s := range append(append([]*Scores{}, o.Baselines...), o.Scores...) {
		fmt.Fprintf(&b, "%-22s %12.4f %14.4f %13.4f %15.4f\n", s.Name, s.KNNAccuracy, s.UnseenRecall1, s.SeenOverlap, s.UnseenOverlap)
	}
	fmt.Fprintf(&b, "(%d gallery images, %d seen and %d unseen test queries; overlap: share of same-digit pairs farther than a different-digit pair)\n",
		len(o.Gallery.Digits), len(o.Seen.Digits), len(o.Unseen.Digits))
	return b.String()
}

// Run does the whole lesson: the two baselines, then trains (or resumes from their checkpoints)
// the four embedding networks and scores each. Scoring takes tens of seconds (the raw-pixel
// baseline alone compares every query with every gallery image in 784 dimensions), so a finished
// run's outcome is saved and restored, not scored again.
func Run(cfg Config) (*Outcome, error) {
	t0 := time.Now()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	backend, err := gomlxext.Backend()
	if err != nil {
		return nil, fmt.Errorf("metric: %w", err)
	}
	run, err := Lesson.Open(cfg)
	if err != nil {
		return nil, err
	}
	trainSet, err := mnist.Load(mnist.Train)
	if err != nil {
		return nil, err
	}
	testSet, err := mnist.Load(mnist.Test)
	if err != nil {
		return nil, err
	}
	seen := func(d int) bool { return d < cfg.SeenDigits }
	unseen := func(d int) bool { return d >= cfg.SeenDigits }
	out := &Outcome{Config: cfg,
		Gallery: take(trainSet, 0, cfg.Gallery, seen),
		Seen:    take(testSet, 0, cfg.SeenQueries, seen),
		Unseen:  take(testSet, 0, cfg.UnseenQueries, unseen),
	}
	var sv saved
	if ok, err := run.LoadOutcome(&sv); err != nil {
		return nil, err
	} else if ok {
		out.Models, out.Scores, out.Baselines, out.SeenEmb, out.UnseenEmb = sv.Models, sv.Scores, sv.Baselines, sv.SeenEmb, sv.UnseenEmb
		out.Restored, out.Wall = true, time.Since(t0)
		return out, nil
	}
	ev := &evaluation{cfg: cfg, gallery: out.Gallery, seen: out.Seen, unseen: out.Unseen, dc: &distances{backend: backend}}

	raw, err := ev.score("raw pixels", out.Gallery.Images, out.Seen.Images, out.Unseen.Images)
	if err != nil {
		return nil, err
	}
	pca, err := FitPCA(out.Gallery.Images, cfg.EmbedDim)
	if err != nil {
		return nil, err
	}
	pcaScores, err := ev.score(fmt.Sprintf("PCA of pixels (%d-D)", cfg.EmbedDim), pca.Project(out.Gallery.Images), pca.Project(out.Seen.Images), pca.Project(out.Unseen.Images))
	if err != nil {
		return nil, err
	}
	out.Baselines = []*Scores{raw, pcaScores}

	data := newSeenTrain(trainSet, cfg.SeenDigits)
	for _, l := range Losses {
		dir, err := run.Part(strings.NewReplacer(" ", "-", "(", "", ")", "").Replace(string(l)))
		if err != nil {
			return nil, errors.Join(fmt.Errorf("metric: checkpoint folder for %s", l), err)
		}
		m, err := train(backend, dir, data, cfg, l, run.Quiet)
		if err != nil {
			return nil, err
		}
		var g, s, u [][]float32
		if g, err = m.EmbedImages(out.Gallery.Images); err == nil {
			if s, err = m.EmbedImages(out.Seen.Images); err == nil {
				u, err = m.EmbedImages(out.Unseen.Images)
			}
		}
		if err != nil {
			return nil, err
		}
		sc, err := ev.score(string(l), g, s, u)
		if err != nil {
			return nil, err
		}
		out.Models, out.Scores = append(out.Models, m), append(out.Scores, sc)
		out.SeenEmb, out.UnseenEmb = append(out.SeenEmb, s), append(out.UnseenEmb, u)
	}
	out.Wall = time.Since(t0)
	return out, run.SaveOutcome(saved{out.Models, out.Scores, out.Baselines, out.SeenEmb, out.UnseenEmb})
}
