package gcn

import (
	"fmt"
	"math/rand/v2"
)

// Graph is an undirected graph with a class per node (a community, a faction) and, optionally,
// features per node.
type Graph struct {
	Name string
	// N is the number of nodes, numbered 0 … N−1.
	N int
	// Edges are the undirected edges {i, j}, each once, with i < j.
	Edges [][2]int
	// Labels[i] is node i's class; ClassNames names the classes.
	Labels     []int
	ClassNames []string
	// Features[i] is node i's feature vector (nil: the graph has none, and models get a one-hot
	// identity per node instead).
	Features [][]float32
}

// NumClasses is the number of classes.
func (g *Graph) NumClasses() int { return len(g.ClassNames) }

// Adjacency returns the adjacency matrix A [N][N]: A[i][j] = 1 when i and j share an edge.
func (g *Graph) Adjacency() [][]float64 {
	a := make([][]float64, g.N)
	for i := range a {
		a[i] = make([]float64, g.N)
	}
	for _, e := range g.Edges {
		a[e[0]][e[1]], a[e[1]][e[0]] = 1, 1
	}
	return a
}

// Degrees returns each node's number of neighbours.
func (g *Graph) Degrees() []int {
	d := make([]int, g.N)
	for _, e := range g.Edges {
		d[e[0]]++
		d[e[1]]++
	}
	return d
}

// FeatureMatrix returns the node features as a flat [N, F] slice and F; a graph without features
// gives the identity (one-hot node ids, F = N), as in Kipf & Welling's karate-club example.
func (g *Graph) FeatureMatrix() ([]float32, int) {
	if g.Features == nil {
		x := make([]float32, g.N*g.N)
		for i := range g.N {
			x[i*g.N+i] = 1
		}
		return x, g.N
	}
	f := len(g.Features[0])
	x := make([]float32, 0, g.N*f)
	for _, row := range g.Features {
		x = append(x, row...)
	}
	return x, f
}

// PartitionConfig describes a planted-partition graph (a stochastic block model): Nodes split
// evenly into Classes communities, each pair of nodes joined with probability PIn inside a
// community and POut across, and noisy features: node i of class c gets μ_c + FeatureNoise·ε with
// μ_c a random class mean and ε standard normal, both of dimension Features.
type PartitionConfig struct {
	Nodes, Classes int
	PIn, POut      float64
	Features       int
	FeatureNoise   float64
	Seed           uint64
}

// PlantedPartition draws the graph of cfg; the same cfg gives the same graph.
func PlantedPartition(cfg PartitionConfig) (*Graph, error) {
	if cfg.Nodes < 2 || cfg.Classes < 2 || cfg.Nodes < cfg.Classes || cfg.PIn < 0 || cfg.PIn > 1 || cfg.POut < 0 || cfg.POut > 1 || cfg.Features < 0 {
		return nil, fmt.Errorf("gcn: invalid planted partition %+v (need Nodes ≥ Classes ≥ 2, probabilities in [0, 1], Features ≥ 0)", cfg)
	}
	rng := rand.New(rand.NewPCG(cfg.Seed, 21))
	g := &Graph{Name: fmt.Sprintf("planted partition (%d nodes, %d communities)", cfg.Nodes, cfg.Classes), N: cfg.Nodes}
	for c := range cfg.Classes {
		g.ClassNames = append(g.ClassNames, fmt.Sprintf("community %d", c))
	}
	g.Labels = make([]int, cfg.Nodes)
	for i := range g.Labels {
		g.Labels[i] = i * cfg.Classes / cfg.Nodes
	}
	for i := range cfg.Nodes {
		for j := i + 1; j < cfg.Nodes; j++ {
			p := cfg.POut
			if g.Labels[i] == g.Labels[j] {
				p = cfg.PIn
			}
			if rng.Float64() < p {
				g.Edges = append(g.Edges, [2]int{i, j})
			}
		}
	}
	if cfg.Features > 0 {
		means := make([][]float64, cfg.Classes)
		for c := range means {
			means[c] = make([]float64, cfg.Features)
			for k := range means[c] {
				means[c][k] = rng.NormFloat64()
			}
		}
		g.Features = make([][]float32, cfg.Nodes)
		for i := range g.Features {
			g.Features[i] = make([]float32, cfg.Features)
			for k := range g.Features[i] {
				g.Features[i][k] = float32(means[g.Labels[i]][k] + cfg.FeatureNoise*rng.NormFloat64())
			}
		}
	}
	return g, nil
}

// LabelledNodes picks perClass nodes of each class at random (seeded) as the labelled training
// nodes; every other node is held out.
func LabelledNodes(g *Graph, perClass int, seed uint64) ([]bool, error) {
	byClass := make([][]int, g.NumClasses())
	for i, c := range g.Labels {
		byClass[c] = append(byClass[c], i)
	}
	rng := rand.New(rand.NewPCG(seed, 7))
	mask := make([]bool, g.N)
	for c, nodes := range byClass {
		if len(nodes) <= perClass {
			return nil, fmt.Errorf("gcn: class %d has %d nodes: cannot label %d and hold any out", c, len(nodes), perClass)
		}
		rng.Shuffle(len(nodes), func(a, b int) { nodes[a], nodes[b] = nodes[b], nodes[a] })
		for _, i := range nodes[:perClass] {
			mask[i] = true
		}
	}
	return mask, nil
}
