//go:build linux

package browser

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dl4go/dl4go/internal/gonbtest"
	"github.com/dl4go/dl4go/notebook"
)

// The driver's report on one of GoNB's browser test notebooks (driver.mjs, task "gonb").
type gonbReport struct {
	Fatal         string   `json:"fatal"`
	KernelName    string   `json:"kernelName"`
	KernelDialogs []string `json:"kernelDialogs"`
	TimedOut      bool     `json:"timedOut"`
	RunSeconds    float64  `json:"runSeconds"`
	Reruns        []struct {
		Cell    int    `json:"cell"`
		Prompt  string `json:"prompt"`
		Attempt int    `json:"attempt"`
		Text    string `json:"text"`
	} `json:"reruns"`
	Run        []cellInfo `json:"run"`
	GonbComm   string     `json:"gonbComm"` // typeof globalThis.gonb_comm after Run All
	InputBoxes []struct {
		Type   string `json:"type"`
		Prompt string `json:"prompt"`
		Value  string `json:"value"`
	} `json:"inputBoxes"`
	Seen []struct {
		Kind string `json:"kind"` // added or removed
		Tag  string `json:"tag"`
		ID   string `json:"id"`
		Type string `json:"type"`
		Text string `json:"text"`
	} `json:"seen"`
	Console     []string `json:"console"`
	UserWidgets *struct {
		Steps []struct {
			Name    string  `json:"name"`
			OK      bool    `json:"ok"`
			Seconds float64 `json:"seconds"`
			Got     string  `json:"got"`
		} `json:"steps"`
		SliderValue string `json:"sliderValue"`
		Text        string `json:"text"`
	} `json:"userWidgets"`
	SaveDirty     bool     `json:"saveDirty"`
	PageErrors    []string `json:"pageErrors"`
	ConsoleErrors []string `json:"consoleErrors"`
	Dialogs       []string `json:"dialogs"`
	Screenshots   []string `json:"screenshots"`
}

// userWidgetCell is the cell the widgets test adds after GoNB's notebook: GoNB's own cells
// drive their widgets from JavaScript; this one waits for a person (the driver, with the mouse
// and the keyboard) and then moves the slider from Go.
const userWidgetCell = `import (
	"github.com/janpfeifer/gonb/gonbui"
	"github.com/janpfeifer/gonb/gonbui/widgets"
)

%%
button := widgets.Button("Press me").WithHtmlId("dl4go_user_button").Done()
slider := widgets.Slider(0, 100, 50).WithHtmlId("dl4go_user_slider").Done()
choice := widgets.Select([]string{"ab", "cd", "ef"}).WithHtmlId("dl4go_user_select").Done()
clicks, moves, picks := button.Listen(), slider.Listen(), choice.Listen()
giveUp := time.After(3 * time.Minute)
fmt.Println("widgets up")
select {
case n := <-clicks.C:
	fmt.Printf("button clicked (count %d)\n", n)
case <-giveUp:
	fmt.Println("error: the button was not clicked")
	return
}
for v := slider.Value(); v != 100; {
	select {
	case v = <-moves.C:
	case <-giveUp:
		fmt.Printf("error: the slider is at %d\n", v)
		return
	}
}
fmt.Println("slider at 100")
for i := choice.Value(); i != 2; {
	select {
	case i = <-picks.C:
	case <-giveUp:
		fmt.Printf("error: option %d is picked\n", i)
		return
	}
}
fmt.Println("picked ef")
slider.SetValue(25)
gonbui.Sync()
time.Sleep(time.Second)
fmt.Println("slider set to 25")
`

// TestLabGoNBNotebooks runs GoNB's own browser test notebooks (examples/tests/{dom,widgets,
// input_boxes,comms}.ipynb of the pinned GoNB, copied without their outputs) in JupyterLab as
// a person would: opened from the file, GoNB's kernel name left as it is (JupyterLab gives
// them dl4go, the one Go kernel), Run All from the menu, the input boxes typed into, then
// File → Save. The saved notebook must hold what GoNB's own nbtests expect of it
// (gonbtest.Browser, checked on its asciidoc text), and the page must show what only a browser
// can: the elements the programs create and remove, the page's side of the comm round trip,
// password boxes, and (widgets) a button, a slider and a drop-down that answer the mouse and
// the keyboard in a cell the test adds. Cell 3 of each (`go work use . "${GONB_GIT_ROOT}"`)
// uses GoNB's module in the module cache, as kernel/client's TestGoNBNotebooks does.
func TestLabGoNBNotebooks(t *testing.T) {
	for _, b := range gonbtest.Browser {
		t.Run(b.Name, func(t *testing.T) {
			srv, env := lab(t)
			runGoNBNotebook(t, srv, env, b)
		})
	}
}

