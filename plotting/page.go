package plotting

import (
	"fmt"
	"html"
	"io"
	"strings"
)

// WritePage writes a complete, self-contained HTML page holding items in
// order, with the echarts library included once in the head ([LibraryHTML]),
// so the page draws with no network when the library is in the cache.
func WritePage(w io.Writer, title string, items ...Fragment) error {
	var b strings.Builder
	b.WriteString("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>" + html.EscapeString(title) + "</title>\n")
	b.WriteString(LibraryHTML())
	b.WriteString("\n</head><body>\n<h1>" + html.EscapeString(title) + "</h1>\n")
	for i, it := range items {
		h, err := it.HTML()
		if err != nil {
			return fmt.Errorf("plotting.WritePage: item %d: %w", i, err)
		}
		b.WriteString("<div class=\"dl4go-item\">\n" + StripLibrary(h) + "\n</div>\n")
	}
	b.WriteString("</body></html>\n")
	_, err := io.WriteString(w, b.String())
	return err
}
