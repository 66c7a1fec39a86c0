package transformer

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// MaxNumber is the largest number the task translates: 999,999, the largest with English words
// up to "thousand" (and Japanese numerals up to 万: 九十九万九千九百九十九).
const MaxNumber = 999_999

var (
	ones = []string{"", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
		"twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"}
	tens  = []string{"", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"}
	kanji = []string{"", "一", "二", "三", "四", "五", "六", "七", "八", "九"}
)

// English writes n (1 … MaxNumber) in British English words, with "and" after a hundred and
// before a last group under a hundred, and a hyphen inside 21–99:
//
//	English(312005) == "three hundred and twelve thousand and five"
//	English(45678)  == "forty-five thousand six hundred and seventy-eight"
func English(n int) (string, error) {
	if n < 1 || n > MaxNumber {
		return "", fmt.Errorf("transformer: English(%d): the task's numbers are 1 … %d", n, MaxNumber)
	}
	var w []string
	below100 := func(r int) {
		switch {
		case r < 20:
			w = append(w, ones[r])
		case r%10 == 0:
			w = append(w, tens[r/10])
		default:
			w = append(w, tens[r/10]+"-"+ones[r%10])
		}
	}
	group := func(g int) { // 1 … 999
		if h := g / 100; h > 0 {
			w = append(w, ones[h], "hundred")
			if g%100 > 0 {
				w = append(w, "and")
			}
		}
		if r := g % 100; r > 0 {
			below100(r)
		}
	}
	th, rest := n/1000, n%1000
	if th > 0 {
		group(th)
		w = append(w, "thousand")
		if rest > 0 && rest < 100 {
			w = append(w, "and")
		}
	}
	if rest > 0 {
		group(rest)
	}
	return strings.Join(w, " "), nil
}

// Japanese writes n (1 … MaxNumber) in kanji numerals, grouped by 万 (10⁴) where English groups
// by thousand: a 1 before 十, 百 and 千 is left out, but not before 万:
//
//	Japanese(312005) == "三十一万二千五"
//	Japanese(10000)  == "一万"
func Japanese(n int) (string, error) {
	if n < 1 || n > MaxNumber {
		return "", fmt.Errorf("transformer: Japanese(%d): the task's numbers are 1 … %d", n, MaxNumber)
	}
	var b strings.Builder
	under10k := func(g int) { // 1 … 9999
		for _, u := range []struct {
			value int
			unit  string
		}{{1000, "千"}, {100, "百"}, {10, "十"}} {
			if d := g / u.value % 10; d > 0 {
				if d > 1 {
					b.WriteString(kanji[d])
				}
				b.WriteString(u.unit)
			}
		}
		b.WriteString(kanji[g%10])
	}
	if man := n / 10000; man > 0 {
		if man == 1 {
			b.WriteString("一") // 一万, never 万 alone
		} else {
			under10k(man)
		}
		b.WriteString("万")
	}
	if r := n % 10000; r > 0 {
		under10k(r)
	}
	return b.String(), nil
}

// Special token ids, the same in both vocabularies where they exist.
const (
	Pad = 0 // padding, never predicted and never attended to
	BOS = 1 // target only: the decoder's first input
	EOS = 2 // target only: the end of the translation
)

// Vocab maps tokens to ids and back.
type Vocab struct {
	Tokens []string // Tokens[id]
	ids    map[string]int
}

func newVocab(tokens []string) *Vocab {
	v := &Vocab{Tokens: tokens, ids: map[string]int{}}
	for i, t := range tokens {
		v.ids[t] = i
	}
	return v
}

// Size is the number of tokens.
func (v *Vocab) Size() int { return len(v.Tokens) }

var (
	sourceVocab = newVocab(append(append(append([]string{"[PAD]"}, ones[1:]...), tens[2:]...), "hundred", "thousand", "and"))
	targetVocab = newVocab(append(append([]string{"[PAD]", "[BOS]", "[EOS]"}, kanji[1:]...), "十", "百", "千", "万"))
)

// SourceVocab is the English side: the 30 words of the numbers (hyphenated tens split into two
// tokens, "seventy-seven" → "seventy", "seven") after [PAD]. It is shared: do not modify it.
func SourceVocab() *Vocab { return sourceVocab }

// TargetVocab is the Japanese side: one token per kanji after [PAD], [BOS] and [EOS]. It is
// shared: do not modify it.
func TargetVocab() *Vocab { return targetVocab }

// EncodeSource returns the ids of an English number's words ("forty-five" is two tokens).
func (v *Vocab) EncodeSource(english string) ([]int, error) {
	var ids []int
	for _, w := range strings.Fields(strings.ReplaceAll(english, "-", " ")) {
		id, ok := v.ids[w]
		if !ok || id == Pad {
			return nil, fmt.Errorf("transformer: %q is not a number word (the words are %s)", w, strings.Join(v.Tokens[1:], ", "))
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// EncodeTarget returns the ids of a kanji numeral's characters.
func (v *Vocab) EncodeTarget(japanese string) ([]int, error) {
	var ids []int
	for _, r := range japanese {
		id, ok := v.ids[string(r)]
		if !ok || id <= EOS {
			return nil, fmt.Errorf("transformer: %q is not a kanji numeral (the numerals are %s)", string(r), strings.Join(v.Tokens[EOS+1:], ""))
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// Decode joins ids into text up to the first [EOS], leaving out [PAD] and [BOS]; sep goes between
// tokens ("" for kanji, " " for words).
func (v *Vocab) Decode(ids []int, sep string) string {
	var out []string
	for _, id := range ids {
		if id == EOS {
			break
		}
		if id > BOS && id < len(v.Tokens) {
			out = append(out, v.Tokens[id])
		}
	}
	return strings.Join(out, sep)
}

// Split decides which numbers are held out: a number is held out when a hash of it (and Seed)
// falls below HeldOut. Training never draws a held-out number; the test draws only those.
type Split struct {
	Seed    uint64
	HeldOut float64 // share of all numbers held out (0.1: one in ten)
}

// IsHeldOut reports whether n is one of the held-out numbers.
func (s Split) IsHeldOut(n int) bool {
	h := uint64(n) ^ (s.Seed * 0x9e3779b97f4a7c15) // splitmix64's finaliser
	h ^= h >> 30
	h *= 0xbf58476d1ce4e5b9
	h ^= h >> 27
	h *= 0x94d049bb133111eb
	h ^= h >> 31
	return float64(h>>11)/(1<<53) < s.HeldOut
}

// drawNumber draws a number with a uniformly chosen count of digits (1 to 6), then uniformly
// among the numbers of that many digits, from the held-out side of the split or from the
// training side. Drawing digits uniformly gives short numbers their share: uniform over
// 1 … 999,999 would almost never show "seven" or "forty-two" alone.
func drawNumber(rng *rand.Rand, s Split, heldOut bool) int {
	for {
		digits := 1 + rng.IntN(6)
		lo := 1
		for range digits - 1 {
			lo *= 10
		}
		n := lo + rng.IntN(9*lo)
		if s.IsHeldOut(n) == heldOut {
			return n
		}
	}
}

// Example is one pair of the task.
type Example struct {
	N                 int
	English, Japanese string
	Source, Target    []int // token ids, without [BOS]/[EOS]
}

// NewExample returns the pair of n.
func NewExample(n int) (Example, error) {
	en, err := English(n)
	if err != nil {
		return Example{}, err
	}
	ja, err := Japanese(n)
	if err != nil {
		return Example{}, err
	}
	src, err := SourceVocab().EncodeSource(en)
	if err != nil {
		return Example{}, err
	}
	tgt, err := TargetVocab().EncodeTarget(ja)
	if err != nil {
		return Example{}, err
	}
	return Example{N: n, English: en, Japanese: ja, Source: src, Target: tgt}, nil
}

// Lengths of the padded sequences: the longest English number has 11 words ("seven hundred and
// seventy-seven thousand seven hundred and seventy-seven"), the longest numeral 11 kanji
// (七十七万七千七百七十七) and one [BOS] or [EOS].
const (
	SourceLen = 12
	TargetLen = 12
)

// TestSet draws n distinct held-out numbers (seeded) and their pairs: numbers no training batch
// ever contains.
func TestSet(s Split, n int, seed uint64) ([]Example, error) {
	rng := rand.New(rand.NewPCG(seed, 0x7e57))
	seen := map[int]bool{}
	var out []Example
	for tries := 0; len(out) < n; tries++ {
		if tries > 100*n {
			return nil, fmt.Errorf("transformer: could not draw %d distinct held-out numbers (held-out share %g): ask for fewer", n, s.HeldOut)
		}
		k := drawNumber(rng, s, true)
		if seen[k] {
			continue
		}
		seen[k] = true
		e, err := NewExample(k)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}
