package wire

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Delimiter separates the routing identities from the message frames.
const Delimiter = "<IDS|MSG>"

// ProtocolVersion is the Jupyter messaging protocol version spoken here.
const ProtocolVersion = "5.3"

var (
	// ErrBadSignature is returned by [Decode] and [Frames.Verify] when the HMAC does not match.
	ErrBadSignature = errors.New("wire: bad message signature")
	// ErrNoDelimiter is returned when the frames lack the "<IDS|MSG>" delimiter.
	ErrNoDelimiter = errors.New("wire: missing <IDS|MSG> delimiter")
	// ErrShortMessage is returned when fewer than the five frames after the delimiter are present.
	ErrShortMessage = errors.New("wire: message has fewer than 5 frames after the delimiter")
)

// Header is a message header (and the parent header; an empty parent encodes as {}).
type Header struct {
	MsgID    string `json:"msg_id,omitempty"`
	Session  string `json:"session,omitempty"`
	Username string `json:"username,omitempty"`
	Date     string `json:"date,omitempty"`
	MsgType  string `json:"msg_type,omitempty"`
	Version  string `json:"version,omitempty"`
}

// Message is a decoded Jupyter message. Content stays raw JSON; see [Message.Unmarshal].
type Message struct {
	Identities   [][]byte
	Header       Header
	ParentHeader Header
	Metadata     map[string]any
	Content      json.RawMessage
	Buffers      [][]byte
}

// NewID returns a random UUID-4 string, used for msg_id and session ids.
func NewID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(fmt.Sprintf("wire: random id: %v", err))
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// NewMessage builds a message of msgType with the given content (anything json.Marshal
// accepts; a json.RawMessage or []byte is used as is). When parent is not nil the
// message replies to it: it gets the parent's header as parent header and the parent's
// identities, so it routes back to the sender. session names the sender's session.
// It panics if content cannot be marshalled (a programmer error).
func NewMessage(msgType string, parent *Message, session string, content any) *Message {
	m := &Message{
		Header: Header{
			MsgID:    NewID(),
			Session:  session,
			Username: "dl4go",
			Date:     time.Now().UTC().Format("2006-01-02T15:04:05.000000Z07:00"),
			MsgType:  msgType,
			Version:  ProtocolVersion,
		},
		Metadata: map[string]any{},
	}
	switch c := content.(type) {
	case json.RawMessage:
		m.Content = c
	case []byte:
		m.Content = c
	case nil:
		m.Content = json.RawMessage("{}")
	default:
		data, err := json.Marshal(content)
		if err != nil {
			panic(fmt.Sprintf("wire: marshal %s content: %v", msgType, err))
		}
		m.Content = data
	}
	if parent != nil {
		m.ParentHeader = parent.Header
		m.Identities = parent.Identities
		if parent.Header.Username != "" {
			m.Header.Username = parent.Header.Username
		}
	}
	return m
}

// Unmarshal decodes the content into v.
func (m *Message) Unmarshal(v any) error {
	if err := json.Unmarshal(m.Content, v); err != nil {
		return fmt.Errorf("decode %s content: %w", m.Header.MsgType, err)
	}
	return nil
}

// Encode returns the signed wire frames: identities, delimiter, signature, header,
// parent header, metadata, content, buffers. An empty key leaves the signature empty.
func (m *Message) Encode(key []byte) ([][]byte, error) {
	header, err := json.Marshal(m.Header)
	if err != nil {
		return nil, fmt.Errorf("encode header: %w", err)
	}
	parent, err := json.Marshal(m.ParentHeader)
	if err != nil {
		return nil, fmt.Errorf("encode parent header: %w", err)
	}
	md := m.Metadata
	if md == nil {
		md = map[string]any{}
	}
	metadata, err := json.Marshal(md)
	if err != nil {
		return nil, fmt.Errorf("encode metadata: %w", err)
	}
	content := []byte(m.Content)
	if len(content) == 0 {
		content = []byte("{}")
	}
	f := Frames{
		Identities:   m.Identities,
		Header:       header,
		ParentHeader: parent,
		Metadata:     metadata,
		Content:      content,
		Buffers:      m.Buffers,
	}
	return f.Sign(key), nil
}

