// Package text loads the plain-text corpora dl4go's language lessons (BERT, GPT) learn from and
// splits them into documents and sentences.
//
// Start with Opticks, which reads Isaac Newton's Opticks (1730, 4th edition, ~570 KB of English)
// from the Go installation itself ($GOROOT/src/testdata/Isaac.Newton-Opticks.txt, present wherever
// Go is) and returns it as a Corpus: paragraphs (Documents) made of Sentences. Load does the same
// for a file of the user's, e.g. a novel from Aozora Bunko (青空文庫): files there are Shift_JIS,
// and Load converts them to UTF-8 in Go (what the report did with `nkf -w`) and removes Aozora's
// ruby (《るび》) and editor notes (［＃…］). Japanese word segmentation lives in the sub-package
// text/ja (kagome, like MeCab -Owakati).
package text

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/transform"
)

// Document is one paragraph of a corpus, split into sentences.
type Document struct {
	Sentences []string
}

// Corpus is a text split into documents (paragraphs) of sentences.
type Corpus struct {
	Name      string
	Documents []Document
}

// NumSentences returns the number of sentences in all documents.
func (c *Corpus) NumSentences() int {
	n := 0
	for _, d := range c.Documents {
		n += len(d.Sentences)
	}
	return n
}

// Sentences returns every sentence of the corpus, in order.
func (c *Corpus) Sentences() []string {
	var out []string
	for _, d := range c.Documents {
		out = append(out, d.Sentences...)
	}
	return out
}

// Split returns two corpora: the documents before and from document index
// round(len(Documents)·(1−heldOut)), e.g. Split(0.1) keeps the last 10% of the book for evaluation.
// Splitting by position (not at random) keeps neighbouring sentences of one passage together.
func (c *Corpus) Split(heldOut float64) (train, test *Corpus) {
	k := int(float64(len(c.Documents))*(1-heldOut) + 0.5)
	k = min(max(k, 0), len(c.Documents))
	return &Corpus{Name: c.Name + " (train)", Documents: c.Documents[:k]},
		&Corpus{Name: c.Name + " (held out)", Documents: c.Documents[k:]}
}

// OpticksPath returns the path of Newton's Opticks in the Go installation:
// $GOROOT/src/testdata/Isaac.Newton-Opticks.txt, with GOROOT from runtime.GOROOT() or, if the file
// is not there (a binary built elsewhere), from `go env GOROOT`.
func OpticksPath() (string, error) {
	const rel = "src/testdata/Isaac.Newton-Opticks.txt"
	var roots []string
	if r := runtime.GOROOT(); r != "" { //nolint:staticcheck // GOROOT of the toolchain that built us.
		roots = append(roots, r)
	}
	if out, err := exec.Command("go", "env", "GOROOT").Output(); err == nil {
		roots = append(roots, strings.TrimSpace(string(out)))
	}
	for _, r := range roots {
		p := filepath.Join(r, rel)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("text: Isaac.Newton-Opticks.txt not found under GOROOT (tried %q): is Go installed?", roots)
}

// Opticks loads Newton's Opticks from the Go installation (see OpticksPath) as a Corpus: the
// paragraphs of the book with at least one real sentence (headings such as "DEFIN. I." and
// "_PART I._" are dropped), italics marks (_) removed and lines joined.
func Opticks() (*Corpus, error) {
	p, err := OpticksPath()
	if err != nil {
		return nil, err
	}
	c, err := Load(p)
	if err != nil {
		return nil, err
	}
	c.Name = "Opticks"
	return c, nil
}

// Load reads a text file and splits it into a Corpus (see Parse). The file may be UTF-8 or
// Shift_JIS (Aozora Bunko's encoding): invalid UTF-8 is decoded as Shift_JIS (see DecodeShiftJIS).
func Load(path string) (*Corpus, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("text: load %s: %w", path, err)
	}
	s, err := ToUTF8(b)
	if err != nil {
		return nil, fmt.Errorf("text: load %s: %w", path, err)
	}
	c := Parse(s)
	c.Name = filepath.Base(path)
	if len(c.Documents) == 0 {
		return nil, fmt.Errorf("text: load %s: no sentences found", path)
	}
	return c, nil
}

// ToUTF8 returns b as a string: unchanged if it is valid UTF-8 (a leading byte-order mark is
// removed), else decoded from Shift_JIS.
func ToUTF8(b []byte) (string, error) {
	if utf8.Valid(b) {
		return strings.TrimPrefix(string(b), "\uFEFF"), nil
	}
	return DecodeShiftJIS(bytes.NewReader(b))
}

// DecodeShiftJIS reads Shift_JIS text (Aozora Bunko's files, Windows' code page 932) and returns
// it as UTF-8, like `nkf -w`. CRLF line ends become LF.
func DecodeShiftJIS(r io.Reader) (string, error) {
	b, err := io.ReadAll(transform.NewReader(r, japanese.ShiftJIS.NewDecoder()))
	if err != nil {
		return "", fmt.Errorf("text: decode Shift_JIS: %w", err)
	}
	return strings.ReplaceAll(string(b), "\r\n", "\n"), nil
}

