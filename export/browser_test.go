package export

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/dl4go/dl4go/plotting"
)

const chromiumPath = "/usr/bin/chromium"

// chromiumArgs keeps the browser off the network and away from the user's profile.
func chromiumArgs(profile string, extra ...string) []string {
	return append([]string{"--headless", "--no-sandbox", "--disable-gpu",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--no-first-run", "--disable-default-apps", "--disable-extensions",
		"--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>",
		"--user-data-dir=" + profile}, extra...)
}

func needChromium(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		requireOrSkip(t, "browser test needs Debian's chromium at "+chromiumPath+" (apt install chromium)")
	}
}

// probeHead goes first in the page under test: it records errors, console
// errors, alerts and any attempt to reach the network (the CSP allows only
// inline code and data: URIs).
const probeHead = `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; font-src data:; media-src data:">
<script>
window.__probe = {errors: [], alerts: []};
window.addEventListener("error", function (e) { __probe.errors.push("error: " + e.message); });
window.addEventListener("unhandledrejection", function (e) { __probe.errors.push("rejection: " + e.reason); });
document.addEventListener("securitypolicyviolation", function (e) { __probe.errors.push("network/CSP: " + e.violatedDirective + " " + e.blockedURI); });
(function () { var ce = console.error; console.error = function () { __probe.errors.push("console.error: " + Array.prototype.join.call(arguments, " ")); ce.apply(console, arguments); }; })();
window.alert = function (m) { __probe.alerts.push(String(m)); };
</script>
`

// probeTail runs after the page has settled and writes its findings into
// <pre id="probe-result">, read back from --dump-dom.
const probeTail = `<script>
window.addEventListener("load", function () { setTimeout(function () {
  var r = window.__probe;
  r.mathSpans = document.querySelectorAll("span.math").length;
  r.mathUnrendered = Array.prototype.filter.call(document.querySelectorAll("span.math"), function (el) { return !el.querySelector(".katex"); }).length;
  var texts = [];
  document.querySelectorAll(".cell.markdown, .intro, .outputs .markdown").forEach(function (el) {
    var c = el.cloneNode(true);
    c.querySelectorAll("code, pre, .katex").forEach(function (x) { x.remove(); });
    texts.push(c.textContent);
  });
  r.markdownText = texts.join("\n");
  var imgs = document.querySelectorAll("img");
  r.images = imgs.length;
  r.imagesLoaded = Array.prototype.filter.call(imgs, function (i) { return i.complete && i.naturalWidth > 0; }).length;
  var charts = document.querySelectorAll(".dl4go-chart");
  r.charts = charts.length;
  r.chartsDrawn = Array.prototype.filter.call(charts, function (c) { return c.getAttribute("data-dl4go-drawn") === "1" && c.querySelector("canvas"); }).length;
  r.audio = document.querySelectorAll("audio").length;
  r.streamText = Array.prototype.map.call(document.querySelectorAll("pre.stream"), function (p) { return p.textContent; }).join("\n");
  var out = document.createElement("pre"); out.id = "probe-result"; out.textContent = JSON.stringify(r);
  document.body.appendChild(out);
}, 5000); });
</script>
`

type probeResult struct {
	Errors         []string `json:"errors"`
	Alerts         []string `json:"alerts"`
	MathSpans      int      `json:"mathSpans"`
	MathUnrendered int      `json:"mathUnrendered"`
	MarkdownText   string   `json:"markdownText"`
	Images         int      `json:"images"`
	ImagesLoaded   int      `json:"imagesLoaded"`
	Charts         int      `json:"charts"`
	ChartsDrawn    int      `json:"chartsDrawn"`
	Audio          int      `json:"audio"`
	StreamText     string   `json:"streamText"`
}

var probeRe = regexp.MustCompile(`(?s)<pre id="probe-result">(.*?)</pre>`)

