package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/dl4go/dl4go/assets"
	"github.com/dl4go/dl4go/export"
	"github.com/dl4go/dl4go/notebook"
	"github.com/dl4go/dl4go/plotting"
)

func init() {
	register("export", "export executed notebooks to self-contained offline HTML pages (--site DIR: and an index)", exportCommand)
}

// exportCommand implements
//
//	dl4go export [--out DIR] NOTEBOOK.ipynb ...
//	dl4go export --site DIR [NOTEBOOK.ipynb ...]
//
// The first writes NAME.html beside each notebook (or into --out). The
// second exports the given notebooks into DIR, then every notebook in DIR,
// and writes DIR/index.html listing exactly the lessons there. A missing or
// malformed notebook is reported on one line naming it, with exit status 2.
func exportCommand(args []string) int {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	out := fs.String("out", "", "write the pages into `DIR` (default: beside each notebook)")
	site := fs.String("site", "", "export the notebooks in `DIR` and write DIR/index.html")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: dl4go export [--out DIR] NOTEBOOK.ipynb ...\n       dl4go export --site DIR [NOTEBOOK.ipynb ...]")
		fs.PrintDefaults()
	}
	if status, ok := parseFlags(fs, args); !ok {
		return status
	}
	if *site == "" && fs.NArg() == 0 {
		fs.Usage()
		return 2
	}
	dir := *out
	if *site != "" {
		if dir != "" && filepath.Clean(dir) != filepath.Clean(*site) {
			return fail(2, "export: --out and --site name different directories; with --site the pages go into the site directory")
		}
		dir = *site
	}
	if dir != "" && fs.NArg() > 0 {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fail(1, "export: %v", err)
		}
	}
	opts := exportPageOptions()
	status := 0
	for _, nbPath := range fs.Args() {
		pageDir := dir
		if pageDir == "" {
			pageDir = filepath.Dir(nbPath)
		}
		base := strings.TrimSuffix(filepath.Base(nbPath), filepath.Ext(nbPath))
		pagePath := filepath.Join(pageDir, base+".html")
		o := opts
		if *site != "" {
			o.IndexHref = export.IndexFile
			// The site index is built from the notebooks in DIR: keep a copy there.
			if err := copyInto(nbPath, filepath.Join(dir, base+".ipynb")); err != nil {
				status = max(status, exitStatus(err))
				fail(exitStatus(err), "%v", err)
				continue
			}
		}
		if _, err := export.ExportFile(nbPath, pagePath, o); err != nil {
			status = max(status, exitStatus(err))
			fail(exitStatus(err), "%v", err)
			continue
		}
		fmt.Printf("wrote %s\n", pagePath)
	}
	if *site != "" && status == 0 {
		pages, err := export.BuildSite(*site, opts)
		if err != nil {
			return fail(exitStatus(err), "%v", err)
		}
		fmt.Printf("wrote %s (%d lesson(s))\n", filepath.Join(*site, export.IndexFile), len(pages))
	}
	return status
}

// exitStatus is 2 for bad input (a missing or malformed notebook), else 1.
func exitStatus(err error) int {
	if export.IsFormatError(err) {
		return 2
	}
	return 1
}

// copyInto copies the notebook src to dst unless they are the same file.
// src must parse as a notebook.
func copyInto(src, dst string) error {
	a, _ := filepath.Abs(src)
	b, _ := filepath.Abs(dst)
	if a == b {
		return nil
	}
	nb, err := notebook.Read(src)
	if err != nil {
		return err
	}
	return nb.WriteFile(dst)
}

var (
	exportOptsOnce sync.Once
	exportOpts     export.Options
)

// exportPageOptions returns the options every exported page uses: KaTeX for
// formulas, the Japanese font for Japanese text and the echarts library for
// charts, all from the offline assets (fetched into the user cache by `dl4go
// install`, or now if missing). A missing asset is reported once on stderr;
// pages still open offline (formulas then show as TeX source).
func exportPageOptions() export.Options {
	exportOptsOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
		defer cancel()
		if dir, err := assets.Ensure(ctx, "katex"); err != nil {
			fmt.Fprintf(os.Stderr, "dl4go: warning: KaTeX not available offline (%v); formulas are shown as TeX source (run `dl4go install`)\n", err)
		} else if k, err := export.LoadKaTeX(dir); err != nil {
			fmt.Fprintf(os.Stderr, "dl4go: warning: %v; formulas are shown as TeX source\n", err)
		} else {
			exportOpts.KaTeX = k
		}
		if dir, err := assets.Ensure(ctx, "noto-sans-jp"); err != nil {
			fmt.Fprintf(os.Stderr, "dl4go: warning: the Japanese font is not available offline (%v); Japanese text needs a CJK font on the reader's machine (run `dl4go install`)\n", err)
		} else if f, err := export.LoadCJKFont(dir); err != nil {
			fmt.Fprintf(os.Stderr, "dl4go: warning: %v; Japanese text needs a CJK font on the reader's machine\n", err)
		} else {
			exportOpts.CJKFont = f
		}
		if _, err := plotting.LibraryJS(); err != nil {
			fmt.Fprintf(os.Stderr, "dl4go: warning: echarts not available offline (%v); charts draw only from a library copy the notebook carries (run `dl4go install`)\n", err)
		} else {
			exportOpts.ChartLibrary = plotting.LibraryHTML()
		}
	})
	return exportOpts
}
