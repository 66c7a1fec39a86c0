// Package transfer is lesson 05 of the report, "ResNet 転移学習": residual networks and transfer
// learning, in Go.
//
// Three experiments:
//
//   - Why skip connections help (DepthConfig): a deep plain CNN and the same network with a skip
//     around every pair of convolutions (gomlxext/layers.ResidualBlock with and without
//     Shortcut) are trained side by side; the gradient norm of every layer is measured at
//     initialisation and after training (GradNormChart), with the training loss (DepthLossChart).
//   - How wide and deep ResNets grow: WideResNetParams counts the weights of WRN-d-k (k× the
//     filters, fewer layers) and BuildWideResNet builds one from the same blocks, so the count
//     is checked against the real variables.
//   - Transfer learning, mirroring the report's Keras code: a ResNet-mini is pre-trained on a
//     source task (MNIST digits 0–4), its head is replaced by a new Dense(5, softmax) layer and
//     it learns a target task with a real domain shift — digits 5–9, which it never saw — from
//     at most 100 examples per class, with Adam(1e-4), categorical cross-entropy, batch 16, a
//     70/30 train/validation split and EarlyStopping(monitor val_acc, patience 2, mode max)
//     (gomlxext.EarlyStopping). Three ways: fine-tune everything (resnet.trainable = True), a
//     frozen feature extractor (trainable = False: only the head learns; gomlxext.FreezeScopes)
//     and from scratch (weights=None), the baseline. The metric is the accuracy on held-out
//     target images (the MNIST test split's 5–9), which neither training nor early stopping saw.
//
// The report fine-tuned ImageNet's ResNet50 on tf_flowers (224×224 photos, 5 classes): 23.6 M
// weights, hours on a CPU, and both need downloads. Here everything is offline and the full run
// takes minutes on two cores; Config.PretrainedDir takes the path the report took — weights
// trained elsewhere, from a GoMLX checkpoint folder the user provides.
//
// Start with Run(Size()); Outcome.Summary prints the tables, the chart methods draw the curves,
// Outcome.Result is the RESULT line.
package transfer
