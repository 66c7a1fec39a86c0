// Package transformer is lesson 10 (Transformer): from the Seq2Seq encoder–decoder to attention,
// on a translation that needs reordering — English number words to Japanese numerals.
//
//	three hundred and twelve thousand and five  →  三十一万二千五
//
// English groups digits by thousands, Japanese by 万 (ten thousand): the "twelve" of "three
// hundred and twelve thousand" is split across 万 (三十一万二千), and whether a word's digits fall
// before or after 万 depends on a "thousand" that comes later. A decoder writing 一 must look back
// at the right word, several positions away: what attention does, and what a GRU encoder–decoder,
// which squeezes the whole source into one vector, does badly.
//
// Both models learn from pairs drawn from 90% of the numbers 1 … 999,999 and are tested on the
// other 10% ([Split]), numbers no training batch ever held, with the same training time:
//
//   - [GRUModel], the Seq2Seq baseline (Cho et al., 2014): a GRU reads the words, its last state
//     starts a second GRU that writes the kanji.
//   - [TransformerModel] (Vaswani et al., 2017): sinusoidal positional encoding, encoder blocks of
//     self-attention, decoder blocks of causal self-attention and source–target attention, from
//     gomlxext/layers (EncoderBlock, DecoderBlock, MultiHeadAttention) — the blocks lessons 11
//     (BERT) and 12 (GPT) are built of.
//
// Both train with teacher forcing (the decoder reads the true prefix and predicts every next
// kanji at once: the sentence's probability factorised into conditionals, p(y|x) = Π p(y_t |
// y_<t, x)) and translate by greedy decoding or beam search ([Trained.Greedy],
// [Trained.BeamSearch]).
//
// Start with [Run] (the whole lesson) and [Size] (its configuration: [Full] in the notebook,
// [Quick] under DL4GO_QUICK=1); [English] and [Japanese] write the pairs; [Outcome] holds the
// trained models, their held-out exact match and token accuracy and the charts, including the
// cross-attention heat maps ([Outcome.AttentionChart]).
package transformer
