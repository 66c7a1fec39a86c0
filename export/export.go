// Package export turns executed dl4go notebooks into self-contained HTML
// pages that open from file:// with no network, and builds a site index
// listing them.
//
// Start with Page: it takes a *notebook.Notebook and returns one HTML file
// with the lesson header (titles, what you will learn, time to run, backend
// and date of the run, the RESULT line as a pass/fail badge), a table of
// contents, markdown with offline math (KaTeX, see LoadKaTeX), highlighted
// code and every output kind. Site writes index.html for a set of pages;
// BuildSite exports every notebook of a directory and indexes it.
//
// Trust model: HTML produced by the kernel (charts, tables) is kept as is;
// everything else — stream text, text/plain, error tracebacks and raw HTML
// written inside markdown — is escaped and shown as text, so a cell that
// prints <script>alert(1)</script> shows that text and runs nothing.
// JavaScript libraries that chart outputs carry (scripts marked
// data-dl4go-lib, or large identical scripts) are kept once per page.
package export

import (
	"encoding/json"
	"fmt"
	"html"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/dl4go/dl4go/notebook"
)

// Options tune Page.
type Options struct {
	// KaTeX renders formulas in the browser with no network. Nil: formulas
	// are shown as their TeX source.
	KaTeX *KaTeX
	// ChartLibrary is the HTML of the offline chart library script
	// (plotting.LibraryHTML when plotting.LibraryJS succeeds). When set, it
	// is the one copy in the page head, replacing the copies the outputs
	// carry, and is added if chart outputs need a library they lack. Empty:
	// the first copy found in the outputs is used.
	ChartLibrary string
	// CJKFont, if set, embeds in the page a subset of this Japanese font
	// with exactly the characters the page needs it for (see LoadCJKFont),
	// for the text and the charts. Nil: Japanese text needs a system font.
	CJKFont *CJKFont
	// Name names the notebook (e.g. its file name) where its metadata has
	// no title.
	Name string
	// IndexHref, if set, adds a link back to the site index.
	IndexHref string
}

// Result is a lesson's RESULT line as printed by lessons.Result:
//
//	RESULT lesson=01 metric=loss value=0.01 threshold=0.1 ok=true
type Result struct {
	Lesson    string `json:"lesson"`
	Metric    string `json:"metric"`
	Value     string `json:"value"`
	Threshold string `json:"threshold"`
	OK        bool   `json:"ok"`
	Line      string `json:"line"`
}

var resultRe = regexp.MustCompile(`(?m)^RESULT lesson=(\S+) metric=(\S+) value=(\S+) threshold=(\S+) ok=(true|false)\s*$`)

// FindResult returns the last RESULT line in the notebook's text outputs.
func FindResult(nb *notebook.Notebook) (Result, bool) {
	var r Result
	found := false
	for _, c := range nb.Cells {
		for _, o := range c.Outputs {
			var text string
			switch o.OutputType {
			case notebook.Stream:
				text = o.Text
			case notebook.DisplayData, notebook.ExecuteResult:
				text, _ = joinAny(o.Data["text/plain"])
			}
			for _, m := range resultRe.FindAllStringSubmatch(applyCarriageReturns(text), -1) {
				r = Result{Lesson: m[1], Metric: m[2], Value: m[3], Threshold: m[4], OK: m[5] == "true",
					Line: strings.TrimSpace(m[0])}
				found = true
			}
		}
	}
	return r, found
}

// Summary is what the site index shows of one page. Page embeds it in the
// HTML (a JSON script with id "dl4go-summary") so that an index can be built
// from pages alone; ReadSummary reads it back.
type Summary struct {
	Href     string              `json:"href,omitempty"` // page location relative to the index
	Lesson   notebook.LessonMeta `json:"lesson"`
	Title    string              `json:"title"` // display title
	Run      *notebook.RunMeta   `json:"run,omitempty"`
	Result   *Result             `json:"result,omitempty"`
	Executed bool                `json:"executed"`
	Errors   int                 `json:"errors"` // number of error outputs
}

