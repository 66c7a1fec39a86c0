package gcn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"gonum.org/v1/gonum/mat"

	"github.com/dl4go/dl4go/gomlxext"
	"github.com/dl4go/dl4go/lessons"
)

// Lesson describes lesson 21 to the lesson kit.
var Lesson = lessons.Lesson{ID: "21", Name: "gcn"}

// Config sizes the lesson: the spectral part on a small two-community graph, then node
// classification on a planted-partition graph and on the karate club.
type Config struct {
	lessons.Options `json:"-"`

	// Spectral is the small graph of the spectral part (two communities); SignalNoise the standard
	// deviation of the noise added to its ±1 community signal; LowPassOrder the k of the low-pass
	// filter (1 − λ/λmax)^k.
	Spectral     PartitionConfig
	SignalNoise  float64
	LowPassOrder int
	// EigenSizes are the graph sizes whose eigendecomposition is timed.
	EigenSizes []int

	// Partition is the node-classification graph; LabelsPerClass the labelled nodes per community
	// (the rest is held out); LabelSweep the labels per class of the label-rate chart.
	Partition      PartitionConfig
	LabelsPerClass int
	LabelSweep     []int
	// Train trains the GCN and the MLP baseline on the planted partition; Karate the GCN on the
	// karate club (one labelled member per faction).
	Train, Karate TrainConfig

	// Thresholds: the GCN's held-out accuracy on the planted partition, its lead over the
	// features-only MLP, and the share of karate members assigned to their real faction.
	MinPartitionAcc, MinGainOverMLP, MinKarateAcc float64
}

// Full is the notebook's experiment: a 1000-node planted partition with 4 communities and 10% of
// the nodes labelled.
func Full() Config {
	return Config{
		Spectral:     PartitionConfig{Nodes: 120, Classes: 2, PIn: 0.15, POut: 0.02, Seed: 1},
		SignalNoise:  0.8,
		LowPassOrder: 2,
		EigenSizes:   []int{100, 200, 400, 800},
		Partition: PartitionConfig{Nodes: 1000, Classes: 4, PIn: 0.028, POut: 0.004,
			Features: 16, FeatureNoise: 3, Seed: 2},
		LabelsPerClass:  25,
		LabelSweep:      []int{2, 5, 10, 25},
		Train:           TrainConfig{Hidden: 16, Dropout: 0.5, LearningRate: 0.01, WeightDecay: 5e-4, Epochs: 200, SaveEvery: 50, Seed: 21},
		Karate:          TrainConfig{Hidden: 16, Dropout: 0.5, LearningRate: 0.01, WeightDecay: 5e-4, Epochs: 200, SaveEvery: 50, Seed: 21},
		MinPartitionAcc: 0.90, MinGainOverMLP: 0.01, MinKarateAcc: 0.85,
	}
}

// Quick is the same lesson on a 400-node planted partition (10% labelled), fewer epochs and
// timed sizes, for tests and CI.
func Quick() Config {
	c := Full()
	c.EigenSizes = []int{100, 200}
	c.Partition.Nodes, c.LabelsPerClass = 400, 10
	c.Partition.PIn, c.Partition.POut = 0.0704, 0.01 // the same expected degrees as at full size: 7 inside, 3 across
	c.LabelSweep = []int{2, 10}
	c.Train.Epochs = 100
	c.MinPartitionAcc = 0.75
	return c
}

// Size returns Quick when lessons.Quick() (DL4GO_QUICK=1), else Full.
func Size() Config {
	if lessons.Quick() {
		return Quick()
	}
	return Full()
}

