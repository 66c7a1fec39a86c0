package bert

import (
	"archive/zip"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/encoding/japanese"
)

// TestEnglishCorpus checks the offline corpus: its four documents, prose without code or markup,
// and held-out sections from the end of each.
func TestEnglishCorpus(t *testing.T) {
	c, err := EnglishCorpus()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"Opticks", "The Go Programming Language Specification", "The Go Memory Model", "Go package documentation"}
	if len(c.Docs) != len(want) {
		t.Fatalf("%d documents, want %d", len(c.Docs), len(want))
	}
	for i, d := range c.Docs {
		if d.Name != want[i] || d.NumSentences() < 100 {
			t.Errorf("document %d: %q with %d sentences, want %q with at least 100", i, d.Name, d.NumSentences(), want[i])
		}
		for _, s := range d.Sentences() {
			html := i == 1 || i == 2 // (html/template's docs quote HTML on purpose)
			if html && (strings.Contains(s, "</") || strings.Contains(s, "&amp;")) || strings.Contains(s, "func (") {
				t.Errorf("%s: markup or code in a sentence: %q", d.Name, s)
				break
			}
		}
	}
	train, test := Full().Split(c)
	held := map[string]int{}
	for _, s := range test {
		held[s.Doc]++
	}
	for _, w := range want {
		if held[w] == 0 {
			t.Errorf("nothing of %q held out", w)
		}
	}
	// The end of each document is held out: Opticks' last held-out sentence is the book's last.
	last := c.Docs[0].Sentences()
	if got := test[held[want[0]]-1].Sentences; got[len(got)-1] != last[len(last)-1] {
		t.Errorf("Opticks' held-out text does not end the book: %q", got[len(got)-1])
	}
	if n := len(Sentences(train)) + len(Sentences(test)); n != c.NumSentences() {
		t.Errorf("split has %d sentences, the corpus %d", n, c.NumSentences())
	}
}

func TestHTMLProse(t *testing.T) {
	got := htmlProse(`<h2 id="x">Types</h2><p>A <i>type</i> &amp; its <a href="#y">methods</a>.</p><pre>func f() {}</pre><!-- note --><p>Next.</p>`)
	if strings.Contains(got, "func") || strings.Contains(got, "<") || strings.Contains(got, "note") || !strings.Contains(got, "A type & its methods.") {
		t.Errorf("htmlProse = %q", got)
	}
}

// aozoraText is a small Aozora Bunko file, as the site writes them: a title, the explanation block
// of the symbols, ruby (《》), ruby starts (｜), editor notes (［＃…］) and the colophon.
func aozoraText(title string, n int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\r\n夏目漱石\r\n\r\n-------------------------------------------------------\r\n【テキスト中に現れる記号について】\r\n《》：ルビ\r\n（例）私《わたくし》は\r\n-------------------------------------------------------\r\n\r\n［＃５字下げ］一［＃「一」は中見出し］\r\n", title)
	for i := range n {
		fmt.Fprintf(&b, "　私《わたくし》はその人を常に先生と呼んでいた。だからここでも｜ただ先生と書くだけで本名は打ち明けない。これは世間を憚《はば》かる遠慮というよりも、その方が私にとって自然だからである。%d日目の朝、私は海へ行った。\r\n", i+1)
	}
	b.WriteString("\r\n底本：「こころ」新潮文庫\r\n")
	return b.String()
}

// writeAozoraZips writes the three zips of AozoraFiles into dir, Shift_JIS text inside.
func writeAozoraZips(t *testing.T, dir string, n int) {
	t.Helper()
	for i, name := range AozoraFiles {
		sjis, err := japanese.ShiftJIS.NewEncoder().String(aozoraText([]string{"こころ", "それから", "夢十夜"}[i], n))
		if err != nil {
			t.Fatal(err)
		}
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		z := zip.NewWriter(f)
		w, err := z.Create(strings.TrimSuffix(name, ".zip") + ".txt")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(sjis)); err != nil {
			t.Fatal(err)
		}
		if err := z.Close(); err != nil {
			t.Fatal(err)
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

// TestAozoraCorpus reads zips the test writes itself: Shift_JIS decoded, markup removed, words
// segmented by kagome and joined by spaces; without the files, one message names them all.
func TestAozoraCorpus(t *testing.T) {
	dir := t.TempDir()
	_, err := AozoraCorpus(dir)
	if err == nil {
		t.Fatal("AozoraCorpus of an empty folder: no error")
	}
	for _, want := range append([]string{"Aozora Bunko", AozoraURL, "never downloads"}, AozoraFiles...) {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the error does not say %q: %v", want, err)
		}
	}
	writeAozoraZips(t, dir, 3)
	c, err := AozoraCorpus(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Docs) != 3 {
		t.Fatalf("%d documents, want 3", len(c.Docs))
	}
	s := c.Docs[0].Sentences()
	if len(s) != 12 || s[0] != "私 は その 人 を 常に 先生 と 呼ん で い た 。" {
		t.Errorf("%d sentences, the first %q", len(s), s[0])
	}
	for _, sent := range c.Docs[2].Sentences() {
		if strings.ContainsAny(sent, "《》｜［＃］-") || strings.Contains(sent, "底本") || strings.Contains(sent, "わたくし") {
			t.Errorf("markup left in %q", sent)
		}
	}
}

// TestAozoraLesson runs the lesson's pre-training and evaluation on a small Aozora corpus: the
// same code path as the English one, Japanese words from kagome.
func TestAozoraLesson(t *testing.T) {
	dir := t.TempDir()
	writeAozoraZips(t, dir, 12)
	cfg := tiny(t)
	cfg.Aozora, cfg.Section, cfg.Model.Vocab = dir, 8, 300
	p, err := RunPretrain(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Vocab.Tokenize("先生 と 呼ん で い た 。"); strings.Join(got, " ") != "先生 と 呼ん で い た 。" {
		t.Errorf("tokens %q", got)
	}
	ev, err := p.Evaluate()
	if err != nil {
		t.Fatal(err)
	}
	if ev.Masked == 0 || len(ev.NSP) == 0 {
		t.Errorf("evaluation on the Aozora corpus: %+v", ev)
	}
}
