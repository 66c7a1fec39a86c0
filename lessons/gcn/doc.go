// Package gcn is lesson 21 of dl4go: graph convolution (グラフ畳み込み), from the graph Fourier
// transform to Kipf & Welling's GCN.
//
// A convolutional network relies on the grid: every pixel has the same neighbours in the same
// places, so one small kernel slides everywhere. A graph — nodes and edges: friendships, links,
// molecules — has no grid. The lesson builds convolution for graphs in the report's two ways:
//
//   - Spectral (Spectral GCN, グラフフーリエ変換): the Laplacian L = D − A (Laplacian,
//     NormalizedLaplacian) has orthonormal eigenvectors Q (Eigen) that play the role of Fourier
//     modes — low eigenvalues vary slowly across edges, high ones flip between neighbours. A
//     filter is the report's u' = QΘQᵀu (Spectrum.FilterDiag, Spectrum.Filter): transform, scale
//     each frequency, transform back. RunSpectral smooths a noisy community signal with a
//     low-pass filter, checks it against the same polynomial applied directly (PolyFilter), and
//     shows the two weaknesses the report names: the O(n³) eigendecomposition (timed against one
//     GCN propagation) and a filter tied to one graph's basis, useless on another graph.
//   - Spatial (Spatial GCN): a polynomial of L mixes only nodes a few edges apart (Chebyshev
//     filters, ChebyshevReach), needs no eigenvectors, and carries over to any graph. Keeping
//     the first-order term and renormalising gives Kipf & Welling's layer H' = σ(Â H W) with
//     Â = D̃^−½(A + I)D̃^−½ (gomlxext/layers.GraphConvolution and NormalizedAdjacency): each node
//     averages its neighbours' features — message passing.
//
// Run(Size()) does the whole lesson: the spectral part, then semi-supervised node
// classification with a two-layer GCN (trained on a few labelled nodes, scored on all the others)
// against an MLP that sees each node's features alone, on a planted-partition graph
// (PlantedPartition: communities, noisy features, 10% of the nodes labelled; and a sweep of
// label rates) and on Zachary's karate club (Karate: 34 members, 78 friendships, the split of
// 1977), from one labelled member per faction. Outcome.Result is the RESULT line.
//
// Time to run on 2 cores with the pure-Go engine: about 30 s at full size (1000 nodes), 2 s at
// quick size (400 nodes). Training is checkpointed (an interrupted run resumes; a finished one
// is restored and evaluated again).
package gcn