// SpectralOutcome is what the spectral part measured.
type SpectralOutcome struct {
	Graph    *Graph
	Spectrum *Spectrum // of L = D − A
	// NormalizedValues are the eigenvalues of L_sym = I − D^−½AD^−½ (in [0, 2]).
	NormalizedValues []float64
	// Signal is the clean ±1 community signal, Noisy the observed one, Smoothed the low-pass
	// filtered one (u' = QΘQᵀu); the MSEs are against Signal.
	Signal, Noisy, Smoothed []float64
	NoisyMSE, SmoothedMSE   float64
	// PolyMaxDiff is max |QΘQᵀu − p(L)u|: the spectral filter against the same polynomial applied
	// directly, with no eigendecomposition.
	PolyMaxDiff float64
	// Transfer: the low-pass filter on a second graph B (same kind, nodes numbered differently):
	// with B's own basis, with A's basis (a filter defined on A's eigenvectors), and as the
	// polynomial p(L_B). MSEs against B's clean signal; TransferNoisyMSE is B's noisy signal.
	TransferNoisyMSE, TransferOwnMSE, TransferForeignMSE, TransferPolyMSE float64
	// ChebyshevReach[k] is the largest hop distance T_k(L̃) mixes (k = 0 … 3).
	ChebyshevReach []int
	// EigenSeconds[i] is the time to decompose the Laplacian of a graph of Sizes[i] nodes;
	// PropagateSeconds[i] that of one GCN propagation Â·X (16 features) on the same graph, by its
	// edges.
	Sizes                          []int
	EigenSeconds, PropagateSeconds []float64
	// KarateFiedler is the share of karate members whose faction the sign of the Fiedler vector
	// (eigenvector 1 of L) gives: spectral clustering, no labels at all.
	KarateFiedler float64
}

// SweepPoint is the held-out accuracy of both models at one label rate.
type SweepPoint struct {
	LabelsPerClass int
	LabelRate      float64
	GCN, MLP       float64
}

// Outcome is what Run measured.
type Outcome struct {
	Config   Config
	Spectral SpectralOutcome
	// Partition is the node-classification graph and Labelled its labelled nodes; GCN and MLP the
	// two classifiers trained on it; Sweep the label-rate comparison.
	Partition *Graph
	Labelled  []bool
	GCN, MLP  *Fitted
	Sweep     []SweepPoint
	// KarateGraph is the club; KarateGCN the GCN trained from its two leaders' labels.
	KarateGraph *Graph
	KarateGCN   *Fitted
	// Wall is the time Run took.
	Wall time.Duration
}

// LabelRate is the share of the planted partition's nodes that are labelled.
func (o *Outcome) LabelRate() float64 {
	return float64(o.Config.LabelsPerClass*o.Config.Partition.Classes) / float64(o.Config.Partition.Nodes)
}

// Result is the lesson's RESULT line: the GCN's held-out accuracy on the planted partition. When
// that passes but the GCN does not lead the features-only MLP by MinGainOverMLP, or the karate
// club is not assigned well enough, the line reports that measure instead (ok=false).
func (o *Outcome) Result() lessons.Result {
	c := o.Config
	r := lessons.Result{Lesson: Lesson.ID, Metric: "gcn_heldout_accuracy_planted_partition", Value: o.GCN.HeldOutAcc, Threshold: c.MinPartitionAcc}
	if !r.OK() {
		return r
	}
	if gain := o.GCN.HeldOutAcc - o.MLP.HeldOutAcc; gain < c.MinGainOverMLP {
		return lessons.Result{Lesson: Lesson.ID, Metric: "gcn_minus_mlp_heldout_accuracy", Value: gain, Threshold: c.MinGainOverMLP}
	}
	if k := o.KarateGCN.HeldOutAcc; k < c.MinKarateAcc {
		return lessons.Result{Lesson: Lesson.ID, Metric: "karate_heldout_faction_accuracy", Value: k, Threshold: c.MinKarateAcc}
	}
	return r
}

// Summary is a short table of the lesson's numbers.
func (o *Outcome) Summary() string {
	s := o.Spectral
	return fmt.Sprintf("planted partition (%d nodes, %.0f%% labelled): GCN %.3f, MLP on features %.3f held-out accuracy\n"+
		"karate club (2 labelled members): GCN %.3f of the other 32 in their real faction; Fiedler vector alone %.3f of 34\n"+
		"low-pass smoothing: MSE %.3f → %.3f; QΘQᵀu vs p(L)u: max difference %.1e\n",
		o.Partition.N, 100*o.LabelRate(), o.GCN.HeldOutAcc, o.MLP.HeldOutAcc, o.KarateGCN.HeldOutAcc, s.KarateFiedler,
		s.NoisyMSE, s.SmoothedMSE, s.PolyMaxDiff)
}

