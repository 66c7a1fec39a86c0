package bert

import (
	"slices"
	"strings"
	"testing"
)

func TestWakatiKokoro(t *testing.T) {
	segs, err := Wakati(KokoroOpening)
	if err != nil {
		t.Fatal(err)
	}
	if len(segs) != 3 {
		t.Fatalf("got %d sentences, want 3: %v", len(segs), segs)
	}
	want := []string{"私", "は", "その", "人", "を", "常に", "先生", "と", "呼ん", "で", "い", "た", "。"}
	if !slices.Equal(segs[0].Words, want) {
		t.Errorf("words = %q, want %q", segs[0].Words, want)
	}
	if got := strings.Join(segs[0].Words, ""); got != segs[0].Sentence {
		t.Errorf("words do not spell the sentence: %q vs %q", got, segs[0].Sentence)
	}
	vocab, idx := WordVocab(segs)
	if !slices.IsSorted(vocab) || idx[vocab[3]] != 3 || idx["先生"] == 0 && vocab[0] != "先生" {
		t.Errorf("WordVocab not a sorted index: %q", vocab)
	}
}
