package plotting

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// probeHead captures errors and installs a fake require.js AMD define, as in
// the classic Notebook, so the test proves the library still defines
// window.echarts.
const probeHead = `<script>
window.__errs=[];
window.addEventListener("error",function(e){window.__errs.push("error: "+(e.message||e.type)+" "+(e.filename||"")+":"+(e.lineno||""))},true);
(function(){var ce=console.error;console.error=function(){window.__errs.push("console.error: "+Array.prototype.join.call(arguments," "));ce.apply(console,arguments)}})();
window.define=function(){window.__amd_calls=(window.__amd_calls||0)+1};window.define.amd={};
</script>
`

// collectJS writes the drawing results into <pre id="dl4go-result"> after
// the charts had time to draw.
const collectJS = `<script>
setTimeout(function(){
var out={errors:window.__errs,charts:[],images:[],audio:[],echarts:!!window.echarts,amdCalls:window.__amd_calls||0,amdKept:typeof window.define==="function"&&!!window.define.amd};
document.querySelectorAll(".dl4go-chart").forEach(function(el){var ink=0,cv=el.querySelector("canvas");
if(cv){try{var d=cv.getContext("2d").getImageData(0,0,cv.width,cv.height).data;for(var i=3;i<d.length;i+=4)if(d[i]>0)ink++}catch(e){ink=-1;out.errors.push(String(e))}}
var clipped=[],inst=window.echarts&&window.echarts.getInstanceByDom&&window.echarts.getInstanceByDom(el);
if(inst){var W=inst.getWidth(),H=inst.getHeight();inst.getZr().storage.getDisplayList(true).forEach(function(e){
if(e.invisible||e.ignore||!e.style||typeof e.style.text!=="string"||!e.style.text.trim())return;var r=e.getBoundingRect().clone();if(e.transform)r.applyTransform(e.transform);
if(r.x<-0.5||r.y<-0.5||r.x+r.width>W+0.5||r.y+r.height>H+0.5)clipped.push(e.style.text+" @"+Math.round(r.x)+","+Math.round(r.y)+" "+Math.round(r.width)+"x"+Math.round(r.height))})}
out.charts.push({id:el.id,drawn:el.getAttribute("data-dl4go-drawn")==="1",ink:ink,text:el.textContent.slice(0,120),clipped:clipped})});
document.querySelectorAll("img.dl4go-picture").forEach(function(im){out.images.push({w:im.naturalWidth,ok:im.complete})});
document.querySelectorAll("audio").forEach(function(a){out.audio.push({err:a.error?a.error.code:0,ready:a.readyState,dur:a.duration})});
var pre=document.createElement("pre");pre.id="dl4go-result";pre.textContent=JSON.stringify(out);document.body.appendChild(pre);
},8000);
</script>
`

// notebookRenderJS re-creates a saved notebook's outputs the way Jupyter
// does on reopening: each output's HTML is inserted and its scripts are
// re-created so that they run, in document order.
const notebookRenderJS = `<script>
(function(){var outs=JSON.parse(document.getElementById("outputs").textContent);var area=document.getElementById("area");
outs.forEach(function(h){var div=document.createElement("div");div.className="output_html";div.innerHTML=h;area.appendChild(div);
div.querySelectorAll("script").forEach(function(old){var s=document.createElement("script");for(var i=0;i<old.attributes.length;i++)s.setAttribute(old.attributes[i].name,old.attributes[i].value);s.text=old.text;old.parentNode.replaceChild(s,old)})})})();
</script>
`

type browserResult struct {
	Errors   []string `json:"errors"`
	Echarts  bool     `json:"echarts"`
	AMDCalls int      `json:"amdCalls"`
	AMDKept  bool     `json:"amdKept"`
	Charts   []struct {
		ID    string `json:"id"`
		Drawn bool   `json:"drawn"`
		Ink   int    `json:"ink"`
		Text  string `json:"text"`
		// Clipped lists the chart's texts (axis names, labels, titles) that
		// do not fit inside its canvas.
		Clipped []string `json:"clipped"`
	} `json:"charts"`
	Images []struct {
		W  int  `json:"w"`
		OK bool `json:"ok"`
	} `json:"images"`
	Audio []struct {
		Err   int     `json:"err"`
		Ready int     `json:"ready"`
		Dur   float64 `json:"dur"`
	} `json:"audio"`
}

