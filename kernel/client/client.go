// Package client runs a Jupyter kernel and executes code in it over the wire
// protocol, with no Python involved: it is what `dl4go run` and the kernel
// tests use.
//
// Start a kernel from its kernelspec with Start, run cells with Execute (which
// gathers the outputs as nbformat outputs), and stop it with Shutdown.
package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/go-zeromq/zmq4"

	"github.com/dl4go/dl4go/kernel/wire"
	"github.com/dl4go/dl4go/notebook"
)

// ErrKernelDied is returned (wrapped) when the kernel process exits while a request is pending.
var ErrKernelDied = errors.New("the kernel died")

// ErrTimeout is returned (wrapped) by Execute when a cell runs past its deadline and was interrupted.
var ErrTimeout = errors.New("cell timed out")

// Options configure Start.
type Options struct {
	// Argv is the kernel command line; "{connection_file}" is replaced by the connection file's path.
	Argv []string
	// Env is the kernel's environment (nil: this process's environment).
	Env []string
	// Dir is the kernel's working directory (the notebook's directory, as Jupyter does).
	Dir string
	// Stderr, if set, receives a copy of the kernel's stderr (its tail is always kept for errors).
	Stderr io.Writer
	// StartTimeout bounds the wait for the first kernel_info_reply (default 60 s).
	StartTimeout time.Duration
}

// Kernel is a running kernel process and the client's sockets to it.
type Kernel struct {
	ci      wire.ConnectionInfo
	key     []byte
	session string
	dir     string // private directory holding the connection file

	cmd    *exec.Cmd
	stderr *tailBuffer
	exited chan struct{}
	// exitErr is set before exited is closed.
	exitErr error

	shell, control, iopub, hb zmq4.Socket
	iopubMsgs                 chan *wire.Message
	shellReplies              chan *wire.Message
	controlReplies            chan *wire.Message

	mu   sync.Mutex // serialises requests on shell
	Info map[string]any
	// StartupTime is the time from process start to the first kernel_info_reply.
	StartupTime time.Duration
}

// Start launches the kernel and waits until it answers kernel_info.
func Start(ctx context.Context, opts Options) (*Kernel, error) {
	if len(opts.Argv) == 0 {
		return nil, errors.New("start kernel: empty argv")
	}
	ci, err := wire.NewLoopbackConnection()
	if err != nil {
		return nil, fmt.Errorf("start kernel: %w", err)
	}
	dir, err := os.MkdirTemp("", "dl4go-client-")
	if err != nil {
		return nil, fmt.Errorf("start kernel: %w", err)
	}
	connFile := filepath.Join(dir, "kernel.json")
	if err := ci.Write(connFile); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("start kernel: %w", err)
	}
	argv := make([]string, len(opts.Argv))
	for i, a := range opts.Argv {
		argv[i] = strings.ReplaceAll(a, "{connection_file}", connFile)
	}
	k := &Kernel{
		ci: ci, key: ci.SigningKey(), session: wire.NewID(), dir: dir,
		stderr: &tailBuffer{max: 16 << 10}, exited: make(chan struct{}),
		iopubMsgs: make(chan *wire.Message, 1024), shellReplies: make(chan *wire.Message, 16),
		controlReplies: make(chan *wire.Message, 16),
	}
	k.cmd = exec.Command(argv[0], argv[1:]...)
	k.cmd.Env = opts.Env
	k.cmd.Dir = opts.Dir
	k.cmd.Stdout = io.Discard
	k.cmd.Stderr = k.stderr
	if opts.Stderr != nil {
		k.cmd.Stderr = io.MultiWriter(k.stderr, opts.Stderr)
	}
	started := time.Now()
	if err := k.cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("start kernel %s: %w", argv[0], err)
	}
	go func() {
		k.exitErr = k.cmd.Wait()
		close(k.exited)
	}()
	timeout := opts.StartTimeout
	if timeout == 0 {
		timeout = 60 * time.Second
	}
	if err := k.dial(timeout); err != nil {
		k.kill()
		return nil, err
	}
	sctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	reply, err := k.request(sctx, k.shell, k.shellReplies, "kernel_info_request", map[string]any{})
	if err != nil {
		k.kill()
		return nil, fmt.Errorf("start kernel: no kernel_info_reply: %w", err)
	}
	k.StartupTime = time.Since(started)
	// The kernel has read its connection file: remove it now, so that it
	// is gone even if this process dies without calling Shutdown.
	os.RemoveAll(dir)
	if err := reply.Unmarshal(&k.Info); err != nil {
		k.kill()
		return nil, fmt.Errorf("start kernel: %w", err)
	}
	// Wait for the kernel to go idle after kernel_info so no late status leaks into the first cell.
	k.drainIOPub(200 * time.Millisecond)
	return k, nil
}

