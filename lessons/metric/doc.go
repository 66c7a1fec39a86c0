// Package metric is lesson 19 of dl4go: metric learning (距離学習) — Siamese networks with the
// contrastive loss, triplet networks with and without mining, and the quadruplet loss.
//
// A classifier learns a fixed set of classes. Metric learning learns a distance instead: a
// convolutional network (Embed) maps each image to a unit vector, trained so that images of the
// same class lie close together and images of different classes far apart. Classification then
// becomes nearest-neighbour search in the embedding, and — the point of it — works for classes
// the network never saw: the lesson trains on the digits 0–6 only and retrieves 7, 8 and 9.
//
// The losses are the report's, in gomlxext/layers (ContrastiveLoss, TripletLoss,
// QuadrupletLoss element by element; MetricLoss over a batch):
//
//   - Siamese network, contrastive loss L = ½[y·D² + (1−y)·max(m − D, 0)²]: same-class pairs
//     (y = 1) are pulled until D = 0, different-class pairs pushed to D ≥ m. The report's
//     complaint — same-class pairs never stop being pulled — shows in the per-digit distance
//     histograms (Outcome.DistanceHistogramChart).
//   - Triplet network, L = max(D_p − D_n + m, 0): only the order matters. Averaged over every
//     triplet of a batch (a random triplet's expected loss), most triplets soon have zero loss and
//     teach nothing (Outcome.ActiveChart). Semi-hard mining (FaceNet) keeps, for each positive
//     pair, the nearest negative still beyond the positive — a triplet inside the margin, so it
//     stays active. (Batch-hard mining, each anchor's farthest positive and nearest negative, is in
//     gomlxext/layers too; from a fresh network it collapsed every embedding into one point here.)
//   - Quadruplet loss: the triplet term plus max(D_p − D_nn + m₂, 0), a negative pair of two other
//     classes, so that intra-class distances are smaller than inter-class ones in general, not
//     only around each anchor (Outcome.OverlapChart measures exactly that on held-out images).
//
// Run(Size()) trains the four networks on the same balanced batches, scores each on held-out
// MNIST test images — k-NN (k = 5) accuracy on the seen digits against a gallery of training
// images, recall@1 of the unseen digits among themselves — and scores two baselines the same way:
// raw pixels and PCA of the pixels to the embedding's size. Outcome.Result is the RESULT line, for
// the semi-hard triplet network. Formulas checks the losses against the formulas by hand.
//
// Time to run with the pure-Go engine (measured 2026-12-02 on 2 shared cores): full size 208 s
// of CPU time (600 steps per network; 1¾–3½ minutes of wall time on 2 idle cores), quick size
// about 29 s of CPU (100 steps). Training is checkpointed (an interrupted run resumes) and a
// finished run's outcome is saved, so a later cell restores it in seconds.
package metric
