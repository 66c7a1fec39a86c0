package front

import (
	"fmt"
	"html"
	"regexp"
	"strconv"
	"strings"
	"syscall"

	"github.com/dl4go/dl4go/kernel/internal/procs"
	"golang.org/x/sys/unix"
)

// errorContent is the content of an error message and of an execute_reply's error fields.
type errorContent struct {
	Ename     string   `json:"ename"`
	Evalue    string   `json:"evalue"`
	Traceback []string `json:"traceback"`
}

// isCompileReport tells GoNB's HTML compile report from other HTML a cell displays.
func isCompileReport(h string) bool {
	return strings.Contains(h, "gonb-err-location") || strings.Contains(h, "gonb-cell-line-info") ||
		(strings.HasPrefix(h, "<pre>") && strings.Contains(h, "main.go:"))
}

var (
	reErrEntry = regexp.MustCompile(`(?s)(?:<span class="gonb-cell-line-info">([^<]*)</span>\s*)?<span class="gonb-err-location">([^<]*)</span>([^<]*)(?:<div class="gonb-err-context">(.*?)</div>\s*</div>)?`)
	reErrLine  = regexp.MustCompile(`(?s)<div class="gonb-err-line">(.*?)(?:</div>|$)`)
	reTags     = regexp.MustCompile(`<[^>]*>`)
)

// compileError turns GoNB's HTML compile report into an error whose traceback
// names the cell lines, or nil when there is no report.
func compileError(report string) *errorContent {
	if report == "" {
		return nil
	}
	e := &errorContent{Ename: "CompileError"}
	for _, mm := range reErrEntry.FindAllStringSubmatch(report, -1) {
		cellInfo := strings.TrimSpace(html.UnescapeString(mm[1]))
		msg := strings.TrimSpace(html.UnescapeString(mm[3]))
		loc := strings.TrimSpace(html.UnescapeString(mm[2]))
		entry := msg
		if cellInfo != "" {
			entry = cellInfo + ": " + msg
		} else if loc != "" {
			entry = loc + " " + msg
		}
		if ctx := reErrLine.FindStringSubmatch(mm[4]); ctx != nil {
			entry += "\n    " + strings.TrimSpace(html.UnescapeString(reTags.ReplaceAllString(ctx[1], "")))
		}
		if e.Evalue == "" {
			e.Evalue = entry
			if i := strings.Index(entry, "\n"); i >= 0 {
				e.Evalue = entry[:i]
			}
		}
		e.Traceback = append(e.Traceback, entry)
	}
	if len(e.Traceback) == 0 {
		text := reportText(report)
		e.Evalue = text
		e.Traceback = strings.Split(text, "\n")
	}
	return e
}

// reGoGetFailed is GoNB's error when the go get it runs for a cell's new imports fails.
var reGoGetFailed = regexp.MustCompile(`failed to run "[^"]*go get"`)

// goGetError turns GoNB's HTML report of a failed go get into an error naming go get's message.
func goGetError(report string) *errorContent {
	e := &errorContent{Ename: "GoGetError"}
	for _, l := range strings.Split(reportText(report), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			e.Traceback = append(e.Traceback, l)
		}
	}
	for _, l := range e.Traceback {
		if e.Evalue == "" || strings.HasPrefix(l, "go: ") {
			e.Evalue = l
			if strings.HasPrefix(l, "go: ") {
				break
			}
		}
	}
	e.Evalue += " (go get, run for the cell's imports, failed)"
	return e
}

var reStyleScript = regexp.MustCompile(`(?is)<(style|script)\b.*?</(style|script)>`)

// reportText is the text of GoNB's HTML report, without its style sheet.
func reportText(report string) string {
	return strings.TrimSpace(html.UnescapeString(reTags.ReplaceAllString(reStyleScript.ReplaceAllString(report, ""), "")))
}

