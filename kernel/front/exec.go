package front

import (
	"context"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"html"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/dl4go/dl4go/kernel/wire"
)

// cellKind says how the front rewrites a cell before GoNB runs it.
type cellKind int

const (
	plainCell cellKind = iota // sent as is
	exprCell                  // a lone expression: its value becomes execute_result
	stmtCell                  // a lone call to a printing function: run as a %% statement
	helpCell                  // "?name" or "name?": the documentation, as a pager payload
)

// helpTarget returns the expression of a "?name" / "name?" cell.
func helpTarget(code string) (string, bool) {
	t := strings.TrimSpace(code)
	if strings.Contains(t, "\n") || len(t) < 2 {
		return "", false
	}
	var e string
	switch {
	case strings.HasPrefix(t, "?"):
		e = strings.TrimLeft(t, "?")
	case strings.HasSuffix(t, "?"):
		e = strings.TrimRight(t, "?")
	default:
		return "", false
	}
	e = strings.TrimSpace(e)
	if _, err := parser.ParseExpr(e); err != nil || e == "" {
		return "", false
	}
	return e, true
}

// statementPackages are packages whose calls are run for their effect, not displayed.
var statementPackages = map[string]bool{"fmt": true, "log": true, "os": true, "gonbui": true, "plotting": true, "klog": true}

// classify decides whether code is a lone Go expression.
func classify(code string) cellKind {
	trimmed := strings.TrimSpace(code)
	if trimmed == "" {
		return plainCell
	}
	for _, line := range strings.Split(trimmed, "\n") {
		l := strings.TrimSpace(line)
		if strings.HasPrefix(l, "%") || strings.HasPrefix(l, "!") {
			return plainCell
		}
	}
	if _, ok := helpTarget(trimmed); ok {
		return helpCell
	}
	fset := token.NewFileSet()
	if _, err := parser.ParseFile(fset, "cell.go", "package main\n"+trimmed, parser.SkipObjectResolution); err == nil {
		return plainCell // declarations
	}
	expr, err := parser.ParseExprFrom(fset, "cell.go", trimmed, parser.SkipObjectResolution)
	if err != nil {
		return plainCell
	}
	if call, ok := expr.(*ast.CallExpr); ok {
		switch fn := call.Fun.(type) {
		case *ast.Ident:
			if fn.Name == "println" || fn.Name == "print" || fn.Name == "panic" {
				return stmtCell
			}
		case *ast.SelectorExpr:
			if x, ok := fn.X.(*ast.Ident); ok && statementPackages[x.Name] {
				return stmtCell
			}
		}
	}
	return exprCell
}

// exprProgram wraps an expression so that the cell program writes its value to path.
func exprProgram(expr, path string) string {
	return "%%\nfunc(vs ...any) { var s string; for i, v := range vs { if i > 0 { s += \" \" }; " +
		"if t, ok := v.(string); ok { s += fmt.Sprintf(\"%q\", t) } else { s += fmt.Sprintf(\"%v\", v) } }; " +
		"_ = os.WriteFile(" + strconv.Quote(path) + ", []byte(s), 0o600) }(" + strings.TrimSpace(expr) + ")\n"
}

// ClearOutputMIME is the MIME type of a display_data that the front turns into a
// clear_output message (content: {"wait": bool}, or a JSON string of it). Cell
// programs send it with gonbui.SendData to clear their output area, e.g. for
// live charts.
const ClearOutputMIME = "application/vnd.dl4go.clear-output+json"

type execState struct {
	orig       *wire.Message
	origHeader []byte // raw header frame of the request, the parent of everything
	code       string
	kind       cellKind
	storeHist  bool
	silent     bool
	id1, id2   string // msg_ids GoNB sees for the first attempt and the retry
	resultPath string

	mu          sync.Mutex
	retrying    bool // the expression form failed to compile: the original code runs as id2
	count       int
	stderr      []byte // tail of stderr
	compileHTML string
	gonbError   bool
	failure     *errorContent // set at finalize when the front publishes an error
	compileErr  *errorContent
	interrupted bool
	panicHold   bool          // a panic report started on stderr
	held        []wire.Frames // stderr streams held back until the end
	result      string
	page        map[string]any // pager payload data of a help cell
	finalized   chan struct{}
	finalOnce   sync.Once
	replied     chan struct{} // closed once the execute_reply went to Jupyter
	repliedAt   time.Time
	stopOnError bool
	failed      bool // the reply said "error"
}

