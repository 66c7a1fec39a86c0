package export

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"html"
	"regexp"
	"sort"
	"strings"

	"github.com/alecthomas/chroma/v2"
	chromahtml "github.com/alecthomas/chroma/v2/formatters/html"
	"github.com/alecthomas/chroma/v2/lexers"
	"github.com/alecthomas/chroma/v2/styles"

	"github.com/dl4go/dl4go/notebook"
)

// chromaStyle is the code colour scheme; its CSS goes into the page once.
const chromaStyle = "github"

var codeFormatter = chromahtml.New(chromahtml.WithClasses(true), chromahtml.TabWidth(4))

// highlight returns src as highlighted HTML (<pre class="chroma">…</pre>).
func highlight(src, language string) string {
	lexer := lexers.Get(language)
	if lexer == nil {
		lexer = lexers.Fallback
	}
	lexer = chroma.Coalesce(lexer)
	it, err := lexer.Tokenise(nil, src)
	if err == nil {
		var buf bytes.Buffer
		if err = codeFormatter.Format(&buf, styles.Get(chromaStyle), it); err == nil {
			return buf.String()
		}
	}
	return `<pre class="chroma">` + html.EscapeString(src) + `</pre>`
}

func chromaCSS() string {
	var buf bytes.Buffer
	_ = codeFormatter.WriteCSS(&buf, styles.Get(chromaStyle))
	return buf.String()
}

// mimeOrder is the order in which a rich output's representations are
// preferred, as in Jupyter.
var mimeOrder = []string{
	"text/html", "image/svg+xml", "image/png", "image/jpeg", "image/gif", "image/webp",
	"text/markdown", "text/latex", "audio/wav", "audio/x-wav", "audio/mpeg", "audio/ogg",
	"application/json", "text/plain",
}

func pickMime(data map[string]any) string {
	for _, m := range mimeOrder {
		if _, ok := data[m]; ok {
			return m
		}
	}
	var rest []string
	for m := range data {
		rest = append(rest, m)
	}
	sort.Strings(rest)
	for _, m := range rest {
		if strings.HasPrefix(m, "audio/") || strings.HasPrefix(m, "image/") || strings.HasPrefix(m, "text/") {
			return m
		}
	}
	if len(rest) > 0 {
		return rest[0]
	}
	return ""
}

// renderOutput renders one output. Kernel HTML is kept as is (it is
// trusted: charts); all text is escaped.
func (p *pageBuilder) renderOutput(o notebook.Output) string {
	switch o.OutputType {
	case notebook.Stream:
		cls := "stream stdout"
		if o.Name == "stderr" {
			cls = "stream stderr"
		}
		return `<pre class="` + cls + `">` + ansiToHTML(o.Text) + "</pre>\n"
	case notebook.Error:
		var b strings.Builder
		b.WriteString(`<div class="error"><pre>`)
		if len(o.Traceback) > 0 {
			b.WriteString(ansiToHTML(strings.Join(o.Traceback, "\n")))
		} else {
			b.WriteString(ansiToHTML(o.Ename + ": " + o.Evalue))
		}
		b.WriteString("</pre></div>\n")
		return b.String()
	case notebook.DisplayData, notebook.ExecuteResult:
		return p.renderData(o.Data, o.Metadata)
	}
	return `<pre class="unknown">` + html.EscapeString(fmt.Sprintf("(output of type %q)", o.OutputType)) + "</pre>\n"
}

func (p *pageBuilder) renderData(data, meta map[string]any) string {
	mime := pickMime(data)
	if mime == "" {
		return ""
	}
	s, isString := joinAny(data[mime])
	switch {
	case mime == "text/html":
		return `<div class="html">` + p.scripts.filter(s) + "</div>\n"
	case mime == "image/svg+xml":
		return `<div class="image"><img alt="figure" src="data:image/svg+xml;base64,` + b64(s) + `"` + imgSize(meta, mime) + "></div>\n"
	case strings.HasPrefix(mime, "image/") && isString:
		return `<div class="image"><img alt="figure" src="data:` + mime + `;base64,` + stripSpace(s) + `"` + imgSize(meta, mime) + "></div>\n"
	case strings.HasPrefix(mime, "audio/") && isString:
		return `<div class="audio"><audio controls src="data:` + mime + `;base64,` + stripSpace(s) + `"></audio></div>` + "\n"
	case mime == "text/markdown":
		n := len(p.md.headings)
		out, err := p.md.render(s, nil)
		p.md.headings = p.md.headings[:n] // the contents list the lesson's own headings only
		if err != nil {
			return `<pre class="text">` + html.EscapeString(s) + "</pre>\n"
		}
		return `<div class="markdown">` + out + "</div>\n"
	case mime == "text/latex":
		tex := strings.TrimSpace(s)
		tex = strings.TrimSuffix(strings.TrimPrefix(tex, "$$"), "$$")
		tex = strings.TrimSuffix(strings.TrimPrefix(tex, "$"), "$")
		p.md.math++
		return `<div class="latex"><span class="math display">` + html.EscapeString(tex) + "</span></div>\n"
	case isString:
		return `<pre class="text">` + ansiToHTML(s) + "</pre>\n"
	}
	return `<pre class="text">` + html.EscapeString(fmt.Sprintf("(%s output)", mime)) + "</pre>\n"
}