var (
	reCrashStart = regexp.MustCompile(`(?m)^(panic: |fatal error: |SIG[A-Z0-9]+: )`)
	reExitOnly   = regexp.MustCompile(`^(?:\^C\n)?(?:exit status \d+|signal: [^\n]+)\n?$`)
	reExit       = regexp.MustCompile(`(?m)^(?:\^C\n)?(exit status (\d+)|signal: ([^\n]+))\n?\z`)
	reGoNBFrame  = regexp.MustCompile(`\x1b\[7m\[\[ Cell \[(\d+)\] Line (\d+) \]\]\x1b\[0m`)
	reANSI       = regexp.MustCompile(`\x1b\[[0-9;]*m`)
	rePanicCalls = regexp.MustCompile(`\bpanic\s*\(`)
	reNonBlank   = regexp.MustCompile(`\S`)
	reFatalCalls = regexp.MustCompile(`\b(log\.(Fatal|Panic)\w*|os\.Exit|klog\.(Fatal|Exit)\w*|must\.\w+)\s*\(`)
)

// memUse is what the front measured of a cell's memory while it ran.
type memUse struct {
	peak      uint64       // the largest total resident set of the cell's processes seen, bytes
	bound     procs.Memory // the kernel's memory bound
	oomKilled bool         // the cgroup's out-of-memory killer killed a process while the cell ran
}

// lastStderrLines is how many lines of what a cell wrote to stderr before a
// signal killed it go into the error.
const lastStderrLines = 5

// runtimeFailure reads the end of a cell's stderr: GoNB ends it with "exit status N"
// or "signal: S" when the program (or a shell command) failed. mem words the
// error of a process killed by SIGKILL.
func runtimeFailure(stderr, code string, count int, interrupted bool, mem memUse) *errorContent {
	mm := reExit.FindStringSubmatchIndex(stderr)
	if mm == nil {
		if interrupted {
			return &errorContent{Ename: "Interrupted", Evalue: "the cell was interrupted", Traceback: []string{"Interrupted"}}
		}
		return nil
	}
	exitLine := stderr[mm[2]:mm[3]]
	before := strings.TrimRight(stderr[:mm[0]], "\n")
	e := &errorContent{}
	if loc := reCrashStart.FindAllStringIndex(before, -1); loc != nil {
		i := loc[0][0]
		trace := before[i:]
		first := strings.SplitN(trace, "\n", 2)[0]
		switch {
		case strings.HasPrefix(first, "fatal error: "):
			e.Ename = "fatal error"
		case strings.HasPrefix(first, "SIG"):
			// The Go runtime's report of a fatal signal: "SIGSEGV: segmentation violation",
			// then PC=..., goroutines and a register dump.
			e.Ename = "Signal"
			e.Traceback = append(e.Traceback, lastLines(before[:i], lastStderrLines)...)
		default:
			e.Ename = "panic"
		}
		e.Evalue = strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(first, "panic: "), "fatal error: "), " [recovered]")
		e.Traceback = append(e.Traceback, first)
		// Frames: keep the function lines and the cell locations GoNB marked.
		lines := strings.Split(trace, "\n")
		frames := 0
		for j := 1; j < len(lines); j++ {
			l := lines[j]
			if m := reGoNBFrame.FindStringSubmatch(l); m != nil {
				fn := ""
				if j > 0 {
					fn = strings.TrimSpace(lines[j-1])
				}
				e.Traceback = append(e.Traceback, fmt.Sprintf("  Cell[%s]: Line %s, in %s%s", m[1], m[2], fn, cellLineText(code, count, m[1], m[2])))
				frames++
			} else if strings.HasPrefix(l, "goroutine ") {
				e.Traceback = append(e.Traceback, l)
			}
		}
		if frames == 0 && e.Ename == "panic" {
			// GoNB marks cell frames per write to its stderr pipe, so a frame split
			// across two writes stays unmarked: point at the cell's panicking calls or,
			// in a cell of one line (an expression), at that line.
			calls := callsInCell(code, count, rePanicCalls)
			if lines := callsInCell(code, count, reNonBlank); len(calls) == 0 && len(lines) == 1 { // a one-line cell
				calls = lines
			}
			e.Traceback = append(e.Traceback, calls...)
		}
	} else if sig, ok := strings.CutPrefix(exitLine, "signal: "); ok {
		// Killed by a signal it did not handle (a shell command, or SIGKILL).
		e.Ename = "Signal"
		e.Evalue = describeSignal(sig, mem)
		e.Traceback = append(lastLines(before, lastStderrLines), e.Evalue)
	} else {
		e.Ename = "ExitError"
		last := ""
		if l := lastLines(before, 1); len(l) == 1 {
			last = l[0]
		}
		e.Evalue = exitLine
		if last != "" {
			e.Evalue = last + " (" + exitLine + ")"
			e.Traceback = append(e.Traceback, last)
		}
		e.Traceback = append(e.Traceback, callsInCell(code, count, reFatalCalls)...)
	}
	if interrupted || strings.HasPrefix(stderr[mm[0]:], "^C") {
		e.Ename = "Interrupted"
		e.Evalue = "the cell was interrupted (" + exitLine + ")"
	}
	e.Traceback = append(e.Traceback, exitLine)
	return e
}

