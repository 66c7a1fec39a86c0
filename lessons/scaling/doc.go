// Package scaling is lesson 06, EfficientNet (Tan & Le, 2019): how to make a convolutional
// network bigger. A network can grow in three ways — width (channels per layer), depth (layers)
// and resolution (input pixels) — and EfficientNet's point is that growing all three together,
// by the compound coefficient φ, beats growing any one of them for the same computation:
//
//	depth d = α^φ,  width w = β^φ,  resolution r = γ^φ,  with α·β²·γ² ≈ 2 and α, β, γ ≥ 1,
//
// so that the FLOPs, which grow as d·w²·r², double with every step of φ. α, β, γ are found once,
// by a small grid search at φ = 1, and then reused for every larger φ.
//
// The lesson does it at toy scale, on a task where all three dimensions matter (see Task): a
// baseline network of MBConv blocks with squeeze-and-excitation (the blocks of EfficientNet-B0;
// see Base and gomlxext/layers.MBConv) is scaled by each single-dimension rule and by compound
// rules to 2× and 4× its multiply-adds (Base.Size matches every network to its budget), each
// network is trained Seeds times with the same steps, and the held-out accuracies are compared
// at equal FLOPs. On this toy task the paper's claim does not hold: the baseline is starved of
// pixels, and resolution alone beats the compound rule at 4× the FLOPs, by more at 450 training
// steps than at 300 (see Full for the numbers). Start with Run(Size()); Outcome.AccuracyChart
// draws accuracy against FLOPs with error bars; Paper holds the paper's own numbers (ImageNet),
// which this lesson does not reproduce.
package scaling
