package plotting

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/dl4go/dl4go/assets"
)

// EchartsVersion is the pinned echarts version charts are drawn with.
const EchartsVersion = "5.6.0"

// CDNURL is where charts load echarts from when the library is not in the
// local cache (see package assets).
const CDNURL = "https://cdn.jsdelivr.net/npm/echarts@" + EchartsVersion + "/dist/echarts.min.js"

// LibraryAttr is the attribute that marks the script element carrying (or
// loading) the echarts library; see [StripLibrary].
const LibraryAttr = `data-dl4go-lib="echarts"`

// storageKey is the browser localStorage key of the library copy.
const storageKey = "dl4go-echarts-" + EchartsVersion

var (
	libOnce   sync.Once
	libJS     string
	libErr    error
	warnOnce  sync.Once
	libSentMu sync.Mutex
	libSent   string // the libraryTarget sent to, per process, when GONB_TMP_DIR is unknown
)

// LibraryJS returns the echarts library source (dist/echarts.min.js of the
// pinned npm package), fetching it into the cache with assets.Ensure if
// needed. The error says why it is unavailable.
func LibraryJS() (string, error) {
	libOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		if _, err := assets.Ensure(ctx, "echarts"); err != nil {
			libErr = err
			return
		}
		b, err := assets.Read("echarts", "dist/echarts.min.js")
		if err != nil {
			libErr = err
			return
		}
		if strings.Contains(strings.ToLower(string(b)), "</script") {
			libErr = fmt.Errorf("echarts.min.js contains </script and cannot be inlined")
			return
		}
		libJS = string(b)
	})
	return libJS, libErr
}

// drainJS runs the charts queued while window.echarts was missing.
const drainJS = `function __dl4go_drain(){var q=window.__dl4go_q||[];window.__dl4go_q=[];` +
	`for(var i=0;i<q.length;i++){try{q[i][1]()}catch(e){console.error("dl4go chart",q[i][0],e)}}}`

// LibraryHTML returns one <script> element, marked with [LibraryAttr], that
// defines window.echarts (hiding window.define from the UMD bundle so that
// require.js does not capture it), keeps a copy in localStorage and draws
// the charts waiting for it. If the library is not available locally, the
// script loads it from [CDNURL] instead and a note is printed once on stderr.
func LibraryHTML() string {
	js, err := LibraryJS()
	return libraryHTML(js, err, os.Stderr)
}

func libraryHTML(js string, err error, warn io.Writer) string {
	var b strings.Builder
	b.WriteString(`<script type="text/javascript" ` + LibraryAttr + `>` + "\n")
	b.WriteString("(function(){" + drainJS + "\n")
	if err != nil {
		warnOnce.Do(func() {
			fmt.Fprintf(warn, "plotting: echarts %s not available offline (%v); charts load it from %s\n",
				EchartsVersion, err, CDNURL)
		})
		b.WriteString(`if(window.echarts){__dl4go_drain();return;}` +
			`var d=window.define;window.define=undefined;var s=document.createElement("script");s.src="` + CDNURL + `";` +
			`s.onload=function(){window.define=d;if(window.echarts)__dl4go_drain();};s.onerror=function(){window.define=d;};document.head.appendChild(s);})();` + "\n")
		b.WriteString("</script>")
		return b.String()
	}
	b.WriteString(`if(!window.echarts){var __d=window.define;window.define=undefined;try{(function(define,exports,module){` + "\n")
	b.WriteString(js)
	b.WriteString("\n}).call(window);}finally{window.define=__d;}\n")
	b.WriteString(`try{var me=document.currentScript;if(me&&window.localStorage&&!localStorage.getItem("` + storageKey + `"))` +
		`localStorage.setItem("` + storageKey + `",me.textContent);}catch(e){}}` + "\n")
	b.WriteString("if(window.echarts)__dl4go_drain();})();\n</script>")
	return b.String()
}

var libRE = regexp.MustCompile(`(?s)<script[^>]*` + regexp.QuoteMeta(LibraryAttr) + `[^>]*>.*?</script>\s*`)