// Run does the whole lesson: the spectral part (cheap, computed every time), then trains (or
// resumes, or restores from their checkpoints) and evaluates the node classifiers. Evaluation is
// a forward pass, so a finished run is evaluated again rather than replayed.
func Run(cfg Config) (*Outcome, error) {
	t0 := time.Now()
	if cfg.LabelsPerClass < 1 || cfg.Train.Epochs < 1 || cfg.Karate.Epochs < 1 || cfg.Train.SaveEvery < 1 || cfg.Karate.SaveEvery < 1 {
		return nil, fmt.Errorf("gcn: invalid config: LabelsPerClass, Epochs and SaveEvery must be ≥ 1")
	}
	backend, err := gomlxext.Backend()
	if err != nil {
		return nil, fmt.Errorf("gcn: %w", err)
	}
	run, err := Lesson.Open(cfg)
	if err != nil {
		return nil, err
	}
	out := &Outcome{Config: cfg}
	if out.Spectral, err = RunSpectral(cfg); err != nil {
		return nil, err
	}
	if out.Partition, err = PlantedPartition(cfg.Partition); err != nil {
		return nil, err
	}
	fit := func(part, title string, g *Graph, labelled []bool, useGraph bool, tc TrainConfig, quiet bool) (*Fitted, error) {
		dir, err := partDir(run, part)
		if err != nil {
			return nil, err
		}
		return fitNodes(backend, dir, title, g, labelled, useGraph, tc, quiet)
	}
	if out.Labelled, err = LabelledNodes(out.Partition, cfg.LabelsPerClass, cfg.Partition.Seed); err != nil {
		return nil, err
	}
	if out.GCN, err = fit("partition-gcn", "GCN on the planted partition", out.Partition, out.Labelled, true, cfg.Train, run.Quiet); err != nil {
		return nil, err
	}
	if out.MLP, err = fit("partition-mlp", "MLP on the node features alone", out.Partition, out.Labelled, false, cfg.Train, run.Quiet); err != nil {
		return nil, err
	}
	for _, k := range cfg.LabelSweep {
		mask, err := LabelledNodes(out.Partition, k, cfg.Partition.Seed)
		if err != nil {
			return nil, err
		}
		p := SweepPoint{LabelsPerClass: k, LabelRate: float64(k*cfg.Partition.Classes) / float64(cfg.Partition.Nodes)}
		for _, useGraph := range []bool{true, false} {
			f, err := fit(fmt.Sprintf("sweep-%d-%v", k, useGraph), "", out.Partition, mask, useGraph, cfg.Train, true)
			if err != nil {
				return nil, err
			}
			if useGraph {
				p.GCN = f.HeldOutAcc
			} else {
				p.MLP = f.HeldOutAcc
			}
		}
		out.Sweep = append(out.Sweep, p)
	}
	out.KarateGraph = Karate()
	labelled := make([]bool, out.KarateGraph.N)
	labelled[KarateInstructor], labelled[KarateOfficer] = true, true
	if out.KarateGCN, err = fit("karate-gcn", "GCN on the karate club", out.KarateGraph, labelled, true, cfg.Karate, run.Quiet); err != nil {
		return nil, err
	}
	out.Wall = time.Since(t0)
	return out, nil
}