func imgSize(meta map[string]any, mime string) string {
	m, _ := meta[mime].(map[string]any)
	var attrs string
	for _, k := range []string{"width", "height"} {
		if v, ok := m[k]; ok {
			attrs += fmt.Sprintf(` %s="%s"`, k, html.EscapeString(fmt.Sprint(v)))
		}
	}
	return attrs
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func stripSpace(s string) string {
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '\n' || r == '\r' || r == '\t' {
			return -1
		}
		return r
	}, s)
}

// joinAny returns v as a string if it is a string or a list of strings.
func joinAny(v any) (string, bool) {
	switch v := v.(type) {
	case string:
		return v, true
	case []any:
		var b strings.Builder
		for _, p := range v {
			s, ok := p.(string)
			if !ok {
				return "", false
			}
			b.WriteString(s)
		}
		return b.String(), true
	}
	return "", false
}

// scriptDedup keeps every JavaScript library once per page.
//
// A script marked data-dl4go-lib="NAME" (plotting's echarts library, see
// plotting.LibraryHTML) is removed from the outputs and its first copy goes
// into the page head. Any other inline script of 16 KiB or more that repeats
// an earlier one byte for byte is dropped too, so a chart output that carries
// its own copy of a library costs the page that library once.
type scriptDedup struct {
	libs     map[string]string // NAME → the first script element seen
	libOrder []string
	seen     map[[32]byte]bool
	usesLib  bool // some output expects a dl4go library (chart queue or echarts calls)
	// carriesLib: some output carries a large script mentioning echarts (its own copy).
	carriesLib bool
}

const bigScript = 16 << 10

var (
	scriptRe  = regexp.MustCompile(`(?is)<script\b([^>]*)>(.*?)</script\s*>`)
	libAttrRe = regexp.MustCompile(`(?i)\bdata-dl4go-lib\s*=\s*["']?([A-Za-z0-9_.-]+)`)
)

func newScriptDedup() *scriptDedup {
	return &scriptDedup{libs: map[string]string{}, seen: map[[32]byte]bool{}}
}

func (d *scriptDedup) filter(h string) string {
	if strings.Contains(h, "__dl4go_q") || strings.Contains(h, "echarts.init") {
		d.usesLib = true
	}
	return scriptRe.ReplaceAllStringFunc(h, func(el string) string {
		m := scriptRe.FindStringSubmatch(el)
		attrs, body := m[1], m[2]
		if lm := libAttrRe.FindStringSubmatch(attrs); lm != nil {
			name := lm[1]
			if _, ok := d.libs[name]; !ok {
				d.libs[name] = el
				d.libOrder = append(d.libOrder, name)
			}
			return "<!-- dl4go: library " + name + " is in the page head -->"
		}
		if len(body) >= bigScript {
			sum := sha256.Sum256([]byte(body))
			if d.seen[sum] {
				return "<!-- dl4go: duplicate script removed -->"
			}
			d.seen[sum] = true
			if strings.Contains(body, "echarts") {
				d.carriesLib = true
			}
		}
		return el
	})
}

// head returns the library scripts for the page head. preferred (the
// offline chart library, plotting.LibraryHTML) replaces the echarts copy
// found in the outputs (which may be an online loader) and is added when
// chart outputs need a library they do not carry.
func (d *scriptDedup) head(preferred string) string {
	var b strings.Builder
	usePreferred := preferred != "" && (d.libs["echarts"] != "" || (d.usesLib && !d.carriesLib))
	if usePreferred && loadsFromNetwork(preferred) && d.libs["echarts"] != "" && !loadsFromNetwork(d.libs["echarts"]) {
		usePreferred = false // keep the notebook's offline copy rather than an online loader
	}
	if usePreferred {
		b.WriteString(preferred)
		b.WriteString("\n")
	}
	for _, n := range d.libOrder {
		if n == "echarts" && usePreferred {
			continue
		}
		b.WriteString(d.libs[n])
		b.WriteString("\n")
	}
	return b.String()
}

var networkSrc = regexp.MustCompile(`\.src\s*=\s*["']https?:`)

// loadsFromNetwork reports whether a library script fetches the library
// from a URL (plotting's loader when echarts is not in the local cache)
// instead of carrying it.
func loadsFromNetwork(script string) bool { return networkSrc.MatchString(script) }