// Frames is a message split into its raw frames, undecoded. The front uses it to
// forward a message byte for byte under another key.
type Frames struct {
	Identities   [][]byte
	Signature    []byte
	Header       []byte
	ParentHeader []byte
	Metadata     []byte
	Content      []byte
	Buffers      [][]byte
}

// Split cuts wire frames at the delimiter. It does not check the signature.
func Split(frames [][]byte) (Frames, error) {
	delim := -1
	for i, f := range frames {
		if string(f) == Delimiter {
			delim = i
			break
		}
	}
	if delim < 0 {
		return Frames{}, ErrNoDelimiter
	}
	rest := frames[delim+1:]
	if len(rest) < 5 {
		return Frames{}, ErrShortMessage
	}
	return Frames{
		Identities:   frames[:delim],
		Signature:    rest[0],
		Header:       rest[1],
		ParentHeader: rest[2],
		Metadata:     rest[3],
		Content:      rest[4],
		Buffers:      rest[5:],
	}, nil
}

// Digest returns the hex HMAC-SHA256 of the four signed frames, or nil for an empty key.
func (f Frames) Digest(key []byte) []byte {
	if len(key) == 0 {
		return nil
	}
	mac := hmac.New(sha256.New, key)
	mac.Write(f.Header)
	mac.Write(f.ParentHeader)
	mac.Write(f.Metadata)
	mac.Write(f.Content)
	sum := mac.Sum(nil)
	out := make([]byte, hex.EncodedLen(len(sum)))
	hex.Encode(out, sum)
	return out
}

// Verify checks the signature in constant time. With an empty key every message passes.
func (f Frames) Verify(key []byte) error {
	if len(key) == 0 {
		return nil
	}
	want := f.Digest(key)
	got := bytes.ToLower(f.Signature)
	if len(got) != len(want) || !hmac.Equal(got, want) {
		return ErrBadSignature
	}
	return nil
}

// Sign returns the full wire frames with a fresh signature under key.
func (f Frames) Sign(key []byte) [][]byte {
	out := make([][]byte, 0, len(f.Identities)+6+len(f.Buffers))
	out = append(out, f.Identities...)
	out = append(out, []byte(Delimiter), f.Digest(key))
	if out[len(out)-1] == nil {
		out[len(out)-1] = []byte{}
	}
	out = append(out, f.Header, f.ParentHeader, f.Metadata, f.Content)
	out = append(out, f.Buffers...)
	return out
}

// Decode splits frames, verifies the signature under key and decodes the header,
// parent header and metadata. It returns [ErrBadSignature], [ErrNoDelimiter] or
// [ErrShortMessage] (wrapped) for malformed input.
func Decode(frames [][]byte, key []byte) (*Message, error) {
	f, err := Split(frames)
	if err != nil {
		return nil, err
	}
	if err := f.Verify(key); err != nil {
		return nil, err
	}
	return f.decode()
}

func (f Frames) decode() (*Message, error) {
	m := &Message{Identities: f.Identities, Content: json.RawMessage(f.Content), Buffers: f.Buffers}
	if err := json.Unmarshal(f.Header, &m.Header); err != nil {
		return nil, fmt.Errorf("decode header: %w", err)
	}
	if len(f.ParentHeader) > 0 {
		if err := json.Unmarshal(f.ParentHeader, &m.ParentHeader); err != nil {
			return nil, fmt.Errorf("decode parent header: %w", err)
		}
	}
	if len(f.Metadata) > 0 {
		if err := json.Unmarshal(f.Metadata, &m.Metadata); err != nil {
			return nil, fmt.Errorf("decode metadata: %w", err)
		}
	}
	if m.Header.MsgType == "" {
		return nil, fmt.Errorf("decode header: missing msg_type")
	}
	return m, nil
}

// Decoded returns the message the frames hold, without checking the signature
// (call [Frames.Verify] first).
func (f Frames) Decoded() (*Message, error) { return f.decode() }
