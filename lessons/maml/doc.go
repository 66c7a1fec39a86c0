// Package maml is lesson 20 of dl4go: MAML (メタ学習, meta-learning) — learning an initialization
// from which a network fits a brand-new task from only 5 examples.
//
// Deep models are data-hungry: MNIST has about 70 thousand images, ImageNet 1.2 million, Open
// Images 9 million, MegaFace 5.7 million (DatasetSizes). MAML's answer is to learn weights shared
// by all tasks (タスク共通の重み) that are not good at any task by themselves, but become good
// after a few gradient steps on a handful of examples of one task.
//
// The benchmark is few-shot sine regression (Finn et al., 2017): every task is
// y = A·sin(x − φ) with A in [0.1, 5] and φ in [0, π]; the model sees K = 5 points (x in [−5, 5])
// of a new task and must predict the whole curve. The model is an MLP 1-40-40-1 with ReLU, written
// functionally (model.go), so that an inner-loop SGD step w' = w − α·∇L(w) is ordinary graph code:
//
//   - MAML: the outer loop (Adam) minimizes the query loss after the inner steps, differentiating
//     through ∇L itself — second-order gradients, which GoMLX's graph.Gradient supports (the test
//     TestMetaGradientMatchesFiniteDifferences checks it against finite differences).
//   - FOMAML (first-order MAML) drops the second-order terms (StopGradient on ∇L): cheaper.
//   - Reptile runs plain SGD on each task and moves the shared weights toward the adapted ones:
//     no backpropagation through the inner loop at all.
//   - The baseline is ordinary joint training on all tasks (like pre-training), fine-tuned on the
//     K points with the same steps — the pre-training + fine-tuning recipe MAML improves on.
//
// Start with Run(Size()), which trains all four (checkpointed: an interrupted run resumes, a
// finished one is restored and evaluated again), timing every meta-step, and evaluates them on
// 100 new tasks; its Outcome draws the charts and gives the lesson's Result.
package maml
