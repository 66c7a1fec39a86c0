package main

import (
	"fmt"
	"html"
	"os"
	"path/filepath"
	"strings"

	"github.com/dl4go/dl4go/notebook"
)

// writePage writes the HTML page of an executed notebook.
// TODO(lead): use package export once it lands.
func writePage(nb *notebook.Notebook, path string) error {
	var b strings.Builder
	b.WriteString("<!doctype html><meta charset=utf-8><title>" + html.EscapeString(nb.Lesson().Title) + "</title><body>")
	for _, c := range nb.Cells {
		fmt.Fprintf(&b, "<pre>%s</pre>\n", html.EscapeString(c.Source))
		for _, o := range c.Outputs {
			fmt.Fprintf(&b, "<pre>%s</pre>\n", html.EscapeString(o.Text+strings.Join(o.Traceback, "\n")))
		}
	}
	return notebook.WriteFileAtomic(path, []byte(b.String()), 0o644)
}

// writeSite writes an index of the pages.
func writeSite(dir string, pages []pageInfo) error {
	var b strings.Builder
	b.WriteString("<!doctype html><meta charset=utf-8><title>dl4go lessons</title><ul>")
	for _, p := range pages {
		fmt.Fprintf(&b, "<li><a href=%q>%s</a></li>", filepath.Base(p.htmlPath), html.EscapeString(p.nb.Lesson().Title))
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	return notebook.WriteFileAtomic(filepath.Join(dir, "index.html"), []byte(b.String()), 0o644)
}
