package front

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/dl4go/dl4go/kernel/wire"
	"github.com/go-zeromq/zmq4"
)

func TestCheckRequest(t *testing.T) {
	tests := []struct {
		ch      wire.Channel
		msgType string
		content string
		problem string         // "" when the request is accepted
		reply   bool           // whether a rejected request is answered
		want    map[string]any // fields the accepted content must have
	}{
		{ch: wire.Shell, msgType: "execute_request", content: `{"code":"1+1"}`,
			want: map[string]any{"code": "1+1", "silent": false, "store_history": true, "allow_stdin": true, "stop_on_error": true, "user_expressions": map[string]any{}}},
		{ch: wire.Shell, msgType: "execute_request", content: `{"code":"x","silent":true,"store_history":true}`,
			want: map[string]any{"silent": true, "store_history": false}},
		{ch: wire.Shell, msgType: "execute_request", content: `{"code":42}`, problem: `field "code" must be a string, got the number 42`, reply: true},
		{ch: wire.Shell, msgType: "execute_request", content: `null`, problem: "content must be a JSON object, got null", reply: true},
		{ch: wire.Shell, msgType: "execute_request", content: `[]`, problem: "content must be a JSON object, got an array", reply: true},
		{ch: wire.Shell, msgType: "execute_request", content: `{}`, problem: `lacks the required field "code"`, reply: true},
		{ch: wire.Shell, msgType: "execute_request", content: `{"code":"x","silent":"no"}`, problem: `field "silent" must be a boolean, got a string`, reply: true},
		{ch: wire.Shell, msgType: "execute_request", content: `{"code":"x","user_expressions":null}`, problem: `field "user_expressions" must be an object, got null`, reply: true},
		{ch: wire.Shell, msgType: "execute_request", content: `{"code":"x"} {}`, problem: "data after its JSON object", reply: true},
		{ch: wire.Shell, msgType: "execute_request", content: `not json`, problem: "got invalid JSON", reply: true},
		{ch: wire.Shell, msgType: "inspect_request", content: `{"code":"fmt.Println","cursor_pos":3}`, want: map[string]any{"detail_level": json.Number("0")}},
		{ch: wire.Shell, msgType: "inspect_request", content: `{"code":"fmt","cursor_pos":3,"detail_level":2}`, problem: "must be one of 0, 1, got 2", reply: true},
		{ch: wire.Shell, msgType: "inspect_request", content: `{"code":"fmt","cursor_pos":4}`, problem: "beyond the end of code (3 code points)", reply: true},
		{ch: wire.Shell, msgType: "inspect_request", content: `{"code":"fmt","cursor_pos":-1}`, problem: `"cursor_pos" must be a cursor position`, reply: true},
		{ch: wire.Shell, msgType: "inspect_request", content: `{"code":"fmt","cursor_pos":1.5}`, problem: `"cursor_pos" must be a cursor position`, reply: true},
		{ch: wire.Shell, msgType: "complete_request", content: `{"code":"fmt.","cursor_pos":4.0}`, want: map[string]any{"cursor_pos": json.Number("4")}},
		{ch: wire.Shell, msgType: "complete_request", content: `{"code":"日本","cursor_pos":2}`, want: map[string]any{"cursor_pos": json.Number("2")}},
		{ch: wire.Shell, msgType: "complete_request", content: `{"code":"fmt."}`, problem: `lacks the required field "cursor_pos"`, reply: true},
		{ch: wire.Shell, msgType: "history_request", content: `{"hist_access_type":"tail","n":3}`, want: map[string]any{"output": false, "raw": false}},
		{ch: wire.Shell, msgType: "history_request", content: `{"hist_access_type":"all"}`, problem: "must be one of range, tail, search", reply: true},
		{ch: wire.Shell, msgType: "history_request", content: `{"hist_access_type":"range","session":-1}`},
		{ch: wire.Shell, msgType: "is_complete_request", content: `{"code":null}`, problem: `"code" must be a string, got null`, reply: true},
		{ch: wire.Shell, msgType: "kernel_info_request", content: `{}`},
		{ch: wire.Shell, msgType: "kernel_info_request", content: `"x"`, problem: "content must be a JSON object, got a string", reply: true},
		{ch: wire.Control, msgType: "shutdown_request", content: `{}`, want: map[string]any{"restart": false}},
		{ch: wire.Control, msgType: "shutdown_request", content: `{"restart":1}`, problem: `"restart" must be a boolean`, reply: true},
		{ch: wire.Control, msgType: "interrupt_request", content: `{}`},
		{ch: wire.Shell, msgType: "comm_info_request", content: `{"target_name":7}`, problem: `"target_name" must be a string`, reply: true},
		{ch: wire.Shell, msgType: "comm_open", content: `{"comm_id":"c1","target_name":"gonb_comm"}`, want: map[string]any{"data": map[string]any{}}},
		{ch: wire.Shell, msgType: "comm_open", content: `{"comm_id":"c1"}`, problem: `lacks the required field "target_name"`},
		{ch: wire.Shell, msgType: "comm_msg", content: `{"comm_id":"c1","data":[]}`, problem: `"data" must be an object, got an array`},
		{ch: wire.Shell, msgType: "comm_close", content: `{"comm_id":"c1"}`},
		{ch: wire.Stdin, msgType: "input_reply", content: `{"value":"gopher"}`},
		{ch: wire.Stdin, msgType: "input_reply", content: `{}`, problem: `lacks the required field "value"`},
		{ch: wire.Stdin, msgType: "execute_request", content: `{"code":"x"}`, problem: "not accepted on the stdin channel"},
		{ch: wire.Shell, msgType: "input_reply", content: `{"value":"x"}`, problem: "not accepted on the shell channel"},
		{ch: wire.Shell, msgType: "execute_reply", content: `{}`, problem: "unknown message type on shell"},
		{ch: wire.Shell, msgType: "usage_request", content: `{}`, problem: "unknown message type on shell"},
	}
	for _, tt := range tests {
		name := fmt.Sprintf("%s %s %s", tt.ch, tt.msgType, tt.content)
		m := wire.NewMessage(tt.msgType, nil, "s", json.RawMessage(tt.content))
		got, err := checkRequest(tt.ch, m)
		if tt.problem != "" {
			br, ok := err.(*badRequest)
			if !ok || !strings.Contains(br.problem, tt.problem) {
				t.Errorf("%s: error %v, want one saying %q", name, err, tt.problem)
				continue
			}
			if answered := br.reply != ""; answered != tt.reply {
				t.Errorf("%s: answered %v (reply %q), want %v", name, answered, br.reply, tt.reply)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		var c map[string]any
		d := json.NewDecoder(bytes.NewReader(got))
		d.UseNumber()
		if err := d.Decode(&c); err != nil {
			t.Errorf("%s: content %s: %v", name, got, err)
			continue
		}
		for k, v := range tt.want {
			if jsonString(c[k]) != jsonString(v) {
				t.Errorf("%s: %s = %s, want %s", name, k, jsonString(c[k]), jsonString(v))
			}
		}
	}
	// A message without msg_id is dropped: there is nothing to answer to.
	m := wire.NewMessage("kernel_info_request", nil, "s", nil)
	m.Header.MsgID = ""
	if _, err := checkRequest(wire.Shell, m); err == nil || err.(*badRequest).reply != "" {
		t.Errorf("no msg_id: %v, want a drop", err)
	}
}

// recSocket stands for a ZMQ socket in the in-process tests: it records what is sent.
type recSocket struct {
	zmq4.Socket // nil: only the methods below may be called
	mu          sync.Mutex
	sent        [][][]byte
}

func (r *recSocket) SendMulti(m zmq4.Msg) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sent = append(r.sent, m.Frames)
	return nil
}
func (r *recSocket) Send(m zmq4.Msg) error { return r.SendMulti(m) }
func (r *recSocket) Close() error          { return nil }

func (r *recSocket) messages(t testing.TB, key []byte) []*wire.Message {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []*wire.Message
	for _, frames := range r.sent {
		m, err := wire.Decode(frames, key)
		if err != nil {
			t.Fatalf("the front sent a message that does not decode: %v", err)
		}
		out = append(out, m)
	}
	return out
}

// socketFront is a front wired to recording sockets instead of Jupyter and GoNB,
// to drive its message handling in-process.
type socketFront struct {
	*front
	jSockets map[wire.Channel]*recSocket // Jupyter side: shell, control, stdin, iopub
	gSockets map[wire.Channel]*recSocket // GoNB side: shell, control, stdin
	logs     *[]string
}

func newSocketFront(t testing.TB) *socketFront {
	ci := wire.ConnectionInfo{Key: "jupyter-side-test-key", SignatureScheme: "hmac-sha256"}
	var mu sync.Mutex
	var logs []string
	f := newFront(Options{Logf: func(format string, args ...any) {
		mu.Lock()
		logs = append(logs, fmt.Sprintf(format, args...))
		mu.Unlock()
	}}, ci, 16, 64)
	f.gkey = []byte("gonb-side-test-key")
	f.tmpDir = t.TempDir()
	f.hist = OpenHistory("", f.logf)
	f.inspectTimeout = time.Millisecond
	sf := &socketFront{front: f, jSockets: map[wire.Channel]*recSocket{}, gSockets: map[wire.Channel]*recSocket{}, logs: &logs}
	for ch, ls := range map[wire.Channel]*lockedSocket{wire.Shell: &f.jShell, wire.Control: &f.jControl, wire.Stdin: &f.jStdin, wire.IOPub: &f.jIOPub} {
		sf.jSockets[ch] = &recSocket{}
		ls.s = sf.jSockets[ch]
	}
	for ch, ls := range map[wire.Channel]*lockedSocket{wire.Shell: &f.gShell, wire.Control: &f.gControl, wire.Stdin: &f.gStdin} {
		sf.gSockets[ch] = &recSocket{}
		ls.s = sf.gSockets[ch]
	}
	return sf
}

// deliver passes frames to the front as if they arrived from Jupyter on ch, and
// runs what the front queued for GoNB.
func (sf *socketFront) deliver(ch wire.Channel, frames [][]byte) {
	pending := make(chan queuedExec, 16)
	sf.receive(sf.jSocket(ch), ch, frames, pending)
	for len(pending) > 0 {
		sf.forwardOne(ch, <-pending)
	}
	for len(sf.execQueue) > 0 {
		q := <-sf.execQueue
		sf.execute(q.fr, q.m)
	}
}

func (sf *socketFront) jSocket(ch wire.Channel) *lockedSocket {
	switch ch {
	case wire.Control:
		return &sf.jControl
	case wire.Stdin:
		return &sf.jStdin
	}
	return &sf.jShell
}

// gonbProblem says why GoNB v0.11.1 would crash or misbehave on a message the
// front forwarded to it ("" when it would not). It restates the type assertions
// GoNB makes, read from its source: internal/dispatcher/dispatcher.go
// (handleExecuteRequest, HandleInspectRequest, handleCompleteRequest,
// handleShutdownRequest), internal/kernel/encoding.go (JupyterToLinesAndCursor),
// internal/jpyexec (input_reply's value) and internal/kernel/kernel.go
// (FromWireMsg: the header fields are strings).
func gonbProblem(ch wire.Channel, frames [][]byte, key []byte) string {
	m, err := wire.Decode(frames, key)
	if err != nil {
		return "undecodable or wrongly signed: " + err.Error()
	}
	var header map[string]any
	if err := json.Unmarshal(frames[len(frames)-len(m.Buffers)-4], &header); err != nil {
		return "header is not an object"
	}
	var content any
	if err := json.Unmarshal(m.Content, &content); err != nil {
		return "content is not JSON"
	}
	c, isMap := content.(map[string]any)
	str := func(k string) bool { _, ok := c[k].(string); return ok }
	boolean := func(k string) bool { _, ok := c[k].(bool); return ok }
	cursor := func() bool {
		p, ok := c["cursor_pos"].(float64)
		code, _ := c["code"].(string)
		return ok && p >= 0 && p == float64(int(p)) && int(p) <= utf8.RuneCountInString(code)
	}
	switch m.Header.MsgType {
	case "execute_request":
		if !isMap || !str("code") || !boolean("silent") || !boolean("store_history") {
			return "execute_request without code, silent and store_history"
		}
	case "inspect_request":
		_, level := c["detail_level"].(float64)
		if !isMap || !str("code") || !cursor() || !level {
			return "inspect_request without code, cursor_pos and detail_level"
		}
	case "complete_request":
		if !isMap || (c["code"] != nil && !str("code")) || (c["cursor_pos"] != nil && !cursor()) {
			return "complete_request with a bad code or cursor_pos"
		}
	case "shutdown_request", "comm_open", "comm_msg", "comm_close", "kernel_info_request", "interrupt_request", "debug_request":
		if !isMap {
			return m.Header.MsgType + " content is not an object"
		}
	case "input_reply":
		if ch != wire.Stdin || !isMap || !str("value") {
			return "input_reply without a string value"
		}
	default:
		return "GoNB was sent a " + m.Header.MsgType
	}
	return ""
}

// checkForwarded fails the test if anything the front sent GoNB would upset it.
func (sf *socketFront) checkForwarded(t testing.TB) {
	t.Helper()
	for ch, s := range sf.gSockets {
		s.mu.Lock()
		sent := s.sent
		s.mu.Unlock()
		for _, frames := range sent {
			if p := gonbProblem(ch, frames, sf.gkey); p != "" {
				t.Fatalf("the front forwarded to GoNB's %s a message GoNB cannot take: %s\n%q", ch, p, frames)
			}
		}
	}
}

// answered reports whether the front sent Jupyter a reply to msgID on ch.
func (sf *socketFront) answered(t testing.TB, ch wire.Channel, msgID string) *wire.Message {
	for _, m := range sf.jSockets[ch].messages(t, sf.key) {
		if m.ParentHeader.MsgID == msgID {
			return m
		}
	}
	return nil
}

// fuzzChannels are the channels a fuzzed message arrives on.
var fuzzChannels = []wire.Channel{wire.Shell, wire.Control, wire.Stdin}

// fuzzSeeds are valid and invalid requests of every type the front knows.
var fuzzSeeds = []struct {
	ch      int
	msgType string
	content string
}{
	{0, "execute_request", `{"code":"fmt.Println(1)","silent":false,"store_history":true,"user_expressions":{},"allow_stdin":true,"stop_on_error":true}`},
	{0, "execute_request", `{"code":42}`},
	{0, "execute_request", `null`},
	{0, "execute_request", `{}`},
	{0, "execute_request", `{"code":"x"}`},
	{0, "execute_request", `{"code":"1+1","silent":true}`},
	{0, "execute_request", `{"code":"?fmt.Println"}`},
	{0, "execute_request", `{"code":"%%\nfmt.Println(1)"}`},
	{1, "execute_request", `{"code":"x","silent":false,"store_history":false}`},
	{0, "inspect_request", `{"code":"fmt.Println","cursor_pos":5,"detail_level":0}`},
	{0, "inspect_request", `{"code":"fmt.Println","cursor_pos":5}`},
	{0, "inspect_request", `{"code":"x","cursor_pos":99}`},
	{0, "complete_request", `{"code":"fmt.Pr","cursor_pos":6}`},
	{0, "complete_request", `{"code":"x := fmt.Pr","cursor_pos":1e1}`},
	{0, "complete_request", `{"code":7,"cursor_pos":"7"}`},
	{0, "history_request", `{"hist_access_type":"tail","n":10,"output":true,"raw":true}`},
	{0, "history_request", `{"hist_access_type":"search","pattern":"*","unique":true}`},
	{0, "history_request", `{"hist_access_type":"range","session":-1,"start":1,"stop":1.5}`},
	{0, "is_complete_request", `{"code":"func f() {"}`},
	{0, "is_complete_request", `{"code":["x"]}`},
	{0, "comm_info_request", `{"target_name":"gonb_comm"}`},
	{0, "comm_info_request", `{}`},
	{0, "comm_open", `{"comm_id":"c1","target_name":"gonb_comm","data":{"kernel_id":"k"}}`},
	{0, "comm_msg", `{"comm_id":"c1","data":{"address":"#ping","value":1}}`},
	{0, "comm_close", `{"comm_id":"c1","data":{}}`},
	{0, "comm_msg", `{"comm_id":null}`},
	{0, "kernel_info_request", `{}`},
	{1, "kernel_info_request", `{}`},
	{1, "interrupt_request", `{}`},
	{1, "shutdown_request", `{"restart":true}`},
	{1, "shutdown_request", `{"restart":"yes"}`},
	{1, "debug_request", `{"seq":1,"type":"request","command":"initialize"}`},
	{2, "input_reply", `{"value":"gopher"}`},
	{2, "input_reply", `{"value":null}`},
	{2, "input_reply", `{}`},
	{0, "input_reply", `{"value":"x"}`},
	{2, "execute_request", `{"code":"x"}`},
	{0, "execute_reply", `{"status":"ok"}`},
	{0, "no_such_request", `{}`},
}

// FuzzFrontRequest drives the front's handling of one correctly signed message
// from Jupyter: any channel, any message type, any content. The front must not
// panic, must never pass GoNB a message GoNB cannot take, and must answer every
// request it rejects whose type has a reply. `go test` runs the seeds; `go test
// -fuzz FuzzFrontRequest ./kernel/front` explores.
func FuzzFrontRequest(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(uint8(s.ch), s.msgType, []byte(s.content), []byte(nil))
	}
	// A header of another shape (the fuzzer rewrites it): with it, msgType is ignored.
	f.Add(uint8(0), "", []byte(`{"code":"1"}`), []byte(`{"msg_id":"a","msg_type":"execute_request","session":"s","username":"u","date":"d","version":"5.3"}`))
	f.Add(uint8(0), "", []byte(`{}`), []byte(`{"msg_id":7,"msg_type":"kernel_info_request"}`))
	f.Fuzz(func(t *testing.T, chIndex uint8, msgType string, content, header []byte) {
		sf := newSocketFront(t)
		ch := fuzzChannels[int(chIndex)%len(fuzzChannels)]
		m := wire.NewMessage(msgType, nil, "fuzz", json.RawMessage(content))
		frames, err := m.Encode(sf.key)
		if err != nil {
			t.Skip()
		}
		fr, _ := wire.Split(frames)
		if len(header) > 0 {
			fr.Header = header
		}
		fr.Identities = [][]byte{[]byte("client")}
		sf.deliver(ch, fr.Sign(sf.key))
		sf.checkForwarded(t)

		// A rejected request with a reply type is answered on its own channel.
		decoded, err := fr.Decoded()
		if err != nil {
			return
		}
		if _, err := checkRequest(ch, decoded); err != nil {
			if br := err.(*badRequest); br.reply != "" {
				r := sf.answered(t, ch, decoded.Header.MsgID)
				if r == nil || r.Header.MsgType != br.reply {
					t.Fatalf("rejected %s (%v) got no %s", decoded.Header.MsgType, err, br.reply)
				}
			}
			return
		}
	})
}