func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, p := range []string{os.Getenv("DL4GO_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if p == "" {
			continue
		}
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	msg := "!!! chromium not found: SKIPPING the browser test of plotting (install Debian chromium or set DL4GO_CHROMIUM) !!!"
	if os.Getenv("DL4GO_REQUIRE_JUPYTER") == "1" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// runChromium loads url in headless chromium with every host but 127.0.0.1
// unresolvable, and returns the dumped DOM (or takes a screenshot).
func runChromium(t *testing.T, bin, profile, url, screenshot string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	args := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
		"--disable-component-update", "--disable-sync", "--no-first-run", "--disable-extensions",
		"--user-data-dir=" + profile,
		"--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
		"--virtual-time-budget=15000"}
	if screenshot != "" {
		args = append(args, "--window-size=1000,6000", "--hide-scrollbars", "--screenshot="+screenshot, url)
	} else {
		args = append(args, "--dump-dom", url)
	}
	cmd := exec.CommandContext(ctx, bin, args...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium %s: %v\n%s", url, err, stderr.String())
	}
	return string(out)
}

var resultRE = regexp.MustCompile(`(?s)<pre id="dl4go-result">(.*?)</pre>`)

func parseResult(t *testing.T, dom string) browserResult {
	t.Helper()
	m := resultRE.FindStringSubmatch(dom)
	if m == nil {
		t.Fatalf("no result in the page (scripts did not run?):\n%.2000s", dom)
	}
	var r browserResult
	if err := json.Unmarshal([]byte(html.UnescapeString(m[1])), &r); err != nil {
		t.Fatalf("result %q: %v", m[1], err)
	}
	return r
}

// browserItems is one of each chart kind, plus a picture and a sound.
func browserItems(t *testing.T) []Fragment {
	t.Helper()
	cs, err := sampleCharts()
	if err != nil {
		t.Fatal(err)
	}
	var items []Fragment
	for _, k := range []string{"line", "scatter", "bar", "heatmap", "prcurve", "tree", "graph", "histogram"} {
		items = append(items, cs[k])
	}
	l := NewLive("live", 20, "loss").SetOutput(new(strings.Builder))
	for s := 1; s <= 20; s++ {
		l.Update(s, map[string]float64{"loss": 1 / float64(s)})
	}
	items = append(items, l.Done())
	digits := make([][]float32, 6)
	for i := range digits {
		digits[i] = make([]float32, 28*28)
		for j := range digits[i] {
			digits[i][j] = float32((j/28+j%28+i*5)%28) / 27
		}
	}
	pic, err := ImageGrid(digits, 28, 28, PicCaptions([]string{"0", "1", "2", "3", "4", "5"}))
	if err != nil {
		t.Fatal(err)
	}
	items = append(items, pic)
	board := make([]int, 25)
	board[6], board[12], board[18] = 1, -1, 1
	probs := make([]float64, 26)
	for i := range probs {
		probs[i] = float64(i%7) / 21
	}
	gb, err := GoBoard(5, board, probs)
	if err != nil {
		t.Fatal(err)
	}
	items = append(items, gb)
	wave := make([]float32, 8000)
	for i := range wave {
		wave[i] = float32(0.3 * math.Sin(2*math.Pi*440*float64(i)/8000))
	}
	snd, err := Audio(wave, 8000)
	if err != nil {
		t.Fatal(err)
	}
	items = append(items, snd)
	return items
}

func TestBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	bin := chromiumPath(t)
	if _, err := LibraryJS(); err != nil {
		msg := fmt.Sprintf("!!! echarts library unavailable (%v): SKIPPING the browser test; run `dl4go install` or set %s !!!", err, "DL4GO_ASSETS_DIR")
		if os.Getenv("DL4GO_REQUIRE_JUPYTER") == "1" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	deterministicIDs(t)
	items := browserItems(t)
	var frags []string
	nCharts := 0
	for _, it := range items {
		h, err := it.HTML()
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := it.(*Chart); ok {
			nCharts++
		}
		frags = append(frags, h)
	}
	// Page 1, as exported: library once in the head, then every item.
	var page strings.Builder
	if err := WritePage(&page, "dl4go plotting", items...); err != nil {
		t.Fatal(err)
	}
	exported := strings.Replace(page.String(), "<meta charset=\"utf-8\">", "<meta charset=\"utf-8\">"+probeHead, 1)
	// The library itself contains "</body>" in a string: insert before the last one.
	k := strings.LastIndex(exported, "</body>")
	exported = exported[:k] + collectJS + exported[k:]
	// Page 2, a saved notebook reopened: outputs in cell order, the library
	// carried by the output of a later cell (cells run out of order).
	outs := append([]string{}, frags[:3]...)
	outs = append(outs, LibraryHTML())
	outs = append(outs, frags[3:]...)
	outsJSON, _ := json.Marshal(outs)
	reload := "<!DOCTYPE html><html><head><meta charset=\"utf-8\">" + probeHead + "</head><body><div id=\"area\"></div>" +
		"<script type=\"application/json\" id=\"outputs\">" + strings.ReplaceAll(string(outsJSON), "</", `<\/`) + "</script>" +
		notebookRenderJS + collectJS + "</body></html>"
	// Page 3: charts whose library output is gone.
	nolib := "<!DOCTYPE html><html><head><meta charset=\"utf-8\">" + probeHead + "</head><body>" +
		strings.Join(frags[:2], "\n") + collectJS + "</body></html>"
	pages := map[string]string{"/export.html": exported, "/reload.html": reload, "/nolib.html": nolib}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, ok := pages[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(p))
	}))
	defer srv.Close()
	if !strings.HasPrefix(srv.URL, "http://127.0.0.1:") {
		t.Fatalf("server not on 127.0.0.1: %s", srv.URL)
	}
	tmp := t.TempDir()
	check := func(name string, r browserResult, wantCharts int) {
		t.Helper()
		if len(r.Errors) > 0 {
			t.Errorf("%s: console errors: %q", name, r.Errors)
		}
		if !r.Echarts {
			t.Errorf("%s: window.echarts undefined", name)
		}
		if !r.AMDKept || r.AMDCalls != 0 {
			t.Errorf("%s: AMD define kept=%v, called %d times (want kept, 0 calls)", name, r.AMDKept, r.AMDCalls)
		}
		if len(r.Charts) != wantCharts {
			t.Errorf("%s: %d charts in the page, want %d", name, len(r.Charts), wantCharts)
		}
		for _, c := range r.Charts {
			if !c.Drawn || c.Ink < 1000 {
				t.Errorf("%s: chart %s not drawn (drawn=%v, %d inked pixels, text %q)", name, c.ID, c.Drawn, c.Ink, c.Text)
			}
			if len(c.Clipped) > 0 {
				t.Errorf("%s: chart %s draws text outside its canvas (cut off): %q", name, c.ID, c.Clipped)
			}
		}
	}
	profile := filepath.Join(tmp, "profile")
	dom := runChromium(t, bin, profile, srv.URL+"/export.html", "")
	if d := os.Getenv("DL4GO_DUMP"); d != "" {
		_ = os.WriteFile(d, []byte(dom), 0o644)
		_ = os.WriteFile(d+".src.html", []byte(exported), 0o644)
	}
	r := parseResult(t, dom)
	check("exported page", r, nCharts)
	if len(r.Images) != 2 || r.Images[0].W == 0 || r.Images[1].W == 0 {
		t.Errorf("exported page: pictures %+v", r.Images)
	}
	if len(r.Audio) != 1 || r.Audio[0].Err != 0 {
		t.Errorf("exported page: audio %+v", r.Audio)
	}
	t.Logf("exported page: %d charts drawn, %d pictures, audio %+v", len(r.Charts), len(r.Images), r.Audio)

	r = parseResult(t, runChromium(t, bin, filepath.Join(tmp, "profile2"), srv.URL+"/reload.html", ""))
	check("reloaded notebook", r, nCharts)

	// Same browser profile as the exported page: the library comes back from
	// localStorage although no output carries it.
	r = parseResult(t, runChromium(t, bin, profile, srv.URL+"/nolib.html", ""))
	check("library from localStorage", r, 2)

	// Fresh profile, no library, no network: a visible message, no drawing.
	r = parseResult(t, runChromium(t, bin, filepath.Join(tmp, "profile3"), srv.URL+"/nolib.html", ""))
	for _, c := range r.Charts {
		if c.Drawn || !strings.Contains(c.Text, "echarts library missing") {
			t.Errorf("no library: chart %s drawn=%v text %q, want the missing-library message", c.ID, c.Drawn, c.Text)
		}
	}
	if r.Echarts {
		t.Errorf("no library: window.echarts defined, but nothing should have provided it")
	}

	if dir := os.Getenv("DL4GO_SCREENSHOT_DIR"); dir != "" {
		for _, p := range []string{"export", "reload"} {
			shot := filepath.Join(dir, p+".png")
			runChromium(t, bin, filepath.Join(tmp, "shot-"+p), srv.URL+"/"+p+".html", shot)
			t.Logf("screenshot: %s", shot)
		}
	}
}