// runInBrowser opens page (with the probe) from file:// and returns the probe's findings.
func runInBrowser(t *testing.T, page []byte) probeResult {
	t.Helper()
	var r probeResult
	if err := json.Unmarshal([]byte(probePage(t, page, probeTail)), &r); err != nil {
		t.Fatalf("probe result: %v", err)
	}
	return r
}

// probePage opens page with probe (a script that appends <pre
// id="probe-result">JSON</pre> to the body) inserted before </body>, under
// the same offline CSP as runInBrowser, and returns the JSON.
func probePage(t *testing.T, page []byte, probe string) string {
	t.Helper()
	dir := t.TempDir()
	s := strings.Replace(string(page), "<head>\n", "<head>\n"+probeHead, 1)
	if i := strings.LastIndex(s, "</body>"); i >= 0 {
		s = s[:i] + probe + s[i:]
	}
	path := filepath.Join(dir, "page.html")
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, chromiumPath, chromiumArgs(filepath.Join(dir, "profile"),
		"--virtual-time-budget=15000", "--dump-dom", "file://"+path)...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium: %v\n%s", err, stderr.String())
	}
	m := probeRe.FindSubmatch(out)
	if m == nil {
		t.Fatalf("no probe result in the DOM; chromium said:\n%s", stderr.String())
	}
	return html.UnescapeString(string(m[1]))
}

// realCharts returns plotting's library HTML and three real chart fragments.
func realCharts(t *testing.T) (string, []string) {
	t.Helper()
	if _, err := plotting.LibraryJS(); err != nil {
		requireOrSkip(t, fmt.Sprintf("echarts library not available offline: %v", err))
	}
	var charts []string
	for i := 1; i <= 3; i++ {
		c, err := plotting.Line(fmt.Sprintf("loss %d", i), nil, []plotting.Series{{Name: "train", Y: []float64{3, 2, 1.5, 1.2, float64(i)}}})
		if err != nil {
			t.Fatal(err)
		}
		h, err := c.HTML()
		if err != nil {
			t.Fatal(err)
		}
		charts = append(charts, h)
	}
	return plotting.LibraryHTML(), charts
}

var rawMath = regexp.MustCompile(`\$\$|\$[^\s$][^$]*?[^\s$\\]\$[^0-9]`)

func TestBrowserPage(t *testing.T) {
	needChromium(t)
	k := testKaTeX(t)
	lib, charts := realCharts(t)
	// As in a notebook: the library is an output before the first chart,
	// and a re-run cell sent it again.
	nb := sampleNotebookWith(lib, append(charts, lib))
	page, err := Page(nb, Options{KaTeX: k, ChartLibrary: lib, Name: "07-rl.ipynb"})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("page: %d bytes with %d charts", len(page), len(charts))
	if len(page) > 3<<20 {
		t.Errorf("page is %d bytes, want ≤ 3 MiB", len(page))
	}
	r := runInBrowser(t, page)
	if len(r.Errors) > 0 {
		t.Errorf("errors in the browser: %q", r.Errors)
	}
	if len(r.Alerts) > 0 {
		t.Errorf("scripts from text ran: alerts %q", r.Alerts)
	}
	if r.MathSpans < 5 || r.MathUnrendered != 0 {
		t.Errorf("math: %d formulas, %d not rendered by KaTeX", r.MathSpans, r.MathUnrendered)
	}
	if m := rawMath.FindString(r.MarkdownText + " "); m != "" {
		t.Errorf("raw TeX left in the text: %q in\n%s", m, r.MarkdownText)
	}
	if r.Images != 3 || r.ImagesLoaded != r.Images { // PNG, JPEG, SVG
		t.Errorf("images: %d loaded of %d, want 3", r.ImagesLoaded, r.Images)
	}
	if r.Charts != 3 || r.ChartsDrawn != 3 {
		t.Errorf("charts: %d drawn of %d, want 3", r.ChartsDrawn, r.Charts)
	}
	if r.Audio != 1 {
		t.Errorf("%d audio players, want 1", r.Audio)
	}
	if !strings.Contains(r.StreamText, xssText) {
		t.Errorf("the XSS sample is not shown as text: %q", r.StreamText)
	}
}

