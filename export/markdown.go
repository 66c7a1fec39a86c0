package export

import (
	"bytes"
	"fmt"
	"html"
	"regexp"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// heading is one entry of the table of contents.
type heading struct {
	Level int
	ID    string
	Text  string
}

// markdownRenderer renders the markdown cells of one page. It shares heading
// ids across cells so that every anchor of the page is unique.
type markdownRenderer struct {
	md       goldmark.Markdown
	ids      *pageIDs
	headings []heading
	math     int // number of formulas rendered so far
}

func newMarkdownRenderer() *markdownRenderer {
	md := goldmark.New(
		goldmark.WithExtensions(extension.GFM),
		goldmark.WithParserOptions(parser.WithAutoHeadingID()),
		goldmark.WithRendererOptions(
			renderer.WithNodeRenderers(util.Prioritized(escapedHTMLRenderer{}, 100)),
		),
	)
	return &markdownRenderer{md: md, ids: &pageIDs{used: map[string]bool{}}}
}

// render converts markdown to HTML: CommonMark plus GFM (tables,
// strikethrough, autolinks, task lists); $…$ and $$…$$ become math spans
// for KaTeX; raw HTML is shown as text; attachment: images resolve to data
// URIs from attachments.
func (r *markdownRenderer) render(src string, attachments map[string]any) (string, error) {
	src, formulas := extractMath(src)
	r.ids.formulas = formulas
	ctx := parser.NewContext(parser.WithIDs(r.ids))
	doc := r.md.Parser().Parse(text.NewReader([]byte(src)), parser.WithContext(ctx))
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if h, ok := n.(*ast.Heading); ok && entering {
			id, _ := h.AttributeString("id")
			idb, _ := id.([]byte)
			r.headings = append(r.headings, heading{Level: h.Level, ID: string(idb),
				Text: restoreMathText(plainText(h, []byte(src)), formulas)})
			return ast.WalkSkipChildren, nil
		}
		return ast.WalkContinue, nil
	})
	var buf bytes.Buffer
	if err := r.md.Renderer().Render(&buf, []byte(src), doc); err != nil {
		return "", fmt.Errorf("render markdown: %w", err)
	}
	out := buf.String()
	for i, f := range formulas {
		cls := "math inline"
		if f.display {
			cls = "math display"
		}
		span := `<span class="` + cls + `">` + html.EscapeString(f.tex) + `</span>`
		out = strings.Replace(out, placeholder(i), span, 1)
	}
	r.math += len(formulas)
	return resolveAttachments(out, attachments), nil
}

func plainText(n ast.Node, src []byte) string {
	var b strings.Builder
	_ = ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch t := c.(type) {
		case *ast.Text:
			b.Write(t.Segment.Value(src))
		case *ast.String:
			b.Write(t.Value)
		case *ast.CodeSpan:
			for ch := t.FirstChild(); ch != nil; ch = ch.NextSibling() {
				if tx, ok := ch.(*ast.Text); ok {
					b.Write(tx.Segment.Value(src))
				}
			}
			return ast.WalkSkipChildren, nil
		}
		return ast.WalkContinue, nil
	})
	return b.String()
}

// pageIDs generates heading ids unique across all cells of a page.
type pageIDs struct {
	used     map[string]bool
	formulas []formula // of the cell being parsed: ids use their TeX, not placeholders
}

var nonIDChars = regexp.MustCompile(`[^\p{L}\p{N}_-]+`)

func (p *pageIDs) Generate(value []byte, _ ast.NodeKind) []byte {
	text := restoreMathText(string(value), p.formulas)
	base := strings.Trim(nonIDChars.ReplaceAllString(strings.ToLower(strings.TrimSpace(text)), "-"), "-")
	if base == "" {
		base = "section"
	}
	id := base
	for i := 1; p.used[id]; i++ {
		id = fmt.Sprintf("%s-%d", base, i)
	}
	p.used[id] = true
	return []byte(id)
}

func (p *pageIDs) Put(value []byte) { p.used[string(value)] = true }

// escapedHTMLRenderer shows raw HTML written in markdown as text: the
// trust model keeps only the kernel's HTML outputs.
type escapedHTMLRenderer struct{}

func (escapedHTMLRenderer) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(ast.KindRawHTML, func(w util.BufWriter, src []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
		if entering {
			segs := n.(*ast.RawHTML).Segments
			for i := 0; i < segs.Len(); i++ {
				seg := segs.At(i)
				_, _ = w.WriteString(html.EscapeString(string(seg.Value(src))))
			}
		}
		return ast.WalkSkipChildren, nil
	})
	reg.Register(ast.KindHTMLBlock, func(w util.BufWriter, src []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
		b := n.(*ast.HTMLBlock)
		if entering {
			_, _ = w.WriteString(`<pre class="raw-html">`)
			for i := 0; i < b.Lines().Len(); i++ {
				seg := b.Lines().At(i)
				_, _ = w.WriteString(html.EscapeString(string(seg.Value(src))))
			}
		} else {
			if b.HasClosure() {
				closure := b.ClosureLine
				_, _ = w.WriteString(html.EscapeString(string(closure.Value(src))))
			}
			_, _ = w.WriteString("</pre>\n")
		}
		return ast.WalkContinue, nil
	})
}

