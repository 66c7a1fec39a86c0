//go:build linux

package browser

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dl4go/dl4go/export"
	"github.com/dl4go/dl4go/internal/gonbtest"
	"github.com/dl4go/dl4go/internal/testkernel"
	"github.com/dl4go/dl4go/kernel"
	"github.com/dl4go/dl4go/notebook"
)

// NotebooksEnvVar selects the notebooks TestLabNotebooks runs: empty for CI's subset
// (ciNotebooks), "all" for every notebooks/*.ipynb, or a comma-separated list of ids or
// names ("01,07-detection").
const NotebooksEnvVar = "DL4GO_BROWSER_NOTEBOOKS"

// ciNotebooks is the fixed subset CI runs in the browser (README, "Use it in JupyterLab"):
// the welcome notebook (every kind of special cell, the slider widget, the first charts), 03
// (one cell trains 15 models, each live view ending in place: the cell an erased-output bug
// filled with 30 outputs), 07 (pictures, a live chart during training, nine charts, the RESULT
// line) and 13 (audio players, a heat map, Japanese labels). Between them they show the kinds
// of output the lessons make; the others take minutes each at quick size on 2 busy cores, and
// .ci/browser-tests runs them all.
var ciNotebooks = []string{"00", "03", "07", "13"}

func TestMain(m *testing.M) {
	code := m.Run()
	closeShared()
	testkernel.Cleanup()
	os.Exit(code)
}

// shared is one JupyterLab server for the whole test binary.
var shared struct {
	once     sync.Once
	srv      *Server
	env      Env
	err      error
	tmp      string
	logPath  string
	root     string // the checkout
	gonbRoot string // the pinned GoNB module ($GONB_GIT_ROOT of the kernels)
}

