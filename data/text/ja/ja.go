// Package ja segments Japanese text into words with kagome (github.com/ikawaha/kagome/v2, a pure-Go
// morphological analyser like MeCab) and its IPA dictionary: Wakati is `mecab -Owakati`.
//
// Japanese is written without spaces, so a word-level vocabulary (as the report built for its BERT
// experiment on Natsume Sōseki's novels) first needs this segmentation (分かち書き).
package ja

import (
	"fmt"
	"strings"
	"sync"

	"github.com/ikawaha/kagome-dict/ipa"
	"github.com/ikawaha/kagome/v2/tokenizer"
)

var (
	once sync.Once
	tok  *tokenizer.Tokenizer
	err  error
)

// tokenizerIPA returns the shared kagome tokenizer with the IPA dictionary (loaded once: ~1 s).
func tokenizerIPA() (*tokenizer.Tokenizer, error) {
	once.Do(func() {
		tok, err = tokenizer.New(ipa.Dict(), tokenizer.OmitBosEos())
		if err != nil {
			err = fmt.Errorf("ja: load kagome IPA dictionary: %w", err)
		}
	})
	return tok, err
}

// Wakati splits s into words (surface forms), like `mecab -Owakati`: "私は先生と呼んでいた" →
// [私 は 先生 と 呼ん で い た]. Spaces are dropped.
func Wakati(s string) ([]string, error) {
	t, err := tokenizerIPA()
	if err != nil {
		return nil, err
	}
	var out []string
	for _, w := range t.Wakati(s) {
		if w = strings.TrimSpace(w); w != "" {
			out = append(out, w)
		}
	}
	return out, nil
}

// Morpheme is one word with its part of speech (品詞) and base form (原形) from the IPA dictionary.
type Morpheme struct {
	Surface, POS, Base string
}

// Analyze returns the words of s with their part of speech and base form, like plain `mecab`.
func Analyze(s string) ([]Morpheme, error) {
	t, err := tokenizerIPA()
	if err != nil {
		return nil, err
	}
	var out []Morpheme
	for _, k := range t.Tokenize(s) {
		if strings.TrimSpace(k.Surface) == "" {
			continue
		}
		m := Morpheme{Surface: k.Surface, Base: k.Surface}
		if pos := k.POS(); len(pos) > 0 {
			m.POS = pos[0]
		}
		if b, ok := k.BaseForm(); ok && b != "*" {
			m.Base = b
		}
		out = append(out, m)
	}
	return out, nil
}
