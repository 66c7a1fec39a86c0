// Package gpt is lesson 12 (GPT): a decoder-only Transformer language model, how it writes text,
// and how a model trained to predict the next token learns a task from examples in its prompt.
//
// The report's section 12: GPT (Generative Pre-Training) is a Transformer's decoder alone — the
// blocks of lesson 10 (gomlxext/layers.DecoderBlock) with causal self-attention and no
// source — trained to predict each next token from the ones before it, p(x_t | x_<t). GPT-3 (175
// billion parameters) is used without fine-tuning: a task is given in the prompt, with no example
// (zero-shot), one (one-shot) or a few (few-shot).
//
// The lesson has three parts, each measured on data the model never trained on:
//
//   - The language model. Isaac Newton's Opticks (data/text, offline) is cut into a training
//     part and its last tenth, held out. A byte-level BPE (GPT-2's tokenizer kind, [LearnBPE]) is
//     learned from the training part; a GPT ([Model]: token embeddings plus the sinusoidal
//     positional encoding, pre-norm decoder blocks, a tied output layer) is trained on it with
//     AdamW. Its held-out perplexity is compared with an add-one unigram and an interpolated
//     Kneser–Ney bigram ([Unigram], [Bigram]) counted on the same training tokens.
//   - Sampling. The trained GPT continues one prompt with greedy decoding, temperature, top-k and
//     top-p (nucleus) sampling ([Sampler]); charts show the next-token distribution each keeps and
//     the probability mass it holds.
//   - In-context learning. A second small GPT is trained on sequences that each show one random
//     mapping from letters to digits by examples ("A 3 F 7 A 3 …", [ICLConfig]); it is then given
//     mappings held out from training with 0, 1, 2, 4 and 8 examples in its prompt and asked a
//     query. With no example it can only guess (chance); with more examples it answers more
//     queries right — with no change to its weights, as GPT-3's few-shot prompts. Its blocks
//     smear their attention keys ([Model.SmearKeys], Olsson et al. 2022): each key also carries
//     the previous position's, so one layer can find the digit after an earlier occurrence of
//     the query's letter (an induction head). A plain GPT learns that lookup only after a long
//     plateau, beyond this lesson's minutes (at full size one is trained beside it on the same
//     data, as the baseline: it stays near 1/4 at 8 shots); with smeared keys the lookup arrives,
//     as a sudden drop of the loss, within about a hundred steps.
//
// The report's Japanese example (「私は」 continued) needs a Japanese text the learner downloads
// (Aozora Bunko): [ContinueJapanese] trains a word-level GPT on it with kagome's segmentation.
//
// [Run] trains the models (or resumes, or restores finished runs from their checkpoints under
// the user cache) and measures everything; [Outcome.Result] is the notebook's RESULT line: the
// GPT's held-out perplexity over the Kneser–Ney bigram's (full size ≤ 0.7, quick < 1), and at
// full size the 8-shot accuracy on held-out mappings (≥ 50%, and ≥ 2× the zero-shot accuracy).
package gpt