// lab returns the shared JupyterLab server, serving a copy of notebooks/ (so that saving
// never touches the checkout), with the dl4go kernel installed in a fresh JUPYTER_DATA_DIR
// and DL4GO_QUICK=1, a fresh lesson cache, $GONB_GIT_ROOT (the pinned GoNB module) and
// $GOCOVERDIR in its kernels' environment (gonb_test.go copies GoNB's notebooks into gonb/).
// It skips (fails under DL4GO_REQUIRE_JUPYTER=1) when the environment is missing.
func lab(t *testing.T) (*Server, Env) {
	t.Helper()
	root, err := kernel.FindRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	env, err := FindEnv(root)
	if err != nil {
		testkernel.SkipOrFail(t, "the JupyterLab browser tests cannot run: "+err.Error(),
			"`.ci/jupyter-env` installs the virtualenv and playwright-core")
	}
	_, dataDir := testkernel.Install(t)
	shared.once.Do(func() {
		shared.root, shared.env = root, env
		if shared.gonbRoot, shared.err = gonbtest.ModuleDir(); shared.err != nil {
			return
		}
		shared.tmp, shared.err = os.MkdirTemp("", "dl4go-browser-")
		if shared.err != nil {
			return
		}
		serve := filepath.Join(shared.tmp, "notebooks")
		if shared.err = os.MkdirAll(filepath.Join(shared.tmp, "cover"), 0o755); shared.err != nil {
			return
		}
		if shared.err = copyNotebooks(filepath.Join(root, "notebooks"), serve); shared.err != nil {
			return
		}
		shared.logPath = filepath.Join(shared.tmp, "jupyter.log")
		f, err := os.Create(shared.logPath)
		if err != nil {
			shared.err = err
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		shared.srv, shared.err = StartLab(ctx, env, ServerOptions{
			Root: serve, DataDir: dataDir, Log: f,
			Env: []string{"DL4GO_QUICK=1", "DL4GO_CACHE_DIR=" + filepath.Join(shared.tmp, "cache"),
				// For GoNB's test notebooks (gonb_test.go): GoNB's module and a place for the
				// coverage data of their %goflags --cover cells.
				"GONB_GIT_ROOT=" + shared.gonbRoot, "GOCOVERDIR=" + filepath.Join(shared.tmp, "cover")},
		})
		if shared.err == nil {
			v, _ := env.Versions()
			fmt.Fprintf(os.Stderr, "browser: %s serving %s (%s)\n", shared.srv.URL, serve, v)
		}
	})
	if shared.err != nil {
		t.Fatalf("start JupyterLab: %v\n%s", shared.err, logTail())
	}
	return shared.srv, env
}

// closeShared stops the shared server (and so its kernels) and removes its files.
func closeShared() {
	if shared.srv != nil {
		if err := shared.srv.Close(); err != nil {
			fmt.Fprintln(os.Stderr, err)
		}
	}
	if shared.tmp != "" {
		os.RemoveAll(shared.tmp)
	}
}

func logTail() string {
	b, _ := os.ReadFile(shared.logPath)
	if len(b) > 6000 {
		b = b[len(b)-6000:]
	}
	return "--- jupyter lab log (tail) ---\n" + string(b)
}

func copyNotebooks(from, to string) error {
	if err := os.MkdirAll(to, 0o755); err != nil {
		return err
	}
	paths, err := filepath.Glob(filepath.Join(from, "*.ipynb"))
	if err != nil {
		return err
	}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(to, filepath.Base(p)), b, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// testLog writes the driver's progress lines into the test log.
type testLog struct{ t *testing.T }

func (w testLog) Write(p []byte) (int, error) {
	for _, l := range strings.Split(strings.TrimRight(string(p), "\n"), "\n") {
		w.t.Log(l)
	}
	return len(p), nil
}

func loadavg() string {
	b, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "load ?"
	}
	return "load " + strings.Join(f[:3], " ")
}

// The driver's report on a notebook (driver.mjs, task "notebook").
type chartInfo struct {
	ID     string `json:"id"`
	Drawn  bool   `json:"drawn"`
	Canvas bool   `json:"canvas"`
	Ink    int    `json:"ink"`
	Title  string `json:"title"`
	Text   string `json:"text"` // what the chart's element says when it has no canvas
}

type cellInfo struct {
	Index  int    `json:"index"`
	Prompt string `json:"prompt"`
	Source string `json:"source"`
	// GoNBWidgets: the cell uses GoNB's widgets or dom package (plotting.Slider among them),
	// whose JavaScript runs in a display GoNB then empties: blank outputs are GoNB's there.
	GoNBWidgets bool `json:"gonbWidgets"`
	Outputs     []struct {
		Mime  string `json:"mime"`
		Text  string `json:"text"`
		Blank bool   `json:"blank"`
	} `json:"outputs"`
	Charts []chartInfo `json:"charts"`
	Images []struct {
		Complete bool `json:"complete"`
		W        int  `json:"w"`
	} `json:"images"`
	Audios []struct {
		Loaded  bool    `json:"loaded"`
		Seconds float64 `json:"seconds"`
		Error   string  `json:"error"`
	} `json:"audios"`
	Sliders int `json:"sliders"`
}

type notebookReport struct {
	Fatal         string     `json:"fatal"`
	KernelName    string     `json:"kernelName"`
	TimedOut      bool       `json:"timedOut"`
	RunSeconds    float64    `json:"runSeconds"`
	MaxOutputs    []int      `json:"maxOutputs"`
	Run           []cellInfo `json:"run"`
	Reload        []cellInfo `json:"reload"`
	Trust         string     `json:"trust"`
	OpenDialogs   []string   `json:"openDialogs"`
	RunDialogs    []string   `json:"runDialogs"`
	SaveDialogs   []string   `json:"saveDialogs"`
	ReloadDialogs []string   `json:"reloadDialogs"`
	SaveDirty     bool       `json:"saveDirty"`
	UnloadPrompts int        `json:"unloadPrompts"`
	PageErrors    []string   `json:"pageErrors"`
	ConsoleErrors []string   `json:"consoleErrors"`
	Dialogs       []string   `json:"dialogs"`
	Screenshots   []string   `json:"screenshots"`
	Sliders       []struct {
		From          string      `json:"from"`
		To            string      `json:"to"`
		Before        []chartInfo `json:"before"`
		After         []chartInfo `json:"after"`
		RedrawSeconds float64     `json:"redrawSeconds"`
		ClickedDone   bool        `json:"clickedDone"`
		Vanished      bool        `json:"vanished"`
		CellText      string      `json:"cellText"`
	} `json:"sliders"`
}

// minInk is the number of non-white pixels a drawn chart has at least (a drawn axis alone
// has thousands; a blank canvas has none).
const minInk = 200

// maxOutputsPerCell bounds the outputs of one cell: a live view updates in place (one output
// per training run, kept as the run's final chart), so only a runaway view (a new output per
// update) reaches it; lesson cells that train a model per setting show a chart each (lesson
// 03's Run: 15).
const maxOutputsPerCell = 40

// maxTransientOutputs is how many more outputs a cell may have while running than when done
// (a view cleared at the end of its run).
const maxTransientOutputs = 2

// selected reports whether TestLabNotebooks runs the notebook with this file name.
func selected(name string) (bool, string) {
	id, _, _ := strings.Cut(name, "-")
	sel := os.Getenv(NotebooksEnvVar)
	switch sel {
	case "":
		return slices.Contains(ciNotebooks, id), fmt.Sprintf("not in CI's browser subset %v; %s=all (or .ci/browser-tests) runs it", ciNotebooks, NotebooksEnvVar)
	case "all":
		return true, ""
	}
	for _, s := range strings.Split(sel, ",") {
		if s = strings.TrimSpace(s); s == id || s == name {
			return true, ""
		}
	}
	return false, fmt.Sprintf("not in %s=%s", NotebooksEnvVar, sel)
}

// TestLabNotebooks runs notebooks in JupyterLab at quick size: Run All from the menu, then
// every output is checked in the page and in the saved file, and again after a reload.
func TestLabNotebooks(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join("..", "..", "notebooks", "*.ipynb"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no notebooks in ../../notebooks (%v)", err)
	}
	for _, p := range paths {
		name := strings.TrimSuffix(filepath.Base(p), ".ipynb")
		t.Run(name, func(t *testing.T) {
			if ok, why := selected(name); !ok {
				t.Skip(why)
			}
			srv, env := lab(t)
			runNotebook(t, srv, env, "lab", name)
		})
	}
}

// TestNotebook7 runs the welcome notebook in Notebook 7 (served by the same server). After
// TestLabNotebooks (as in CI) Jupyter gives the Notebook 7 page the kernel session JupyterLab
// ran the notebook in, so this also checks that a new page on a kernel that already sent the
// echarts library gets it again (in a fresh browser, offline: no localStorage copy, no CDN).
func TestNotebook7(t *testing.T) {
	srv, env := lab(t)
	runNotebook(t, srv, env, "notebook", "00-welcome")
}

func runNotebook(t *testing.T, srv *Server, env Env, app, name string) {
	src, err := notebook.Read(filepath.Join("..", "..", "notebooks", name+".ipynb"))
	if err != nil {
		t.Fatal(err)
	}
	lesson := src.Lesson()
	quick := 2 * time.Minute
	if d, err := time.ParseDuration(lesson.TimeQuick); err == nil {
		quick = d
	}
	limit := 8*quick + 5*time.Minute // a hang detector: CI's 2 cores also run the rest of go test ./...
	var rep notebookReport
	for attempt := 1; ; attempt++ {
		// Each run starts from the source notebook (an earlier test may have saved outputs).
		if err := copyNotebooks(filepath.Join("..", "..", "notebooks"), srv.Root); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), limit+3*time.Minute)
		rep = notebookReport{}
		load := loadavg()
		start := time.Now()
		err = env.Drive(ctx, map[string]any{
			"task": "notebook", "app": app, "base": srv.URL, "token": srv.Token, "path": name + ".ipynb",
			"name": fmt.Sprintf("%s-%s-%d", app, name, attempt), "outDir": t.ArtifactDir(), "timeoutMs": limit.Milliseconds(),
			"slider": true, "chromium": env.Chromium,
		}, &rep, testLog{t})
		cancel()
		t.Logf("%s in %s: Run All took %.1fs (whole check %.0fs; %s before, %s after); screenshots %v",
			name, app, rep.RunSeconds, time.Since(start).Seconds(), load, loadavg(), rep.Screenshots)
		// GoNB's page-side gonb_comm (widgets, the slider) gives up when its comm_open is not
		// acknowledged within its time limit: a race between the page, JupyterLab and GoNB,
		// not reproduced on demand, seen in CI on 00-welcome at load ≈ 2 (docs/jupyterlab.md,
		// "Known problems"). The notebook is run once more, on a fresh kernel; a second miss
		// fails the slider checks below.
		if miss := commOpenMissed(&rep); attempt == 1 && err == nil && rep.Fatal == "" && miss != "" {
			t.Logf("run %d: the page's comm did not connect (%s, load %s): running the notebook once more on a fresh kernel", attempt, miss, loadavg())
			srv.shutdownKernel(t, name+".ipynb")
			continue
		}
		break
	}
	if err != nil || rep.Fatal != "" {
		t.Fatalf("driver: %v\n%s\n%s", err, rep.Fatal, logTail())
	}
	if rep.KernelName != "Go (dl4go)" {
		t.Errorf("the notebook's kernel is %q, want Go (dl4go)", rep.KernelName)
	}
	if rep.TimedOut {
		t.Fatalf("Run All did not finish within %s", limit)
	}
	saved, err := notebook.Read(filepath.Join(srv.Root, name+".ipynb"))
	if err != nil {
		t.Fatal(err)
	}
	checkSaved(t, saved, lesson.Package != "")
	checkPage(t, "after Run All", rep.Run, true)
	for i, n := range rep.MaxOutputs {
		final := -1
		if i < len(rep.Run) {
			final = len(rep.Run[i].Outputs)
		}
		if n > maxOutputsPerCell || (final >= 0 && n > final+maxTransientOutputs) {
			t.Errorf("code cell %d had %d outputs at once while running, %d when done (live views must update in place)", i+1, n, final)
		}
	}
	checkPage(t, "after save and reload", rep.Reload, false)
	if n, m := len(rep.Reload), len(rep.Run); n != m {
		t.Errorf("after save and reload the page shows %d code cells, %d after Run All", n, m)
	} else if a, b := countCharts(rep.Reload), countCharts(rep.Run); a != b {
		t.Errorf("after save and reload the page shows %d charts, %d after Run All", a, b)
	}
	if app == "lab" && (!strings.Contains(rep.Trust, "Notebook trusted") || strings.Contains(rep.Trust, "not trusted")) {
		t.Errorf("after save and reload JupyterLab says %q, want the notebook trusted", rep.Trust)
	}
	for _, d := range [][]string{rep.OpenDialogs, rep.RunDialogs, rep.SaveDialogs, rep.ReloadDialogs, rep.Dialogs} {
		if len(d) > 0 {
			t.Errorf("a dialog came up: %q", d)
		}
	}
	if rep.UnloadPrompts > 0 {
		// The saved file and the reloaded page are checked above; this is worth knowing only.
		t.Logf("the page asked %d time(s) to leave with unsaved changes on reload (accepted)", rep.UnloadPrompts)
	}
	if rep.SaveDirty {
		t.Errorf("the notebook still shows unsaved changes after File → Save")
	}
	for _, e := range rep.PageErrors {
		t.Logf("page error (JupyterLab's own, unless it names dl4go): %s", e)
		if strings.Contains(e, "dl4go") || strings.Contains(e, "echarts") {
			t.Errorf("page error: %s", e)
		}
	}
	for _, e := range rep.ConsoleErrors {
		if strings.Contains(e, "dl4go") || strings.Contains(e, "echarts") || strings.Contains(e, "gonb") {
			t.Errorf("console error: %s", e)
		}
	}
	hasSlider := false
	for _, c := range rep.Run {
		hasSlider = hasSlider || c.Sliders > 0
	}
	for _, s := range rep.Sliders {
		hasSlider = true
		if s.Vanished {
			t.Errorf("the slider vanished before the driver could move it (%s); its cell says %q", loadavg(), s.CellText)
			continue
		}
		redrawn := len(s.After) > 0 && !slices.EqualFunc(s.Before, s.After, func(a, b chartInfo) bool { return a.ID == b.ID && a.Title == b.Title })
		for _, c := range s.After {
			redrawn = redrawn && c.Drawn && c.Ink >= minInk
		}
		t.Logf("slider moved %s → %s: chart %v → %v, redrawn in %.1fs", s.From, s.To, titles(s.Before), titles(s.After), s.RedrawSeconds)
		if s.From == s.To {
			t.Errorf("the slider did not move (%s)", s.From)
		}
		if !redrawn {
			t.Errorf("moving the slider from %s to %s did not redraw its chart (before %+v, after %+v)", s.From, s.To, s.Before, s.After)
		}
	}
	if hasSlider && len(rep.Sliders) == 0 {
		t.Errorf("the notebook showed a slider but the driver could not move it")
	}
	if name == "00-welcome" {
		if len(rep.Sliders) == 0 {
			t.Errorf("the welcome notebook showed no slider while it ran (its plotting.Slider cell)")
		}
		if !strings.Contains(savedText(saved), "(the slider closed: Done)") {
			t.Errorf("the saved welcome notebook does not say that the slider closed on Done")
		}
	}
}

