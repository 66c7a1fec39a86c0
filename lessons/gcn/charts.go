package gcn

import (
	"fmt"
	"math"
	"sort"

	"github.com/dl4go/dl4go/plotting"
)

// GraphChart draws g with a force layout, nodes coloured by class; the labelled nodes (if any)
// are drawn larger.
func GraphChart(title string, g *Graph, classes []int, labelled []bool) (*plotting.Chart, error) {
	nodes := make([]plotting.Node, g.N)
	for i := range nodes {
		nodes[i] = plotting.Node{Name: fmt.Sprint(i), Class: classes[i]}
		if labelled != nil && labelled[i] {
			nodes[i].Size = 28
		}
	}
	edges := make([]plotting.Edge, len(g.Edges))
	for i, e := range g.Edges {
		edges[i] = plotting.Edge{Source: e[0], Target: e[1]}
	}
	return plotting.Graph(title, nodes, edges, g.ClassNames)
}

// KarateChart draws the club coloured by the real factions, or by the GCN's prediction (the two
// leaders, the only labelled members, larger).
func (o *Outcome) KarateChart(predicted bool) (*plotting.Chart, error) {
	g := o.KarateGraph
	labelled := make([]bool, g.N)
	labelled[KarateInstructor], labelled[KarateOfficer] = true, true
	if predicted {
		return GraphChart(fmt.Sprintf("GCN's factions from 2 labels (%.0f%% of the other 32 right)", 100*o.KarateGCN.HeldOutAcc),
			g, o.KarateGCN.Pred, labelled)
	}
	return GraphChart("Zachary's karate club: the factions after the split", g, g.Labels, labelled)
}

// byCommunity returns the node order sorted by class (stable), for signal plots.
func byCommunity(g *Graph) []int {
	order := make([]int, g.N)
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return g.Labels[order[a]] < g.Labels[order[b]] })
	return order
}

func nodeAxis(n int) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = float64(i)
	}
	return x
}

// EigenvectorChart draws eigenvectors of the spectral graph's Laplacian as signals on its nodes
// (nodes sorted by community): the lowest frequencies are smooth over the graph (constant,
// then one sign per community), the highest alternates between neighbours.
func (s *SpectralOutcome) EigenvectorChart() (*plotting.Chart, error) {
	order := byCommunity(s.Graph)
	n := s.Graph.N
	var series []plotting.Series
	for _, k := range []int{0, 1, 2, n - 1} {
		v := s.Spectrum.Vector(k)
		y := make([]float64, n)
		for i, node := range order {
			y[i] = v[node]
		}
		series = append(series, plotting.Series{Name: fmt.Sprintf("q%d (λ = %.2f)", k, s.Spectrum.Values[k]), Y: y})
	}
	return plotting.Line("Fourier basis of the graph: eigenvectors of L = D − A", nodeAxis(n), series,
		plotting.WithAxisNames("node (sorted by community)", "value"))
}

// SpectrumChart draws the eigenvalues of L and of the normalised Laplacian, in order.
func (s *SpectralOutcome) SpectrumChart() (*plotting.Chart, error) {
	return plotting.Line("graph frequencies: the eigenvalues", nodeAxis(len(s.Spectrum.Values)), []plotting.Series{
		{Name: "L = D − A", Y: s.Spectrum.Values}, {Name: "I − D^−½AD^−½", Y: s.NormalizedValues}},
		plotting.WithAxisNames("index", "λ"))
}

// FourierChart draws |û| = |Qᵀu| of the clean and the noisy community signal: the clean signal
// lives in a few low frequencies, the noise spreads over all of them.
func (s *SpectralOutcome) FourierChart() (*plotting.Chart, error) {
	abs := func(u []float64) []float64 {
		uh := s.Spectrum.Transform(u)
		for i := range uh {
			uh[i] = math.Abs(uh[i])
		}
		return uh
	}
	return plotting.Line("graph Fourier transform û = Qᵀu", nodeAxis(len(s.Signal)), []plotting.Series{
		{Name: "clean signal", Y: abs(s.Signal)}, {Name: "noisy signal", Y: abs(s.Noisy)}},
		plotting.WithAxisNames("eigenvector (low → high frequency)", "|û|"))
}

