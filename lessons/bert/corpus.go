package bert

import (
	"archive/zip"
	"errors"
	"fmt"
	"go/doc/comment"
	"go/parser"
	"go/token"
	"html"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strings"

	"github.com/dl4go/dl4go/data/text"
	"github.com/dl4go/dl4go/data/text/ja"
)

// Corpus is the text BERT-mini pre-trains on: several documents (books, specifications, …), each
// a text.Corpus of paragraphs. Split cuts each into sections — BERT's "documents", from which a
// random B is drawn — and holds out the end of each.
type Corpus struct {
	Name string
	Docs []*text.Corpus // each with its Name ("Opticks", "The Go Programming Language Specification", …).
}

// Section is a few pages of one document: consecutive paragraphs, at least Config.Section
// sentences (fewer at the end of a document).
type Section struct {
	Doc       string // the document's name.
	Sentences []string
}

// Sentences returns the sentences of every section, in order.
func Sentences(sections []Section) []string {
	var out []string
	for _, s := range sections {
		out = append(out, s.Sentences...)
	}
	return out
}

// NumSentences returns the number of sentences of the corpus.
func (c *Corpus) NumSentences() int {
	n := 0
	for _, d := range c.Docs {
		n += d.NumSentences()
	}
	return n
}

// Split cuts every document into sections of at least n sentences (consecutive paragraphs; n 0
// makes every paragraph a section) and holds out the last heldOut fraction of each document's
// sections (at least one of a document with two or more): the held-out text comes from every
// document, and no held-out passage sits between
// two training passages (their neighbours would give its words away).
func (c *Corpus) Split(n int, heldOut float64) (train, test []Section) {
	for _, d := range c.Docs {
		tr, te := splitSections(d, n, heldOut)
		if len(te.Documents) == 0 && len(tr.Documents) > 1 && heldOut > 0 { // a short document: its last section.
			k := len(tr.Documents) - 1
			tr, te = &text.Corpus{Documents: tr.Documents[:k]}, &text.Corpus{Documents: tr.Documents[k:]}
		}
		for _, s := range tr.Documents {
			train = append(train, Section{Doc: d.Name, Sentences: s.Sentences})
		}
		for _, s := range te.Documents {
			test = append(test, Section{Doc: d.Name, Sentences: s.Sentences})
		}
	}
	return train, test
}

// EnglishCorpus is the lesson's offline English corpus: documents that ship with every Go
// installation — Newton's Opticks (data/text), the Go specification and the Go memory model
// (doc/*.html, HTML and code stripped), and the package documentation of Go's standard library
// and commands (the doc comments of $GOROOT/src, code blocks left out). Four kinds of English on
// different subjects, as BERT's corpus of many documents has, so that a random B is usually about
// something else than A.
func EnglishCorpus() (*Corpus, error) {
	root, err := goroot()
	if err != nil {
		return nil, err
	}
	opticks, err := text.Opticks()
	if err != nil {
		return nil, fmt.Errorf("bert: %w", err)
	}
	c := &Corpus{Name: "English (Go installation)", Docs: []*text.Corpus{opticks}}
	for _, h := range []struct{ file, name string }{
		{"go_spec.html", "The Go Programming Language Specification"},
		{"go_mem.html", "The Go Memory Model"},
	} {
		b, err := os.ReadFile(filepath.Join(root, "doc", h.file))
		if err != nil {
			return nil, fmt.Errorf("bert: English corpus: %w", err)
		}
		d := text.Parse(htmlProse(string(b)))
		d.Name = h.name
		c.Docs = append(c.Docs, d)
	}
	pkgs, err := packageDocs(filepath.Join(root, "src"))
	if err != nil {
		return nil, err
	}
	c.Docs = append(c.Docs, pkgs)
	return c, nil
}

// goroot returns the Go installation's root: the one that built this program if its files are
// there, else `go env GOROOT`.
func goroot() (string, error) {
	var roots []string
	if r := runtime.GOROOT(); r != "" { //nolint:staticcheck // GOROOT of the toolchain that built us.
		roots = append(roots, r)
	}
	if out, err := exec.Command("go", "env", "GOROOT").Output(); err == nil {
		roots = append(roots, strings.TrimSpace(string(out)))
	}
	for _, r := range roots {
		if _, err := os.Stat(filepath.Join(r, "doc", "go_spec.html")); err == nil {
			return r, nil
		}
	}
	return "", fmt.Errorf("bert: the Go installation's doc/go_spec.html not found under GOROOT (tried %q): is Go installed?", roots)
}

var (
	htmlPre     = regexp.MustCompile(`(?is)<pre[^>]*>.*?</pre>`)
	htmlComment = regexp.MustCompile(`(?s)<!--.*?-->`)
	htmlBlock   = regexp.MustCompile(`(?i)</?(p|h[1-6]|li|ul|ol|table|tr|div|blockquote|dl|dt|dd)\b[^>]*>`)
	htmlTag     = regexp.MustCompile(`<[^>]*>`)
)

// htmlProse returns the prose of an HTML page as plain text, paragraphs separated by blank lines:
// code blocks (<pre>) and comments removed, block elements made paragraph breaks, other tags
// dropped, entities decoded.
func htmlProse(s string) string {
	s = htmlPre.ReplaceAllString(s, "\n\n")
	s = htmlComment.ReplaceAllString(s, "")
	s = htmlBlock.ReplaceAllString(s, "\n\n")
	s = htmlTag.ReplaceAllString(s, "")
	return html.UnescapeString(s)
}