// lastLines returns the last n non-blank lines of text, without colour codes.
func lastLines(text string, n int) []string {
	var out []string
	lines := strings.Split(text, "\n")
	for i := len(lines) - 1; i >= 0 && len(out) < n; i-- {
		if s := strings.TrimSpace(reANSI.ReplaceAllString(lines[i], "")); s != "" {
			out = append([]string{s}, out...)
		}
	}
	return out
}

// describeSignal words the death of a process by the signal Go's os/exec
// describes as desc ("killed", "segmentation fault (core dumped)"): the
// description and the signal's name, and for SIGKILL how much memory the cell
// used, since the out-of-memory killer is what usually sends it.
func describeSignal(desc string, mem memUse) string {
	desc = strings.TrimSuffix(desc, " (core dumped)")
	name := ""
	for i := 1; i < 65; i++ {
		if s := syscall.Signal(i); s.String() == desc {
			name = unix.SignalName(s)
			break
		}
	}
	if name == "" {
		return desc
	}
	text := desc + " (" + name + ")"
	if name != "SIGKILL" {
		return text
	}
	used := "the memory it used is unknown"
	if mem.peak > 0 {
		used = "the cell used " + formatBytes(mem.peak)
		switch {
		case mem.bound.CGroup && mem.bound.Limit > 0:
			used += " of its " + formatBytes(mem.bound.Limit) + " memory limit"
		case mem.bound.Limit > 0:
			used += " of the machine's " + formatBytes(mem.bound.Limit)
		}
	}
	if mem.oomKilled {
		return text + " by the out-of-memory killer: " + used
	}
	return text + " — often the out-of-memory killer: " + used
}

// formatBytes writes n as GiB (one decimal) or MiB.
func formatBytes(n uint64) string {
	if n >= 1<<30 {
		return strconv.FormatFloat(float64(n)/(1<<30), 'f', 1, 64) + " GiB"
	}
	return strconv.FormatUint((n+(1<<19))>>20, 10) + " MiB"
}

// callsInCell returns a traceback line for each line of the cell's code that re matches.
func callsInCell(code string, count int, re *regexp.Regexp) []string {
	var tb []string
	for i, l := range strings.Split(code, "\n") {
		if re.MatchString(l) {
			tb = append(tb, fmt.Sprintf("  Cell[%d]: Line %d: %s", count, i+1, strings.TrimSpace(l)))
		}
	}
	return tb
}

// cellLineText returns ": <source line>" when the frame is in the current cell.
func cellLineText(code string, count int, cell, line string) string {
	if strconv.Itoa(count) != cell {
		return ""
	}
	n, _ := strconv.Atoi(line)
	lines := strings.Split(code, "\n")
	if n < 1 || n > len(lines) {
		return ""
	}
	return ": " + strings.TrimSpace(lines[n-1])
}

var reCellLine = regexp.MustCompile(`Cell\[(\d+)\]: Line (\d+)`)

// shiftLines maps "Cell[count]: Line N" of a rewritten cell back to the user's lines.
func (e *errorContent) shiftLines(count, offset int) {
	if e == nil || offset == 0 {
		return
	}
	fix := func(s string) string {
		return reCellLine.ReplaceAllStringFunc(s, func(m string) string {
			sm := reCellLine.FindStringSubmatch(m)
			if sm[1] != strconv.Itoa(count) {
				return m
			}
			n, _ := strconv.Atoi(sm[2])
			return fmt.Sprintf("Cell[%s]: Line %d", sm[1], max(1, n-offset))
		})
	}
	e.Evalue = fix(e.Evalue)
	for i, t := range e.Traceback {
		e.Traceback[i] = fix(t)
	}
}
