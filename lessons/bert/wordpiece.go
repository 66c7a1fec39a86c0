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
	keys := make([]string, 0, len(counts))
	for w := range counts {
		keys = append(keys, w)
	}
	sort.Strings(keys)
	// Pieces are numbered in the order they enter the vocabulary; words are slices of piece numbers.
	var pieces []string
	pieceID := map[string]int32{}
	intern := func(p string) int32 {
		if id, ok := pieceID[p]; ok {
			return id
		}
		pieceID[p] = int32(len(pieces))
		pieces = append(pieces, p)
		return pieceID[p]
	}
	var alphabet []string
	seen := map[string]bool{}
	for _, w := range keys {
		for i, r := range []rune(w) {
			p := string(r)
			if i > 0 {
				p = "##" + p
			}
			if !seen[p] {
				seen[p] = true
				alphabet = append(alphabet, p)
			}
		}
	}
	sort.Strings(alphabet)
	for _, p := range alphabet {
		intern(p)
	}
	type word struct {
		pieces []int32
		count  int
	}
	words := make([]word, len(keys))
	for wi, w := range keys {
		for i, r := range []rune(w) {
			p := string(r)
			if i > 0 {
				p = "##" + p
			}
			words[wi].pieces = append(words[wi].pieces, pieceID[p])
		}
		words[wi].count = counts[w]
	}
	pairs := map[int64]int{}
	for len(specialTokens)+len(pieces) < size {
		clear(pairs)
		for _, w := range words {
			for i := 0; i+1 < len(w.pieces); i++ {
				pairs[int64(w.pieces[i])<<32|int64(w.pieces[i+1])] += w.count
			}
		}
		var best int64
		bestN, bestName := 0, ""
		for p, n := range pairs {
			if n < bestN {
				continue
			}
			name := pieces[p>>32] + " " + pieces[p&0xffffffff]
			if n > bestN || name < bestName {
				best, bestN, bestName = p, n, name
			}
		}
		if bestN < 2 {
			break // nothing frequent left to merge.
		}
		a, b := int32(best>>32), int32(best&0xffffffff)
		merged := pieces[a] + strings.TrimPrefix(pieces[b], "##")
		m := intern(merged) // an existing piece if the same string arose from another split.
		for wi := range words {
			ps := words[wi].pieces
			out := ps[:0]
			for i := 0; i < len(ps); i++ {
				if i+1 < len(ps) && ps[i] == a && ps[i+1] == b {
					out = append(out, m)
					i++
				} else {
					out = append(out, ps[i])
				}
			}
			words[wi].pieces = out
		}
	}
	return NewVocab(pieces), nil
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

// Continues reports, for every token id, whether the token continues a word ("##…"): whole-word
// masking masks a word start with all its continuations.
func (v *Vocab) Continues() []bool {
	out := make([]bool, len(v.Tokens))
	for i, t := range v.Tokens {
		out[i] = strings.HasPrefix(t, "##")
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
