package export

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/dl4go/dl4go/notebook"
	"github.com/dl4go/dl4go/plotting"
)

func testCJKFont(t *testing.T) *CJKFont {
	t.Helper()
	f, err := LoadCJKFont(testAssetsDir(t, "noto-sans-jp"))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestNeedsCJK(t *testing.T) {
	for _, r := range "強化学習ようこそカタカナ（）「」、。・ｶ" {
		if !NeedsCJK(r) {
			t.Errorf("NeedsCJK(%q) = false", r)
		}
	}
	for _, r := range "AZaz09 -+×→αЖé€" {
		if NeedsCJK(r) {
			t.Errorf("NeedsCJK(%q) = true", r)
		}
	}
}

// TestFontSubsetExact checks that a page embeds the glyphs of exactly the
// Japanese characters it shows, and no font at all when it shows none.
func TestFontSubsetExact(t *testing.T) {
	f := testCJKFont(t)
	nb := sampleNotebook("")
	nb.Metadata["dl4go"].(map[string]any)["title_ja"] = "強化学習"
	nb.Cells = append(nb.Cells, &notebook.Cell{ID: "ja", CellType: notebook.Markdown, Source: "報酬（ほうしゅう）を最大に。😀"})
	page, err := Page(nb, Options{CJKFont: f})
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`unicode-range: ([^;]*);`).FindSubmatch(page)
	if m == nil {
		t.Fatal("no @font-face with a unicode-range in the page")
	}
	var got []string
	for _, r := range strings.Split(string(m[1]), ",") {
		var c rune
		fmt.Sscanf(r, "U+%X", &c)
		got = append(got, string(c))
	}
	// The emoji is wide but not in the font: left to the system.
	if want := string(cjkRunes("強化学習報酬（ほうしゅう）を最大に。")); strings.Join(got, "") != want {
		t.Errorf("unicode-range covers %q, want exactly %q", strings.Join(got, ""), want)
	}
	if len(page) > 1<<20 {
		t.Errorf("page with 16 Japanese characters is %d bytes", len(page))
	}
	latin := sampleNotebook("")
	delete(latin.Metadata["dl4go"].(map[string]any), "title_ja")
	plain, err := Page(latin, Options{CJKFont: f})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(plain), "@font-face { font-family: \""+CJKFamily) {
		t.Error("a page with no Japanese text embeds the Japanese font")
	}
}

// cjkProbe measures, once the page's Japanese font has loaded and the charts
// have taken it, how Japanese text renders: glyph pictures and widths in the
// page font and in plain sans-serif (on a machine without CJK fonts, the
// fallback boxes, "tofu"), the title's rendered width against a run of
// private-use characters (boxes for sure), and the chart canvas with and
// without the font.
const cjkProbe = `<script>
window.addEventListener("load", function () {
  function glyph(ch, family) {
    var c = document.createElement("canvas"); c.width = 48; c.height = 48;
    var g = c.getContext("2d"); g.font = "40px " + family; g.fillStyle = "#000"; g.textBaseline = "top";
    g.fillText(ch, 2, 2);
    return {png: c.toDataURL(), width: g.measureText(ch).width};
  }
  function spanWidth(text, css) {
    var s = document.createElement("span"); s.textContent = text; s.style.cssText = css;
    document.body.appendChild(s); var w = s.getBoundingClientRect().width; s.remove(); return w;
  }
  function chartPNG(el) {
    var c = echarts.getInstanceByDom(el); c.getZr().refreshImmediately();
    return el.querySelector("canvas").toDataURL();
  }
  var tries = 0;
  (function wait() {
    if (document.documentElement.getAttribute("data-dl4go-cjk") !== "ready" && tries++ < 100) { setTimeout(wait, 50); return; }
    var fam = '"` + CJKFamily + `", sans-serif', r = {ready: document.documentElement.getAttribute("data-dl4go-cjk")};
    r.loaded = document.fonts.check('16px "` + CJKFamily + `"', "強化学習");
    r.font = {}; r.tofu = {};
    "強化学".split("").forEach(function (ch) { r.font[ch] = glyph(ch, fam); r.tofu[ch] = glyph(ch, "sans-serif"); });
    var title = document.querySelector(".title-ja");
    r.titleText = title.textContent;
    var range = document.createRange(); range.selectNodeContents(title);
    r.titleWidth = range.getBoundingClientRect().width;
    r.titleTofuWidth = spanWidth("\uE000\uE001\uE002\uE003", "font-size:" + getComputedStyle(title).fontSize);
    var el = document.querySelector("[_echarts_instance_]");
    var ts = echarts.getInstanceByDom(el).getOption().textStyle; if (Array.isArray(ts)) ts = ts[0];
    r.chartFont = ts && ts.fontFamily;
    r.chartWithFont = chartPNG(el);
    echarts.getInstanceByDom(el).setOption({textStyle: {fontFamily: "sans-serif"}});
    r.chartWithout = chartPNG(el);
    var out = document.createElement("pre"); out.id = "probe-result"; out.textContent = JSON.stringify(r);
    document.body.appendChild(out);
  })();
});
</script>
`