// packageDocs returns the package documentation of the Go installation's standard library and
// commands (src/, not internal, vendor or testdata packages) as one document, one package after
// the other in path order: each package's doc comment, its paragraphs, lists and headings as
// paragraphs, its code blocks left out.
func packageDocs(src string) (*text.Corpus, error) {
	docs := map[string]string{}
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if n := d.Name(); n == "testdata" || n == "vendor" || n == "internal" {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), p, nil, parser.PackageClauseOnly|parser.ParseComments)
		if err != nil || f.Doc == nil {
			return nil // a file that does not parse documents nothing.
		}
		dir := filepath.Dir(p)
		if t := f.Doc.Text(); len(t) > len(docs[dir]) { // the package's doc comment (doc.go, usually).
			docs[dir] = t
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("bert: Go package documentation: %w", err)
	}
	dirs := make([]string, 0, len(docs))
	for d := range docs {
		dirs = append(dirs, d)
	}
	sort.Strings(dirs)
	var p comment.Parser
	var b strings.Builder
	for _, d := range dirs {
		for _, blk := range p.Parse(docs[d]).Content {
			switch x := blk.(type) {
			case *comment.Paragraph:
				b.WriteString(commentText(x.Text) + "\n\n")
			case *comment.Heading:
				b.WriteString(commentText(x.Text) + "\n\n")
			case *comment.List:
				for _, it := range x.Items {
					for _, c := range it.Content {
						if para, ok := c.(*comment.Paragraph); ok {
							b.WriteString(commentText(para.Text) + "\n\n")
						}
					}
				}
			}
		}
	}
	c := text.Parse(b.String())
	c.Name = "Go package documentation"
	if len(c.Documents) == 0 {
		return nil, fmt.Errorf("bert: no package documentation found in %s", src)
	}
	return c, nil
}

// commentText returns the plain text of a doc comment's inline elements.
func commentText(ts []comment.Text) string {
	var b strings.Builder
	for _, t := range ts {
		switch x := t.(type) {
		case comment.Plain:
			b.WriteString(string(x))
		case comment.Italic:
			b.WriteString(string(x))
		case *comment.Link:
			b.WriteString(commentText(x.Text))
		case *comment.DocLink:
			b.WriteString(commentText(x.Text))
		}
	}
	return b.String()
}

// AozoraFiles are the report's three novels by Natsume Sōseki (夏目漱石) on Aozora Bunko (青空文庫),
// as it downloaded them: Kokoro (こころ), Sorekara (それから) and Yume jūya (夢十夜), ruby edition,
// Shift_JIS text in a zip each.
var AozoraFiles = []string{"773_ruby_5968.zip", "56143_ruby_50824.zip", "799_ruby_6024.zip"}

// AozoraURL is where the report downloaded AozoraFiles from (the files of Sōseki's author card).
const AozoraURL = "https://www.aozora.gr.jp/cards/000148/files/"

// AozoraCorpus reads the report's corpus from dir, where the user saved AozoraFiles (this lesson
// never downloads): each zip's text file, Shift_JIS converted to UTF-8 (the report's `nkf -w`),
// ruby readings, editor notes and the explanation block removed (data/text), and every sentence
// segmented into words with kagome, as the report did with MeCab -Owakati; a sentence is its words
// joined by spaces, so the WordPiece vocabulary (Words, LearnWordPiece) learns Japanese words and
// pieces of them as it learns English ones. Each novel is one document. Set Config.Aozora to dir to
// run the lesson on it. Without the files it fails with one message naming them and where to get
// them.
func AozoraCorpus(dir string) (*Corpus, error) {
	var missing []string
	for _, f := range AozoraFiles {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			missing = append(missing, f)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("bert: the report's Aozora Bunko corpus needs %s in %s (missing: %s): "+
			"download them from Aozora Bunko (青空文庫), %s<name> (Natsume Sōseki's Kokoro, Sorekara and Yume jūya); "+
			"this lesson works offline and never downloads them",
			strings.Join(AozoraFiles, ", "), dir, strings.Join(missing, ", "), AozoraURL)
	}
	c := &Corpus{Name: "Natsume Sōseki (Aozora Bunko)"}
	for _, f := range AozoraFiles {
		d, err := aozoraZip(filepath.Join(dir, f))
		if err != nil {
			return nil, err
		}
		c.Docs = append(c.Docs, d)
	}
	return c, nil
}

// aozoraZip reads the text file of one Aozora zip and segments it (see AozoraCorpus).
func aozoraZip(path string) (*text.Corpus, error) {
	z, err := zip.OpenReader(path)
	if err != nil {
		return nil, fmt.Errorf("bert: %s: %w", path, err)
	}
	defer z.Close()
	for _, f := range z.File {
		if !strings.EqualFold(filepath.Ext(f.Name), ".txt") {
			continue
		}
		r, err := f.Open()
		if err != nil {
			return nil, fmt.Errorf("bert: %s: %w", path, err)
		}
		b, err := io.ReadAll(r)
		r.Close()
		if err != nil {
			return nil, fmt.Errorf("bert: %s: %s: %w", path, f.Name, err)
		}
		s, err := text.ToUTF8(b)
		if err != nil {
			return nil, fmt.Errorf("bert: %s: %w", path, err)
		}
		c := text.Parse(s)
		c.Name = strings.TrimSuffix(f.Name, filepath.Ext(f.Name))
		if len(c.Documents) == 0 {
			return nil, fmt.Errorf("bert: %s: %s holds no Japanese sentences", path, f.Name)
		}
		for _, d := range c.Documents {
			for i, sent := range d.Sentences {
				ws, err := ja.Wakati(sent)
				if err != nil {
					return nil, fmt.Errorf("bert: %s: %w", path, err)
				}
				d.Sentences[i] = strings.Join(ws, " ")
			}
		}
		return c, nil
	}
	return nil, fmt.Errorf("bert: %s: %w", path, errors.New("no .txt file in the zip"))
}
