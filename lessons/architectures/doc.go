// Package architectures is lesson 04, applied architectures (応用技術): the building blocks that
// later image and sound models are made of, each trained small and measured.
//
//   - MobileNet: a depthwise convolution (one K×K filter per channel, H·W·K·K·C mult-adds) and
//     a pointwise one (1×1, H·W·C·M) in place of a standard convolution (H·W·K·K·C·M). CheckCosts
//     compares every convolution's mult-adds counted from the built graph (gomlxext/cost) with
//     these formulas; MobileNet-mini and a standard CNN of the same depth are trained on MNIST
//     and compared on held-out accuracy, parameters, counted mult-adds and measured step time.
//   - DenseNet: a dense block (each layer sees the concatenation of every earlier output and adds
//     k channels, the growth rate) and a transition layer (1×1 convolution halving the channels,
//     then pooling); DenseNetChannels traces the channel count.
//   - WaveNet: a stack of dilated causal 1-D convolutions (dilations 1, 2, 4, …) whose receptive
//     field, 2^L inputs for L layers, ReceptiveField measures from the gradient of one output;
//     a tiny WaveNet learns to predict the next μ-law class of a synthetic melody, is scored
//     against repeating the last sample, and generates sound.
//   - Normalisation: BatchNorm (per channel over the batch and positions), LayerNorm (per image
//     over everything), InstanceNorm (per image and channel) and GroupNorm (per image and group
//     of channels); NormAxesPicture draws which values each averages together, CheckNorms checks
//     it numerically, and the same small CNN is trained with BN, LN and GN at batch 2 and 64;
//     batch norm's moving averages (inference) are compared with batch statistics.
//   - MixConv (related work, 関連学習): depthwise kernels of sizes 3, 5 and 7 over thirds of the
//     channels, against a single 5×5 of about the same cost.
//
// Start with Run(Size()): Full is the notebook's lesson, Quick a shorter run for tests and CI.
// The Outcome's tables and charts show each part; Result is the RESULT line: MobileNet-mini's
// held-out accuracy gap to the standard CNN, or the first other check that misses.
//
// The layers are gomlxext/layers builders (DepthwiseConvolution, MixConvolution,
// CausalConvolution, GroupNormalization, InstanceNormalization) beside GoMLX's own
// (Convolution, batchnorm, LayerNormalization); the multiply-adds come from gomlxext/cost.
package architectures
