package export

import (
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/dl4go/dl4go/internal/atomicfile"
	"github.com/dl4go/dl4go/notebook"
)

// IndexFile is the name of the site index that Site writes.
const IndexFile = "index.html"

const summaryOpen = `<script type="application/json" id="dl4go-summary">`

// ReadSummary reads the summary that Page embedded in the page at path.
// It reports ok=false for an HTML file that is not a dl4go page.
func ReadSummary(path string) (s Summary, ok bool, err error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return s, false, fmt.Errorf("read page %s: %w", path, err)
	}
	text := string(data)
	i := strings.Index(text, summaryOpen)
	if i < 0 {
		return s, false, nil
	}
	text = text[i+len(summaryOpen):]
	j := strings.Index(text, "</script>")
	if j < 0 {
		return s, false, fmt.Errorf("page %s: unterminated dl4go summary", path)
	}
	if err := json.Unmarshal([]byte(text[:j]), &s); err != nil {
		return s, false, fmt.Errorf("page %s: dl4go summary: %w", path, err)
	}
	return s, true, nil
}

// Site writes dir/index.html listing exactly the given pages, in the order
// given: each with its titles, pass/fail badge, metric, run time and a link.
// Of opts it uses CJKFont (for the Japanese titles).
func Site(dir string, pages []Summary, opts Options) error {
	esc := html.EscapeString
	var b strings.Builder
	b.WriteString("<header class=\"lesson\"><h1>dl4go lessons</h1>\n")
	pass, fail := 0, 0
	for _, p := range pages {
		if p.Result != nil && p.Executed {
			if p.Result.OK {
				pass++
			} else {
				fail++
			}
		}
	}
	fmt.Fprintf(&b, "<p class=\"site-totals\">%d lesson(s): %d passed, %d failed, %d without a result.</p>\n</header>\n",
		len(pages), pass, fail, len(pages)-pass-fail)
	b.WriteString("<main>\n<table class=\"lessons\">\n<thead><tr><th>Lesson</th><th>Result</th><th>Metric</th><th>Run time</th><th>Run</th></tr></thead>\n<tbody>\n")
	for _, p := range pages {
		title := p.Title
		if p.Lesson.ID != "" {
			title = p.Lesson.ID + " · " + title
		}
		b.WriteString("<tr class=\"lesson\">")
		fmt.Fprintf(&b, "<td class=\"title\"><a href=\"%s\">%s</a>", esc(p.Href), esc(title))
		if p.Lesson.TitleJa != "" {
			fmt.Fprintf(&b, "<br><span lang=\"ja\" class=\"title-ja\">%s</span>", esc(p.Lesson.TitleJa))
		}
		b.WriteString("</td>")
		fmt.Fprintf(&b, "<td class=\"badge-cell\">%s</td>", badge(p))
		metric := "—"
		if p.Result != nil {
			metric = fmt.Sprintf("%s = %s (threshold %s)", p.Result.Metric, p.Result.Value, p.Result.Threshold)
		}
		fmt.Fprintf(&b, "<td class=\"metric\">%s</td>", esc(metric))
		runTime, run := "—", "—"
		if p.Run != nil {
			if p.Run.DurationS > 0 {
				runTime = formatDuration(p.Run.DurationS)
			}
			run = runText(notebook.RunMeta{Backend: p.Run.Backend, Date: p.Run.Date, Quick: p.Run.Quick})
		}
		fmt.Fprintf(&b, "<td class=\"time\">%s</td><td class=\"run\">%s</td></tr>\n", esc(runTime), esc(run))
	}
	b.WriteString("</tbody>\n</table>\n</main>\n<footer>Built by dl4go export.</footer>\n")
	var fontCSS string
	if opts.CJKFont != nil {
		var err error
		if fontCSS, _, err = opts.CJKFont.fontFace(b.String()); err != nil {
			return err
		}
	}
	var page strings.Builder
	page.WriteString("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
	page.WriteString("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
	page.WriteString("<meta name=\"generator\" content=\"dl4go export\">\n<title>dl4go lessons</title>\n")
	page.WriteString("<style>\n" + fontCSS + pageCSS + "\n</style>\n</head>\n<body>\n")
	page.WriteString(b.String())
	page.WriteString("</body>\n</html>\n")
	return atomicfile.Write(filepath.Join(dir, IndexFile), []byte(page.String()), 0o644)
}

// BuildSite exports every notebook (*.ipynb) in dir to a page beside it
// (NAME.html), then writes dir/index.html listing those pages and any other
// dl4go page already in dir. A notebook that cannot be read stops it with
// that notebook's *notebook.FormatError. It returns the pages it indexed.
func BuildSite(dir string, opts Options) ([]Summary, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		reason := "cannot read directory"
		if errors.Is(err, os.ErrNotExist) {
			reason = "no such directory"
		}
		return nil, &notebook.FormatError{Path: dir, Reason: reason, Err: err}
	}
	var pages []Summary
	done := map[string]bool{}
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".ipynb") {
			continue
		}
		nbPath := filepath.Join(dir, e.Name())
		pageName := strings.TrimSuffix(e.Name(), ".ipynb") + ".html"
		s, err := ExportFile(nbPath, filepath.Join(dir, pageName), withIndex(opts, IndexFile))
		if err != nil {
			return nil, err
		}
		s.Href = pageName
		pages = append(pages, s)
		done[pageName] = true
	}
	for _, e := range entries {
		n := e.Name()
		if e.IsDir() || !strings.HasSuffix(n, ".html") || n == IndexFile || done[n] {
			continue
		}
		s, ok, err := ReadSummary(filepath.Join(dir, n))
		if err != nil {
			return nil, err
		}
		if ok {
			s.Href = n
			pages = append(pages, s)
		}
	}
	sort.SliceStable(pages, func(i, j int) bool {
		a, b := pages[i], pages[j]
		if a.Lesson.ID != b.Lesson.ID {
			return a.Lesson.ID < b.Lesson.ID
		}
		return a.Href < b.Href
	})
	if err := Site(dir, pages, opts); err != nil {
		return nil, err
	}
	return pages, nil
}

func withIndex(o Options, href string) Options {
	o.IndexHref = href
	return o
}

// ExportFile reads the notebook at nbPath and writes its page to pagePath
// (atomically). opts.Name defaults to the notebook's file name.
func ExportFile(nbPath, pagePath string, opts Options) (Summary, error) {
	nb, err := notebook.Read(nbPath)
	if err != nil {
		return Summary{}, err
	}
	if opts.Name == "" {
		opts.Name = filepath.Base(nbPath)
	}
	page, err := Page(nb, opts)
	if err != nil {
		return Summary{}, fmt.Errorf("export %s: %w", nbPath, err)
	}
	if err := atomicfile.Write(pagePath, page, 0o644); err != nil {
		return Summary{}, err
	}
	s := Summarize(nb, opts.Name)
	s.Href = filepath.Base(pagePath)
	return s, nil
}

// IsFormatError reports whether err is a bad-input error (missing or
// malformed notebook), which the CLI reports with exit status 2.
func IsFormatError(err error) bool {
	var fe *notebook.FormatError
	return errors.As(err, &fe)
}