// RunSpectral does the spectral part of the lesson (no training).
func RunSpectral(cfg Config) (SpectralOutcome, error) {
	var s SpectralOutcome
	g, err := PlantedPartition(cfg.Spectral)
	if err != nil {
		return s, err
	}
	s.Graph = g
	a := g.Adjacency()
	l := Laplacian(a)
	if s.Spectrum, err = Eigen(l); err != nil {
		return s, err
	}
	ns, err := Eigen(NormalizedLaplacian(a))
	if err != nil {
		return s, err
	}
	s.NormalizedValues = ns.Values

	signal := func(g *Graph, seed uint64) (clean, noisy []float64) {
		rng := rand.New(rand.NewPCG(seed, 13))
		for _, c := range g.Labels {
			v := 1.0
			if c == 1 {
				v = -1
			}
			clean = append(clean, v)
			noisy = append(noisy, v+cfg.SignalNoise*rng.NormFloat64())
		}
		return clean, noisy
	}
	s.Signal, s.Noisy = signal(g, cfg.Spectral.Seed)
	lmax := s.Spectrum.Values[len(s.Spectrum.Values)-1]
	k := cfg.LowPassOrder
	lowPass := func(lmax float64) func(float64) float64 {
		return func(l float64) float64 { return math.Pow(1-l/lmax, float64(k)) }
	}
	s.Smoothed = s.Spectrum.Filter(s.Noisy, lowPass(lmax))
	s.NoisyMSE, s.SmoothedMSE = mse(s.Noisy, s.Signal), mse(s.Smoothed, s.Signal)
	direct := PolyFilter(l, LowPassCoefficients(lmax, k), s.Noisy)
	for i := range direct {
		s.PolyMaxDiff = math.Max(s.PolyMaxDiff, math.Abs(direct[i]-s.Smoothed[i]))
	}

	// Graph B: the same kind of graph, its nodes numbered in another order.
	bcfg := cfg.Spectral
	bcfg.Seed++
	b, err := PlantedPartition(bcfg)
	if err != nil {
		return s, err
	}
	b = permuted(b, bcfg.Seed)
	bl := Laplacian(b.Adjacency())
	bs, err := Eigen(bl)
	if err != nil {
		return s, err
	}
	bClean, bNoisy := signal(b, bcfg.Seed)
	bmax := bs.Values[len(bs.Values)-1]
	s.TransferNoisyMSE = mse(bNoisy, bClean)
	s.TransferOwnMSE = mse(bs.Filter(bNoisy, lowPass(bmax)), bClean)
	s.TransferForeignMSE = mse(s.Spectrum.Filter(bNoisy, lowPass(lmax)), bClean)
	s.TransferPolyMSE = mse(PolyFilter(bl, LowPassCoefficients(bmax, k), bNoisy), bClean)

	for k := 0; k <= 3; k++ {
		s.ChebyshevReach = append(s.ChebyshevReach, ChebyshevReach(a, k))
	}
	s.Sizes = cfg.EigenSizes
	for _, n := range cfg.EigenSizes {
		gc := cfg.Spectral
		gc.Nodes = n
		gc.PIn, gc.POut = gc.PIn*120/float64(n), gc.POut*120/float64(n) // the same expected degree
		gn, err := PlantedPartition(gc)
		if err != nil {
			return s, err
		}
		lap := Laplacian(gn.Adjacency())
		t := time.Now()
		if _, err := Eigen(lap); err != nil {
			return s, err
		}
		s.EigenSeconds = append(s.EigenSeconds, time.Since(t).Seconds())
		s.PropagateSeconds = append(s.PropagateSeconds, propagateSeconds(gn, 16))
	}

	kg := Karate()
	kl := Laplacian(kg.Adjacency())
	ks, err := Eigen(kl)
	if err != nil {
		return s, err
	}
	fiedler := ks.Vector(1)
	agree := 0
	for i, v := range fiedler {
		side := 0
		if v*fiedler[KarateInstructor] < 0 { // the instructor's side is faction 0
			side = 1
		}
		if side == kg.Labels[i] {
			agree++
		}
	}
	s.KarateFiedler = float64(agree) / float64(kg.N)
	return s, nil
}

// permuted returns g with its nodes renumbered by a random permutation (same structure).
func permuted(g *Graph, seed uint64) *Graph {
	perm := rand.New(rand.NewPCG(seed, 99)).Perm(g.N)
	p := &Graph{Name: g.Name + ", renumbered", N: g.N, ClassNames: g.ClassNames, Labels: make([]int, g.N)}
	for i, c := range g.Labels {
		p.Labels[perm[i]] = c
	}
	for _, e := range g.Edges {
		i, j := perm[e[0]], perm[e[1]]
		p.Edges = append(p.Edges, [2]int{min(i, j), max(i, j)})
	}
	return p
}

// propagateSeconds times one Â·X with f features over g's edges (the median of 5): what one GCN
// layer costs instead of an eigendecomposition.
func propagateSeconds(g *Graph, f int) float64 {
	deg := g.Degrees()
	x := mat.NewDense(g.N, f, nil)
	for i := range g.N {
		for k := range f {
			x.Set(i, k, float64(i+k))
		}
	}
	y := make([]float64, g.N*f)
	best := math.Inf(1)
	for range 5 {
		t := time.Now()
		for i := range y {
			y[i] = 0
		}
		for i := range g.N { // self-loops
			w := 1 / float64(deg[i]+1)
			for k := range f {
				y[i*f+k] += w * x.At(i, k)
			}
		}
		for _, e := range g.Edges {
			i, j := e[0], e[1]
			w := 1 / math.Sqrt(float64((deg[i]+1)*(deg[j]+1)))
			for k := range f {
				y[i*f+k] += w * x.At(j, k)
				y[j*f+k] += w * x.At(i, k)
			}
		}
		best = math.Min(best, time.Since(t).Seconds())
	}
	return best
}