type errorContent struct {
	Ename     string   `json:"ename"`
	Evalue    string   `json:"evalue"`
	Traceback []string `json:"traceback"`
}

const stderrTail = 64 << 10

type queuedExec struct {
	fr      wire.Frames
	m       *wire.Message
	arrived time.Time
}

// runExecs hands execute_requests to GoNB one at a time, in order. After a cell
// fails, the requests already waiting are aborted when the failed one asked
// stop_on_error (as IPython does), so Run All stops at the failed cell.
func (f *front) runExecs(ctx context.Context) {
	var next *queuedExec
	for {
		q := next
		next = nil
		if q == nil {
			select {
			case r := <-f.execQueue:
				q = &r
			case <-ctx.Done():
				return
			case <-f.stop:
				return
			}
		}
		st := f.execute(q.fr, q.m)
		if st == nil {
			continue
		}
		select {
		case <-st.replied:
		case <-ctx.Done():
			return
		case <-f.stop:
			return
		case <-f.cmdDone:
			return
		}
		st.mu.Lock()
		abort := st.failed && st.stopOnError
		repliedAt := st.repliedAt
		st.mu.Unlock()
		// Abort what arrived before the failure was reported.
		for abort && next == nil {
			select {
			case r := <-f.execQueue:
				if r.arrived.Before(repliedAt) {
					f.abort(r.m)
				} else {
					next = &r
				}
			default:
				abort = false
			}
		}
	}
}

// abort answers an execute_request with status "aborted" without running it.
func (f *front) abort(m *wire.Message) {
	f.logf("aborting execute_request %s after a failed cell", m.Header.MsgID)
	f.replyLocal(&f.jShell, m, "execute_reply", map[string]any{"status": "aborted", "execution_count": nil,
		"ename": "Aborted", "evalue": "a previous cell failed", "traceback": []string{}})
}

// execute forwards an execute_request, rewritten when the cell is a lone expression.
func (f *front) execute(fr wire.Frames, m *wire.Message) *execState {
	var content map[string]any
	if err := json.Unmarshal(m.Content, &content); err != nil {
		f.logf("execute_request: bad content: %v", err)
		return nil
	}
	code, _ := content["code"].(string)
	st := &execState{orig: m, origHeader: fr.Header, code: code, id1: m.Header.MsgID, finalized: make(chan struct{}), replied: make(chan struct{})}
	st.storeHist, _ = content["store_history"].(bool)
	st.silent, _ = content["silent"].(bool)
	st.stopOnError = true
	if v, ok := content["stop_on_error"].(bool); ok {
		st.stopOnError = v
	}
	st.kind = classify(code)
	switch st.kind {
	case exprCell:
		st.resultPath = filepath.Join(f.tmpDir, "result-"+wire.NewID())
		content["code"] = exprProgram(code, st.resultPath)
	case stmtCell:
		content["code"] = "%%\n" + strings.TrimSpace(code) + "\n"
	case helpCell:
		target, _ := helpTarget(code)
		st.page = f.inspect(target)
		content["code"] = "" // GoNB counts the cell and runs nothing
	}
	f.mu.Lock()
	f.execs[st.id1] = st
	f.mu.Unlock()
	if st.kind != plainCell {
		data, _ := json.Marshal(content)
		fr.Content = data
	}
	if err := f.gShell.send(fr.Sign(f.gkey)); err != nil {
		f.logf("forward execute_request: %v", err)
	}
	return st
}

// retry runs an expression cell whose rewritten form did not compile (e.g. a call
// without results) as a %% statement: same identities, new msg_id, no history.
func (f *front) retry(st *execState) {
	var content map[string]any
	_ = json.Unmarshal(st.orig.Content, &content)
	content["code"] = "%%\n" + strings.TrimSpace(st.code) + "\n"
	content["store_history"] = false
	var header map[string]any
	_ = json.Unmarshal(st.origHeader, &header)
	st.id2 = wire.NewID()
	header["msg_id"] = st.id2
	hb, _ := json.Marshal(header)
	cb, _ := json.Marshal(content)
	md, _ := json.Marshal(st.orig.Metadata)
	if st.orig.Metadata == nil {
		md = []byte("{}")
	}
	f.mu.Lock()
	f.execs[st.id2] = st
	f.mu.Unlock()
	fr := wire.Frames{Identities: st.orig.Identities, Header: hb, ParentHeader: []byte("{}"), Metadata: md, Content: cb}
	if err := f.gShell.send(fr.Sign(f.gkey)); err != nil {
		f.logf("retry execute_request: %v", err)
	}
}