var (
	aozoraRuby  = regexp.MustCompile(`《[^》]*》`)
	aozoraNote  = regexp.MustCompile(`［＃[^］]*］`)
	aozoraBlock = regexp.MustCompile(`(?s)-{20,}.*?-{20,}`)
)

// StripAozora removes Aozora Bunko markup from s: the explanation block between dashed lines at the
// top, ruby readings (私《わたくし》 → 私), ruby start marks (｜) and editor notes (［＃…］).
func StripAozora(s string) string {
	s = aozoraBlock.ReplaceAllString(s, "")
	s = aozoraRuby.ReplaceAllString(s, "")
	s = aozoraNote.ReplaceAllString(s, "")
	s = strings.ReplaceAll(s, "｜", "")
	if i := strings.Index(s, "底本："); i >= 0 { // the colophon at the end.
		s = s[:i]
	}
	return s
}

// Parse splits s into documents at blank lines (for Japanese text with one paragraph per line, at
// line ends) and each document into sentences (see Sentences). Documents without a sentence of at
// least 4 words (or 8 characters of Japanese) are dropped: titles and headings. Italics marks (_)
// and Aozora markup are removed.
func Parse(s string) *Corpus {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	japaneseText := strings.ContainsAny(s, "。、")
	if japaneseText {
		s = StripAozora(s)
	}
	s = strings.ReplaceAll(s, "_", "")
	var paras []string
	if japaneseText {
		paras = strings.Split(s, "\n")
	} else {
		paras = regexp.MustCompile(`\n\s*\n`).Split(s, -1)
	}
	c := &Corpus{}
	for _, p := range paras {
		p = strings.Join(strings.Fields(p), " ")
		if japaneseText {
			p = strings.ReplaceAll(p, " ", "")
		}
		var doc Document
		for _, sent := range Sentences(p) {
			if longEnough(sent) {
				doc.Sentences = append(doc.Sentences, sent)
			}
		}
		if len(doc.Sentences) > 0 {
			c.Documents = append(c.Documents, doc)
		}
	}
	return c
}

func longEnough(s string) bool {
	if strings.ContainsAny(s, "。、") || utf8.RuneCountInString(s) > 2*len(strings.Fields(s))+8 {
		return utf8.RuneCountInString(s) >= 8 && len(strings.Fields(s)) <= 1 || len(strings.Fields(s)) >= 4
	}
	return len(strings.Fields(s)) >= 4
}

// abbreviations end with a period that does not end a sentence (Opticks' "Fig. 1", "Prop. 3").
var abbreviations = map[string]bool{
	"fig": true, "prop": true, "exper": true, "prob": true, "theor": true, "lib": true, "sect": true,
	"part": true, "viz": true, "&c": true, "min": true, "degr": true, "gr": true, "obs": true,
	"mr": true, "dr": true, "st": true, "i.e": true, "e.g": true, "vid": true, "defin": true,
	"ax": true, "lem": true, "cap": true, "pag": true, "qu": true, "g": true, "p": true, "vol": true,
}

// Sentences splits one paragraph into sentences: after '.', '?' or '!' followed by a space and an
// upper-case letter (not after abbreviations like "Fig." or single letters like "G."), and after
// the Japanese full stop '。' (or '？', '！').
func Sentences(p string) []string {
	var out []string
	start := 0
	rs := []rune(p)
	flush := func(end int) {
		s := strings.TrimSpace(string(rs[start:end]))
		if s != "" {
			out = append(out, s)
		}
		start = end
	}
	for i, r := range rs {
		switch r {
		case '。', '？', '！':
			if i+1 < len(rs) && (rs[i+1] == '」' || rs[i+1] == '』') {
				continue
			}
			flush(i + 1)
		case '」', '』':
			if i > 0 && (rs[i-1] == '。' || rs[i-1] == '？' || rs[i-1] == '！') {
				flush(i + 1)
			}
		case '.', '?', '!':
			if i+2 >= len(rs) || rs[i+1] != ' ' || !unicode.IsUpper(rs[i+2]) {
				continue
			}
			if r == '.' {
				w := lastWord(rs[start:i])
				if abbreviations[strings.ToLower(w)] || utf8.RuneCountInString(w) == 1 || isRoman(w) {
					continue
				}
			}
			flush(i + 1)
		}
	}
	flush(len(rs))
	return out
}

// lastWord returns the letters (and '&', '.') just before the end of rs.
func lastWord(rs []rune) string {
	i := len(rs)
	for i > 0 && (unicode.IsLetter(rs[i-1]) || rs[i-1] == '&' || rs[i-1] == '.') {
		i--
	}
	return strings.Trim(string(rs[i:]), ".")
}

// isRoman reports whether w is an upper-case Roman numeral (as in "PROP. II.").
func isRoman(w string) bool {
	if w == "" {
		return false
	}
	for _, r := range w {
		if !strings.ContainsRune("IVXLC", r) {
			return false
		}
	}
	return true
}