// Summarize returns the index entry of a notebook; name is used for the
// title when the metadata has none.
func Summarize(nb *notebook.Notebook, name string) Summary {
	s := Summary{Lesson: nb.Lesson(), Executed: nb.Executed()}
	if r, ok := nb.Run(); ok {
		s.Run = &r
	}
	if r, ok := FindResult(nb); ok {
		s.Result = &r
	}
	for _, c := range nb.Cells {
		for _, o := range c.Outputs {
			if o.OutputType == notebook.Error {
				s.Errors++
			}
		}
	}
	s.Title = s.Lesson.Title
	if s.Title == "" {
		s.Title = firstHeading(nb)
	}
	if s.Title == "" {
		s.Title = strings.TrimSuffix(filepath.Base(name), filepath.Ext(name))
	}
	if s.Title == "" {
		s.Title = "Notebook"
	}
	return s
}

func firstHeading(nb *notebook.Notebook) string {
	for _, c := range nb.Cells {
		if c.CellType != notebook.Markdown {
			continue
		}
		for _, l := range strings.Split(c.Source, "\n") {
			if strings.HasPrefix(l, "# ") {
				return strings.TrimSpace(l[2:])
			}
		}
	}
	return ""
}

// Page renders an executed (or not) notebook as one self-contained HTML page.
func Page(nb *notebook.Notebook, opts Options) ([]byte, error) {
	p := &pageBuilder{nb: nb, opts: opts, md: newMarkdownRenderer(), scripts: newScriptDedup()}
	return p.build()
}

type pageBuilder struct {
	nb      *notebook.Notebook
	opts    Options
	md      *markdownRenderer
	scripts *scriptDedup
}

func (p *pageBuilder) language() string {
	if li, ok := p.nb.Metadata["language_info"].(map[string]any); ok {
		if n, ok := li["name"].(string); ok && n != "" {
			return n
		}
	}
	if ks, ok := p.nb.Metadata["kernelspec"].(map[string]any); ok {
		if n, ok := ks["language"].(string); ok && n != "" {
			return n
		}
	}
	return "go"
}

var leadingH1 = regexp.MustCompile(`^\s*#[ \t]+[^\n]*\n?`)

