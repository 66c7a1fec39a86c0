package export

import (
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/dl4go/dl4go/notebook"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name+".html")
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./export -run Golden -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from %s:\n--- got\n%s\n--- want\n%s", name, path, got, want)
	}
}

func TestGoldenOutputs(t *testing.T) {
	tiny := "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
	tests := []struct {
		name string
		out  notebook.Output
	}{
		{"stream_stdout_ansi", notebook.Output{OutputType: notebook.Stream, Name: "stdout",
			Text: "\x1b[1;32mok\x1b[0m \x1b[38;5;208m256\x1b[39m \x1b[38;2;1;2;3mrgb\x1b[0m \x1b[4munder\x1b[24m \x1b[2Kcleared\n"}},
		{"stream_stderr", notebook.Output{OutputType: notebook.Stream, Name: "stderr", Text: "warn & <b>\n"}},
		{"stream_progress", notebook.Output{OutputType: notebook.Stream, Name: "stdout", Text: "10%\r50%\r100%\nnext\r\n"}},
		{"stream_xss", notebook.Output{OutputType: notebook.Stream, Name: "stdout", Text: xssText + "\n"}},
		{"html", notebook.Output{OutputType: notebook.DisplayData, Data: map[string]any{
			"text/html": "<table><tr><td>1</td></tr></table>", "text/plain": "ignored"}}},
		{"html_library", notebook.Output{OutputType: notebook.DisplayData, Data: map[string]any{
			"text/html": `<script data-dl4go-lib="echarts">window.echarts={}</script>`}}},
		{"image_png", notebook.Output{OutputType: notebook.DisplayData, Data: map[string]any{"image/png": tiny + "\n", "text/plain": "<img>"},
			Metadata: map[string]any{"image/png": map[string]any{"width": 50}}}},
		{"image_jpeg", notebook.Output{OutputType: notebook.DisplayData, Data: map[string]any{"image/jpeg": "/9j/AA=="}}},
		{"image_svg", notebook.Output{OutputType: notebook.DisplayData, Data: map[string]any{"image/svg+xml": "<svg/>"}}},
		{"audio", notebook.Output{OutputType: notebook.DisplayData, Data: map[string]any{"audio/wav": "UklGRg=="}}},
		{"execute_result_plain", notebook.Output{OutputType: notebook.ExecuteResult, ExecutionCount: intp(3),
			Data: map[string]any{"text/plain": "map[<a>:1]"}}},
		{"markdown_output", notebook.Output{OutputType: notebook.DisplayData, Data: map[string]any{"text/markdown": "*x* $y_1$ <i>z</i>"}}},
		{"latex_output", notebook.Output{OutputType: notebook.DisplayData, Data: map[string]any{"text/latex": "$$a<b$$"}}},
		{"error", notebook.Output{OutputType: notebook.Error, Ename: "panic", Evalue: "<x>",
			Traceback: []string{"\x1b[31mpanic: <x>\x1b[0m", "main.main()"}}},
		{"error_no_traceback", notebook.Output{OutputType: notebook.Error, Ename: "E", Evalue: "<v>"}},
		{"unknown_mime", notebook.Output{OutputType: notebook.DisplayData, Data: map[string]any{"application/x-thing": map[string]any{"a": 1}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &pageBuilder{md: newMarkdownRenderer(), scripts: newScriptDedup()}
			checkGolden(t, "output_"+tt.name, p.renderOutput(tt.out))
		})
	}
}

func TestGoldenMarkdown(t *testing.T) {
	tests := []struct {
		name, src   string
		attachments map[string]any
	}{
		{"table", "# Title\n\n| a | b |\n|:--|--:|\n| 1 | 2 |\n\n~~gone~~ https://example.org", nil},
		{"math", "Inline $\\nabla J(\\theta)$, display $$AP = \\int_0^1 P(R)\\,dR$$ and\n\n$$\n\\sum_{i<n} x_i^2\n$$\n\n$5 and $6, \\$7, `$code$`", nil},
		{"raw_html", "Text <b onclick=\"x()\">b</b>\n\n<div>\n<script>alert(1)</script>\n</div>\n\n[link](javascript:alert(1))", nil},
		{"code_fence", "```go\nx := \"$a$\" // <b>\n```\n", nil},
		{"headings", "# Loss $L_2$\n\n## Loss $L_2$\n\n## 日本語 の見出し\n", nil},
		{"attachment", "![pic](attachment:p.png)", map[string]any{"p.png": map[string]any{"image/png": "AAAA"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := newMarkdownRenderer().render(tt.src, tt.attachments)
			if err != nil {
				t.Fatal(err)
			}
			checkGolden(t, "markdown_"+tt.name, got)
		})
	}
}

func TestGoldenCode(t *testing.T) {
	checkGolden(t, "code_go", highlight("%%\nx := 1 // <comment>\nfmt.Println(\"<s>\", x)", "go"))
}

func TestGoldenPage(t *testing.T) {
	// No assets: formulas stay TeX source, no library in the page.
	nb := sampleNotebook("")
	page, err := Page(nb, Options{Name: "07-rl.ipynb"})
	if err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "page_sample", string(page))
}

func TestPageContents(t *testing.T) {
	nb := sampleNotebook("")
	page, err := Page(nb, Options{Name: "07-rl.ipynb", IndexHref: "index.html"})
	if err != nil {
		t.Fatal(err)
	}
	s := string(page)
	wants := []string{
		"<title>07 · Policy gradients</title>",
		`<p class="title-ja" lang="ja">方策勾配法</p>`,
		`<span class="badge pass">PASS</span>`,
		"RESULT lesson=07 metric=cliff_return value=-13 threshold=-20 ok=true",
		"<dt>Time to run</dt><dd>full 4m · quick 40s</dd>",
		"backend dl4go · quick size · 2026-11-26 22:00 UTC · took 1m23s",
		`<div class="intro">`,
		"You will learn the policy gradient",
		`<nav class="toc">`, `<a href="#the-idea">The idea</a>`,
		"&lt;script&gt;alert(1)&lt;/script&gt;",
		`<a href="index.html">`,
		`@media print`, `@media (max-width: 40rem)`,
		`step 3/3 done`,
	}
	for _, w := range wants {
		if !strings.Contains(s, w) {
			t.Errorf("page lacks %q", w)
		}
	}
	for _, bad := range []string{xssText, "alert(2)\">", "<div><script>alert(3)", "step 1/3", "http://", "https://"} {
		if strings.Contains(s, bad) {
			t.Errorf("page contains %q", bad)
		}
	}
	if strings.Contains(s, `class="not-executed"`) {
		t.Error("executed notebook marked not executed")
	}
	// Headings of markdown outputs stay out of the contents.
	nb.Cells[6].Outputs[1].Data["text/markdown"] = "# Output heading"
	page, _ = Page(nb, Options{})
	if toc := string(page)[strings.Index(string(page), `<nav class="toc">`):]; strings.Contains(toc[:strings.Index(toc, "</nav>")], "Output heading") {
		t.Error("a heading of an output is listed in the contents")
	}
	// The intro's H1 is the header, not repeated in the body.
	if strings.Count(s, "Policy gradients (方策勾配法)") != 0 {
		t.Error("intro heading repeated in the page")
	}
}

func TestPageNotExecuted(t *testing.T) {
	nb := sampleNotebook("")
	nb.StripOutputs()
	page, err := Page(nb, Options{})
	if err != nil {
		t.Fatal(err)
	}
	s := string(page)
	for _, w := range []string{`class="not-executed"`, "Not executed.", `<span class="badge none">not executed</span>`, "[ ]"} {
		if !strings.Contains(s, w) {
			t.Errorf("unexecuted page lacks %q", w)
		}
	}
}

func TestPageWithoutLessonMetadata(t *testing.T) {
	nb := &notebook.Notebook{NBFormat: 4, NBFormatMinor: 5, Metadata: map[string]any{},
		Cells: []*notebook.Cell{{ID: "a", CellType: notebook.Markdown, Source: "# My notes\n\ntext"}}}
	page, err := Page(nb, Options{Name: "dir/notes.ipynb"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(page), "<title>My notes</title>") {
		t.Errorf("title not taken from first heading:\n%s", page)
	}
}

func TestChartLibraryOncePerPage(t *testing.T) {
	lib := strings.Repeat("/*echarts library*/", 2000)
	nb := sampleNotebook(lib)
	// A second cell re-sends the library (as after a kernel restart).
	again := *nb.Cells[4]
	again.ID = "again"
	nb.Cells = append(nb.Cells, &again)
	page, err := Page(nb, Options{ChartLibrary: "<script>FALLBACK</script>"})
	if err != nil {
		t.Fatal(err)
	}
	s := string(page)
	if n := strings.Count(s, "FALLBACK"); n != 1 {
		t.Errorf("preferred library included %d times, want 1", n)
	}
	if strings.Contains(s, `data-dl4go-lib="echarts"`) {
		t.Error("the notebook's library copy kept although a preferred one is given")
	}
	if n := strings.Count(s, "echarts.init("); n != 6 {
		t.Errorf("%d charts kept, want 6", n)
	}
	// Without a preferred library, the notebook's first copy goes to the head, once.
	page, _ = Page(nb, Options{})
	s = string(page)
	if n := strings.Count(s, `data-dl4go-lib="echarts"`); n != 1 {
		t.Errorf("library included %d times, want 1", n)
	}
	if strings.Index(s, `data-dl4go-lib="echarts"`) > strings.Index(s, "<body>") {
		t.Error("library not in the page head")
	}

	// An online loader does not replace the notebook's offline copy.
	page, _ = Page(nb, Options{ChartLibrary: `<script data-dl4go-lib="echarts">var s=document.createElement("script");s.src="https://cdn.example/echarts.js";</script>`})
	if strings.Contains(string(page), "cdn.example") || strings.Count(string(page), "/*echarts library*/") != 2000 {
		t.Error("an online loader replaced the notebook's offline library")
	}

	// Charts without a library in the notebook get the fallback once.
	nb = sampleNotebook("")
	page, _ = Page(nb, Options{ChartLibrary: "<script>FALLBACK</script>"})
	if n := strings.Count(string(page), "FALLBACK"); n != 1 {
		t.Errorf("fallback included %d times, want 1", n)
	}

	// An unmarked big script repeated in outputs is kept once.
	big := "<script>" + lib + "</script>"
	d := newScriptDedup()
	out := d.filter(big) + d.filter("<div>x</div>"+big)
	if strings.Count(out, lib) != 1 {
		t.Errorf("duplicate big script kept %d times", strings.Count(out, lib))
	}
}

func TestFindResult(t *testing.T) {
	tests := []struct {
		text string
		want *Result
	}{
		{"RESULT lesson=01 metric=acc value=0.97 threshold=0.95 ok=true\n", &Result{Lesson: "01", Metric: "acc", Value: "0.97", Threshold: "0.95", OK: true}},
		{"noise\nRESULT lesson=02 metric=loss value=NaN threshold=0.1 ok=false\n", &Result{Lesson: "02", Metric: "loss", Value: "NaN", Threshold: "0.1", OK: false}},
		{"prefix RESULT lesson=01 metric=a value=1 threshold=1 ok=true\n", nil},
		{"RESULT lesson=01 metric=a value=1\n", nil},
	}
	for _, tt := range tests {
		nb := &notebook.Notebook{Cells: []*notebook.Cell{{CellType: notebook.Code,
			Outputs: []notebook.Output{{OutputType: notebook.Stream, Name: "stdout", Text: tt.text}}}}}
		got, ok := FindResult(nb)
		if ok != (tt.want != nil) {
			t.Errorf("FindResult(%q) ok = %v", tt.text, ok)
			continue
		}
		if ok {
			got.Line = ""
			if got != *tt.want {
				t.Errorf("FindResult(%q) = %+v, want %+v", tt.text, got, *tt.want)
			}
		}
	}
}

func TestExtractMath(t *testing.T) {
	tests := []struct {
		src   string
		texs  []string
		plain string // the text left around placeholders, with each replaced by "M"
	}{
		{"$a$", []string{"a"}, "M"},
		{"$$ b $$", []string{"b"}, "M"},
		{"costs $5 and $6", nil, "costs $5 and $6"},
		{"$ a$ no", nil, "$ a$ no"},
		{`\$x$`, nil, `\$x$`},
		{"`$x$` $y$", []string{"y"}, "`$x$` M"},
		{"```\n$x$\n```\n$y$", []string{"y"}, "```\n$x$\n```\nM"},
		{"$a\n\nb$", nil, "$a\n\nb$"},
		{"$x_1$ and $x_2$", []string{"x_1", "x_2"}, "M and M"},
	}
	for _, tt := range tests {
		got, fs := extractMath(tt.src)
		var texs []string
		for i, f := range fs {
			texs = append(texs, f.tex)
			got = strings.Replace(got, placeholder(i), "M", 1)
		}
		if strings.Join(texs, "|") != strings.Join(tt.texs, "|") || got != tt.plain {
			t.Errorf("extractMath(%q) = %q %q, want %q %q", tt.src, got, texs, tt.plain, tt.texs)
		}
	}
}

func TestLoadKaTeXInlinesFonts(t *testing.T) {
	k := testKaTeX(t)
	if strings.Contains(k.CSS, "url(fonts/") {
		t.Error("font references left in the CSS")
	}
	if n := strings.Count(k.CSS, "data:font/woff2;base64,"); n < 15 {
		t.Errorf("%d fonts inlined, want ≥ 15", n)
	}
	if len(k.JS) < 100_000 {
		t.Errorf("katex.min.js is only %d bytes", len(k.JS))
	}
}

func TestPageSizeWithChartsAndMath(t *testing.T) {
	k := testKaTeX(t)
	js := testECharts(t)
	nb := sampleNotebook(js)
	page, err := Page(nb, Options{KaTeX: k})
	if err != nil {
		t.Fatal(err)
	}
	const limit = 3 << 20
	t.Logf("page with 3 charts, 4 media outputs and KaTeX: %d bytes", len(page))
	if len(page) > limit {
		t.Errorf("page is %d bytes, want ≤ %d", len(page), limit)
	}
	if n := strings.Count(string(page), "katex.render("); n != 1 {
		t.Errorf("math render script %d times", n)
	}
	if regexp.MustCompile(`url\((https?:)?//`).MatchString(string(page)) {
		t.Error("page references a network URL")
	}
}