// commOpenMissed returns the page's console or page error saying that GoNB's gonb_comm never
// got its comm_open acknowledged, or "".
func commOpenMissed(rep *notebookReport) string {
	for _, e := range append(slices.Clone(rep.PageErrors), rep.ConsoleErrors...) {
		if strings.Contains(e, "comm_open_ack not received") {
			return e
		}
	}
	return ""
}

// savedText is every text and HTML output of a notebook, concatenated.
func savedText(nb *notebook.Notebook) string {
	var b strings.Builder
	for _, c := range nb.Cells {
		for _, o := range c.Outputs {
			b.WriteString(o.Text)
			for _, k := range []string{"text/plain", "text/html"} {
				if v, ok := o.Data[k].(string); ok {
					b.WriteString(v)
				}
			}
		}
	}
	return b.String()
}

func countCharts(cells []cellInfo) (n int) {
	for _, c := range cells {
		n += len(c.Charts)
	}
	return n
}

func titles(cs []chartInfo) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Title)
	}
	return out
}

// gonbWidgetsRE matches a cell that uses GoNB's widgets or dom package (plotting.Slider among
// them): GoNB runs their JavaScript in a display it then empties (gonbui/dom.TransientJavascript),
// so such a cell keeps empty outputs by GoNB's design. The driver's gonbWidgets is the same test.
var gonbWidgetsRE = regexp.MustCompile(`plotting\.Slider\(|widgets\.|dom\.`)

