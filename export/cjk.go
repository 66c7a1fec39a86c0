package export

import (
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/tdewolff/font"
	"golang.org/x/text/width"
)

// CJKFamily is the CSS font family of the Japanese font subset a page embeds.
// The page's font stacks name it first: its unicode-range holds only the
// characters of the page that need it, so other text keeps the usual fonts.
const CJKFamily = "dl4go-ja"

// CJKFont is a Japanese font (Noto Sans JP) that pages embed a subset of,
// with exactly the characters of their text that need it (kana, kanji,
// CJK punctuation and full-width forms), so that Japanese renders on a
// machine with no CJK font at all — in the page text and in the charts'
// canvases. Load it with LoadCJKFont.
type CJKFont struct {
	sfnt []byte // the whole font as TrueType
}

// LoadCJKFont reads the Japanese font of the npm package @fontsource/noto-sans-jp
// unpacked at dir (as assets.Ensure(ctx, "noto-sans-jp") returns it).
func LoadCJKFont(dir string) (*CJKFont, error) {
	path := filepath.Join(dir, "files", "noto-sans-jp-japanese-400-normal.woff2")
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load the Japanese font: %w", err)
	}
	f, err := ParseCJKFont(data)
	if err != nil {
		return nil, fmt.Errorf("load the Japanese font %s: %w", path, err)
	}
	return f, nil
}

// ParseCJKFont reads a font file (WOFF2, WOFF, TrueType or OpenType).
func ParseCJKFont(data []byte) (*CJKFont, error) {
	sfnt, err := font.ToSFNT(data)
	if err != nil {
		return nil, err
	}
	if _, err := font.ParseSFNT(sfnt, 0); err != nil {
		return nil, err
	}
	return &CJKFont{sfnt: sfnt}, nil
}

// NeedsCJK reports whether a page draws r with the CJK font: East Asian wide,
// full-width and half-width characters (kana, kanji, CJK punctuation,
// full-width forms, half-width katakana).
func NeedsCJK(r rune) bool {
	switch width.LookupRune(r).Kind() {
	case width.EastAsianWide, width.EastAsianFullwidth, width.EastAsianHalfwidth:
		return r > 0x7f
	}
	return false
}

// cjkRunes returns the distinct runes of texts that need the CJK font, sorted.
func cjkRunes(texts ...string) []rune {
	seen := map[rune]bool{}
	var rs []rune
	for _, t := range texts {
		for _, r := range t {
			if !seen[r] && NeedsCJK(r) {
				seen[r] = true
				rs = append(rs, r)
			}
		}
	}
	slices.Sort(rs)
	return rs
}

// fontFace returns a CSS @font-face rule for CJKFamily that embeds (as a
// WOFF2 data: URI) the glyphs of the runes of texts that need the CJK font
// and the font has, and those runes as a string; "" when there are none.
// Runes the font lacks (emoji, rare kanji) are left to the system's fonts.
func (f *CJKFont) fontFace(texts ...string) (css, chars string, err error) {
	// Parse afresh: font.(*SFNT).Subset writes into the table it copies from.
	sf, err := font.ParseSFNT(f.sfnt, 0)
	if err != nil {
		return "", "", fmt.Errorf("Japanese font: %w", err)
	}
	ids := []uint16{0} // .notdef first, as a font must have
	var have []rune
	for _, r := range cjkRunes(texts...) {
		if g := sf.GlyphIndex(r); g != 0 {
			ids = append(ids, g)
			have = append(have, r)
		}
	}
	if len(have) == 0 {
		return "", "", nil
	}
	ids = slices.Compact(ids) // two runes may share a glyph; Subset wants each once
	sub, err := sf.Subset(ids, font.SubsetOptions{Tables: font.KeepMinTables})
	if err != nil {
		return "", "", fmt.Errorf("subset the Japanese font: %w", err)
	}
	woff2, err := sub.WriteWOFF2()
	if err != nil {
		return "", "", fmt.Errorf("subset the Japanese font: %w", err)
	}
	var ranges []string
	for _, r := range have {
		ranges = append(ranges, fmt.Sprintf("U+%X", r))
	}
	css = fmt.Sprintf("@font-face { font-family: %q; font-style: normal; font-weight: 100 900; font-display: block;\n"+
		"  src: url(data:font/woff2;base64,%s) format(\"woff2\");\n  unicode-range: %s; }\n",
		CJKFamily, base64.StdEncoding.EncodeToString(woff2), strings.Join(ranges, ","))
	return css, string(have), nil
}

// cjkChartsJS gives every chart of the page the CJK family once the font is
// loaded: echarts draws text on a canvas, which uses only the fonts it names
// and does not redraw when a web font arrives. %s is the page's CJK
// characters as a JavaScript string.
const cjkChartsJS = `(function () {
  var fam = '"` + CJKFamily + `", system-ui, -apple-system, "Segoe UI", sans-serif';
  function apply() {
    if (!window.echarts) return;
    document.querySelectorAll("[_echarts_instance_]").forEach(function (el) {
      var c = echarts.getInstanceByDom(el);
      if (c) c.setOption({textStyle: {fontFamily: fam}});
    });
    document.documentElement.setAttribute("data-dl4go-cjk", "ready");
  }
  if (document.fonts && document.fonts.load) {
    document.fonts.load('16px "` + CJKFamily + `"', %s).then(apply, apply);
  } else {
    apply();
  }
})();`