type cjkGlyph struct {
	PNG   string  `json:"png"`
	Width float64 `json:"width"`
}

// TestBrowserJapanese opens a page with Japanese text and a chart with a
// Japanese title in headless Chromium on a machine without CJK fonts
// (fc-list :lang=ja is empty here and in CI) and requires real glyphs: every
// character draws a picture of its own, unlike the identical fallback boxes,
// the title is wider than as many boxes, and the chart canvas changes when
// it is given the font.
func TestBrowserJapanese(t *testing.T) {
	needChromium(t)
	if out, err := exec.Command("fc-list", ":lang=ja").Output(); err == nil && len(strings.TrimSpace(string(out))) > 0 {
		t.Logf("this machine has CJK fonts (fc-list :lang=ja):\n%s\nthe tofu comparison is weaker here", out)
	}
	f := testCJKFont(t)
	if _, err := plotting.LibraryJS(); err != nil {
		requireOrSkip(t, fmt.Sprintf("echarts library not available offline: %v", err))
	}
	chart, err := plotting.Line("報酬の推移", nil, []plotting.Series{{Name: "学習", Y: []float64{1, 3, 2, 5}}})
	if err != nil {
		t.Fatal(err)
	}
	ch, err := chart.HTML()
	if err != nil {
		t.Fatal(err)
	}
	nb := sampleNotebookWith(plotting.LibraryHTML(), []string{ch})
	nb.Metadata["dl4go"].(map[string]any)["title_ja"] = "強化学習"
	page, err := Page(nb, Options{CJKFont: f, ChartLibrary: plotting.LibraryHTML(), Name: "ja.ipynb"})
	if err != nil {
		t.Fatal(err)
	}
	var r struct {
		Ready          string              `json:"ready"`
		Loaded         bool                `json:"loaded"`
		Font           map[string]cjkGlyph `json:"font"`
		Tofu           map[string]cjkGlyph `json:"tofu"`
		TitleText      string              `json:"titleText"`
		TitleWidth     float64             `json:"titleWidth"`
		TitleTofuWidth float64             `json:"titleTofuWidth"`
		ChartFont      string              `json:"chartFont"`
		ChartWithFont  string              `json:"chartWithFont"`
		ChartWithout   string              `json:"chartWithout"`
	}
	if err := json.Unmarshal([]byte(probePage(t, page, cjkProbe)), &r); err != nil {
		t.Fatal(err)
	}
	if r.Ready != "ready" || !r.Loaded {
		t.Errorf("the Japanese font did not load (charts given the font: %q, document.fonts.check: %v)", r.Ready, r.Loaded)
	}
	t.Logf("glyph widths at 40px: font %v / %v / %v, tofu %v; title %q %.1fpx, four boxes %.1fpx",
		r.Font["強"].Width, r.Font["化"].Width, r.Font["学"].Width, r.Tofu["強"].Width, r.TitleText, r.TitleWidth, r.TitleTofuWidth)
	if r.Tofu["強"].PNG != r.Tofu["化"].PNG {
		t.Logf("without the font, 強 and 化 draw differently: this machine has a CJK font")
	}
	seen := map[string]string{}
	for ch, g := range r.Font {
		if g.Width <= 0 {
			t.Errorf("%s has width %v in the page font", ch, g.Width)
		}
		if g.PNG == r.Tofu[ch].PNG {
			t.Errorf("%s draws the same with the page font as with plain sans-serif (a fallback box)", ch)
		}
		if other, dup := seen[g.PNG]; dup {
			t.Errorf("%s and %s draw the same picture in the page font: boxes, not glyphs", ch, other)
		}
		seen[g.PNG] = ch
	}
	if r.TitleText != "強化学習" || r.TitleWidth <= 0 || r.TitleWidth == r.TitleTofuWidth {
		t.Errorf("title %q renders %.1fpx wide, four fallback boxes %.1fpx: want real glyphs", r.TitleText, r.TitleWidth, r.TitleTofuWidth)
	}
	if !strings.HasPrefix(r.ChartFont, `"`+CJKFamily+`"`) {
		t.Errorf("the chart's font family is %q, want the page's Japanese font first", r.ChartFont)
	}
	if r.ChartWithFont == r.ChartWithout {
		t.Error("the chart canvas is the same with and without the Japanese font: its Japanese title is not drawn with it")
	}
	if dir := os.Getenv("DL4GO_SCREENSHOT_DIR"); dir != "" {
		path := filepath.Join(dir, "japanese.html")
		if err := os.WriteFile(path, page, 0o644); err == nil {
			png := filepath.Join(dir, "japanese.png")
			out, err := exec.Command(chromiumPath, chromiumArgs(t.TempDir(), "--virtual-time-budget=5000",
				"--hide-scrollbars", "--window-size=1000,1400", "--screenshot="+png, "file://"+path)...).CombinedOutput()
			t.Logf("screenshot %s: %v %s", png, err, out)
		}
	}
}
