package bert

import (
	"fmt"
	"sort"
	"strings"

	"github.com/dl4go/dl4go/data/text"
	"github.com/dl4go/dl4go/data/text/ja"
)

// KokoroOpening is the first sentences of Natsume Sōseki's "Kokoro" (夏目漱石『こころ』, 1914,
// public domain), the novel the report trained on.
const KokoroOpening = "私はその人を常に先生と呼んでいた。だからここでもただ先生と書くだけで本名は打ち明けない。" +
	"これは世間を憚かる遠慮というよりも、その方が私にとって自然だからである。"

// Segmented is one Japanese sentence and its words.
type Segmented struct {
	Sentence string
	Words    []string
}

// Wakati segments Japanese text into sentences and words with kagome (IPA dictionary), as the
// report did with `MeCab.Tagger("-Owakati")`: Japanese has no spaces, so a word vocabulary
// needs this first.
func Wakati(japanese string) ([]Segmented, error) {
	var out []Segmented
	for _, s := range text.Sentences(japanese) {
		ws, err := ja.Wakati(s)
		if err != nil {
			return nil, err
		}
		out = append(out, Segmented{Sentence: s, Words: ws})
	}
	return out, nil
}

// WakatiString prints each sentence as MeCab -Owakati would: words separated by spaces.
func WakatiString(segs []Segmented) string {
	var b strings.Builder
	for _, s := range segs {
		b.WriteString(strings.Join(s.Words, " "))
		b.WriteByte('\n')
	}
	return b.String()
}

// WordVocab builds the report's word-level vocabulary: vocab = sorted(set(words)), char2idx maps
// a word to its index in that sorted list. (The order is alphabetical — it carries no meaning,
// and is harmless: ids are only names.)
func WordVocab(segs []Segmented) (vocab []string, idx map[string]int) {
	set := map[string]bool{}
	for _, s := range segs {
		for _, w := range s.Words {
			set[w] = true
		}
	}
	for w := range set {
		vocab = append(vocab, w)
	}
	sort.Strings(vocab)
	idx = map[string]int{}
	for i, w := range vocab {
		idx[w] = i
	}
	return vocab, idx
}

// LoadJapanese reads a Japanese text file of the user's, e.g. an Aozora Bunko novel (Shift_JIS,
// converted to UTF-8 in Go like `nkf -w`, ruby and notes removed), and segments its first
// maxSentences sentences. Aozora files are downloads (https://www.aozora.gr.jp/); this lesson
// never fetches them.
func LoadJapanese(path string, maxSentences int) ([]Segmented, error) {
	c, err := text.Load(path)
	if err != nil {
		return nil, fmt.Errorf("bert: %w (download an Aozora Bunko text file first; this lesson works offline)", err)
	}
	s := c.Sentences()
	return Wakati(strings.Join(s[:min(maxSentences, len(s))], ""))
}
