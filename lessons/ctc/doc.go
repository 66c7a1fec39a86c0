// Package ctc is lesson 14 of dl4go: CTC, connectionist temporal classification — how a network
// learns to transcribe speech without being told when each sound starts and ends.
//
// A recogniser outputs one distribution per frame (every 10 ms), but a transcript has a handful
// of labels with no timing. CTC (Graves et al., 2006) bridges the two with one End-to-End
// model and no hidden Markov model, through the two elements the report names:
//
//   - The blank label (ブランク, Blank): a frame may say "nothing new here". A frame-by-frame
//     path is read by Collapse: merge repeats, then drop blanks — so a blank between two equal
//     labels keeps both (the "ll" of "hello"), and silences get a label of their own.
//   - The forward–backward algorithm: the probability of a transcript is the sum over every
//     path that collapses to it, computed on the extended labels (Extend: blanks around every
//     label) by the forward probabilities α (Forward, 前向き確率) and backward probabilities β
//     (Backward, 後ろ向き確率) in log space; their product gives the trellis (Occupancy) and the
//     gradient (Gradient: softmax minus occupancy). BruteForce sums the paths one by one, to check.
//
// The loss used for training is gomlxext/layers.CTCLoss: the same recursion as a batched,
// differentiable graph (unrolled over frames, padded frames and labels). Run(Size()) trains a
// small convolutional recogniser on synthetic utterances — runs of the five vowels of lesson 13's
// synthesiser, of random durations, sometimes gliding into each other, said by speakers of
// their own (MakeDataset) — and decodes speakers it never heard with Greedy and BeamSearch
// (prefix beam search), scored by label error rate (EditDistance) against a classical pipeline
// without CTC (cut at silences, nearest vowel template). Outcome.Result is the RESULT line.
package ctc
