package front

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"unicode/utf8"

	"github.com/dl4go/dl4go/kernel/wire"
)

// A request from Jupyter is checked against the messaging spec
// (https://jupyter-client.readthedocs.io/en/latest/messaging.html, protocol 5.3)
// before the front acts on it or GoNB sees it: GoNB v0.11.1 type-asserts the
// fields it reads (internal/dispatcher/dispatcher.go: `content["silent"].(bool)`,
// `int(content["detail_level"].(float64))`, ...) and a message that lacks one
// kills it. A request that fails the check gets an error reply (a request type
// whose reply the spec defines) or is dropped and logged (comm messages,
// input_reply, unknown types); fields the spec gives a default get it.

// fieldKind is the JSON type a content field must have.
type fieldKind int

const (
	fString fieldKind = iota
	fBool
	fCount  // a non-negative integer
	fInt    // an integer (history's session may be negative: relative sessions)
	fObject // a JSON object
	fCursor // a non-negative integer not beyond the code's length in code points
)

func (k fieldKind) String() string {
	return [...]string{"a string", "a boolean", "a non-negative integer", "an integer", "an object",
		"a cursor position (0 to the length of code)"}[k]
}

// field is one content field of a request.
type field struct {
	name     string
	kind     fieldKind
	required bool
	def      any    // filled in when the field is absent (nil: left absent)
	oneOf    string // for strings: the values allowed, separated by "|"
}

// requestSpec describes a message type the front accepts from Jupyter.
type requestSpec struct {
	channels []wire.Channel // where it may arrive
	reply    string         // the reply type; "" when the spec defines none
	fields   []field
}

var (
	shellOrControl = []wire.Channel{wire.Shell, wire.Control}
	emptyObject    = map[string]any{}
)

// requestSpecs are the requests of protocol 5.3 that the front or GoNB handle.
var requestSpecs = map[string]requestSpec{
	"execute_request": {channels: shellOrControl, reply: "execute_reply", fields: []field{
		{name: "code", kind: fString, required: true},
		{name: "silent", kind: fBool, def: false},
		{name: "store_history", kind: fBool, def: true}, // forced to false when silent
		{name: "user_expressions", kind: fObject, def: emptyObject},
		{name: "allow_stdin", kind: fBool, def: true},
		{name: "stop_on_error", kind: fBool, def: true},
	}},
	"inspect_request": {channels: shellOrControl, reply: "inspect_reply", fields: []field{
		{name: "code", kind: fString, required: true},
		{name: "cursor_pos", kind: fCursor, required: true},
		{name: "detail_level", kind: fCount, def: 0, oneOf: "0|1"},
	}},
	"complete_request": {channels: shellOrControl, reply: "complete_reply", fields: []field{
		{name: "code", kind: fString, required: true},
		{name: "cursor_pos", kind: fCursor, required: true},
	}},
	"history_request": {channels: shellOrControl, reply: "history_reply", fields: []field{
		{name: "hist_access_type", kind: fString, required: true, oneOf: "range|tail|search"},
		{name: "output", kind: fBool, def: false},
		{name: "raw", kind: fBool, def: false},
		{name: "session", kind: fInt},
		{name: "start", kind: fInt},
		{name: "stop", kind: fInt},
		{name: "n", kind: fCount},
		{name: "pattern", kind: fString},
		{name: "unique", kind: fBool},
	}},
	"is_complete_request": {channels: shellOrControl, reply: "is_complete_reply", fields: []field{
		{name: "code", kind: fString, required: true},
	}},
	"comm_info_request": {channels: shellOrControl, reply: "comm_info_reply", fields: []field{
		{name: "target_name", kind: fString},
	}},
	"kernel_info_request": {channels: shellOrControl, reply: "kernel_info_reply"},
	"shutdown_request": {channels: shellOrControl, reply: "shutdown_reply", fields: []field{
		{name: "restart", kind: fBool, def: false},
	}},
	"interrupt_request": {channels: shellOrControl, reply: "interrupt_reply"},
	"debug_request":     {channels: shellOrControl, reply: "debug_reply"},
	"comm_open": {channels: []wire.Channel{wire.Shell}, fields: []field{
		{name: "comm_id", kind: fString, required: true},
		{name: "target_name", kind: fString, required: true},
		{name: "data", kind: fObject, def: emptyObject},
		{name: "target_module", kind: fString},
	}},
	"comm_msg": {channels: []wire.Channel{wire.Shell}, fields: []field{
		{name: "comm_id", kind: fString, required: true},
		{name: "data", kind: fObject, def: emptyObject},
	}},
	"comm_close": {channels: []wire.Channel{wire.Shell}, fields: []field{
		{name: "comm_id", kind: fString, required: true},
		{name: "data", kind: fObject, def: emptyObject},
	}},
	"input_reply": {channels: []wire.Channel{wire.Stdin}, fields: []field{
		{name: "value", kind: fString, required: true},
	}},
}

// badRequest is a request that fails the spec check.
type badRequest struct {
	msgType string
	reply   string // the reply type to answer with; "" means drop
	problem string
}

func (e *badRequest) Error() string { return e.msgType + ": " + e.problem }