// StripLibrary removes every echarts library script (marked with
// [LibraryAttr]) from an HTML fragment, e.g. a notebook output, so that an
// exported page can include [LibraryHTML] exactly once.
func StripLibrary(html string) string {
	return libRE.ReplaceAllString(html, "")
}

// HasLibrary reports whether html carries an echarts library script.
func HasLibrary(html string) bool { return libRE.MatchString(html) }

// notebookLibrary gives the library output; tests replace it.
var notebookLibrary = LibraryHTML

// ClientFileEnvVar names the environment variable through which the dl4go kernel tells a
// cell's program the file holding the session of the Jupyter client (the page) it runs for;
// kernel/front writes it before each cell (front.ClientFileEnvVar).
const ClientFileEnvVar = "DL4GO_CLIENT_FILE"

// sessionMarker is the file remembering that this kernel session got the
// library, in GoNB's per-kernel temporary directory.
func sessionMarker() string {
	d := os.Getenv("GONB_TMP_DIR")
	if d == "" {
		return ""
	}
	return filepath.Join(d, ".dl4go-echarts-sent")
}

// libraryTarget is what the library was sent to: the pinned version and the client session
// that ran the cell ("" where the kernel does not say, e.g. under stock GoNB). A page loaded
// anew (a reload, another tab, Notebook 7 after JupyterLab, any new browser on the same
// kernel) is a new client, and its page has no window.echarts yet.
func libraryTarget() string {
	client := ""
	if p := os.Getenv(ClientFileEnvVar); p != "" {
		if b, err := os.ReadFile(p); err == nil {
			client = strings.TrimSpace(string(b))
		}
	}
	return EchartsVersion + " " + client + "\n"
}

// ensureLibrary sends the library to the notebook once per kernel session and client.
func ensureLibrary(display func(string)) {
	libSentMu.Lock()
	defer libSentMu.Unlock()
	target := libraryTarget()
	m := sessionMarker()
	if m == "" {
		if libSent == target {
			return
		}
	} else if b, err := os.ReadFile(m); err == nil && string(b) == target {
		return
	}
	display(notebookLibrary())
	libSent = target
	if m != "" {
		_ = os.WriteFile(m, []byte(target), 0o644)
	}
}

// ResendLibrary sends the echarts library to the notebook again, as an
// output of the current cell. Use it if a reopened notebook shows
// "echarts library missing" (the cell that carried it was re-run).
func ResendLibrary() {
	libSentMu.Lock()
	if m := sessionMarker(); m != "" {
		_ = os.Remove(m)
	}
	libSent = ""
	libSentMu.Unlock()
	if isNotebook() {
		ensureLibrary(displayHTML)
	}
}

// chartLoaderJS is the per-chart part: it draws now if echarts is there,
// otherwise queues the drawing and, after a few seconds without the library,
// tries localStorage, then the CDN, then shows a message in the chart's place.
const chartLoaderJS = drainJS + `
function __dl4go_fail(){var q=window.__dl4go_q||[];window.__dl4go_q=[];for(var i=0;i<q.length;i++){var el=document.getElementById(q[i][0]);
if(el){el.style.height="auto";el.textContent="echarts library missing: run plotting.ResendLibrary() in a cell (or dl4go install, or go online)."}}}
function __dl4go_fb(){if(window.echarts){__dl4go_drain();return}var d=window.define;
try{var s=window.localStorage&&localStorage.getItem("` + storageKey + `");if(s){window.define=undefined;(0,eval)(s)}}catch(e){console.warn("dl4go: cached echarts",e)}finally{window.define=d}
if(window.echarts){__dl4go_drain();return}
var t=document.createElement("script");t.src="` + CDNURL + `";window.define=undefined;
t.onload=function(){window.define=d;if(window.echarts)__dl4go_drain();else __dl4go_fail()};t.onerror=function(){window.define=d;__dl4go_fail()};document.head.appendChild(t)}
`