// checkSaved checks the notebook JupyterLab saved: every code cell ran, no error output, no
// empty HTML output, no runaway number of outputs, the chart outputs, and a lesson's RESULT
// line.
func checkSaved(t *testing.T, nb *notebook.Notebook, lesson bool) {
	t.Helper()
	for i, c := range nb.Cells {
		if c.CellType != notebook.Code {
			continue
		}
		if c.ExecutionCount == nil {
			t.Errorf("saved cell %d did not run:\n%s", i, c.Source)
		}
		if len(c.Outputs) > maxOutputsPerCell {
			t.Errorf("saved cell %d has %d outputs", i, len(c.Outputs))
		}
		for _, o := range c.Outputs {
			if o.OutputType == notebook.Error {
				t.Errorf("saved cell %d has an error output: %s: %s\n%s", i, o.Ename, o.Evalue, strings.Join(o.Traceback, "\n"))
			}
			if html, ok := o.Data["text/html"].(string); ok && len(o.Data) == 1 && strings.TrimSpace(html) == "" && !gonbWidgetsRE.MatchString(c.Source) {
				t.Errorf("saved cell %d has an empty HTML output (an erased display left behind; a live view should end in place)", i)
			}
		}
	}
	if !lesson {
		return
	}
	r, found := export.FindResult(nb)
	switch {
	case !found:
		t.Errorf("the saved lesson notebook has no RESULT line")
	case !r.OK:
		t.Errorf("the lesson's outcome was not reached: %s", r.Line)
	default:
		t.Logf("%s", r.Line)
	}
}