// execIOPub handles GoNB's iopub messages of an execution.
func (f *front) execIOPub(st *execState, fr wire.Frames, m *wire.Message) {
	pid := m.ParentHeader.MsgID
	st.mu.Lock()
	first := pid == st.id1
	discardFirst := first && st.retrying
	isRetry := st.id2 != "" && pid == st.id2
	st.mu.Unlock()
	t := m.Header.MsgType
	switch t {
	case "status":
		var s struct {
			State string `json:"execution_state"`
		}
		_ = m.Unmarshal(&s)
		if s.State == "busy" {
			if isRetry {
				return
			}
			f.mu.Lock()
			f.current = st
			f.mu.Unlock()
		}
		if s.State == "idle" {
			if discardFirst {
				return
			}
			f.finalize(st)
			// The idle goes out before the reply and before the next cell's busy.
			f.publishFrames(fr, t, st.origHeader)
			close(st.finalized)
			return
		}
	case "execute_input":
		var c struct {
			Count int `json:"execution_count"`
		}
		_ = m.Unmarshal(&c)
		if isRetry {
			return
		}
		st.mu.Lock()
		st.count = c.Count
		st.mu.Unlock()
		if st.kind != plainCell {
			data, _ := json.Marshal(map[string]any{"execution_count": c.Count, "code": st.code})
			fr.Content = data
		}
	case "display_data":
		var c struct {
			Data map[string]any `json:"data"`
		}
		_ = m.Unmarshal(&c)
		if h, ok := c.Data["text/html"].(string); ok && isCompileReport(h) {
			st.mu.Lock()
			st.compileHTML = h
			st.mu.Unlock()
			return // becomes the traceback of the error that follows
		}
		if v, ok := c.Data[ClearOutputMIME]; ok {
			wait := false
			if m, ok := v.(map[string]any); ok {
				wait, _ = m["wait"].(bool)
			} else if s, ok := v.(string); ok {
				wait = strings.Contains(s, "true")
			}
			f.publish(st.orig, "clear_output", map[string]any{"wait": wait})
			return
		}
	case "error":
		st.mu.Lock()
		if first && st.kind == exprCell && !st.retrying {
			st.retrying = true
			st.compileHTML = ""
			st.mu.Unlock()
			f.retry(st)
			return
		}
		st.gonbError = true
		html := st.compileHTML
		st.mu.Unlock()
		if ce := compileError(html); ce != nil {
			ce.shiftLines(st.count, st.lineOffset())
			st.mu.Lock()
			st.compileErr = ce
			st.mu.Unlock()
			data, _ := json.Marshal(ce)
			fr.Content = data
		}
	case "stream":
		if discardFirst {
			return
		}
		var c struct {
			Name string `json:"name"`
			Text string `json:"text"`
		}
		_ = m.Unmarshal(&c)
		st.mu.Lock()
		if c.Name == "stderr" {
			st.stderr = append(st.stderr, c.Text...)
			if len(st.stderr) > stderrTail {
				st.stderr = append([]byte(nil), st.stderr[len(st.stderr)-stderrTail:]...)
			}
			// A panic's report and GoNB's closing "exit status N" become the
			// error output: hold them until the execution ends.
			if !st.panicHold && reCrashStart.MatchString(c.Text) {
				st.panicHold = true
			}
			if st.panicHold || reExitOnly.MatchString(c.Text) {
				st.held = append(st.held, fr)
				st.mu.Unlock()
				return
			}
		}
		held := st.held
		if !st.panicHold {
			st.held = nil
		} else {
			held = nil
		}
		st.mu.Unlock()
		for _, h := range held { // the cell went on after a failed command
			f.publishFrames(h, "stream", st.origHeader)
		}
	}
	if discardFirst {
		return
	}
	f.publishFrames(fr, t, st.origHeader)
}