func runGoNBNotebook(t *testing.T, srv *Server, env Env, b gonbtest.BrowserNotebook) {
	nb, err := notebook.Read(filepath.Join(shared.gonbRoot, "examples", "tests", b.Name+".ipynb"))
	if err != nil {
		t.Fatal(err)
	}
	nb.StripOutputs() // a cell that does not run must not pass on GoNB's stored outputs
	rel := filepath.Join("gonb", b.Name+".ipynb")
	if err := os.MkdirAll(filepath.Join(srv.Root, "gonb"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := nb.WriteFile(filepath.Join(srv.Root, rel)); err != nil {
		t.Fatal(err)
	}
	limit := 10 * time.Minute // a hang detector: each notebook takes under a minute on a quiet machine
	ctx, cancel := context.WithTimeout(context.Background(), limit+3*time.Minute)
	defer cancel()
	req := map[string]any{"task": "gonb", "base": srv.URL, "token": srv.Token, "path": rel,
		"name": "gonb-" + b.Name, "outDir": t.ArtifactDir(), "timeoutMs": limit.Milliseconds(),
		"chromium": env.Chromium, "inputs": b.Inputs}
	if b.Name == "widgets" {
		req["widgetCell"] = userWidgetCell
	}
	if b.Timeouts != "" {
		req["retry"] = map[string]any{"pattern": b.Timeouts, "max": maxTimeoutReruns}
	}
	var rep gonbReport
	load, start := loadavg(), time.Now()
	err = env.Drive(ctx, req, &rep, testLog{t})
	defer srv.shutdownKernel(t, rel) // its kernel would idle on until the server stops
	t.Logf("%s: Run All took %.1fs (whole check %.0fs; %s before, %s after); screenshots %v",
		b.Name, rep.RunSeconds, time.Since(start).Seconds(), load, loadavg(), rep.Screenshots)
	if err != nil || rep.Fatal != "" {
		t.Fatalf("driver: %v\n%s\n%s", err, rep.Fatal, logTail())
	}
	if rep.KernelName != "Go (dl4go)" {
		t.Errorf("the notebook's kernel is %q, want Go (dl4go)", rep.KernelName)
	}
	if len(rep.KernelDialogs) > 0 {
		t.Logf("JupyterLab asked for a kernel (Go (dl4go) picked): %q", rep.KernelDialogs)
	}
	if rep.TimedOut {
		t.Fatalf("Run All did not finish within %s", limit)
	}
	for _, r := range rep.Reruns {
		t.Logf("code cell %d (%s) printed GoNB's timeout %q (%s): ran it and the cells below again (attempt %d)", r.Cell, r.Prompt, r.Text, loadavg(), r.Attempt)
	}
	if rep.SaveDirty {
		t.Errorf("File → Save did not save the notebook")
	}
	saved, err := notebook.Read(filepath.Join(srv.Root, rel))
	if err != nil {
		t.Fatal(err)
	}
	checkGoNBSaved(t, saved, b, len(rep.Reruns) > 0)
	for _, e := range append(rep.PageErrors, rep.ConsoleErrors...) {
		if b.Name == "comms" && e == noListener {
			continue // checkComms counts them
		}
		if l := strings.ToLower(e); strings.Contains(l, "gonb") || strings.Contains(l, "dl4go") || strings.Contains(l, "comm") {
			t.Errorf("the page logged an error: %s", e)
		}
	}
	if len(rep.Dialogs) > 0 {
		t.Errorf("a dialog came up: %q", rep.Dialogs)
	}
	switch b.Name {
	case "dom":
		checkDOM(t, &rep)
	case "widgets":
		checkWidgets(t, &rep)
	case "input_boxes":
		checkInputBoxes(t, &rep, b.Inputs)
	case "comms":
		checkComms(t, &rep)
	default:
		t.Fatalf("no browser checks for %s", b.Name)
	}
}

// maxTimeoutReruns bounds the runs again of cells that printed one of GoNB's own timeout
// messages (gonbtest.BrowserNotebook.Timeouts). Measured at load 14–23 on 2 cores: the slider
// cell of widgets, which gives the page 500 ms, timed out in 1 of 2 runs; it passed at load 8.
const maxTimeoutReruns = 8

// checkGoNBSaved checks the saved notebook: every code cell of GoNB's ran, in order, once
// (unless rerun: then its count, and those of the cells below, are renumbered to the cell's
// place, as GoNB's expectations count "Out[N]" for the N-th code cell), none failed, and its
// asciidoc text holds GoNB's expected lines.
func checkGoNBSaved(t *testing.T, nb *notebook.Notebook, b gonbtest.BrowserNotebook, rerun bool) {
	t.Helper()
	n, last := 0, 0
	for i, c := range nb.Cells {
		if c.CellType != notebook.Code {
			continue
		}
		n++
		switch {
		case c.ExecutionCount == nil:
			t.Errorf("saved cell %d (code cell %d) did not run:\n%s", i, n, c.Source)
		case !rerun && *c.ExecutionCount != n, *c.ExecutionCount <= last:
			t.Errorf("saved cell %d (code cell %d) has execution count %d (the one before %d; reruns %v), want %d:\n%s",
				i, n, *c.ExecutionCount, last, rerun, n, c.Source)
		default:
			last = *c.ExecutionCount
			place := n
			c.ExecutionCount = &place
		}
		for _, o := range c.Outputs {
			if o.OutputType == notebook.Error {
				t.Errorf("saved cell %d has an error output: %s: %s\n%s", i, o.Ename, o.Evalue, strings.Join(o.Traceback, "\n"))
			}
			if o.OutputType == notebook.Stream && o.Name == "stderr" {
				t.Logf("saved cell %d wrote on stderr: %q", i, o.Text)
			}
		}
	}
	lines := gonbtest.Asciidoc(nb)
	if err := gonbtest.MatchSequence(lines, b.Expect); err != nil {
		t.Errorf("the saved notebook misses what GoNB's nbtests expect of %s: %v\n--- asciidoc ---\n%s", b.Name, err, strings.Join(lines, "\n"))
	}
}

// pageLines is what the page shows in the outputs of the code cell with this execution
// count, one trimmed non-empty line each.
func pageLines(rep *gonbReport, count int) []string {
	for _, c := range rep.Run {
		if c.Prompt != fmt.Sprintf("[%d]:", count) {
			continue
		}
		var out []string
		for _, o := range c.Outputs {
			for _, l := range strings.Split(o.Text, "\n") {
				if l = strings.TrimSpace(l); l != "" {
					out = append(out, l)
				}
			}
		}
		return out
	}
	return nil
}

// seen reports whether the page saw an element of this kind ("added", "removed") whose id
// starts with prefix and whose tag (and type, for inputs) is tag, e.g. "input[range]".
func (rep *gonbReport) seen(kind, tag, prefix string) int {
	n := 0
	for _, s := range rep.Seen {
		tt := s.Tag
		if s.Type != "" && s.Tag == "input" {
			tt += "[" + s.Type + "]"
		}
		if s.Kind == kind && tt == tag && strings.HasPrefix(s.ID, prefix) {
			n++
		}
	}
	return n
}

func (rep *gonbReport) logged(re *regexp.Regexp) []string {
	var out []string
	for _, c := range rep.Console {
		if m := re.FindStringSubmatch(c); m != nil {
			out = append(out, m[1])
		}
	}
	return out
}

// checkDOM: the transient divs and the div dom.Remove took out came and went in the page, and
// the page shows the persisted text (dom.GetInnerHtml read it from the page).
func checkDOM(t *testing.T, rep *gonbReport) {
	if a, r := rep.seen("added", "div", "dom.transient_div_"), rep.seen("removed", "div", "dom.transient_div_"); a != 2 || r != 2 {
		t.Errorf("the page saw %d transient divs added and %d removed (dom.Persist), want 2 and 2", a, r)
	}
	if a, r := rep.seen("added", "div", "dom_test_"), rep.seen("removed", "div", "dom_test_"); a != 1 || r != 1 {
		t.Errorf("the page saw the div dom.Remove removes added %d times and removed %d times, want once each", a, r)
	}
	want := []string{"This is a test!", "And a second test.", "This is a test!", "And a second test."}
	if got := pageLines(rep, 4); !slices.Equal(got, want) {
		t.Errorf("the page shows %q in cell [4], want %q", got, want)
	}
	if got := pageLines(rep, 5); !slices.Equal(got, []string{"ok"}) {
		t.Errorf("the page shows %q in cell [5], want [ok]", got)
	}
}

// checkWidgets: GoNB's button, slider and drop-down appeared in the page, its JavaScript
// drove them, and in the added cell the mouse and the keyboard reached the program and the
// program's SetValue reached the page.
func checkWidgets(t *testing.T, rep *gonbReport) {
	// A cell run again (GoNB's timeouts) adds its widget and logs its script's line again.
	for _, tag := range []string{"button", "input[range]", "select"} {
		if rep.seen("added", tag, "gonb_widget_test_") < 1 {
			t.Errorf("the page never showed GoNB's %s widget (id gonb_widget_test_...)", tag)
		}
	}
	got := slices.Compact(rep.logged(regexp.MustCompile(`^log: (Clicked!|Select set to \d+)$`)))
	if want := []string{"Clicked!", "Select set to 42", "Select set to 3"}; !slices.Equal(got, want) && len(rep.Reruns) == 0 {
		t.Errorf("the page's console logged %q of the notebook's widget scripts, want the click, 42 and 3", got)
	} else {
		for _, w := range want {
			if !slices.Contains(got, w) {
				t.Errorf("the page's console never logged %q (the notebook's widget scripts logged %q)", w, got)
			}
		}
	}
	if rep.GonbComm != "object" {
		t.Errorf("after Run All the page's gonb_comm is %q, want an object", rep.GonbComm)
	}
	u := rep.UserWidgets
	if u == nil {
		t.Fatalf("the added widget cell did not run")
	}
	for _, tag := range []string{"button", "input[range]", "select"} {
		if rep.seen("added", tag, "dl4go_user_") != 1 {
			t.Errorf("the page never showed the added cell's %s", tag)
		}
	}
	names := []string{"start", "click the button", "slider to its end (End key)", "pick ef", "Go sets the slider"}
	for i, name := range names {
		if i >= len(u.Steps) {
			t.Errorf("widgets: %q was not reached", name)
			continue
		}
		s := u.Steps[i]
		t.Logf("widgets: %s: ok=%v in %.1fs", s.Name, s.OK, s.Seconds)
		if !s.OK {
			t.Errorf("widgets: %s: the program did not answer; its cell says %q", s.Name, s.Got)
		}
	}
	if u.SliderValue != "25" {
		t.Errorf("after the program's SetValue(25) the page's slider is at %q", u.SliderValue)
	}
	for _, want := range []string{"button clicked (count 1)", "slider at 100", "picked ef", "slider set to 25"} {
		if !strings.Contains(u.Text, want) {
			t.Errorf("the added widget cell does not say %q:\n%s", want, u.Text)
		}
	}
}

// checkInputBoxes: four input boxes came, the password ones as password fields, and the page
// never shows a password typed.
func checkInputBoxes(t *testing.T, rep *gonbReport, inputs []string) {
	var types, prompts []string
	for _, b := range rep.InputBoxes {
		types, prompts = append(types, b.Type), append(prompts, b.Prompt)
	}
	if want := []string{"text", "password", "text", "password"}; !slices.Equal(types, want) {
		t.Errorf("the page asked with input boxes of types %q (prompts %q), want %q", types, prompts, want)
	}
	if len(prompts) == 4 && (prompts[2] != "Enter:" || prompts[3] != "Pin:") {
		t.Errorf("the gonbui.RequestInput boxes have prompts %q and %q, want Enter: and Pin:", prompts[2], prompts[3])
	}
	for _, c := range []int{4, 5} {
		for _, l := range pageLines(rep, c) {
			if l == inputs[1] || strings.Contains(l, "Pin: "+inputs[3]) || strings.HasSuffix(l, " "+inputs[1]) {
				t.Errorf("the page shows a password as typed in cell [%d]: %q", c, l)
			}
		}
	}
	if got := pageLines(rep, 5); !slices.Contains(got, "int=42") || !slices.Contains(got, "secret=123456") {
		t.Errorf("the page shows %q in cell [5], want int=42 and secret=123456", got)
	}
}

// noListener is what GoNB's gonb_comm logs for a message to an address no one in the page
// subscribes to.
const noListener = `gonb_comm: comm_msg to address "/nbtest/to_frontend" but no one listening.`

// checkComms: the page's side of the round trip: the subscriber that %widgets' gonb_comm runs
// got 1, 2 and 3 from the program (it answers each plus one, and unsubscribes at 3), and the
// program's 4 and 10 came to the page with no one listening.
func checkComms(t *testing.T, rep *gonbReport) {
	if rep.GonbComm != "object" {
		t.Errorf("after %%widgets the page's gonb_comm is %q, want an object", rep.GonbComm)
	}
	if got := rep.logged(regexp.MustCompile(`^log: /nbtest/to_frontend->(\d+)$`)); !slices.Equal(got, []string{"1", "2", "3"}) {
		t.Errorf("the page's subscriber received %q, want 1, 2, 3", got)
	}
	if n := len(rep.logged(regexp.MustCompile(`^error: (` + regexp.QuoteMeta(noListener) + `)$`))); n != 2 {
		t.Errorf("the page got %d messages after the subscriber left (gonb_comm's %q), want 2 (4 and 10)", n, noListener)
	}
}

// shutdownKernel stops the kernel of the notebook at path (relative to the served folder), as
// Kernel → Shut Down Kernel would.
func (s *Server) shutdownKernel(t *testing.T, path string) {
	t.Helper()
	var sessions []struct {
		ID   string `json:"id"`
		Path string `json:"path"`
	}
	if err := s.api("GET", "/api/sessions", &sessions); err != nil {
		t.Logf("list the kernel sessions: %v", err)
		return
	}
	for _, se := range sessions {
		if se.Path == path {
			if err := s.api("DELETE", "/api/sessions/"+se.ID, nil); err != nil {
				t.Logf("shut down the kernel of %s: %v", path, err)
			}
		}
	}
}