var resultRE = regexp.MustCompile(`RESULT lesson=\S+ .*ok=(true|false)`)

// checkPage checks what the page showed: every chart drawn with ink, every image loaded,
// every code cell run; ran tells whether this is the live run (prompts numbered).
func checkPage(t *testing.T, when string, cells []cellInfo, ran bool) {
	t.Helper()
	if len(cells) == 0 {
		t.Errorf("%s: the page shows no code cells", when)
		return
	}
	charts, images, sounds := 0, 0, 0
	result := ""
	for _, c := range cells {
		if ran && !regexp.MustCompile(`\[\d+\]`).MatchString(c.Prompt) {
			t.Errorf("%s: code cell %d shows prompt %q (did not run):\n%s", when, c.Index+1, c.Prompt, c.Source)
		}
		for _, ch := range c.Charts {
			charts++
			if !ch.Drawn || !ch.Canvas || ch.Ink < minInk {
				t.Errorf("%s: chart %s of code cell %d is not drawn (drawn=%v canvas=%v ink=%d, text %q)", when, ch.ID, c.Index+1, ch.Drawn, ch.Canvas, ch.Ink, ch.Text)
			}
		}
		for _, im := range c.Images {
			images++
			if !im.Complete {
				t.Errorf("%s: an image of code cell %d did not load", when, c.Index+1)
			}
		}
		for _, a := range c.Audios {
			sounds++
			if !a.Loaded {
				t.Errorf("%s: a sound of code cell %d did not load (length %.2f s, media error %q)", when, c.Index+1, a.Seconds, a.Error)
			}
		}
		blank := 0
		for _, o := range c.Outputs {
			if m := resultRE.FindString(o.Text); m != "" {
				result = m
			}
			if o.Blank {
				blank++
			}
		}
		if blank > 0 && !c.GoNBWidgets {
			t.Errorf("%s: code cell %d shows %d blank outputs of %d (an erased display left behind; a live view should end in place)", when, c.Index+1, blank, len(c.Outputs))
		}
	}
	t.Logf("%s: %d code cells, %d charts, %d images, %d sounds, %s", when, len(cells), charts, images, sounds, result)
	if result != "" && !strings.HasSuffix(result, "ok=true") {
		t.Errorf("%s: the page shows %q", when, result)
	}
}

