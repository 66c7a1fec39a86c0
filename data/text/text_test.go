package text

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"golang.org/x/text/encoding/japanese"
)

func TestSentences(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"Light is refracted. The Rays differ.", []string{"Light is refracted.", "The Rays differ."}},
		{"See Fig. 1. And so G. 2 is seen.", []string{"See Fig. 1.", "And so G. 2 is seen."}},
		{"By PROP. II. Rays are bent? Yes!", []string{"By PROP. II. Rays are bent?", "Yes!"}},
		{"私は先生と呼んでいた。だからここでも「先生」と書く。", []string{"私は先生と呼んでいた。", "だからここでも「先生」と書く。"}},
		{"「来い。」と言った。", []string{"「来い。」", "と言った。"}},
		{"", nil},
	} {
		if got := Sentences(tc.in); !slices.Equal(got, tc.want) {
			t.Errorf("Sentences(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestOpticks(t *testing.T) {
	c, err := Opticks()
	if err != nil {
		t.Fatal(err)
	}
	n := c.NumSentences()
	if len(c.Documents) < 300 || n < 2000 {
		t.Errorf("Opticks: %d documents, %d sentences; want at least 300 and 2000", len(c.Documents), n)
	}
	for _, s := range c.Sentences() {
		if strings.Contains(s, "_") || strings.Contains(s, "\n") {
			t.Fatalf("sentence not cleaned: %q", s)
		}
	}
	train, test := c.Split(0.1)
	if len(train.Documents)+len(test.Documents) != len(c.Documents) || len(test.Documents) == 0 {
		t.Errorf("Split(0.1): %d + %d documents of %d", len(train.Documents), len(test.Documents), len(c.Documents))
	}
	t.Logf("%d documents, %d sentences; first: %q", len(c.Documents), n, c.Documents[0].Sentences[0])
}

func TestShiftJIS(t *testing.T) {
	src := "私《わたくし》はその人を常に先生と呼んでいた。［＃「一」は中見出し］だから｜ここでも先生と書く。\r\n"
	var sjis bytes.Buffer
	w := japanese.ShiftJIS.NewEncoder().Writer(&sjis)
	if _, err := w.Write([]byte(src)); err != nil {
		t.Fatal(err)
	}
	s, err := ToUTF8(sjis.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if s != strings.ReplaceAll(src, "\r\n", "\n") {
		t.Fatalf("ToUTF8 = %q", s)
	}
	c := Parse(s)
	want := []string{"私はその人を常に先生と呼んでいた。", "だからここでも先生と書く。"}
	if got := c.Sentences(); !slices.Equal(got, want) {
		t.Errorf("Parse = %q, want %q", got, want)
	}
}