// finalize runs once, at the idle status of the execution: it publishes the
// error (runtime failure) or execute_result, and records history.
func (f *front) finalize(st *execState) {
	st.finalOnce.Do(func() {
		st.mu.Lock()
		gonbError := st.gonbError
		stderr := string(st.stderr)
		interrupted := st.interrupted
		count := st.count
		st.mu.Unlock()
		st.mu.Lock()
		held := st.held
		st.held = nil
		st.mu.Unlock()
		var failure *errorContent
		if !gonbError {
			failure = runtimeFailure(stderr, strings.Repeat("\n", st.lineOffset())+st.code, count, interrupted)
			failure.shiftLines(count, st.lineOffset())
		}
		if failure == nil {
			for _, h := range held {
				f.publishFrames(h, "stream", st.origHeader)
			}
		}
		if !gonbError {
			if e := failure; e != nil {
				st.mu.Lock()
				st.failure = e
				st.mu.Unlock()
				f.publish(st.orig, "error", e)
			} else if st.kind == exprCell && st.resultPath != "" {
				if data, err := os.ReadFile(st.resultPath); err == nil {
					os.Remove(st.resultPath)
					st.mu.Lock()
					st.result = string(data)
					st.mu.Unlock()
					if !st.silent {
						f.publish(st.orig, "execute_result", map[string]any{
							"execution_count": count,
							"data":            map[string]any{"text/plain": string(data)},
							"metadata":        map[string]any{},
						})
					}
				}
			}
		}
		if st.storeHist && !st.silent {
			f.hist.Add(count, st.code, st.result)
		}
		f.mu.Lock()
		if f.current == st {
			f.current = nil
		}
		f.mu.Unlock()
	})
}

// finishReply forwards GoNB's execute_reply once the execution is finalized,
// with the status and error the front decided.
func (f *front) finishReply(st *execState, fr wire.Frames, m *wire.Message) {
	st.mu.Lock()
	discard := m.ParentHeader.MsgID == st.id1 && st.retrying
	st.mu.Unlock()
	if discard {
		return
	}
	select {
	case <-st.finalized:
	case <-time.After(10 * time.Second):
		f.logf("execute_reply: no idle status within 10 s; replying anyway")
	}
	st.mu.Lock()
	discard = m.ParentHeader.MsgID == st.id1 && st.retrying // the error may come after the reply
	st.mu.Unlock()
	if discard {
		return
	}
	var content map[string]any
	if err := json.Unmarshal(m.Content, &content); err != nil {
		content = map[string]any{"status": "ok"}
	}
	st.mu.Lock()
	if st.storeHist && !st.silent && st.count > 0 {
		content["execution_count"] = st.count
	}
	e := st.failure
	if st.compileErr != nil {
		e = st.compileErr
	}
	st.mu.Unlock()
	if e != nil {
		content["status"] = "error"
		content["ename"] = e.Ename
		content["evalue"] = e.Evalue
		content["traceback"] = e.Traceback
	}
	if st.kind == helpCell && content["status"] == "ok" {
		if st.page != nil {
			content["payload"] = []any{map[string]any{"source": "page", "data": st.page, "start": 0}}
		} else {
			content["status"] = "error"
			content["ename"] = "NotFound"
			content["evalue"] = "no documentation found for " + strings.TrimSpace(st.code)
			content["traceback"] = []string{content["evalue"].(string)}
		}
	}
	if _, ok := content["user_expressions"]; !ok && content["status"] == "ok" {
		content["user_expressions"] = map[string]any{}
	}
	data, _ := json.Marshal(content)
	fr.Content = data
	fr.ParentHeader = st.origHeader
	st.mu.Lock()
	st.repliedAt = time.Now()
	st.mu.Unlock()
	if err := f.jShell.send(fr.Sign(f.key)); err != nil {
		f.logf("forward execute_reply: %v", err)
	}
	st.mu.Lock()
	st.failed = content["status"] == "error"
	st.mu.Unlock()
	close(st.replied)
	f.mu.Lock()
	delete(f.execs, st.id1)
	if st.id2 != "" {
		delete(f.execs, st.id2)
	}
	f.mu.Unlock()
}

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
		text := strings.TrimSpace(html.UnescapeString(reTags.ReplaceAllString(report, "")))
		e.Evalue = text
		e.Traceback = strings.Split(text, "\n")
	}
	return e
}

