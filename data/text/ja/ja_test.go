package ja

import (
	"slices"
	"testing"
)

func TestWakati(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"私は先生と呼んでいた", []string{"私", "は", "先生", "と", "呼ん", "で", "い", "た"}},
		{"すもももももももものうち", []string{"すもも", "も", "もも", "も", "もも", "の", "うち"}},
		{"", nil},
	} {
		got, err := Wakati(tc.in)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("Wakati(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestAnalyze(t *testing.T) {
	ms, err := Analyze("呼んでいた")
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) == 0 || ms[0].Surface != "呼ん" || ms[0].Base != "呼ぶ" || ms[0].POS != "動詞" {
		t.Errorf("Analyze = %+v, want 呼ん (動詞, base 呼ぶ) first", ms)
	}
}
