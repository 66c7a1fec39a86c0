// Package layers holds the neural-network layers the dl4go lessons need that GoMLX v0.26.0's
// layers package lacks. They are built from ordinary graph ops, so they run, and differentiate,
// on every backend.
//
// Layers are builders in GoMLX's style — the layer, then its options, then Done:
//
//	y := layers.TransposedConvolution(ctx, x).Channels(1).KernelSize(4).Strides(2).Padding(1).Done()
//
// Required settings have no default and Done panics (a programmer error) without them; the
// shapes of the input and the output are in each builder's doc. Every layer a lesson adds here
// follows that form, with its test. Plain ops with no variables are functions
// (TransposedConvolve, the losses), or builders without a context when they have options
// (RoIAlign, like GoMLX's MaxPool). Import the package as is, or as xlayers beside GoMLX's own
// layers.
//
// What is here, by topic (the lessons that use it in brackets):
//
//   - Convolutions: TransposedConvolution and the op under it, TransposedConvolve (DCGAN's
//     generator, FCN and mask-head up-sampling; 07, 08, 15, 16); DepthwiseConvolution, MobileNet's depthwise step,
//     one grouped convolution with each channel filtered alone, its multiply-adds counted by
//     gomlxext/cost (04, 06); MixConvolution with MixConvSplit, kernel sizes mixed across channel
//     groups (04); CausalConvolution, WaveNet's dilated causal 1-D convolution (04).
//   - Blocks: ResidualBlock and BottleneckBlock (ResNet, 05); MBConv, EfficientNet's inverted
//     residual with SqueezeExcitation (06); UNet (17, with or without skips) and the PatchGAN
//     discriminator with ReceptiveField, its N×N patch size (17).
//   - Normalisation: GroupNormalization and InstanceNormalization, each example normalised over
//     groups of channels (GoMLX has batch and layer normalisation; 04);
//     ConditionalBatchNormalization, batch norm with a scale and a shift per class (the
//     conditional GAN's generator, 16).
//   - Sequences: GRU (the Seq2Seq baseline of 10, the light recurrent cell of 03); the
//     Transformer's parts, MultiHeadAttention over ScaledDotProductAttention with PaddingMask and
//     CausalMask, PositionalEncoding and SinusoidalPositions, EncoderBlock and DecoderBlock
//     (residual + layer norm; 10–12), their SmearKeys option (each key mixed with the previous
//     position's, a one-layer induction head; 12) and RelativePositionBias with
//     RelativePositionDecay (a learned bias per head and key offset, started local; BERT's encoder,
//     11); CTCLoss, batched and differentiable (14).
//   - Detection: RoIPool and RoIAlign (with RoIPoolBins and RoIAlignSamples, the cells they read)
//     cut a fixed-size map out of a feature map per box (08); FocalLoss, BinaryCrossEntropyLogits,
//     LTRBIoU, IoULoss and GIoULoss for FCOS's (l, t, r, b) boxes (09).
//   - Graphs: GraphConvolution over NormalizedAdjacency (21).
//   - Metric learning: PairwiseDistances and PairwiseSquaredDistances, ContrastiveLoss,
//     TripletLoss and QuadrupletLoss as the report writes them, and MetricLoss, the batch builder
//     with batch-hard and semi-hard mining (19).
//   - Compression: DistillationLoss, α·T²·KL(teacher ‖ student) + (1−α)·CE (03).
package layers
