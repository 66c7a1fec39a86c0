package front

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/dl4go/dl4go/kernel/wire"
)

// A captured message sent again runs once, however its signature is spelled:
// the replay guard keys on the canonical signature the front computes, not on
// the bytes the sender wrote.
func TestReplayVariants(t *testing.T) {
	sf := newSocketFront(t)
	m := wire.NewMessage("execute_request", nil, "s", executeContent("%%\nfmt.Println(1)"))
	frames, _ := m.Encode(sf.key)
	fr, _ := wire.Split(frames)
	variant := func(sig []byte, header []byte) [][]byte {
		v := fr
		v.Signature, v.Header = sig, header
		out := [][]byte{}
		out = append(out, v.Identities...)
		return append(out, []byte(wire.Delimiter), v.Signature, v.Header, v.ParentHeader, v.Metadata, v.Content)
	}
	var reserialized bytes.Buffer
	json.Indent(&reserialized, fr.Header, "", " ")
	sends := []struct {
		name   string
		frames [][]byte
	}{
		{"original", frames},
		{"same bytes", frames},
		{"upper-case hex", variant(bytes.ToUpper(fr.Signature), fr.Header)},
		{"mixed-case hex", variant(append(bytes.ToUpper(fr.Signature[:10:10]), fr.Signature[10:]...), fr.Header)},
		{"signature with a trailing space", variant(append(append([]byte{}, fr.Signature...), ' '), fr.Header)},
		{"re-serialised header", variant(fr.Signature, reserialized.Bytes())},
	}
	for _, s := range sends {
		sf.deliver(wire.Shell, s.frames)
	}
	if n := len(sf.gSockets[wire.Shell].sent); n != 1 {
		t.Fatalf("GoNB got the execute_request %d times, want once", n)
	}
}

// On a connection without a key, a message is known by session, msg_id and date.
func TestReplayUnsigned(t *testing.T) {
	sf := newSocketFront(t)
	sf.key = nil
	m := wire.NewMessage("kernel_info_request", nil, "s", nil)
	frames, _ := m.Encode(nil)
	sf.deliver(wire.Shell, frames)
	sf.deliver(wire.Shell, frames)
	other := *m
	other.Header.Session = "another client"
	frames2, _ := other.Encode(nil)
	sf.deliver(wire.Shell, frames2)
	replies := 0
	for _, r := range sf.jSockets[wire.Shell].messages(t, nil) {
		if r.Header.MsgType == "kernel_info_reply" {
			replies++
		}
	}
	if replies != 2 {
		t.Fatalf("%d kernel_info_replies, want 2 (the replay dropped, the other session's message answered)", replies)
	}
}
