// Package gonbtest holds what dl4go's two runs of GoNB's own test notebooks (examples/tests of
// the pinned GoNB in the module cache) share: where that module is, an executed notebook laid
// out as text the way `jupyter nbconvert --to asciidoc` lays it out ([Asciidoc]), the matching
// GoNB's internal/nbtests does on that text ([MatchSequence]), and what GoNB's nbtests expect
// of the four notebooks that need a browser ([Browser]).
//
// kernel/client's TestGoNBNotebooks runs the other notebooks through the kernel cell by cell;
// internal/browser's TestLabGoNBNotebooks runs the [Browser] ones in JupyterLab.
package gonbtest

import (
	"fmt"
	"html"
	"os/exec"
	"regexp"
	"strings"

	"github.com/dl4go/dl4go/notebook"
)

// Module is GoNB's module path.
const Module = "github.com/janpfeifer/gonb"

// ModuleDir returns the directory of the pinned GoNB module in the module cache (read-only:
// copy a notebook before running it).
func ModuleDir() (string, error) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", Module).Output()
	if err != nil {
		return "", fmt.Errorf("gonbtest: find the pinned GoNB module (go list -m %s): %w", Module, err)
	}
	dir := strings.TrimSpace(string(out))
	if dir == "" {
		return "", fmt.Errorf("gonbtest: go list -m %s gave no directory (run go mod download %s)", Module, Module)
	}
	return dir, nil
}

// Sep is nbconvert's asciidoc block delimiter.
const Sep = "----"

// OutLine is the line before the outputs of the cell with execution count n.
func OutLine(n int) string { return fmt.Sprintf("+*Out[%d]:*+", n) }

// InLine is the line before the source of the cell with execution count n.
func InLine(n int) string { return fmt.Sprintf("+*In[%d]:*+", n) }

// MatchSequence checks that each group of lines occurs in order: the first line of a group
// is searched from where the previous group ended, and the group's further lines must follow
// it at once; "contains" is the comparison, as in GoNB's nbtests Sequence(Match(...), ...).
func MatchSequence(lines []string, groups [][]string) error {
	pos := 0
	for gi, g := range groups {
		i := pos
		for i < len(lines) && !strings.Contains(lines[i], g[0]) {
			i++
		}
		if i == len(lines) {
			return fmt.Errorf("group %d %q: %q not found after line %d", gi, g, g[0], pos+1)
		}
		for k := 1; k < len(g); k++ {
			if i+k >= len(lines) || !strings.Contains(lines[i+k], g[k]) {
				got := "end of text"
				if i+k < len(lines) {
					got = fmt.Sprintf("%q", lines[i+k])
				}
				return fmt.Errorf("group %d %q: line %d is %s, want one holding %q", gi, g, i+k+1, got, g[k])
			}
		}
		pos = i + len(g)
	}
	return nil
}

// Asciidoc lays out an executed notebook as nbconvert's asciidoc template does, as far as
// GoNB's expectations look: each code cell's input, then its outputs in one block,
// "+*Out[N]:*+" and "----" around them, a blank line between two outputs. Streams and
// text/plain come as they are, an error as its traceback between blank lines, HTML as its
// text, headings as asciidoc headings ("# T" and <h1>T</h1> are "== T", as pandoc writes them).
func Asciidoc(nb *notebook.Notebook) []string {
	var lines []string
	add := func(text string) { lines = append(lines, strings.Split(strings.TrimRight(text, "\n"), "\n")...) }
	for _, c := range nb.Cells {
		if c.CellType != notebook.Code {
			add(c.Source)
			continue
		}
		n := " "
		if c.ExecutionCount != nil {
			n = fmt.Sprint(*c.ExecutionCount)
		}
		lines = append(lines, "+*In["+n+"]:*+", "[source, go]", Sep)
		add(c.Source)
		lines = append(lines, Sep, "")
		if len(c.Outputs) == 0 {
			continue
		}
		lines = append(lines, "+*Out["+n+"]:*+", Sep)
		for i, o := range c.Outputs {
			if i > 0 {
				lines = append(lines, "") // nbconvert's blank line between two outputs
			}
			switch o.OutputType {
			case notebook.Stream:
				add(o.Text)
			case notebook.Error:
				lines = append(lines, "")
				for _, tb := range o.Traceback {
					add(reANSI.ReplaceAllString(tb, ""))
				}
				lines = append(lines, "")
			default:
				if h, ok := o.Data["text/html"].(string); ok {
					h = reHTMLHeading.ReplaceAllStringFunc(h, func(tag string) string {
						return "\n" + strings.Repeat("=", int(tag[2]-'0')+1) + " "
					})
					add(strings.TrimLeft(html.UnescapeString(reTag.ReplaceAllString(h, "")), "\n"))
				} else if md, ok := o.Data["text/markdown"].(string); ok {
					add(reHeading.ReplaceAllStringFunc(md, func(h string) string {
						return strings.Repeat("=", strings.Count(h, "#")+1) + " "
					}))
				} else if p, ok := o.Data["text/plain"].(string); ok {
					add(p)
				}
			}
		}
		lines = append(lines, Sep, "")
	}
	return lines
}