type formula struct {
	tex     string
	display bool
}

func placeholder(i int) string { return fmt.Sprintf("DL4GOMATHq%dq", i) }

func restoreMathText(s string, formulas []formula) string {
	for i, f := range formulas {
		s = strings.Replace(s, placeholder(i), f.tex, 1)
	}
	return s
}

// extractMath replaces $$…$$ (display) and $…$ (inline) formulas outside
// code by placeholders that markdown leaves alone, so that goldmark does not
// read TeX's _ and * as emphasis. Inline math follows pandoc's rule: the
// opening $ is not followed by a space, the closing $ not preceded by one nor
// followed by a digit; \$ is a literal dollar.
func extractMath(src string) (string, []formula) {
	var out strings.Builder
	var formulas []formula
	lines := strings.SplitAfter(src, "\n")
	fence := ""
	var para strings.Builder
	flush := func() {
		s := para.String()
		para.Reset()
		out.WriteString(mathInText(s, &formulas))
	}
	for _, line := range lines {
		trimmed := strings.TrimLeft(line, " ")
		if fence != "" {
			out.WriteString(line)
			if strings.HasPrefix(strings.TrimSpace(line), fence) {
				fence = ""
			}
			continue
		}
		if len(line)-len(trimmed) <= 3 && (strings.HasPrefix(trimmed, "```") || strings.HasPrefix(trimmed, "~~~")) {
			flush()
			fence = trimmed[:3]
			out.WriteString(line)
			continue
		}
		para.WriteString(line)
	}
	flush()
	return out.String(), formulas
}

func mathInText(s string, formulas *[]formula) string {
	var b strings.Builder
	add := func(tex string, display bool) {
		b.WriteString(placeholder(len(*formulas)))
		*formulas = append(*formulas, formula{tex: strings.TrimSpace(tex), display: display})
	}
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s):
			b.WriteString(s[i : i+2])
			i += 2
		case c == '`':
			n := 1
			for i+n < len(s) && s[i+n] == '`' {
				n++
			}
			run := s[i : i+n]
			if end := findCodeSpanEnd(s[i+n:], n); end >= 0 {
				b.WriteString(s[i : i+n+end+n])
				i += n + end + n
			} else {
				b.WriteString(run)
				i += n
			}
		case c == '$' && strings.HasPrefix(s[i:], "$$"):
			end := strings.Index(s[i+2:], "$$")
			if end < 0 || strings.TrimSpace(s[i+2:i+2+end]) == "" || strings.Contains(s[i+2:i+2+end], "\n\n") {
				b.WriteString("$$")
				i += 2
				continue
			}
			add(s[i+2:i+2+end], true)
			i += 2 + end + 2
		case c == '$':
			end := inlineMathEnd(s, i+1)
			if end < 0 {
				b.WriteByte('$')
				i++
				continue
			}
			add(s[i+1:end], false)
			i = end + 1
		default:
			b.WriteByte(c)
			i++
		}
	}
	return b.String()
}

// findCodeSpanEnd finds a run of exactly n backticks in s; -1 if none.
func findCodeSpanEnd(s string, n int) int {
	for i := 0; i < len(s); {
		if s[i] != '`' {
			i++
			continue
		}
		j := i
		for j < len(s) && s[j] == '`' {
			j++
		}
		if j-i == n {
			return i
		}
		i = j
	}
	return -1
}

// inlineMathEnd returns the index of the $ closing an inline formula that
// starts at s[start], or -1.
func inlineMathEnd(s string, start int) int {
	if start >= len(s) || s[start] == ' ' || s[start] == '\t' || s[start] == '\n' || s[start] == '$' {
		return -1
	}
	for j := start; j < len(s); j++ {
		switch s[j] {
		case '`':
			return -1 // a formula never spans a code span
		case '\\':
			j++
		case '\n':
			if j+1 < len(s) && s[j+1] == '\n' {
				return -1 // a blank line ends the paragraph
			}
		case '$':
			prev := s[j-1]
			if prev == ' ' || prev == '\t' || prev == '\n' {
				continue
			}
			if j+1 < len(s) && s[j+1] >= '0' && s[j+1] <= '9' {
				continue
			}
			return j
		}
	}
	return -1
}

var attachmentSrc = regexp.MustCompile(`(src|href)="attachment:([^"]+)"`)

// resolveAttachments turns attachment:NAME links into data URIs.
func resolveAttachments(out string, attachments map[string]any) string {
	if len(attachments) == 0 {
		return out
	}
	return attachmentSrc.ReplaceAllStringFunc(out, func(m string) string {
		sub := attachmentSrc.FindStringSubmatch(m)
		name := html.UnescapeString(sub[2])
		bundle, _ := attachments[name].(map[string]any)
		for mime, v := range bundle {
			s, ok := joinAny(v)
			if !ok || !strings.HasPrefix(mime, "image/") {
				continue
			}
			if mime == "image/svg+xml" {
				s = b64(s)
			}
			return sub[1] + `="data:` + mime + `;base64,` + stripSpace(s) + `"`
		}
		return m
	})
}