// The driver's report on the kernel's interactive features (driver.mjs, task "kernel").
type kernelReport struct {
	Fatal       string   `json:"fatal"`
	KernelName  string   `json:"kernelName"`
	Launcher    []string `json:"launcher"`
	PageErrors  []string `json:"pageErrors"`
	Screenshots []string `json:"screenshots"`
	Checks      struct {
		Banner string `json:"banner"`
		Help   struct {
			Mimes    []string `json:"mimes"`
			Headings []string `json:"headings"`
		} `json:"help"`
		Completion []struct {
			Items   []string `json:"items"`
			Seconds float64  `json:"seconds"`
		} `json:"completion"`
		Inspect    string `json:"inspect"`
		Hello      string `json:"hello"`
		Interrupts []struct {
			Code         string  `json:"code"`
			StatusBefore string  `json:"statusBefore"`
			Seconds      float64 `json:"seconds"`
			Output       string  `json:"output"`
			Next         string  `json:"next"`
		} `json:"interrupts"`
		Restart struct {
			Seconds   float64 `json:"seconds"`
			Output    string  `json:"output"`
			Forgotten string  `json:"forgotten"`
		} `json:"restart"`
	} `json:"checks"`
}

// TestLabKernel picks "Go (dl4go)" in JupyterLab's launcher and checks, in the new notebook,
// the kernel's About dialog (its banner), %help, Tab completion and Shift+Tab, Kernel →
// Interrupt on `!sleep 30` and on a busy Go loop (each within 2 s, and the next cell runs),
// and Kernel → Restart.
func TestLabKernel(t *testing.T) {
	srv, env := lab(t)
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	var rep kernelReport
	load := loadavg()
	start := time.Now()
	err := env.Drive(ctx, map[string]any{"task": "kernel", "base": srv.URL, "token": srv.Token,
		"name": "lab-kernel", "outDir": t.ArtifactDir(), "chromium": env.Chromium}, &rep, testLog{t})
	t.Logf("kernel checks took %.0fs (%s before, %s after); screenshots %v", time.Since(start).Seconds(), load, loadavg(), rep.Screenshots)
	if err != nil || rep.Fatal != "" {
		t.Fatalf("driver: %v\n%s\n%s", err, rep.Fatal, logTail())
	}
	c := rep.Checks
	if !slices.Contains(rep.Launcher, "Notebook: Go (dl4go)") || rep.KernelName != "Go (dl4go)" {
		t.Errorf("launcher %q, kernel %q: want a Go (dl4go) notebook tile and kernel", rep.Launcher, rep.KernelName)
	}
	for _, want := range []string{"dl4go", "GoNB", "GoMLX"} {
		if !strings.Contains(c.Banner, want) {
			t.Errorf("the kernel's About dialog lacks %q:\n%s", want, c.Banner)
		}
	}
	if !slices.Contains(c.Help.Mimes, "text/markdown") || len(c.Help.Headings) == 0 {
		t.Errorf("%%help did not render as markdown with headings: mimes %q, headings %q", c.Help.Mimes, c.Help.Headings)
	}
	switch {
	case len(c.Completion) == 0:
		t.Errorf("Tab completion was not tried")
	case !slices.Contains(c.Completion[len(c.Completion)-1].Items, "Println"):
		t.Errorf("Tab on fmt.Printl did not offer Println in %d tries: %+v", len(c.Completion), c.Completion)
	case len(c.Completion) > 1:
		// The kernel warms gopls up at start; under heavy load its first answer can still come
		// after JupyterLab's 1 s wait for completions.
		t.Logf("the first Tab after the kernel started offered nothing (%s): %+v", loadavg(), c.Completion)
	}
	if !strings.Contains(c.Inspect, "Println formats") {
		t.Errorf("Shift+Tab on fmt.Println shows %q, want its documentation", c.Inspect)
	}
	if !strings.Contains(c.Hello, "hello from JupyterLab") {
		t.Errorf("the completed cell printed %q", c.Hello)
	}
	if len(c.Interrupts) != 2 {
		t.Errorf("want 2 interrupts, got %+v", c.Interrupts)
	}
	for _, in := range c.Interrupts {
		t.Logf("interrupt of %q (kernel %s): %.2fs; output %q", in.Code, in.StatusBefore, in.Seconds, in.Output)
		if in.StatusBefore != "Busy" || in.Seconds > 2 {
			t.Errorf("Kernel → Interrupt on %q (kernel %s) took %.2fs, want it stopped within 2 s", in.Code, in.StatusBefore, in.Seconds)
		}
		if !strings.Contains(in.Next, "next cell runs") {
			t.Errorf("after interrupting %q the next cell printed %q", in.Code, in.Next)
		}
	}
	t.Logf("restart took %.1fs; after it: %q; a declaration from before: %q", c.Restart.Seconds, c.Restart.Output, c.Restart.Forgotten)
	if !strings.Contains(c.Restart.Output, "after restart") {
		t.Errorf("after Kernel → Restart a cell printed %q", c.Restart.Output)
	}
	if !strings.Contains(c.Restart.Forgotten, "beforeRestart") || strings.Contains(c.Restart.Forgotten, "\n1\n") {
		t.Errorf("after the restart the earlier declaration should be gone, the cell printed %q", c.Restart.Forgotten)
	}
}

