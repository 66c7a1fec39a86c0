// Package wire speaks the Jupyter messaging wire protocol (v5.3) over ZeroMQ.
//
// Start with [ConnectionInfo] (the connection file Jupyter writes for a kernel, see
// [LoadConnectionFile] and [NewLoopbackConnection]), then [Message]: build one with
// [NewMessage], turn it into signed frames with [Message.Encode] and back with [Decode].
// [Listen] and [Dial] open the ZeroMQ socket of one channel; [Send] and [Recv] move a
// [Message] over it.
//
// Signing follows the connection file: HMAC-SHA256 over the header, parent header,
// metadata and content frames, hex encoded; an empty key means unsigned messages.
package wire

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"os"
)

// Channel names one of the five Jupyter channels.
type Channel string

// The five channels of a kernel.
const (
	Shell   Channel = "shell"
	Control Channel = "control"
	Stdin   Channel = "stdin"
	IOPub   Channel = "iopub"
	HB      Channel = "hb"
)

// Channels lists the five channels in the order of the connection file.
var Channels = []Channel{Shell, IOPub, Stdin, Control, HB}

// ConnectionInfo is the content of a Jupyter connection file.
type ConnectionInfo struct {
	Transport       string `json:"transport"`
	IP              string `json:"ip"`
	ShellPort       int    `json:"shell_port"`
	IOPubPort       int    `json:"iopub_port"`
	StdinPort       int    `json:"stdin_port"`
	ControlPort     int    `json:"control_port"`
	HBPort          int    `json:"hb_port"`
	Key             string `json:"key"`
	SignatureScheme string `json:"signature_scheme"`
	KernelName      string `json:"kernel_name,omitempty"`
}

// LoadConnectionFile reads and checks a connection file.
func LoadConnectionFile(path string) (ConnectionInfo, error) {
	var ci ConnectionInfo
	data, err := os.ReadFile(path)
	if err != nil {
		return ci, fmt.Errorf("load connection file: %w", err)
	}
	if err := json.Unmarshal(data, &ci); err != nil {
		return ci, fmt.Errorf("load connection file %s: %w", path, err)
	}
	if err := ci.Validate(); err != nil {
		return ci, fmt.Errorf("load connection file %s: %w", path, err)
	}
	return ci, nil
}

// Validate checks the transport and signature scheme are supported and the ports set.
func (ci ConnectionInfo) Validate() error {
	switch ci.Transport {
	case "tcp", "ipc":
	case "":
		return fmt.Errorf("missing transport")
	default:
		return fmt.Errorf("unsupported transport %q", ci.Transport)
	}
	switch ci.SignatureScheme {
	case "hmac-sha256":
	case "":
		if ci.Key != "" {
			return fmt.Errorf("key given without signature_scheme")
		}
	default:
		return fmt.Errorf("unsupported signature_scheme %q (only hmac-sha256)", ci.SignatureScheme)
	}
	if ci.IP == "" {
		return fmt.Errorf("missing ip")
	}
	for _, ch := range Channels {
		if ci.Port(ch) <= 0 && ci.Transport == "tcp" {
			return fmt.Errorf("missing %s_port", ch)
		}
	}
	return nil
}

// Write writes the connection file with mode 0600 (it holds the signing key).
func (ci ConnectionInfo) Write(path string) error {
	data, err := json.MarshalIndent(ci, "", "  ")
	if err != nil {
		return fmt.Errorf("write connection file: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("write connection file: %w", err)
	}
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return fmt.Errorf("write connection file %s: %w", path, err)
	}
	if _, err := f.Write(append(data, '\n')); err != nil {
		f.Close()
		return fmt.Errorf("write connection file %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write connection file %s: %w", path, err)
	}
	return nil
}

// SigningKey returns the key used to sign messages, nil for unsigned connections.
func (ci ConnectionInfo) SigningKey() []byte {
	if ci.Key == "" {
		return nil
	}
	return []byte(ci.Key)
}

// Port returns the port of a channel.
func (ci ConnectionInfo) Port(ch Channel) int {
	switch ch {
	case Shell:
		return ci.ShellPort
	case IOPub:
		return ci.IOPubPort
	case Stdin:
		return ci.StdinPort
	case Control:
		return ci.ControlPort
	case HB:
		return ci.HBPort
	}
	return 0
}

// Endpoint returns the ZeroMQ endpoint of a channel, e.g. "tcp://127.0.0.1:5555".
func (ci ConnectionInfo) Endpoint(ch Channel) string {
	if ci.Transport == "ipc" {
		return fmt.Sprintf("ipc://%s-%d", ci.IP, ci.Port(ch))
	}
	ip := ci.IP
	if ip == "*" || ip == "" {
		ip = "0.0.0.0"
	}
	return fmt.Sprintf("tcp://%s:%d", ip, ci.Port(ch))
}

// NewLoopbackConnection returns a tcp connection on 127.0.0.1 with five free ports
// and a fresh random 256-bit key (hmac-sha256).
func NewLoopbackConnection() (ConnectionInfo, error) {
	ports := make([]int, 0, 5)
	var listeners []net.Listener
	defer func() {
		for _, l := range listeners {
			l.Close()
		}
	}()
	for range 5 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return ConnectionInfo{}, fmt.Errorf("pick a free port: %w", err)
		}
		listeners = append(listeners, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return ConnectionInfo{}, fmt.Errorf("random key: %w", err)
	}
	return ConnectionInfo{
		Transport:       "tcp",
		IP:              "127.0.0.1",
		ShellPort:       ports[0],
		IOPubPort:       ports[1],
		StdinPort:       ports[2],
		ControlPort:     ports[3],
		HBPort:          ports[4],
		Key:             hex.EncodeToString(key),
		SignatureScheme: "hmac-sha256",
	}, nil
}