// SmoothingChart draws the clean, noisy and low-pass filtered signals (nodes sorted by community).
func (s *SpectralOutcome) SmoothingChart() (*plotting.Chart, error) {
	order := byCommunity(s.Graph)
	pick := func(u []float64) []float64 {
		y := make([]float64, len(order))
		for i, node := range order {
			y[i] = u[node]
		}
		return y
	}
	return plotting.Line(fmt.Sprintf("low-pass filter u' = QΘQᵀu: MSE %.3f → %.3f", s.NoisyMSE, s.SmoothedMSE), nodeAxis(len(order)),
		[]plotting.Series{{Name: "noisy", Y: pick(s.Noisy)}, {Name: "filtered", Y: pick(s.Smoothed)}, {Name: "clean", Y: pick(s.Signal)}},
		plotting.WithAxisNames("node (sorted by community)", "u"))
}

// TransferChart compares the same low-pass filter on graph B: in B's own basis, in graph A's
// basis, and as the polynomial p(L_B).
func (s *SpectralOutcome) TransferChart() (*plotting.Chart, error) {
	return plotting.Bar("one filter, another graph: error of the filtered signal on graph B (MSE)",
		[]string{"noisy (no filter)", "QΘQᵀ with B's own basis", "QΘQᵀ with A's basis", "p(L_B), no basis"},
		[]plotting.Series{{Name: "MSE", Y: []float64{s.TransferNoisyMSE, s.TransferOwnMSE, s.TransferForeignMSE, s.TransferPolyMSE}}},
		plotting.WithAxisNames("", "MSE"))
}

// CostChart draws the time of an eigendecomposition and of one GCN propagation Â·X against the
// number of nodes (log scale).
func (s *SpectralOutcome) CostChart() (*plotting.Chart, error) {
	x := make([]float64, len(s.Sizes))
	for i, n := range s.Sizes {
		x[i] = float64(n)
	}
	ms := func(s []float64) []float64 {
		out := make([]float64, len(s))
		for i, v := range s {
			out[i] = 1e3 * v
		}
		return out
	}
	return plotting.Line("cost: eigendecomposition (O(n³)) vs one GCN propagation (O(edges))", x, []plotting.Series{
		{Name: "eigendecomposition of L", Y: ms(s.EigenSeconds)},
		{Name: "Â·X, 16 features", Y: ms(s.PropagateSeconds)}},
		plotting.WithAxisNames("nodes", "ms"), plotting.WithLogY())
}

// TrainingChart draws the held-out accuracy of the GCN and the features-only MLP on the planted
// partition, epoch by epoch.
func (o *Outcome) TrainingChart() (*plotting.Chart, error) {
	return plotting.Line(fmt.Sprintf("planted partition, %.0f%% of nodes labelled: held-out accuracy", 100*o.LabelRate()),
		nodeAxis(len(o.GCN.Curve.HeldOutAcc)), []plotting.Series{
			{Name: "GCN", Y: o.GCN.Curve.HeldOutAcc}, {Name: "MLP (features only)", Y: o.MLP.Curve.HeldOutAcc},
			{Name: "GCN, labelled nodes", Y: o.GCN.Curve.TrainAcc}},
		plotting.WithAxisNames("epoch", "accuracy"), plotting.WithRange(0, 1))
}

// SweepChart draws the held-out accuracy of both models against the share of labelled nodes.
func (o *Outcome) SweepChart() (*plotting.Chart, error) {
	cats := make([]string, len(o.Sweep))
	gcn, mlp := make([]float64, len(o.Sweep)), make([]float64, len(o.Sweep))
	for i, p := range o.Sweep {
		cats[i] = fmt.Sprintf("%.1f%% (%d per class)", 100*p.LabelRate, p.LabelsPerClass)
		gcn[i], mlp[i] = p.GCN, p.MLP
	}
	return plotting.Bar("held-out accuracy vs labelled nodes", cats,
		[]plotting.Series{{Name: "GCN", Y: gcn}, {Name: "MLP (features only)", Y: mlp}},
		plotting.WithAxisNames("labelled nodes", "accuracy"), plotting.WithRange(0, 1))
}