// dial connects to the kernel's sockets, trying again every 50 ms while the kernel starts,
// for up to timeout or until it exits (zmq4's own retries, 10 tries 250 ms apart, gave up
// before a kernel had bound its sockets at load 40 on 2 cores).
func (k *Kernel) dial(timeout time.Duration) error {
	ctx := context.Background()
	id := wire.NewID()
	deadline := time.Now().Add(timeout)
	one := func(ch wire.Channel, id string) (zmq4.Socket, error) {
		for {
			s, err := wire.Dial(ctx, k.ci, ch, id, zmq4.WithDialerRetry(50*time.Millisecond), zmq4.WithDialerMaxRetries(1))
			if err == nil {
				return s, nil
			}
			select {
			case <-k.exited:
				return nil, fmt.Errorf("start kernel: it exited before it took connections (%v): %w", k.exitErr, err)
			case <-time.After(50 * time.Millisecond):
			}
			if time.Now().After(deadline) {
				return nil, fmt.Errorf("start kernel: no connection within %s: %w", timeout, err)
			}
		}
	}
	var err error
	if k.shell, err = one(wire.Shell, id); err != nil {
		return err
	}
	if k.control, err = one(wire.Control, id+"-control"); err != nil {
		return err
	}
	if k.iopub, err = one(wire.IOPub, ""); err != nil {
		return err
	}
	go k.readLoop(k.shell, k.shellReplies)
	go k.readLoop(k.control, k.controlReplies)
	go k.readLoop(k.iopub, k.iopubMsgs)
	return nil
}

func (k *Kernel) readLoop(s zmq4.Socket, out chan<- *wire.Message) {
	for {
		m, err := wire.Recv(s, k.key)
		if err != nil {
			if errors.Is(err, wire.ErrBadSignature) {
				continue
			}
			select {
			case <-k.exited:
				return
			default:
			}
			if errors.Is(err, context.Canceled) || strings.Contains(err.Error(), "closed") || errors.Is(err, io.EOF) {
				return
			}
			continue
		}
		out <- m
	}
}

