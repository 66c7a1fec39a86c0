package export

import (
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
)

// KaTeX holds what a page needs to render formulas offline: katex.min.js
// and katex.min.css with its fonts inlined as data: URIs.
type KaTeX struct {
	JS  string
	CSS string
}

var fontFaceSrc = regexp.MustCompile(`src:\s*url\(fonts/([A-Za-z0-9_-]+)\.woff2\)\s*format\("woff2"\)(\s*,\s*url\([^)]*\)\s*format\("[^"]*"\))*`)

// LoadKaTeX reads the npm katex package unpacked at dir (the directory that
// holds dist/, as assets.Ensure(ctx, "katex") returns it) and inlines the
// woff2 fonts into the CSS, so that a page needs no other file.
func LoadKaTeX(dir string) (*KaTeX, error) {
	dist := filepath.Join(dir, "dist")
	js, err := os.ReadFile(filepath.Join(dist, "katex.min.js"))
	if err != nil {
		return nil, fmt.Errorf("load KaTeX: %w", err)
	}
	css, err := os.ReadFile(filepath.Join(dist, "katex.min.css"))
	if err != nil {
		return nil, fmt.Errorf("load KaTeX: %w", err)
	}
	var loadErr error
	inlined := fontFaceSrc.ReplaceAllStringFunc(string(css), func(m string) string {
		name := fontFaceSrc.FindStringSubmatch(m)[1]
		font, err := os.ReadFile(filepath.Join(dist, "fonts", name+".woff2"))
		if err != nil {
			loadErr = err
			return m
		}
		return `src:url(data:font/woff2;base64,` + base64.StdEncoding.EncodeToString(font) + `) format("woff2")`
	})
	if loadErr != nil {
		return nil, fmt.Errorf("load KaTeX fonts: %w", loadErr)
	}
	if regexp.MustCompile(`url\(fonts/`).MatchString(inlined) {
		return nil, fmt.Errorf("load KaTeX: %s has font references this loader does not understand", filepath.Join(dist, "katex.min.css"))
	}
	return &KaTeX{JS: string(js), CSS: inlined}, nil
}
