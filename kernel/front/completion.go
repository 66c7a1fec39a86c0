package front

import (
	"encoding/json"
	"strings"
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
