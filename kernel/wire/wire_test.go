package wire

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// fixedMessage is signed in TestEncodeKnownVector; its digest was computed independently with
// /usr/bin/python3: hmac.new(key, digestmod=hashlib.sha256) over the four frames.
func fixedMessage() *Message {
	return &Message{
		Identities: [][]byte{[]byte("client-1")},
		Header: Header{MsgID: "id-1", Session: "sess-1", Username: "u",
			Date: "2026-11-26T00:00:00.000000Z", MsgType: "execute_request", Version: "5.3"},
		Content: json.RawMessage(`{"code":"fmt.Println(1)"}`),
	}
}

const (
	fixedKey    = "0123456789abcdef-secret"
	fixedDigest = "055f72b2072ff1c2765deb27d02aef55f42e2a810a9a9ab9c1b492518500425e"
)

func TestEncodeKnownVector(t *testing.T) {
	frames, err := fixedMessage().Encode([]byte(fixedKey))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"client-1", Delimiter, fixedDigest,
		`{"msg_id":"id-1","session":"sess-1","username":"u","date":"2026-11-26T00:00:00.000000Z","msg_type":"execute_request","version":"5.3"}`,
		`{}`, `{}`, `{"code":"fmt.Println(1)"}`}
	if len(frames) != len(want) {
		t.Fatalf("got %d frames, want %d", len(frames), len(want))
	}
	for i := range want {
		if string(frames[i]) != want[i] {
			t.Errorf("frame %d = %q, want %q", i, frames[i], want[i])
		}
	}
}

func TestDecode(t *testing.T) {
	key := []byte(fixedKey)
	good, err := fixedMessage().Encode(key)
	if err != nil {
		t.Fatal(err)
	}
	clone := func(frames [][]byte) [][]byte {
		out := make([][]byte, len(frames))
		for i, f := range frames {
			out[i] = append([]byte(nil), f...)
		}
		return out
	}
	tamperContent := clone(good)
	tamperContent[6] = []byte(`{"code":"os.Exit(1)"}`)
	wrongSig := clone(good)
	wrongSig[2] = []byte("00" + fixedDigest[2:])
	noDelim := append(clone(good[:1]), clone(good[2:])...)
	short := clone(good[:5])
	unsigned, _ := fixedMessage().Encode(nil)

	tests := []struct {
		name    string
		frames  [][]byte
		key     []byte
		wantErr error
	}{
		{"good", good, key, nil},
		{"wrong key", good, []byte("another key"), ErrBadSignature},
		{"tampered content", tamperContent, key, ErrBadSignature},
		{"wrong signature", wrongSig, key, ErrBadSignature},
		{"unsigned message, signed connection", unsigned, key, ErrBadSignature},
		{"unsigned connection", unsigned, nil, nil},
		{"missing delimiter", noDelim, key, ErrNoDelimiter},
		{"short", short, key, ErrShortMessage},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := Decode(tc.frames, tc.key)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("Decode error = %v, want %v", err, tc.wantErr)
			}
			if err != nil {
				return
			}
			if m.Header.MsgType != "execute_request" || string(m.Identities[0]) != "client-1" {
				t.Errorf("decoded %+v", m)
			}
			var c struct{ Code string }
			if err := m.Unmarshal(&c); err != nil || c.Code != "fmt.Println(1)" {
				t.Errorf("content %q, %v", c.Code, err)
			}
		})
	}
}

func TestResign(t *testing.T) {
	a, b := []byte("key-a"), []byte("key-b")
	frames, _ := fixedMessage().Encode(a)
	f, err := Split(frames)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Verify(a); err != nil {
		t.Fatal(err)
	}
	re := f.Sign(b)
	if _, err := Decode(re, b); err != nil {
		t.Fatalf("resigned message does not verify: %v", err)
	}
	if _, err := Decode(re, a); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("resigned message still verifies under the old key: %v", err)
	}
}

func TestReplyRoutesToParent(t *testing.T) {
	parent := fixedMessage()
	reply := NewMessage("execute_reply", parent, "kernel-session", map[string]any{"status": "ok"})
	if reply.ParentHeader != parent.Header || string(reply.Identities[0]) != "client-1" {
		t.Errorf("reply header/identities wrong: %+v", reply)
	}
	if reply.Header.MsgID == "" || reply.Header.MsgID == parent.Header.MsgID || reply.Header.Version != ProtocolVersion {
		t.Errorf("reply header %+v", reply.Header)
	}
	empty := NewMessage("status", nil, "s", nil)
	frames, _ := empty.Encode(nil)
	if string(frames[3]) != "{}" || string(frames[5]) != "{}" {
		t.Errorf("parent header %q content %q, want {} {}", frames[3], frames[5])
	}
}

func TestConnectionFile(t *testing.T) {
	ci, err := NewLoopbackConnection()
	if err != nil {
		t.Fatal(err)
	}
	ci.KernelName = "dl4go"
	seen := map[int]bool{}
	for _, ch := range Channels {
		p := ci.Port(ch)
		if p <= 0 || seen[p] {
			t.Errorf("port of %s = %d (duplicate or unset)", ch, p)
		}
		seen[p] = true
	}
	if len(ci.Key) != 64 || ci.IP != "127.0.0.1" {
		t.Errorf("key %q ip %q", ci.Key, ci.IP)
	}
	path := filepath.Join(t.TempDir(), "kernel.json")
	if err := ci.Write(path); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", st.Mode().Perm())
	}
	got, err := LoadConnectionFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got != ci {
		t.Errorf("round trip: %+v != %+v", got, ci)
	}
	bad := []string{`{`, `{"transport":"udp","ip":"x"}`, `{"transport":"tcp","ip":"127.0.0.1","signature_scheme":"hmac-md5","key":"k"}`}
	for _, b := range bad {
		p := filepath.Join(t.TempDir(), "bad.json")
		os.WriteFile(p, []byte(b), 0o600)
		if _, err := LoadConnectionFile(p); err == nil {
			t.Errorf("LoadConnectionFile(%s) accepted", b)
		}
	}
}

func TestSocketsRoundTrip(t *testing.T) {
	ci, err := NewLoopbackConnection()
	if err != nil {
		t.Fatal(err)
	}
	key := ci.SigningKey()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	router, err := Listen(ctx, ci, Shell)
	if err != nil {
		t.Fatal(err)
	}
	defer router.Close()
	dealer, err := Dial(ctx, ci, Shell, "client-A")
	if err != nil {
		t.Fatal(err)
	}
	defer dealer.Close()
	req := NewMessage("kernel_info_request", nil, "sess", nil)
	if err := Send(dealer, req, key); err != nil {
		t.Fatal(err)
	}
	got, err := Recv(router, key)
	if err != nil {
		t.Fatal(err)
	}
	if got.Header != req.Header || len(got.Identities) != 1 || string(got.Identities[0]) != "client-A" {
		t.Fatalf("router got %+v", got)
	}
	if err := Send(router, NewMessage("kernel_info_reply", got, "kernel", map[string]string{"status": "ok"}), key); err != nil {
		t.Fatal(err)
	}
	rep, err := Recv(dealer, key)
	if err != nil {
		t.Fatal(err)
	}
	if rep.ParentHeader.MsgID != req.Header.MsgID {
		t.Errorf("reply parent %q, want %q", rep.ParentHeader.MsgID, req.Header.MsgID)
	}
}
