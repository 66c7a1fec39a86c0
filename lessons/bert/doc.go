// Package bert is lesson 11 of dl4go: BERT (Devlin et al., 2018), a bidirectional Transformer
// encoder pre-trained on plain text with masked-language modelling (MLM, 空欄語予測) and
// next-sentence prediction (NSP, 隣接文予測), then fine-tuned for a task of one's own.
//
// Start with Run(Size()), which does the whole lesson and returns an Outcome (Summary, Result; a
// finished run's outcome is saved and returned at once); the notebook walks through the same
// steps one at a time. What was measured, and what was tried, is in docs/experiments/bert.md.
//
//   - Text: EnglishCorpus, four documents that ship with Go — Newton's Opticks (data/text), the
//     Go specification, the Go memory model and the package documentation of Go's standard
//     library — each cut into sections of 40 sentences (Config.Split, Corpus.Split), BERT's
//     "documents", the last 10% of every document held out. AozoraCorpus reads the report's own
//     corpus, three novels by Natsume Sōseki, from zips the user downloaded from Aozora Bunko
//     (Config.Aozora runs the lesson on it); Japanese text is segmented into words with kagome
//     (Wakati, like the report's MeCab -Owakati; data/text/ja).
//   - Tokens: LearnWordPiece learns a WordPiece vocabulary ("refract", "##ion") from the training
//     text, with the special tokens [PAD] [UNK] [CLS] [SEP] [MASK]; Vocab tokenizes, encodes and
//     decodes (lesson 12, GPT, uses it too).
//   - Model: BERT-mini (Model): token + segment + position embeddings and Transformer encoder
//     blocks (multi-head self-attention with no causal mask, feed-forward, residuals and
//     LayerNorm — the encoder of lesson 10), an MLM head tied to the token embeddings, an NSP head
//     on [CLS]; PretrainLoss is their loss. The first block's attention adds a learned
//     relative-position bias that starts local (Model.RelPos, RelDecay, RelLayers; gomlxext/layers'
//     RelativePositionBias and RelativePositionDecay): without it the model sat for thousands of
//     steps at the unigram baseline before reading the neighbours of a [MASK].
//   - Pre-training: RunPretrain trains both objectives on "[CLS] A [SEP] B [SEP]" inputs of 128
//     tokens: 15% of the tokens chosen (whole words with Config.WholeWord), 80% replaced by
//     [MASK], 10% by a random token, 10% left; half of the time B is the text that follows A,
//     half of the time a span of the same length from another section (so that only the content
//     tells them apart: the subject, whether the words run on across the cut, whether B repeats
//     A's words). It trains through gomlxext.Fit in the run's folder of the lesson kit
//     (Lesson.Open), so an interrupted run resumes.
//   - Evaluation: Pretrained.Evaluate measures, on held-out text, MLM top-1 and top-5 with every
//     chosen position [MASK]ed against a unigram and a bigram-context baseline (PretrainEval,
//     KindTable shows what keeping the 80/10/10 corruption would have measured), and NSP on
//     pairs whose A and B both come from held-out text (NSPHeldOut), compared with random B's
//     from A's own document only and from anywhere in the corpus. ProbeSentence gives the top-k
//     tokens for a masked word and the attention maps.
//   - Transfer: Pretrained.RunTask compares fine-tuning, a frozen encoder with a trained head
//     (feature-based), and training from scratch on intruder-word detection (is this sentence
//     intact, or were words replaced?).
//   - The report's experiment: Pretrained.RunNextToken trains a Dense next-token head on the frozen
//     encoder and generates text: garbage, because a bidirectional encoder sees the next token
//     during training (it learns to read it, not to predict it) and has nothing to read when
//     generating. Left-to-right generation needs a causal decoder: lesson 12, GPT.
package bert
