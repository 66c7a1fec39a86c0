package bert

import (
	"fmt"
	"sort"
	"strings"
	"unicode"
)

// Special tokens, with fixed ids at the start of every Vocab.
const (
	PAD  = 0 // [PAD] fills sequences up to the fixed length; attention ignores it.
	UNK  = 1 // [UNK] stands for a word the vocabulary cannot spell.
	CLS  = 2 // [CLS] starts every input; its final vector feeds NSP and sentence classifiers.
	SEP  = 3 // [SEP] ends each of the two segments.
	MASK = 4 // [MASK] hides a token that masked-LM pre-training must predict.
)

var specialTokens = []string{"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"}

// Vocab is a WordPiece vocabulary: whole words or word starts ("light", "refr") and word
// continuations marked "##" ("##act", "##s"), after the five special tokens.
type Vocab struct {
	Tokens []string       // id → token.
	ids    map[string]int // token → id.
}

// Size returns the number of tokens, special tokens included.
func (v *Vocab) Size() int { return len(v.Tokens) }

// ID returns the id of token t, or UNK.
func (v *Vocab) ID(t string) int {
	if id, ok := v.ids[t]; ok {
		return id
	}
	return UNK
}

// Words splits text into lower-case words and punctuation marks, BERT-uncased style:
// "Rays of Light, refracted." → [rays of light , refracted .].
func Words(text string) []string {
	var out []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			out = append(out, string(cur))
			cur = cur[:0]
		}
	}
	for _, r := range strings.ToLower(text) {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			cur = append(cur, r)
		case unicode.IsSpace(r):
			flush()
		default:
			flush()
			out = append(out, string(r))
		}
	}
	flush()
	return out
}

// LearnWordPiece learns a vocabulary of about size tokens from the words of sentences (see Words):
// it starts from every character (as a word start, and as a "##" continuation) and repeatedly
// merges the most frequent adjacent pair of pieces inside words (the byte-pair-encoding procedure
// that HuggingFace's WordPiece trainer also uses), until the vocabulary has size tokens.
// Ties are broken alphabetically, so the result is deterministic.
func LearnWordPiece(sentences []string, size int) (*Vocab, error) {
	counts := map[string]int{}
	for _, s := range sentences {
		for _, w := range Words(s) {
			counts[w]++
		}
	}
	if len(counts) == 0 {
		return nil, fmt.Errorf("bert: learn WordPiece: no words in %d sentences", len(sentences))
	}
	type word struct {
		pieces []string
		count  int
	}
	words := make([]word, 0, len(counts))
	keys := make([]string, 0, len(counts))
	for w := range counts {
		keys = append(keys, w)
	}
	sort.Strings(keys)
	seen := map[string]bool{}
	var vocab []string
	add := func(t string) {
		if !seen[t] {
			seen[t] = true
			vocab = append(vocab, t)
		}
	}
	for _, t := range specialTokens {
		add(t)
	}
	var alphabet []string
	for _, w := range keys {
		var ps []string
		for i, r := range []rune(w) {
			p := string(r)
			if i > 0 {
				p = "##" + p
			}
			ps = append(ps, p)
			if !seen[p] {
				alphabet = append(alphabet, p)
				seen[p] = true
			}
		}
		words = append(words, word{ps, counts[w]})
	}
	sort.Strings(alphabet)
	vocab = append(vocab, alphabet...)
	for len(vocab) < size {
		pairs := map[[2]string]int{}
		for _, w := range words {
			for i := 0; i+1 < len(w.pieces); i++ {
				pairs[[2]string{w.pieces[i], w.pieces[i+1]}] += w.count
			}
		}
		var best [2]string
		bestN := 0
		for p, n := range pairs {
			if n > bestN || n == bestN && p[0]+" "+p[1] < best[0]+" "+best[1] {
				best, bestN = p, n
			}
		}
		if bestN < 2 {
			break // nothing frequent left to merge.
		}
		merged := best[0] + strings.TrimPrefix(best[1], "##")
		for wi := range words {
			ps := words[wi].pieces
			out := ps[:0]
			for i := 0; i < len(ps); i++ {
				if i+1 < len(ps) && ps[i] == best[0] && ps[i+1] == best[1] {
					out = append(out, merged)
					i++
				} else {
					out = append(out, ps[i])
				}
			}
			words[wi].pieces = out
		}
		add(merged)
	}
	return NewVocab(vocab[len(specialTokens):]), nil
}

// NewVocab returns the vocabulary of the special tokens followed by tokens.
func NewVocab(tokens []string) *Vocab {
	v := &Vocab{ids: map[string]int{}}
	for _, t := range append(append([]string{}, specialTokens...), tokens...) {
		if _, dup := v.ids[t]; !dup {
			v.ids[t] = len(v.Tokens)
			v.Tokens = append(v.Tokens, t)
		}
	}
	return v
}

// Tokenize splits text into WordPiece tokens: each word (see Words) greedily into the longest
// piece of the vocabulary that starts it, then the longest "##" continuation, and so on; a word
// that cannot be spelled becomes [UNK]. "refrangibility" → [refrang ##ibility] (depending on
// the vocabulary).
func (v *Vocab) Tokenize(text string) []string {
	var out []string
	for _, w := range Words(text) {
		out = append(out, v.wordPieces(w)...)
	}
	return out
}

// Encode returns the ids of Tokenize(text).
func (v *Vocab) Encode(text string) []int {
	toks := v.Tokenize(text)
	ids := make([]int, len(toks))
	for i, t := range toks {
		ids[i] = v.ID(t)
	}
	return ids
}

// Decode joins the tokens of ids back into text: "##" pieces glue to the previous token.
func (v *Vocab) Decode(ids []int) string {
	var b strings.Builder
	for i, id := range ids {
		t := "[?]"
		if id >= 0 && id < len(v.Tokens) {
			t = v.Tokens[id]
		}
		if c, ok := strings.CutPrefix(t, "##"); ok {
			b.WriteString(c)
			continue
		}
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(t)
	}
	return b.String()
}

func (v *Vocab) wordPieces(w string) []string {
	rs := []rune(w)
	var out []string
	for start := 0; start < len(rs); {
		end := len(rs)
		found := ""
		for ; end > start; end-- {
			p := string(rs[start:end])
			if start > 0 {
				p = "##" + p
			}
			if _, ok := v.ids[p]; ok {
				found = p
				break
			}
		}
		if found == "" {
			return []string{"[UNK]"}
		}
		out = append(out, found)
		start = end
	}
	return out
}