func TestBrowserNoMathAssets(t *testing.T) {
	// Without KaTeX or a chart library the page still opens cleanly offline:
	// formulas show as TeX, nothing errors.
	needChromium(t)
	nb := sampleNotebook("")
	nb.Cells = append(nb.Cells[:4], nb.Cells[5:]...) // no charts: they would need the library
	page, err := Page(nb, Options{})
	if err != nil {
		t.Fatal(err)
	}
	r := runInBrowser(t, page)
	if len(r.Errors) > 0 || len(r.Alerts) > 0 {
		t.Errorf("errors %q alerts %q", r.Errors, r.Alerts)
	}
	if r.MathSpans == 0 || r.ImagesLoaded != 3 {
		t.Errorf("math spans %d, images loaded %d", r.MathSpans, r.ImagesLoaded)
	}
}

// TestScreenshot writes a screenshot of the sample page when
// DL4GO_SCREENSHOT_DIR is set (for a person to look at).
func TestScreenshot(t *testing.T) {
	out := os.Getenv("DL4GO_SCREENSHOT_DIR")
	if out == "" {
		t.Skip("set DL4GO_SCREENSHOT_DIR to write screenshots of the sample page")
	}
	needChromium(t)
	lib, charts := realCharts(t)
	page, err := Page(sampleNotebookWith(lib, charts), Options{KaTeX: testKaTeX(t), ChartLibrary: lib, Name: "07-rl.ipynb", IndexHref: "index.html"})
	if err != nil {
		t.Fatal(err)
	}
	pagePath := filepath.Join(out, "sample.html")
	if err := os.WriteFile(pagePath, page, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, size := range []string{"1200,4200", "390,2400"} {
		png := filepath.Join(out, "sample-"+strings.Split(size, ",")[0]+".png")
		cmd := exec.Command(chromiumPath, chromiumArgs(t.TempDir(), "--virtual-time-budget=5000",
			"--hide-scrollbars", "--window-size="+size, "--screenshot="+png, "file://"+pagePath)...)
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("screenshot: %v\n%s", err, b)
		}
		t.Logf("wrote %s", png)
	}
}

// TestBrowserPagesInDir opens every exported page in $DL4GO_BROWSER_PAGES
// (e.g. the --out directory of `dl4go run`) and checks what a reader needs:
// no errors and no network, every chart drawn, every formula rendered,
// every image loaded.
func TestBrowserPagesInDir(t *testing.T) {
	dir := os.Getenv("DL4GO_BROWSER_PAGES")
	if dir == "" {
		t.Skip("set DL4GO_BROWSER_PAGES=DIR to check the exported pages in DIR")
	}
	needChromium(t)
	pages, _ := filepath.Glob(filepath.Join(dir, "*.html"))
	n := 0
	for _, p := range pages {
		if filepath.Base(p) == IndexFile {
			continue
		}
		n++
		t.Run(filepath.Base(p), func(t *testing.T) {
			page, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			r := runInBrowser(t, page)
			t.Logf("%d bytes; charts %d/%d drawn, math %d (%d unrendered), images %d/%d, audio %d",
				len(page), r.ChartsDrawn, r.Charts, r.MathSpans, r.MathUnrendered, r.ImagesLoaded, r.Images, r.Audio)
			if len(r.Errors)+len(r.Alerts) > 0 {
				t.Errorf("errors %q alerts %q", r.Errors, r.Alerts)
			}
			if r.ChartsDrawn != r.Charts || r.MathUnrendered != 0 || r.ImagesLoaded != r.Images {
				t.Error("something is not drawn")
			}
			if m := rawMath.FindString(r.MarkdownText + " "); m != "" {
				t.Errorf("raw TeX left: %q", m)
			}
			if len(page) > 3<<20 {
				t.Errorf("page is %d bytes, want ≤ 3 MiB", len(page))
			}
		})
	}
	if n == 0 {
		t.Errorf("no pages in %s", dir)
	}
}