// request sends a request on a channel and waits for the reply whose parent is that request.
func (k *Kernel) request(ctx context.Context, s zmq4.Socket, replies <-chan *wire.Message, msgType string, content any) (*wire.Message, error) {
	m := wire.NewMessage(msgType, nil, k.session, content)
	if err := wire.Send(s, m, k.key); err != nil {
		return nil, err
	}
	for {
		select {
		case r := <-replies:
			if r.ParentHeader.MsgID == m.Header.MsgID {
				return r, nil
			}
		case <-k.exited:
			return nil, k.diedError()
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

func (k *Kernel) diedError() error {
	return fmt.Errorf("%w (%v); its last stderr:\n%s", ErrKernelDied, k.exitErr, k.StderrTail())
}

// StderrTail returns the last lines the kernel wrote to stderr.
func (k *Kernel) StderrTail() string { return k.stderr.String() }

func (k *Kernel) drainIOPub(quiet time.Duration) {
	for {
		select {
		case <-k.iopubMsgs:
		case <-time.After(quiet):
			return
		}
	}
}

// Reply is the outcome of one Execute.
type Reply struct {
	Status         string // "ok", "error" or "aborted"
	ExecutionCount int
	Outputs        []notebook.Output
	Duration       time.Duration
	// Ename and Evalue describe the error when Status is "error".
	Ename, Evalue string
}

// Execute runs code and gathers its outputs as nbformat outputs, applying
// update_display_data and clear_output as a notebook front-end would. When ctx
// ends first, the kernel is interrupted and the error wraps ErrTimeout (the
// outputs so far are returned).
func (k *Kernel) Execute(ctx context.Context, code string) (*Reply, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	start := time.Now()
	req := wire.NewMessage("execute_request", nil, k.session, map[string]any{
		"code": code, "silent": false, "store_history": true,
		"user_expressions": map[string]any{}, "allow_stdin": false, "stop_on_error": true,
	})
	if err := wire.Send(k.shell, req, k.key); err != nil {
		return nil, err
	}
	var (
		out       outputs
		reply     *wire.Message
		idle      bool
		timedOut  bool
		interrupt <-chan time.Time
	)
	done := ctx.Done()
	for reply == nil || !idle {
		select {
		case m := <-k.iopubMsgs:
			if m.ParentHeader.MsgID != req.Header.MsgID {
				continue
			}
			if m.Header.MsgType == "status" {
				var st struct {
					ExecutionState string `json:"execution_state"`
				}
				_ = m.Unmarshal(&st)
				idle = st.ExecutionState == "idle"
				continue
			}
			out.add(m)
		case m := <-k.shellReplies:
			if m.ParentHeader.MsgID == req.Header.MsgID {
				reply = m
			}
		case <-k.exited:
			r := &Reply{Status: "error", Outputs: out.list, Duration: time.Since(start)}
			return r, k.diedError()
		case <-done:
			done = nil
			timedOut = true
			_ = k.Interrupt(context.Background())
			interrupt = time.After(10 * time.Second)
		case <-interrupt:
			r := &Reply{Status: "error", Outputs: out.list, Duration: time.Since(start)}
			return r, fmt.Errorf("%w, and the kernel did not stop after an interrupt", ErrTimeout)
		}
	}
	var rc struct {
		Status         string `json:"status"`
		ExecutionCount int    `json:"execution_count"`
		Ename          string `json:"ename"`
		Evalue         string `json:"evalue"`
	}
	if err := reply.Unmarshal(&rc); err != nil {
		return nil, err
	}
	r := &Reply{Status: rc.Status, ExecutionCount: rc.ExecutionCount, Outputs: out.list,
		Duration: time.Since(start), Ename: rc.Ename, Evalue: rc.Evalue}
	if timedOut {
		return r, ErrTimeout
	}
	return r, nil
}

// Interrupt asks the kernel to interrupt the running cell (interrupt_mode "message").
func (k *Kernel) Interrupt(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	_, err := k.request(ctx, k.control, k.controlReplies, "interrupt_request", map[string]any{})
	return err
}

// Shutdown asks the kernel to exit, then kills it if it has not within a few seconds,
// and removes the connection file.
func (k *Kernel) Shutdown() error {
	defer os.RemoveAll(k.dir)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, _ = k.request(ctx, k.control, k.controlReplies, "shutdown_request", map[string]any{"restart": false})
	select {
	case <-k.exited:
	case <-time.After(5 * time.Second):
		k.kill()
	}
	k.closeSockets()
	return nil
}

func (k *Kernel) kill() {
	if k.cmd.Process != nil {
		_ = k.cmd.Process.Kill()
	}
	<-k.exited
	k.closeSockets()
	os.RemoveAll(k.dir)
}

func (k *Kernel) closeSockets() {
	for _, s := range []zmq4.Socket{k.shell, k.control, k.iopub, k.hb} {
		if s != nil {
			s.Close()
		}
	}
}

// Exited reports whether the kernel process has ended.
func (k *Kernel) Exited() bool {
	select {
	case <-k.exited:
		return true
	default:
		return false
	}
}

// outputs accumulates a cell's outputs as a notebook front-end would.
type outputs struct {
	list       []notebook.Output
	displayIDs map[string][]int // display_id → indices in list
	clearWait  bool
}

// gonbWebSocketDisplay prefixes the display id of the script GoNB (v0.11.1,
// internal/comms) shows to open its widgets' comm from a browser. GoNB erases it
// once a browser connects; with no browser (this client) it would stay in the
// notebook, and its script would try to reach a kernel from the exported page.
const gonbWebSocketDisplay = "gonb_websocket_"

func (o *outputs) add(m *wire.Message) {
	var c struct {
		Name           string          `json:"name"`
		Text           string          `json:"text"`
		Data           map[string]any  `json:"data"`
		Metadata       map[string]any  `json:"metadata"`
		Transient      map[string]any  `json:"transient"`
		ExecutionCount *int            `json:"execution_count"`
		Ename          string          `json:"ename"`
		Evalue         string          `json:"evalue"`
		Traceback      []string        `json:"traceback"`
		Wait           bool            `json:"wait"`
		Raw            json.RawMessage `json:"-"`
	}
	if err := m.Unmarshal(&c); err != nil {
		return
	}
	msgType := m.Header.MsgType
	if msgType == "clear_output" {
		if c.Wait {
			o.clearWait = true
		} else {
			o.clear()
		}
		return
	}
	if msgType == "update_display_data" {
		id, _ := c.Transient["display_id"].(string)
		for _, i := range o.displayIDs[id] {
			o.list[i].Data, o.list[i].Metadata = c.Data, c.Metadata
		}
		return
	}
	var out notebook.Output
	switch msgType {
	case "stream":
		out = notebook.Output{OutputType: notebook.Stream, Name: c.Name, Text: c.Text}
	case "display_data":
		if id, _ := c.Transient["display_id"].(string); strings.HasPrefix(id, gonbWebSocketDisplay) {
			return // GoNB's widget bootstrap script: only a browser can run it, and it must not be saved
		}
		out = notebook.Output{OutputType: notebook.DisplayData, Data: c.Data, Metadata: c.Metadata}
	case "execute_result":
		out = notebook.Output{OutputType: notebook.ExecuteResult, Data: c.Data, Metadata: c.Metadata, ExecutionCount: c.ExecutionCount}
	case "error":
		out = notebook.Output{OutputType: notebook.Error, Ename: c.Ename, Evalue: c.Evalue, Traceback: c.Traceback}
	default:
		return
	}
	if o.clearWait {
		o.clear()
	}
	if out.Metadata == nil && out.OutputType != notebook.Stream && out.OutputType != notebook.Error {
		out.Metadata = map[string]any{}
	}
	// Consecutive stream outputs of the same name merge, as in Jupyter.
	if n := len(o.list); out.OutputType == notebook.Stream && n > 0 &&
		o.list[n-1].OutputType == notebook.Stream && o.list[n-1].Name == out.Name {
		o.list[n-1].Text += out.Text
		return
	}
	o.list = append(o.list, out)
	if id, ok := c.Transient["display_id"].(string); ok && id != "" {
		if o.displayIDs == nil {
			o.displayIDs = map[string][]int{}
		}
		o.displayIDs[id] = append(o.displayIDs[id], len(o.list)-1)
	}
}

func (o *outputs) clear() {
	o.list, o.displayIDs, o.clearWait = nil, nil, false
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	buf []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if len(t.buf) > t.max {
		t.buf = append([]byte(nil), t.buf[len(t.buf)-t.max:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.buf)
}
