// Package efficiency is lesson 03 of dl4go: making models fast and small (軽量化・高速化技術) —
// spreading training over workers, and shrinking a trained model by quantization, distillation
// and pruning — measured on MNIST with the pure-Go engine.
//
// Speed (高速化):
//
//   - Data parallelism (dataParallel): K goroutine workers, each with its own copy of the model's
//     weights (its own GoMLX context) and a shard of the data. Synchronous (Sync): every step each
//     worker computes the gradient of its B/K examples, the parent (a gomlxext.ParamServer)
//     averages them, updates once and copies the weights back to every worker — the same update
//     one worker would compute on the whole batch. Asynchronous (Async): each worker pulls,
//     computes and pushes on its own; nobody waits, so gradients can be stale (computed on
//     weights that other workers have since changed: DPRun.Staleness). Loss vs step and vs wall
//     time for 1, 2 and 4 workers, and the staleness histogram.
//   - On a real engine (TwoDevices): the same data-parallel step with GoMLX's
//     pkg/core/distributed over two XLA CPU devices (gomlxext.DataParallel) gives the same
//     update as one device; without an XLA plugin it says why and does nothing else.
//   - Model parallelism (pipeline): the teacher CNN split into two stages (convolutions, dense
//     layers) on two workers, micro-batches flowing between them; a timeline of who computes when.
//   - GRU vs LSTM (rnnCells): a lighter cell — 3 gates instead of 4 — trains faster per step: an
//     architecture choice, not distillation.
//
// Size (軽量化), all on one trained teacher CNN:
//
//   - Quantization (Quantize): the weights stored as fp64, fp32, fp16 and int8 (symmetric, one
//     scale per output channel, held as int8: gomlxext.QuantizeInt8), with their size in bytes,
//     held-out accuracy and the weight-error histogram.
//   - Distillation (trainStudent): a small MLP trained on a reduced set of images with the
//     teacher's soft targets, α·T²·KL(p_T^teacher ‖ p_T^student) + (1−α)·CE
//     (gomlxext/layers.DistillationLoss), against the same student trained alone on the same data
//     and steps; accuracy vs temperature T, the scored T chosen on validation images.
//   - Pruning: magnitude pruning (gomlxext.MagnitudeMasks) iterated to 50, 75, 90 and 95%
//     sparsity, retraining after each level through a masking optimizer so that pruned weights
//     stay exactly zero; accuracy vs sparsity against the dense model trained as long.
//
// Every accuracy is measured on held-out MNIST test images no model trained on. Run(Size())
// does the whole lesson; Outcome's chart methods draw it, Outcome.Checks lists the five asserted
// numbers and Outcome.Result is the RESULT line. Training goes through the lesson kit's
// checkpoints (an interrupted run resumes; a finished run is restored with what it measured).
//
// Time to run on 2 cores with the pure-Go engine: see the notebook's header (measured).
package efficiency
