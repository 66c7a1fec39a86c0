package transformer

import (
	"strconv"
	"strings"
	"testing"
)

func TestNumberWords(t *testing.T) {
	for _, tc := range []struct {
		n      int
		en, ja string
	}{
		{1, "one", "一"}, {10, "ten", "十"}, {11, "eleven", "十一"}, {20, "twenty", "二十"}, {21, "twenty-one", "二十一"},
		{100, "one hundred", "百"}, {101, "one hundred and one", "百一"}, {110, "one hundred and ten", "百十"},
		{1000, "one thousand", "千"}, {1001, "one thousand and one", "千一"}, {1100, "one thousand one hundred", "千百"},
		{2019, "two thousand and nineteen", "二千十九"}, {10000, "ten thousand", "一万"}, {11000, "eleven thousand", "一万千"},
		{100000, "one hundred thousand", "十万"}, {120000, "one hundred and twenty thousand", "十二万"},
		{312005, "three hundred and twelve thousand and five", "三十一万二千五"},
		{45678, "forty-five thousand six hundred and seventy-eight", "四万五千六百七十八"},
		{999999, "nine hundred and ninety-nine thousand nine hundred and ninety-nine", "九十九万九千九百九十九"},
	} {
		en, err := English(tc.n)
		if err != nil || en != tc.en {
			t.Errorf("English(%d) = %q, %v; want %q", tc.n, en, err, tc.en)
		}
		ja, err := Japanese(tc.n)
		if err != nil || ja != tc.ja {
			t.Errorf("Japanese(%d) = %q, %v; want %q", tc.n, ja, err, tc.ja)
		}
	}
	for _, n := range []int{0, -3, MaxNumber + 1} {
		if _, err := English(n); err == nil || !strings.Contains(err.Error(), "1 … 999999") {
			t.Errorf("English(%d): error %v, want one naming the range", n, err)
		}
		if _, err := Japanese(n); err == nil {
			t.Errorf("Japanese(%d): no error", n)
		}
	}
	if _, err := SourceVocab().EncodeSource("twelve dozen"); err == nil || !strings.Contains(err.Error(), `"dozen" is not a number word`) {
		t.Errorf("EncodeSource of a non-number word: error %v", err)
	}
}

// readEnglish and readKanji read the task's numbers back, independently of how they were written.
func readEnglish(s string) int {
	value := map[string]int{}
	for i, w := range ones[1:] {
		value[w] = i + 1
	}
	for i, w := range tens[2:] {
		value[w] = 10 * (i + 2)
	}
	total, cur := 0, 0
	for _, w := range strings.Fields(strings.ReplaceAll(s, "-", " ")) {
		switch w {
		case "and":
		case "hundred":
			cur *= 100
		case "thousand":
			total, cur = (total+cur)*1000, 0
		default:
			cur += value[w]
		}
	}
	return total + cur
}

func readKanji(s string) int {
	digit := map[rune]int{'一': 1, '二': 2, '三': 3, '四': 4, '五': 5, '六': 6, '七': 7, '八': 8, '九': 9}
	unit := map[rune]int{'十': 10, '百': 100, '千': 1000}
	total, group, d := 0, 0, 0
	for _, r := range s {
		switch {
		case digit[r] > 0:
			d = digit[r]
		case unit[r] > 0:
			group += max(d, 1) * unit[r]
			d = 0
		case r == '万':
			total, group, d = (group+d)*10000, 0, 0
		}
	}
	return total + group + d
}

// TestNumbersReadBack writes numbers both ways and reads them back: every number below 2000 and,
// for every thousands group 1 … 999, the last groups that exercise each rule (none, "and" before
// a last group under 100, the teens, a hyphen, a hundred with and without "and"). Each pair must
// fit the models' sequence lengths, and the longest ones fill them.
func TestNumbersReadBack(t *testing.T) {
	src, tgt := SourceVocab(), TargetVocab()
	var ns []int
	for n := 1; n < 2000; n++ {
		ns = append(ns, n)
	}
	for th := 1; th <= 999; th++ {
		for _, r := range []int{0, 1, 5, 10, 11, 19, 20, 21, 99, 100, 101, 110, 111, 777, 999} {
			ns = append(ns, th*1000+r)
		}
	}
	longestSrc, longestTgt := 0, 0
	for _, n := range ns {
		e, err := NewExample(n)
		if err != nil {
			t.Fatal(err)
		}
		if readEnglish(e.English) != n || readKanji(e.Japanese) != n {
			t.Fatalf("%d: %q reads %d, %q reads %d", n, e.English, readEnglish(e.English), e.Japanese, readKanji(e.Japanese))
		}
		if tgt.Decode(e.Target, "") != e.Japanese || strings.Join(words(e.Source), " ") != strings.ReplaceAll(e.English, "-", " ") {
			t.Fatalf("%d: tokens do not decode back", n)
		}
		if _, err := src.EncodeSource(e.English); err != nil {
			t.Fatal(err)
		}
		longestSrc, longestTgt = max(longestSrc, len(e.Source)), max(longestTgt, len(e.Target))
	}
	if longestSrc != 11 || longestTgt != 11 || SourceLen < longestSrc || TargetLen < longestTgt+1 {
		t.Errorf("longest pair: %d words, %d kanji; padded lengths %d, %d", longestSrc, longestTgt, SourceLen, TargetLen)
	}
}

// TestSplit checks that training never sees a held-out number, that the digit counts are drawn
// evenly, and that the test is made only of distinct held-out numbers.
func TestSplit(t *testing.T) {
	s := Split{Seed: 10, HeldOut: 0.1}
	held := 0
	for n := 1; n <= MaxNumber; n++ {
		if s.IsHeldOut(n) {
			held++
		}
	}
	if share := float64(held) / MaxNumber; share < 0.098 || share > 0.102 {
		t.Errorf("held-out share %.4f, want 0.1", share)
	}
	test, err := TestSet(s, 500, 7)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[int]bool{}
	for _, e := range test {
		if !s.IsHeldOut(e.N) || seen[e.N] {
			t.Fatalf("test number %d: held out %v, repeated %v", e.N, s.IsHeldOut(e.N), seen[e.N])
		}
		seen[e.N] = true
	}
	// The training batches, read back from their token ids.
	ds := trainStream(s, TrainConfig{Batch: 64, Seed: 1})
	digits := make([]int, 7)
	for range 200 {
		_, in, _, err := ds.Yield()
		if err != nil {
			t.Fatal(err)
		}
		src := in[0].Value().([][]int32)
		for _, row := range src {
			var ids []int
			for _, id := range row {
				if id != Pad {
					ids = append(ids, int(id))
				}
			}
			n := readEnglish(strings.Join(words(ids), " "))
			if s.IsHeldOut(n) {
				t.Fatalf("a training batch holds the held-out %d", n)
			}
			digits[len(strconv.Itoa(n))]++
		}
	}
	for d := 1; d <= 6; d++ {
		if total := 200 * 64; digits[d] < total/6*8/10 || digits[d] > total/6*12/10 {
			t.Errorf("%d of %d training numbers have %d digits, want about a sixth", digits[d], total, d)
		}
	}
}
