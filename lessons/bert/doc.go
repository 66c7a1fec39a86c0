// Package bert is lesson 11 of dl4go: BERT (Devlin et al., 2018), a bidirectional Transformer
// encoder pre-trained on plain text with masked-language modelling (MLM, 空欄語予測) and
// next-sentence prediction (NSP, 隣接文予測), then fine-tuned for a task of one's own.
//
// Start with Run(Size()), which does the whole lesson and returns an Outcome (Summary, Result; a
// finished run's outcome is saved and returned at once); the notebook walks through the same
// steps one at a time. What was measured, and what was tried, is in docs/experiments/bert.md.
//
//   - Text: Isaac Newton's Opticks from the Go installation (package data/text), its paragraphs
//     grouped into sections of 40 sentences (a few pages each; Config.Split): the "documents" of
//     BERT, the last 10% of them (the end of the book) held out. Japanese text is segmented into words with
//     kagome (Wakati, like the report's MeCab -Owakati; data/text/ja), and Aozora Bunko files in
//     Shift_JIS are read with LoadJapanese.
//   - Tokens: LearnWordPiece learns a WordPiece vocabulary ("refract", "##ion") from the training
//     text, with the special tokens [PAD] [UNK] [CLS] [SEP] [MASK].
//   - Model: BERT-mini (Model): token + segment + position embeddings and Transformer encoder
//     blocks (multi-head self-attention with no causal mask, feed-forward, residuals and
//     LayerNorm — the encoder of lesson 10), an MLM head tied to the token embeddings, an NSP head
//     on [CLS].
//   - Pre-training: RunPretrain trains both objectives on "[CLS] A [SEP] B [SEP]" inputs of 128
//     tokens: 15% of the tokens chosen, 80% replaced by [MASK], 10% by a random token, 10% left;
//     half of the time B is the text that follows A, half of the time a span of the same length
//     from another section (so that only the content tells them apart: the subject, whether the
//     words run on across the cut, whether B repeats A's words). It trains through gomlxext.Fit
//     in the run's folder of the lesson kit (Lesson.Open), so an interrupted run resumes. Pretrained.Evaluate
//     measures held-out MLM top-1 accuracy against the unigram-frequency baseline, and NSP accuracy
//     with random B's from anywhere in the book (as in pre-training) and from three narrower parts
//     of it down to the held-out text alone, where the topic no longer gives them away: NSP learned
//     topic more than continuity, as ALBERT's authors argued. ProbeSentence gives the top-k tokens
//     for a masked word and the attention maps.
//   - Transfer: Pretrained.RunTask compares fine-tuning, a frozen encoder with a trained head
//     (feature-based), and training from scratch on intruder-word detection (is this Opticks
//     sentence intact, or were two words replaced?).
//   - The report's experiment: Pretrained.RunNextToken trains a Dense next-token head on the frozen
//     encoder and generates text: garbage, because a bidirectional encoder sees the next token
//     during training (it learns to read it, not to predict it) and has nothing to read when
//     generating. Left-to-right generation needs a causal decoder: lesson 12, GPT.
package bert