var (
	reANSI    = regexp.MustCompile("\x1b\\[[0-9;]*[A-Za-z]")
	reTag     = regexp.MustCompile(`<[^>]*>`)
	reHeading = regexp.MustCompile(`(?m)^#{1,6} `)
	// An HTML heading's opening tag: pandoc writes <h1> as "== ", <h2> as "=== ", ...
	reHTMLHeading = regexp.MustCompile(`<h[1-6][^>]*>`)
)

// A BrowserNotebook is one of GoNB's test notebooks that only a browser can run: its cells
// talk to JavaScript in the page (GoNB's own nbtests run them in Notebook 7 with Chromium,
// cmd/nbexec, then nbconvert the saved file to asciidoc).
type BrowserNotebook struct {
	Name string // examples/tests/<Name>.ipynb
	Why  string // what needs the browser
	// Inputs are typed, in order, into the input boxes the notebook asks for (nbexec's
	// -input_boxes of GoNB's TestInputBoxes).
	Inputs []string
	// Expect is what GoNB's nbtests check in the saved notebook's asciidoc, restated.
	Expect [][]string
	// Timeouts, when set, matches (as a JavaScript regexp, multiline) the output lines of the
	// notebook's cells that say the page did not answer within the cell's own time limit (the
	// widgets cells give it 500 ms): on a busy machine such a cell may be run again.
	Timeouts string
}

// Browser lists GoNB's browser test notebooks with the expectations of GoNB's nbtests
// (internal/nbtests/{dom,widgets,inputs,comms}_test.go of GoNB v0.11.1).
var Browser = []BrowserNotebook{
	{Name: "dom", Why: "its cells read and change the page's DOM through GoNB's comm (dom.GetInnerHtml asks the page)",
		Expect: [][]string{
			{OutLine(2), Sep, "ok", Sep},
			// Empty transient outputs come first.
			{OutLine(4), Sep},
			{"This is a test!", "And a second test.", "This is a test!", "And a second test.", Sep},
			{OutLine(5), Sep},
			{"ok", Sep},
		}},
	{Name: "widgets", Why: "its widgets live in the page and answer through the page's gonb_comm",
		Expect: [][]string{
			{OutLine(2), Sep, "ok", Sep},
			{OutLine(4), Sep}, // button
			{"clicked", Sep},
			{OutLine(5), Sep}, // slider
			{"widget tested ok", Sep},
			{OutLine(6), Sep}, // drop-down select
			{"widget tested ok", Sep},
		},
		Timeouts: `^(error|error: change timedout|error: SetValue timedout)$`},
	{Name: "input_boxes", Why: "its input boxes (%with_inputs, %with_password, gonbui.RequestInput) are answered in the page",
		Inputs: []string{"foo", "bar", "42", "123456"},
		Expect: [][]string{
			{OutLine(2), Sep, "ok", Sep},
			// %with_inputs and %with_password.
			{OutLine(4), Sep}, {"foo"}, {"str=foo"}, {"pass=bar", Sep},
			// gonbui.RequestInput; a password is echoed as dots.
			{OutLine(5), Sep}, {"Enter: 42"}, {"int=42"}, {"Pin: ···"}, {"secret=123456", Sep},
		}},
	{Name: "comms", Why: "its comm is opened by JavaScript in the page (%widgets) and answered there",
		Expect: [][]string{
			{OutLine(5), Sep},
			{"sent 1", "got 2", "sent 2", "got 3", "sent 3", "got 4", "sent 4", "closed", "done", Sep},
			{OutLine(6), Sep},
			{"ok", Sep},
		},
		Timeouts: `^timedout$`},
}
