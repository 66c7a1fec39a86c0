package gcn

import (
	"math"
	"testing"

	"github.com/dl4go/dl4go/lessons"
	"github.com/dl4go/dl4go/plotting"
)

func TestQuickOutcome(t *testing.T) {
	cfg := Quick()
	cfg.Quiet = true
	out, err := Run(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s\n%s(%.1fs)", out.Result(), out.Summary(), out.Wall.Seconds())
	if !out.Result().OK() {
		t.Errorf("quick outcome not reached: %s", out.Result())
	}
	if out.GCN.HeldOutAcc <= out.MLP.HeldOutAcc {
		t.Errorf("GCN %.3f not above the features-only MLP %.3f", out.GCN.HeldOutAcc, out.MLP.HeldOutAcc)
	}
	s := &out.Spectral
	for name, f := range map[string]func() (*plotting.Chart, error){
		"karate": func() (*plotting.Chart, error) { return out.KarateChart(false) }, "karate predicted": func() (*plotting.Chart, error) { return out.KarateChart(true) },
		"eigenvectors": s.EigenvectorChart, "spectrum": s.SpectrumChart, "fourier": s.FourierChart, "smoothing": s.SmoothingChart,
		"transfer": s.TransferChart, "cost": s.CostChart, "training": out.TrainingChart, "sweep": out.SweepChart,
		"graph": func() (*plotting.Chart, error) { return GraphChart("g", s.Graph, s.Graph.Labels, nil) },
	} {
		c, err := f()
		if err == nil {
			err = plotting.Display(c)
		}
		if err != nil {
			t.Errorf("%s chart: %v", name, err)
		}
	}
	// A rerun restores the trained classifiers from their checkpoints: the same numbers, no epoch run.
	again, err := Run(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if again.GCN.Resumed != cfg.Train.Epochs || again.GCN.HeldOutAcc != out.GCN.HeldOutAcc || len(again.GCN.Curve.Loss) != cfg.Train.Epochs {
		t.Errorf("rerun: resumed at %d, accuracy %.4f (first %.4f), %d epochs of curve", again.GCN.Resumed, again.GCN.HeldOutAcc, out.GCN.HeldOutAcc, len(again.GCN.Curve.Loss))
	}
}

func TestFullOutcome(t *testing.T) {
	lessons.SkipUnlessFull(t)
	out, err := Run(Full())
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s\n%s(%.1fs)", out.Result(), out.Summary(), out.Wall.Seconds())
	if !out.Result().OK() {
		t.Errorf("full outcome not reached: %s", out.Result())
	}
}

// TestSpectral checks the spectral part's numbers: the filter equals the polynomial applied
// directly, Chebyshev filters are localised, a filter tied to one graph's basis fails on another
// while the polynomial transfers, and low-pass filtering removes noise.
func TestSpectral(t *testing.T) {
	s, err := RunSpectral(Quick())
	if err != nil {
		t.Fatal(err)
	}
	if s.PolyMaxDiff > 1e-9 {
		t.Errorf("QΘQᵀu and p(L)u differ by %g", s.PolyMaxDiff)
	}
	for k, r := range s.ChebyshevReach {
		if r != k {
			t.Errorf("T_%d(L̃) reaches %d hops, want %d", k, r, k)
		}
	}
	if !(s.SmoothedMSE < s.NoisyMSE/2) {
		t.Errorf("low-pass: MSE %.3f → %.3f, want at least halved", s.NoisyMSE, s.SmoothedMSE)
	}
	// In A's basis the filter removes next to none of B's noise; in B's own, most of it.
	if !(s.TransferForeignMSE > 0.8*s.TransferNoisyMSE && s.TransferOwnMSE < s.TransferNoisyMSE/2) || math.Abs(s.TransferPolyMSE-s.TransferOwnMSE) > 1e-9 {
		t.Errorf("transfer: noisy %.3f, own basis %.3f, A's basis %.3f, polynomial %.3f", s.TransferNoisyMSE, s.TransferOwnMSE, s.TransferForeignMSE, s.TransferPolyMSE)
	}
	if s.KarateFiedler < 0.9 {
		t.Errorf("the Fiedler vector gives %.3f of the karate factions", s.KarateFiedler)
	}
	// Eigenvectors are orthonormal and L q = λ q.
	l := Laplacian(s.Graph.Adjacency())
	for _, k := range []int{0, 1, len(s.Spectrum.Values) - 1} {
		q := s.Spectrum.Vector(k)
		lq := PolyFilter(l, []float64{0, 1}, q)
		for i := range q {
			if math.Abs(lq[i]-s.Spectrum.Values[k]*q[i]) > 1e-9 {
				t.Fatalf("L q%d ≠ λ q%d at node %d", k, k, i)
			}
		}
	}
}

func TestKarate(t *testing.T) {
	g := Karate()
	deg := g.Degrees()
	faction := 0
	for _, c := range g.Labels {
		faction += c
	}
	if g.N != 34 || len(g.Edges) != 78 || deg[KarateInstructor] != 16 || deg[KarateOfficer] != 17 || faction != 17 {
		t.Errorf("karate club: %d members, %d friendships, leaders' degrees %d and %d, %d in the officer's club; want 34, 78, 16, 17, 17",
			g.N, len(g.Edges), deg[KarateInstructor], deg[KarateOfficer], faction)
	}
	seen := map[[2]int]bool{}
	for _, e := range g.Edges {
		if e[0] >= e[1] || seen[e] {
			t.Errorf("edge %v: not i < j, or repeated", e)
		}
		seen[e] = true
	}
}

func TestLowPassCoefficients(t *testing.T) {
	c := LowPassCoefficients(4, 3) // (1 − λ/4)³ = 1 − 3λ/4 + 3λ²/16 − λ³/64
	want := []float64{1, -0.75, 3.0 / 16, -1.0 / 64}
	for i := range want {
		if math.Abs(c[i]-want[i]) > 1e-15 {
			t.Fatalf("coefficients %v, want %v", c, want)
		}
	}
}

func TestPlantedPartitionErrors(t *testing.T) {
	if _, err := PlantedPartition(PartitionConfig{Nodes: 10, Classes: 2, PIn: 1.5}); err == nil {
		t.Error("probability 1.5 accepted")
	}
	g, _ := PlantedPartition(PartitionConfig{Nodes: 10, Classes: 2, PIn: 0.5, POut: 0.1, Seed: 1})
	if _, err := LabelledNodes(g, 5, 1); err == nil {
		t.Error("labelling every node of a class accepted")
	}
}