var (
	reCrashStart = regexp.MustCompile(`(?m)^(panic: |fatal error: )`)
	reExitOnly   = regexp.MustCompile(`^(?:\^C\n)?(?:exit status \d+|signal: [^\n]+)\n?$`)
	reExit       = regexp.MustCompile(`(?m)^(?:\^C\n)?(exit status (\d+)|signal: ([^\n]+))\n?\z`)
	reGoNBFrame  = regexp.MustCompile(`\x1b\[7m\[\[ Cell \[(\d+)\] Line (\d+) \]\]\x1b\[0m`)
	reANSI       = regexp.MustCompile(`\x1b\[[0-9;]*m`)
	rePanicCalls = regexp.MustCompile(`\bpanic\s*\(`)
	reNonBlank   = regexp.MustCompile(`\S`)
	reFatalCalls = regexp.MustCompile(`\b(log\.(Fatal|Panic)\w*|os\.Exit|klog\.(Fatal|Exit)\w*|must\.\w+)\s*\(`)
)

// runtimeFailure reads the end of a cell's stderr: GoNB ends it with "exit status N"
// or "signal: S" when the program (or a shell command) failed.
func runtimeFailure(stderr, code string, count int, interrupted bool) *errorContent {
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
		e.Ename = "panic"
		if strings.HasPrefix(first, "fatal error: ") {
			e.Ename = "fatal error"
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
		if frames == 0 {
			// GoNB marks cell frames per write to its stderr pipe, so a frame split
			// across two writes stays unmarked: point at the cell's panicking calls or,
			// in a cell of one line (an expression), at that line.
			calls := callsInCell(code, count, rePanicCalls)
			if lines := callsInCell(code, count, reNonBlank); len(calls) == 0 && len(lines) == 1 { // a one-line cell
				calls = lines
			}
			e.Traceback = append(e.Traceback, calls...)
		}
	} else {
		e.Ename = "ExitError"
		if exitLine != "" && strings.HasPrefix(exitLine, "signal: ") {
			e.Ename = "Signal"
		}
		last := ""
		for _, l := range strings.Split(before, "\n") {
			if s := strings.TrimSpace(reANSI.ReplaceAllString(l, "")); s != "" {
				last = s
			}
		}
		e.Evalue = exitLine
		if last != "" {
			e.Evalue = last + " (" + exitLine + ")"
		}
		if last != "" {
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

// inspect asks GoNB (gopls) for the documentation of expr, as a %% statement,
// and returns the mime bundle, with text/plain always present; nil if none.
func (f *front) inspect(expr string) map[string]any {
	code := completePrefix + expr
	req := wire.NewMessage("inspect_request", nil, f.session, map[string]any{
		"code": code, "cursor_pos": len([]rune(code)), "detail_level": 0})
	ch := f.expectOwn(req.Header.MsgID)
	defer f.forgetOwnLater(req.Header.MsgID)
	if err := f.sendBackend(&f.gShell, req); err != nil {
		f.logf("inspect: %v", err)
		return nil
	}
	timeout := time.After(15 * time.Second)
	for {
		select {
		case m := <-ch:
			if m.Header.MsgType != "inspect_reply" {
				continue
			}
			var r struct {
				Found bool           `json:"found"`
				Data  map[string]any `json:"data"`
			}
			if m.Unmarshal(&r) != nil || !r.Found || len(r.Data) == 0 {
				return nil
			}
			if _, ok := r.Data["text/plain"]; !ok {
				for _, k := range []string{"text/markdown", "text/html"} {
					if v, ok := r.Data[k].(string); ok {
						r.Data["text/plain"] = html.UnescapeString(reTags.ReplaceAllString(v, ""))
						break
					}
				}
			}
			return r.Data
		case <-timeout:
			f.logf("inspect %s: no reply within 15 s", expr)
			return nil
		}
	}
}

// lineOffset is the number of lines the front put before the user's code.
func (st *execState) lineOffset() int {
	if st.kind == exprCell || st.kind == stmtCell {
		return strings.Count(completePrefix, "\n")
	}
	return 0
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
