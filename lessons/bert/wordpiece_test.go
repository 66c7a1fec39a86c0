package bert

import (
	"slices"
	"testing"
)

func TestWords(t *testing.T) {
	got := Words("Rays of Light, refracted.")
	want := []string{"rays", "of", "light", ",", "refracted", "."}
	if !slices.Equal(got, want) {
		t.Errorf("Words = %q, want %q", got, want)
	}
}

func TestLearnWordPiece(t *testing.T) {
	sents := []string{"the light is refracted", "the rays are refracted", "light rays", "the the the"}
	v, err := LearnWordPiece(sents, 60)
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range specialTokens {
		if v.Tokens[i] != s || v.ID(s) != i {
			t.Errorf("special token %d = %q", i, v.Tokens[i])
		}
	}
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"the refracted light", []string{"the", "refracted", "light"}},
		{"rays", []string{"rays"}},
		{"zebra", []string{"[UNK]"}},
	} {
		if got := v.Tokenize(tc.in); !slices.Equal(got, tc.want) {
			t.Errorf("Tokenize(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	// A word never seen whole is spelled from pieces.
	if got := v.Tokenize("lights"); len(got) < 2 || got[0] != "light" {
		t.Errorf("Tokenize(lights) = %q, want light + continuation(s)", got)
	}
	if got := v.Decode(v.Encode("the lights")); got != "the lights" {
		t.Errorf("Decode(Encode) = %q", got)
	}
}