func (p *pageBuilder) build() ([]byte, error) {
	nb := p.nb
	sum := Summarize(nb, p.opts.Name)
	lesson := sum.Lesson
	esc := html.EscapeString

	// The first markdown cell is the lesson's introduction ("what you will learn").
	introIdx := -1
	for i, c := range nb.Cells {
		if c.CellType == notebook.Markdown {
			introIdx = i
			break
		}
		if c.CellType == notebook.Code && strings.TrimSpace(c.Source) != "" {
			break
		}
	}
	var intro string
	if introIdx >= 0 {
		src := nb.Cells[introIdx].Source
		if leadingH1.MatchString(src) {
			src = leadingH1.ReplaceAllString(src, "")
		}
		h, err := p.md.render(src, nb.Cells[introIdx].Attachments)
		if err != nil {
			return nil, err
		}
		intro = h
		p.md.headings = nil // the introduction is in the header, not the contents
	}

	var body strings.Builder
	lang := p.language()
	for i, c := range nb.Cells {
		if i == introIdx {
			continue
		}
		id := "cell-" + c.ID
		switch c.CellType {
		case notebook.Markdown:
			h, err := p.md.render(c.Source, c.Attachments)
			if err != nil {
				return nil, fmt.Errorf("cell %s: %w", c.ID, err)
			}
			fmt.Fprintf(&body, "<section class=\"cell markdown\" id=\"%s\">\n%s</section>\n", esc(id), h)
		case notebook.Raw:
			fmt.Fprintf(&body, "<section class=\"cell raw\" id=\"%s\"><pre>%s</pre></section>\n", esc(id), esc(c.Source))
		case notebook.Code:
			prompt := "[ ]"
			if c.ExecutionCount != nil {
				prompt = fmt.Sprintf("[%d]", *c.ExecutionCount)
			}
			fmt.Fprintf(&body, "<section class=\"cell code\" id=\"%s\">\n<div class=\"input\"><span class=\"prompt\">%s</span>%s</div>\n",
				esc(id), prompt, highlight(c.Source, lang))
			if len(c.Outputs) > 0 {
				body.WriteString("<div class=\"outputs\">\n")
				for _, o := range c.Outputs {
					body.WriteString(p.renderOutput(o))
				}
				body.WriteString("</div>\n")
			}
			body.WriteString("</section>\n")
		}
	}

	var out strings.Builder
	title := sum.Title
	if lesson.ID != "" {
		title = lesson.ID + " · " + title
	}
	summaryJSON, err := json.Marshal(sum)
	if err != nil {
		return nil, fmt.Errorf("page summary: %w", err)
	}
	withMath := p.md.math > 0 && p.opts.KaTeX != nil
	var page strings.Builder // what the body shows, which the font subset covers
	if p.opts.IndexHref != "" {
		fmt.Fprintf(&page, "<nav class=\"up\"><a href=\"%s\">← all lessons</a></nav>\n", esc(p.opts.IndexHref))
	}
	page.WriteString(p.header(sum, title, intro))
	page.WriteString(p.toc())
	page.WriteString("<main>\n")
	page.WriteString(body.String())
	page.WriteString("</main>\n")
	name := p.opts.Name
	if name == "" {
		name = "a notebook"
	}
	fmt.Fprintf(&page, "<footer>Exported by dl4go from %s.</footer>\n", esc(filepath.Base(name)))
	var fontCSS, cjkChars string
	if p.opts.CJKFont != nil {
		if fontCSS, cjkChars, err = p.opts.CJKFont.fontFace(title, page.String()); err != nil {
			return nil, err
		}
	}

	out.WriteString("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
	out.WriteString("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
	out.WriteString("<meta name=\"generator\" content=\"dl4go export\">\n")
	fmt.Fprintf(&out, "<title>%s</title>\n", esc(title))
	out.WriteString("<style>\n" + fontCSS + pageCSS + chromaCSS())
	if withMath {
		out.WriteString(p.opts.KaTeX.CSS)
	}
	out.WriteString("\n</style>\n")
	fmt.Fprintf(&out, "<script type=\"application/json\" id=\"dl4go-summary\">%s</script>\n", summaryJSON)
	out.WriteString(p.scripts.head(p.opts.ChartLibrary))
	out.WriteString("</head>\n<body>\n")
	out.WriteString(page.String())
	if cjkChars != "" {
		chars, err := json.Marshal(cjkChars)
		if err != nil {
			return nil, err
		}
		out.WriteString("<script>\n" + fmt.Sprintf(cjkChartsJS, scriptSafe(string(chars))) + "\n</script>\n")
	}
	if withMath {
		out.WriteString("<script>\n" + scriptSafe(p.opts.KaTeX.JS) + "\n</script>\n")
		out.WriteString("<script>\n" + renderMathJS + "\n</script>\n")
	}
	out.WriteString("</body>\n</html>\n")
	return []byte(out.String()), nil
}

// scriptSafe keeps a script's text from closing its <script> element early.
func scriptSafe(js string) string {
	return strings.ReplaceAll(js, "</script", `<\/script`)
}

const renderMathJS = `(function () {
  document.querySelectorAll("span.math").forEach(function (el) {
    katex.render(el.textContent, el, {
      displayMode: el.classList.contains("display"),
      throwOnError: false, strict: "ignore", output: "htmlAndMathml"
    });
  });
})();`

func (p *pageBuilder) header(sum Summary, title, intro string) string {
	esc := html.EscapeString
	var b strings.Builder
	b.WriteString("<header class=\"lesson\">\n")
	fmt.Fprintf(&b, "<h1>%s</h1>\n", esc(title))
	if sum.Lesson.TitleJa != "" {
		fmt.Fprintf(&b, "<p class=\"title-ja\" lang=\"ja\">%s</p>\n", esc(sum.Lesson.TitleJa))
	}
	b.WriteString("<div class=\"badges\">")
	b.WriteString(badge(sum))
	if sum.Result != nil {
		fmt.Fprintf(&b, " <code class=\"result-line\">%s</code>", esc(sum.Result.Line))
	}
	b.WriteString("</div>\n<dl class=\"facts\">\n")
	if sum.Lesson.TimeFull != "" || sum.Lesson.TimeQuick != "" {
		var parts []string
		if sum.Lesson.TimeFull != "" {
			parts = append(parts, "full "+sum.Lesson.TimeFull)
		}
		if sum.Lesson.TimeQuick != "" {
			parts = append(parts, "quick "+sum.Lesson.TimeQuick)
		}
		fmt.Fprintf(&b, "<dt>Time to run</dt><dd>%s</dd>\n", esc(strings.Join(parts, " · ")))
	}
	if r := sum.Run; r != nil {
		fmt.Fprintf(&b, "<dt>This run</dt><dd>%s</dd>\n", esc(runText(*r)))
	}
	if sum.Lesson.Package != "" {
		fmt.Fprintf(&b, "<dt>Package</dt><dd><code>%s</code></dd>\n", esc(sum.Lesson.Package))
	}
	b.WriteString("</dl>\n")
	if !sum.Executed {
		b.WriteString("<p class=\"not-executed\"><strong>Not executed.</strong> This notebook has no outputs: " +
			"run it (<code>dl4go run NOTEBOOK.ipynb</code>) to see its results, charts and RESULT line.</p>\n")
	} else if sum.Errors > 0 {
		fmt.Fprintf(&b, "<p class=\"has-errors\"><strong>%d error output(s)</strong> in this run.</p>\n", sum.Errors)
	}
	if intro != "" {
		b.WriteString("<div class=\"intro\">\n" + intro + "</div>\n")
	}
	b.WriteString("</header>\n")
	return b.String()
}

// runText describes a run: backend, size, date and duration.
func runText(r notebook.RunMeta) string {
	var parts []string
	if r.Backend != "" {
		parts = append(parts, "backend "+r.Backend)
	}
	if r.Quick {
		parts = append(parts, "quick size")
	} else {
		parts = append(parts, "full size")
	}
	if r.Date != "" {
		d := r.Date
		if t, err := time.Parse(time.RFC3339, r.Date); err == nil {
			d = t.UTC().Format("2006-01-02 15:04 UTC")
		}
		parts = append(parts, d)
	}
	if r.DurationS > 0 {
		parts = append(parts, "took "+formatDuration(r.DurationS))
	}
	return strings.Join(parts, " · ")
}

func formatDuration(s float64) string {
	d := time.Duration(s * float64(time.Second))
	switch {
	case d < time.Minute:
		return strconv.FormatFloat(s, 'f', 1, 64) + " s"
	default:
		return d.Round(time.Second).String()
	}
}

// badge is the pass/fail badge of a summary.
func badge(s Summary) string {
	switch {
	case !s.Executed:
		return `<span class="badge none">not executed</span>`
	case s.Result == nil:
		return `<span class="badge none">no RESULT</span>`
	case s.Result.OK:
		return `<span class="badge pass">PASS</span>`
	default:
		return `<span class="badge fail">FAIL</span>`
	}
}

func (p *pageBuilder) toc() string {
	hs := p.md.headings
	if len(hs) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("<nav class=\"toc\"><details open><summary>Contents</summary>\n<ul>\n")
	for _, h := range hs {
		if h.Level > 3 {
			continue
		}
		fmt.Fprintf(&b, "<li class=\"h%d\"><a href=\"#%s\">%s</a></li>\n", h.Level, html.EscapeString(h.ID), html.EscapeString(h.Text))
	}
	b.WriteString("</ul></details></nav>\n")
	return b.String()
}
