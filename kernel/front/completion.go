package front

import (
	"encoding/json"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/dl4go/dl4go/kernel/wire"
)

// completePrefix makes a cell of bare statements or expressions a %% cell for
// gopls, the way the front runs such cells.
const completePrefix = "%%\n"

// needsStatementContext reports whether code (the text before the cursor
// included) has no %% line, no special commands and no top-level declaration.
func needsStatementContext(code string) bool {
	t := strings.TrimSpace(code)
	if t == "" {
		return false
	}
	if hasSpecialCommand(t) {
		return false
	}
	first := strings.Fields(t)[0]
	for _, kw := range []string{"package", "import", "func", "var", "const", "type", "//"} {
		if first == kw || strings.HasPrefix(first, kw+"(") || strings.HasPrefix(first, "//") {
			return false
		}
	}
	return true
}

// wrapComplete prefixes "%%\n" to a complete_request whose code is bare
// statements, so that gopls completes inside main.
func (f *front) wrapComplete(fr wire.Frames, m *wire.Message) wire.Frames {
	var c map[string]any
	if json.Unmarshal(m.Content, &c) != nil {
		return fr
	}
	code, _ := c["code"].(string)
	pos, _ := c["cursor_pos"].(float64)
	if !needsStatementContext(code) {
		return fr
	}
	c["code"] = completePrefix + code
	c["cursor_pos"] = int(pos) + utf8.RuneCountInString(completePrefix)
	data, err := json.Marshal(c)
	if err != nil {
		return fr
	}
	f.mu.Lock()
	f.wrapped[m.Header.MsgID] = utf8.RuneCountInString(completePrefix)
	f.mu.Unlock()
	fr.Content = data
	return fr
}

// unwrapComplete shifts the cursor positions of a reply to a wrapped request back.
func (f *front) unwrapComplete(fr wire.Frames, m *wire.Message) wire.Frames {
	f.mu.Lock()
	shift, ok := f.wrapped[m.ParentHeader.MsgID]
	delete(f.wrapped, m.ParentHeader.MsgID)
	f.mu.Unlock()
	if !ok {
		return fr
	}
	var c map[string]any
	if json.Unmarshal(m.Content, &c) != nil {
		return fr
	}
	for _, k := range []string{"cursor_start", "cursor_end"} {
		if v, ok := c[k].(float64); ok {
			c[k] = max(0, int(v)-shift)
		}
	}
	if data, err := json.Marshal(c); err == nil {
		fr.Content = data
	}
	return fr
}

// warmCompletion sends GoNB one completion request of the front's own as soon as GoNB
// is up, and drops the reply: gopls loads the cell module's packages on its first
// request (2–3 s on 2 cores), longer than JupyterLab waits for a kernel's completions
// (its providerTimeout, 1 s), so the user's first Tab after a kernel start offered
// nothing. GoNB serializes completions with executions: a cell run at once waits for
// this one.
func (f *front) warmCompletion() {
	code := completePrefix + "fmt.Print"
	req := wire.NewMessage("complete_request", nil, f.session, map[string]any{
		"code": code, "cursor_pos": utf8.RuneCountInString(code)})
	ch := f.expectOwn(req.Header.MsgID)
	defer f.forgetOwnLater(req.Header.MsgID)
	start := time.Now()
	if err := f.sendBackend(&f.gShell, req); err != nil {
		f.logf("warm completion: %v", err)
		return
	}
	timeout := time.After(f.inspectTimeout)
	for {
		select {
		case m := <-ch:
			if m.Header.MsgType == "complete_reply" {
				f.logf("gopls answered its first completion in %.1fs", time.Since(start).Seconds())
				return
			}
		case <-timeout:
			f.logf("warm completion: no reply within %v", f.inspectTimeout)
			return
		case <-f.cmdDone:
			return
		}
	}
}