// checkRequest validates a request from Jupyter on channel ch and returns its
// content to act on: the message's own bytes when nothing was missing, or a
// re-encoded object with the spec's defaults filled in.
func checkRequest(ch wire.Channel, m *wire.Message) (json.RawMessage, error) {
	t := m.Header.MsgType
	spec, ok := requestSpecs[t]
	if !ok {
		return nil, &badRequest{msgType: t, problem: fmt.Sprintf("unknown message type on %s (protocol %s)", ch, wire.ProtocolVersion)}
	}
	bad := func(format string, args ...any) error {
		return &badRequest{msgType: t, reply: spec.reply, problem: fmt.Sprintf(format, args...)}
	}
	allowed := false
	for _, c := range spec.channels {
		allowed = allowed || c == ch
	}
	if !allowed {
		// A reply on the wrong socket would not reach the waiting client: drop.
		return nil, &badRequest{msgType: t, problem: fmt.Sprintf("not accepted on the %s channel", ch)}
	}
	if m.Header.MsgID == "" {
		return nil, &badRequest{msgType: t, problem: "the header has no msg_id"}
	}
	var content map[string]any
	d := json.NewDecoder(bytes.NewReader(m.Content))
	d.UseNumber()
	if err := d.Decode(&content); err != nil || content == nil {
		return nil, bad("content must be a JSON object, got %s", describeJSON(m.Content))
	}
	if d.More() {
		return nil, bad("content has data after its JSON object")
	}
	changed := false
	for _, f := range spec.fields {
		v, present := content[f.name]
		if !present {
			if f.required {
				return nil, bad("content lacks the required field %q (%s)", f.name, f.kind)
			}
			if f.def != nil {
				content[f.name] = f.def
				changed = true
			}
			continue
		}
		if problem := checkField(f, v, content); problem != "" {
			return nil, bad("field %q %s", f.name, problem)
		}
		if num, ok := v.(json.Number); ok {
			if n, _ := integer(num); num.String() != fmt.Sprint(n) {
				content[f.name] = n // 3.0 or 3e0 becomes 3, as Go's json wants it for an int
				changed = true
			}
		}
	}
	if t == "execute_request" && content["silent"] == true && content["store_history"] == true {
		content["store_history"] = false // as the spec says
		changed = true
	}
	if !changed {
		return m.Content, nil
	}
	data, err := json.Marshal(content)
	if err != nil {
		return nil, bad("content cannot be re-encoded: %v", err)
	}
	return data, nil
}

// checkField returns what is wrong with value v of field f ("" when nothing).
func checkField(f field, v any, content map[string]any) string {
	got := func() string { return "must be " + f.kind.String() + ", got " + describeValue(v) }
	switch f.kind {
	case fString:
		s, ok := v.(string)
		if !ok {
			return got()
		}
		if f.oneOf != "" && !oneOf(s, f.oneOf) {
			return fmt.Sprintf("must be one of %s, got %q", strings.ReplaceAll(f.oneOf, "|", ", "), s)
		}
	case fBool:
		if _, ok := v.(bool); !ok {
			return got()
		}
	case fObject:
		if _, ok := v.(map[string]any); !ok {
			return got()
		}
	case fCount, fInt, fCursor:
		n, ok := integer(v)
		if !ok || (f.kind != fInt && n < 0) {
			return got()
		}
		if f.oneOf != "" && !oneOf(fmt.Sprint(n), f.oneOf) {
			return fmt.Sprintf("must be one of %s, got %d", strings.ReplaceAll(f.oneOf, "|", ", "), n)
		}
		if f.kind == fCursor {
			code, _ := content["code"].(string)
			if l := utf8.RuneCountInString(code); n > int64(l) {
				return fmt.Sprintf("is %d, beyond the end of code (%d code points)", n, l)
			}
		}
	}
	return ""
}

// integer returns v as an int64 when it is a JSON number with an integer value.
func integer(v any) (int64, bool) {
	num, ok := v.(json.Number)
	if !ok {
		return 0, false
	}
	if n, err := num.Int64(); err == nil {
		return n, true
	}
	fl, err := num.Float64() // 3.0, 1e3
	if err != nil || fl != math.Trunc(fl) || math.Abs(fl) > 1<<53 {
		return 0, false
	}
	return int64(fl), true
}

func oneOf(s, alternatives string) bool {
	for _, a := range strings.Split(alternatives, "|") {
		if s == a {
			return true
		}
	}
	return false
}

// describeValue names the JSON type of a decoded value, for error messages.
func describeValue(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case json.Number:
		return "the number " + x.String()
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	}
	return fmt.Sprintf("%T", v)
}

// describeJSON names the JSON type of raw content, for error messages.
func describeJSON(raw []byte) string {
	var v any
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	if err := d.Decode(&v); err != nil {
		return "invalid JSON"
	}
	return describeValue(v)
}

// rejectRequest answers (or drops) a request that failed checkRequest, and logs it.
func (f *front) rejectRequest(s *lockedSocket, ch wire.Channel, m *wire.Message, err error) {
	br, ok := err.(*badRequest)
	if !ok || br.reply == "" {
		f.logf("%s: dropped %s %s: %v", ch, m.Header.MsgType, m.Header.MsgID, err)
		return
	}
	f.logf("%s: bad %s %s: %s (answered with an error)", ch, m.Header.MsgType, m.Header.MsgID, br.problem)
	evalue := br.problem + " (the client sent a message that does not follow the Jupyter messaging spec " + wire.ProtocolVersion + "; the kernel ignored it)"
	content := map[string]any{"status": "error", "ename": "BadRequest", "evalue": evalue,
		"traceback": []string{"BadRequest: " + br.Error()}}
	if br.reply == "execute_reply" {
		content["execution_count"] = nil
		content["user_expressions"] = map[string]any{}
	}
	f.replyLocal(s, m, br.reply, content)
}
