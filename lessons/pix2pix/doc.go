// Package pix2pix is lesson 17 of dl4go: image-to-image translation with a conditional GAN
// (Isola et al., 2017) — a U-Net generator, a PatchGAN discriminator and an L1 term — on a paired
// task made offline from data/shapes scenes: the outline map of a scene (white borders of the
// objects on black) must become the scene itself, each object filled with its class's colour and
// shaded as lit from the top left, on a dark gradient background.
//
// Start with Run(Size()): it trains four generators one after the other, for the same iterations
// on the same batches — pix2pix's GAN + L1 and its ablations L1 only, GAN only and GAN + L1
// without the U-Net's skip connections — with live losses and a live picture of each one's
// outputs on held-out outlines, and returns an Outcome whose methods draw every chart and picture;
// Outcome.Result is the RESULT line.
//
// # Like a conditional GAN, with an image as the condition
//
// Lesson 16 told G and D a label; pix2pix tells them an image x. G(x) translates it, D sees the
// pair (x, y) — the condition concatenated to a real or generated image as more channels — and
// judges whether y is a real translation of x. There is no noise vector: G is deterministic.
//
// # The report's three devices
//
//  1. A U-Net generator (gomlxext/layers.UNet): input and output have the same size, and skip
//     connections hand every encoder map to the decoder at the same resolution, so positions (here,
//     where every border is) reach the output without squeezing through the 4×4 bottleneck —
//     what a translation that changes the rendering but keeps the layout needs.
//  2. An L1 term: G minimises BCE(1, D(x, G(x))) + λ·‖y − G(x)‖₁ with λ = 100. The L1 term gets
//     the low frequencies right (where the objects are and their average colour); alone it
//     blurs or washes out what the input leaves undecided, because it is satisfied by any value
//     between the possible ones. The GAN term then only has to make the output look real where
//     L1 is indifferent: the high frequencies (edges, the contrast between colours).
//  3. A PatchGAN discriminator (gomlxext/layers.PatchGAN): fully convolutional, it outputs one
//     logit per patch, each seeing a ReceptiveField(cfg)-pixel square of the input (16×16 here,
//     70×70 in the paper at 256×256) by N = 1 + Σᵢ (kᵢ − 1)·Πⱼ<ᵢ sⱼ; MeasurePatch checks the
//     formula with the gradient of one logit. D's loss and G's GAN term average over the patches.
//
// # The task and what the input leaves open
//
// Each class has two possible colours (Palette) that differ in one or two channels, drawn at random: the
// outline does not say which. Everything else is a function of the outline. An L1-trained G can
// only split the difference there, as the median of the two; the discriminator knows neither
// compromise colour is real. The held-out pairs are scenes from HeldOutStart on, never trained on.
//
// # What is measured
//
// For each model, on the held-out pairs: the L1 error, against three baselines — the per-pixel
// mean of the training scenes (the RESULT line's), their per-pixel median (the best constant
// image under L1) and the identity (the outline itself as the scene); and the sharpness, the
// gradient energy of its outputs ÷ the targets' (GradientEnergy; 1 is as sharp as the target).
// Full asks GAN + L1's L1 error to be at most half the mean image's, and its sharpness to be
// closer to the target's than L1 only's; Quick asks only for an L1 error below the mean image's.
//
// # What it reaches
//
// Full (2800 iterations of batch 16 per model, about 4½ minutes on 2 idle cores, estimated from
// the CPU time) measured GAN + L1 at 0.472 of the mean-image baseline's held-out L1 error (0.0368
// against 0.0779; bar 0.5), L1 only 0.442, GAN only 0.845, no skips 0.537; sharpness GAN + L1
// 0.69 of the targets', L1 only 0.37, GAN only 1.15, no skips 0.67. L1 only has the lower L1
// error — the error cannot tell its compromise colours from committed ones — while the pictures
// and the sharpness show what the GAN term adds. Quick (150 iterations) measured 0.805.
//
// Training is checkpointed per model in the run's folder under the user cache (see
// lessons.Lesson.Open; the key covers every setting, the code and the engine); interrupting the
// kernel saves a checkpoint and running the cell again resumes from it. A finished run keeps its
// measured outcome there and returns it at once.
package pix2pix
