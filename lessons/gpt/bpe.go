package gpt

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// BPE is a byte-level byte-pair-encoding tokenizer, GPT-2's kind: every text is bytes, the 256
// byte values are the first tokens (so nothing is ever out of vocabulary), and each learned merge
// joins the pair of adjacent tokens that was most frequent in the training text into a new
// token. Text is first cut into chunks — a word with the space before it (" light"), a number,
// a run of punctuation, a run of white space — and merges never cross a chunk.
type BPE struct {
	// Tokens[id] is the token's bytes: ids 0–255 are the single bytes, then one per merge.
	Tokens [][]byte
	// Merges[i] is the pair of ids joined into token 256+i, in the order they were learned.
	Merges [][2]int
	rank   map[[2]int]int   // pair → merge index
	cache  map[string][]int // chunk → ids
}

// Size is the number of tokens.
func (b *BPE) Size() int { return len(b.Tokens) }

// LearnBPE learns a byte-level BPE of size tokens (256 bytes + size−256 merges) from text: at
// each step the most frequent adjacent pair inside the chunks (ties: the lowest ids) is merged.
func LearnBPE(text string, size int) (*BPE, error) {
	if size < 256 {
		return nil, fmt.Errorf("gpt: a byte-level BPE has at least the 256 byte tokens, got size %d", size)
	}
	counts := map[string]int{}
	for _, c := range chunks(text) {
		counts[c]++
	}
	type word struct {
		ids   []int
		count int
	}
	words := make([]word, 0, len(counts))
	for c, n := range counts {
		ids := make([]int, len(c))
		for i := range len(c) {
			ids[i] = int(c[i])
		}
		words = append(words, word{ids, n})
	}
	b := &BPE{}
	for i := range 256 {
		b.Tokens = append(b.Tokens, []byte{byte(i)})
	}
	pairs := map[[2]int]int{}
	for len(b.Tokens) < size {
		clear(pairs)
		for _, w := range words {
			for i := 0; i+1 < len(w.ids); i++ {
				pairs[[2]int{w.ids[i], w.ids[i+1]}] += w.count
			}
		}
		best, bestN := [2]int{}, 0
		for p, n := range pairs {
			if n > bestN || (n == bestN && (p[0] < best[0] || (p[0] == best[0] && p[1] < best[1]))) {
				best, bestN = p, n
			}
		}
		if bestN < 2 {
			break // nothing left worth a token: every pair is unique
		}
		id := len(b.Tokens)
		b.Tokens = append(b.Tokens, append(append([]byte(nil), b.Tokens[best[0]]...), b.Tokens[best[1]]...))
		b.Merges = append(b.Merges, best)
		for wi := range words {
			words[wi].ids = mergePair(words[wi].ids, best, id)
		}
	}
	b.index()
	return b, nil
}

// index builds the lookup tables from Merges.
func (b *BPE) index() {
	b.rank = make(map[[2]int]int, len(b.Merges))
	for i, m := range b.Merges {
		b.rank[m] = i
	}
	b.cache = map[string][]int{}
}

// mergePair replaces every adjacent (p[0], p[1]) in ids by id.
func mergePair(ids []int, p [2]int, id int) []int {
	out := ids[:0]
	for i := 0; i < len(ids); i++ {
		if i+1 < len(ids) && ids[i] == p[0] && ids[i+1] == p[1] {
			out = append(out, id)
			i++
		} else {
			out = append(out, ids[i])
		}
	}
	return out
}

// Encode returns the token ids of text: each chunk's bytes, merged in the order the merges were
// learned (the lowest-ranked pair present first), as GPT-2 does.
func (b *BPE) Encode(text string) []int {
	var out []int
	for _, c := range chunks(text) {
		out = append(out, b.encodeChunk(c)...)
	}
	return out
}

func (b *BPE) encodeChunk(c string) []int {
	if ids, ok := b.cache[c]; ok {
		return ids
	}
	ids := make([]int, len(c))
	for i := range len(c) {
		ids[i] = int(c[i])
	}
	for len(ids) > 1 {
		best, bestRank := [2]int{}, -1
		for i := 0; i+1 < len(ids); i++ {
			if r, ok := b.rank[[2]int{ids[i], ids[i+1]}]; ok && (bestRank < 0 || r < bestRank) {
				best, bestRank = [2]int{ids[i], ids[i+1]}, r
			}
		}
		if bestRank < 0 {
			break
		}
		ids = mergePair(ids, best, 256+bestRank)
	}
	if len(b.cache) < 1<<16 {
		b.cache[c] = ids
	}
	return ids
}

// Decode returns the text of ids (the bytes joined; an id out of range is an error).
func (b *BPE) Decode(ids []int) (string, error) {
	var s []byte
	for _, id := range ids {
		if id < 0 || id >= len(b.Tokens) {
			return "", fmt.Errorf("gpt: token id %d is not in the vocabulary of %d", id, len(b.Tokens))
		}
		s = append(s, b.Tokens[id]...)
	}
	return string(s), nil
}

// Token returns token id as readable text: a leading space shows as "␣", other bytes that are not
// printable UTF-8 as \xNN.
func (b *BPE) Token(id int) string {
	if id < 0 || id >= len(b.Tokens) {
		return "<" + strconv.Itoa(id) + "?>"
	}
	t := b.Tokens[id]
	var s strings.Builder
	for i := 0; i < len(t); {
		r, n := utf8.DecodeRune(t[i:])
		switch {
		case r == ' ':
			s.WriteString("␣")
		case r == '\n':
			s.WriteString("⏎")
		case r == utf8.RuneError && n <= 1, !unicode.IsPrint(r):
			fmt.Fprintf(&s, "\\x%02x", t[i])
			n = 1
		default:
			s.WriteRune(r)
		}
		i += n
	}
	return s.String()
}

// chunks cuts text where merges may not cross: a letter run with at most one space before it, a
// digit run (likewise), a run of other non-space characters (likewise), and runs of white space
// (a run followed by a word leaves its last space to the word, as GPT-2's pattern does).
func chunks(text string) []string {
	var out []string
	class := func(r rune) int {
		switch {
		case unicode.IsLetter(r) || r == '\'':
			return 1
		case unicode.IsDigit(r):
			return 2
		case unicode.IsSpace(r):
			return 0
		}
		return 3
	}
	rs := []rune(text)
	for i := 0; i < len(rs); {
		start := i
		if rs[i] == ' ' && i+1 < len(rs) && class(rs[i+1]) != 0 {
			i++ // the space joins the word after it
		}
		c := class(rs[i])
		if c == 0 {
			for i < len(rs) && class(rs[i]) == 0 && !(rs[i] == ' ' && i+1 < len(rs) && class(rs[i+1]) != 0 && i > start) {
				i++
			}
		} else {
			for i < len(rs) && class(rs[i]) == c {
				i++
			}
		}
		out = append(out, string(rs[start:i]))
	}
	return out
}
