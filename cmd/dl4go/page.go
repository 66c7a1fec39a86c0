package main

import (
	"path/filepath"
	"strings"

	"github.com/dl4go/dl4go/export"
	"github.com/dl4go/dl4go/internal/atomicfile"
	"github.com/dl4go/dl4go/notebook"
)

// writePage writes the offline HTML page of an executed notebook.
func writePage(nb *notebook.Notebook, path string) error {
	opts := exportPageOptions()
	opts.Name = strings.TrimSuffix(filepath.Base(path), ".html")
	page, err := export.Page(nb, opts)
	if err != nil {
		return err
	}
	return atomicfile.Write(path, page, 0o644)
}

// writeSite writes dir/index.html listing the pages.
func writeSite(dir string, pages []pageInfo) error {
	var sums []export.Summary
	for _, p := range pages {
		s := export.Summarize(p.nb, strings.TrimSuffix(filepath.Base(p.htmlPath), ".html"))
		if rel, err := filepath.Rel(dir, p.htmlPath); err == nil {
			s.Href = filepath.ToSlash(rel)
		}
		sums = append(sums, s)
	}
	return export.Site(dir, sums, exportPageOptions())
}
