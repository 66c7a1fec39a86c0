package maml

import (
	"math"
	"math/rand/v2"
)

// Task ranges of the few-shot sine regression benchmark (Finn et al., 2017):
// y = Amplitude·sin(x − Phase), x drawn uniformly from [XMin, XMax].
const (
	AmplitudeMin = 0.1
	AmplitudeMax = 5.0
	PhaseMin     = 0.0
	PhaseMax     = math.Pi
	XMin         = -5.0
	XMax         = 5.0
)

// Task is one sine regression problem. Meta-learning sees thousands of them, each only through a few points.
type Task struct {
	Amplitude, Phase float64
}

// F returns the task's true value at x.
func (t Task) F(x float64) float64 { return t.Amplitude * math.Sin(x-t.Phase) }

// SampleTask draws a task with amplitude in [0.1, 5] and phase in [0, π].
func SampleTask(rng *rand.Rand) Task {
	return Task{
		Amplitude: AmplitudeMin + rng.Float64()*(AmplitudeMax-AmplitudeMin),
		Phase:     PhaseMin + rng.Float64()*(PhaseMax-PhaseMin),
	}
}

// batch is a meta-batch of tasks with fixed shapes, ready to feed a compiled graph:
// support points XS, YS are [tasks, K, 1] and query points XQ, YQ are [tasks, Q, 1].
type batch struct {
	Tasks          []Task
	XS, YS, XQ, YQ [][][]float32
}

// sampleBatch draws numTasks tasks and, for each, k support and q query points with x uniform in [−5, 5].
func sampleBatch(rng *rand.Rand, numTasks, k, q int) batch {
	b := batch{Tasks: make([]Task, numTasks)}
	b.XS, b.YS = make([][][]float32, numTasks), make([][][]float32, numTasks)
	b.XQ, b.YQ = make([][][]float32, numTasks), make([][][]float32, numTasks)
	for i := range numTasks {
		t := SampleTask(rng)
		b.Tasks[i] = t
		b.XS[i], b.YS[i] = samplePoints(rng, t, k)
		b.XQ[i], b.YQ[i] = samplePoints(rng, t, q)
	}
	return b
}

// samplePoints returns n points of task t as [n][1] columns x and y.
func samplePoints(rng *rand.Rand, t Task, n int) (xs, ys [][]float32) {
	xs, ys = make([][]float32, n), make([][]float32, n)
	for j := range n {
		x := XMin + rng.Float64()*(XMax-XMin)
		xs[j] = []float32{float32(x)}
		ys[j] = []float32{float32(t.F(x))}
	}
	return xs, ys
}

// grid returns n evenly spaced x values covering [−5, 5].
func grid(n int) []float64 {
	g := make([]float64, n)
	for i := range n {
		g[i] = XMin + (XMax-XMin)*float64(i)/float64(n-1)
	}
	return g
}

// DatasetSize is the number of images in a well-known data set, as listed in the report (section 20-1).
type DatasetSize struct {
	Name   string
	Images float64
}

// DatasetSizes are the data set sizes the report quotes to show how data-hungry deep learning is:
// MNIST ~70 thousand, ImageNet ~1.2 million, Open Images v6 ~9 million, MegaFace ~5.7 million images.
func DatasetSizes() []DatasetSize {
	return []DatasetSize{
		{"MNIST", 70_000},
		{"ImageNet", 1_200_000},
		{"Open Images v6", 9_000_000},
		{"MegaFace", 5_700_000},
	}
}

// newRand returns a random stream fixed by seed.
func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 0)) }