// TestConformanceSuiteVenv runs the Jupyter kernel conformance suite from PyPI (the venv's
// jupyter_kernel_test, newer than Debian's, which cmd/dl4go's TestConformanceSuite runs) on
// the installed kernel, with every optional sample filled (kernel/front/testdata).
func TestConformanceSuiteVenv(t *testing.T) {
	root, err := kernel.FindRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	env, err := FindEnv(root)
	if err != nil {
		testkernel.SkipOrFail(t, "the Jupyter virtualenv is missing: "+err.Error(), "`.ci/jupyter-env` installs it")
	}
	_, dataDir := testkernel.Install(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, env.Python, "-m", "unittest", "-v", "test_dl4go_kernel")
	cmd.WaitDelay = 5 * time.Second
	cmd.Dir = filepath.Join(root, "kernel", "front", "testdata")
	cmd.Env = append(os.Environ(), "JUPYTER_DATA_DIR="+dataDir, "JUPYTER_PATH=", "DL4GO_KERNEL_NAME=dl4go", "PYTHONDONTWRITEBYTECODE=1")
	out, err := cmd.CombinedOutput()
	tail := string(out)
	if len(tail) > 6000 {
		tail = tail[len(tail)-6000:]
	}
	if err != nil {
		t.Fatalf("conformance suite (jupyter_kernel_test from PyPI) failed: %v\n%s", err, tail)
	}
	if !strings.Contains(string(out), "\nOK\n") || strings.Contains(string(out), "skipped") {
		t.Errorf("want every test of the suite to run (none skipped) and pass:\n%s", tail)
	}
	if m := regexp.MustCompile(`Ran (\d+) tests`).FindStringSubmatch(string(out)); m != nil {
		t.Logf("jupyter_kernel_test from PyPI: %s tests passed", m[1])
	}
}