// Every seed is handled as the spec says: accepted ones reach GoNB or are
// answered by the front, rejected ones are answered with an error or dropped.
func TestFrontRequestOutcomes(t *testing.T) {
	for _, s := range fuzzSeeds {
		sf := newSocketFront(t)
		ch := fuzzChannels[s.ch]
		m := wire.NewMessage(s.msgType, nil, "test", json.RawMessage(s.content))
		frames, _ := m.Encode(sf.key)
		sf.deliver(ch, frames)
		sf.checkForwarded(t)
		reached := 0
		for _, gs := range sf.gSockets {
			reached += len(gs.sent)
		}
		reply := sf.answered(t, ch, m.Header.MsgID)
		_, err := checkRequest(ch, m)
		name := fmt.Sprintf("%s on %s: %s", s.msgType, ch, s.content)
		switch {
		case err != nil && err.(*badRequest).reply != "":
			var c map[string]any
			if reply == nil || reply.Unmarshal(&c) != nil || c["status"] != "error" || c["ename"] != "BadRequest" || reached > 0 {
				t.Errorf("%s: want an error reply and nothing sent to GoNB; reply %v, %d to GoNB", name, reply, reached)
			}
		case err != nil:
			if reply != nil || reached > 0 {
				t.Errorf("%s: want a drop; reply %v, %d to GoNB", name, reply, reached)
			}
			if !strings.Contains(strings.Join(*sf.logs, "\n"), "dropped "+s.msgType) {
				t.Errorf("%s: the drop was not logged: %q", name, *sf.logs)
			}
		case reply == nil && reached == 0 && s.msgType != "shutdown_request":
			t.Errorf("%s: accepted, but neither answered nor forwarded", name)
		}
	}
}
