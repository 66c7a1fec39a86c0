package front

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/dl4go/dl4go/kernel/internal/procs"
	"github.com/dl4go/dl4go/kernel/wire"
)

// ClearOutputMIME is the MIME type of a display_data that the front turns into a
// clear_output message (content: {"wait": bool}, or a JSON string of it). Cell
// programs send it with gonbui.SendData to clear their output area, e.g. for
// live charts.
const ClearOutputMIME = "application/vnd.dl4go.clear-output+json"

// execState is one execute_request on its way through GoNB: what the front sent,
// what GoNB reported so far, and the error or result the front will publish.
type execState struct {
	orig       *wire.Message
	origHeader []byte // raw header frame of the request, the parent of everything
	code       string
	kind       cellKind
	shellOnly  bool // only special commands: a failing shell command is not a cell error
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

	watching  bool         // watchMemory runs
	memPeak   uint64       // the largest total resident set of the cell's processes seen
	memBefore procs.Memory // the kernel's memory bound when the cell started
}

// stderrTail is how much of a cell's stderr the front keeps to read its failure.
const stderrTail = 64 << 10

// queuedExec is a request from Jupyter waiting for GoNB, stamped with its arrival.
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
	st.shellOnly = shellOnly(code)
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
	f.recordClient(m.Header.Session)
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
			st.mu.Lock()
			start := !st.watching && f.reaped != nil
			st.watching = true
			st.mu.Unlock()
			if start {
				go f.watchMemory(st)
			}
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
		var reported errorContent
		_ = m.Unmarshal(&reported)
		ce := compileError(html)
		if ce != nil && reGoGetFailed.MatchString(reported.Evalue) {
			ce = goGetError(html) // GoNB showed go get's output, not the compiler's
		}
		if ce != nil {
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
		// A cell of shell commands (and other special commands) reports a failed
		// command as GoNB does, with its exit status on stderr, and goes on (so does
		// Run All); a Go program that fails, or an interrupted cell, is an error.
		if !gonbError && (!st.shellOnly || interrupted) {
			failure = runtimeFailure(stderr, strings.Repeat("\n", st.lineOffset())+st.code, count, interrupted, st.memory())
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
	if _, ok := content["user_expressions"]; !ok {
		// Every reply carries it, as ipykernel's do (GoNB's error replies lack it).
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

// memorySample is how often the front measures a running cell's memory.
const memorySample = 200 * time.Millisecond

// toolchain are the processes of a cell's build, not of the cell itself.
var toolchain = map[string]bool{"go": true, "compile": true, "link": true, "asm": true, "cgo": true,
	"vet": true, "gopls": true, "goimports": true}

// watchMemory records the peak memory of st's processes (the cell program and
// what it starts; not the compiler) until st is finalized, so that a cell
// killed by SIGKILL can say how much it used.
func (f *front) watchMemory(st *execState) {
	before := procs.ReadMemory()
	st.mu.Lock()
	st.memBefore = before
	st.mu.Unlock()
	tick := time.NewTicker(memorySample)
	defer tick.Stop()
	for {
		var total uint64
		for _, p := range procs.Descendants(f.reaped.gonbPID, func(p procs.Process) bool { return toolchain[p.Comm] }) {
			total += procs.PeakRSS(p.PID)
		}
		st.mu.Lock()
		st.memPeak = max(st.memPeak, total)
		st.mu.Unlock()
		select {
		case <-tick.C:
		case <-st.finalized:
			return
		case <-f.stop:
			return
		}
	}
}

// memory is what watchMemory measured, with whether the out-of-memory killer
// struck while the cell ran.
func (st *execState) memory() memUse {
	st.mu.Lock()
	defer st.mu.Unlock()
	now := procs.ReadMemory()
	return memUse{peak: st.memPeak, bound: now, oomKilled: st.watching && now.OOMKills > st.memBefore.OOMKills}
}
