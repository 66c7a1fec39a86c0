package front

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dl4go/dl4go/kernel/wire"
	"github.com/go-zeromq/zmq4"
)

// testClient drives a kernel over ZMQ, like a Jupyter client.
type testClient struct {
	t                     testing.TB
	ci                    wire.ConnectionInfo
	key                   []byte
	session               string
	shell, control, stdin zmq4.Socket
	iopub                 zmq4.Socket
	hb                    zmq4.Socket
	iopubCh               chan *wire.Message
	shellCh               chan *wire.Message
	controlCh             chan *wire.Message
	stdinCh               chan *wire.Message
	kernelID              string // the Jupyter kernel id in the connection file's name
}

func dialClient(t testing.TB, ctx context.Context, ci wire.ConnectionInfo) *testClient {
	t.Helper()
	c := &testClient{t: t, ci: ci, key: ci.SigningKey(), session: wire.NewID(),
		iopubCh: make(chan *wire.Message, 1000), shellCh: make(chan *wire.Message, 100),
		controlCh: make(chan *wire.Message, 100), stdinCh: make(chan *wire.Message, 100)}
	id := "client-" + c.session[:8]
	retry := []zmq4.Option{zmq4.WithDialerRetry(100 * time.Millisecond), zmq4.WithDialerMaxRetries(600)}
	var err error
	dial := func(ch wire.Channel) zmq4.Socket {
		s, err2 := wire.Dial(ctx, ci, ch, id, retry...)
		if err2 != nil {
			t.Fatalf("dial %s: %v", ch, err2)
		}
		return s
	}
	c.shell, c.control, c.stdin, c.iopub = dial(wire.Shell), dial(wire.Control), dial(wire.Stdin), dial(wire.IOPub)
	c.hb, err = wire.Dial(ctx, ci, wire.HB, "", retry...)
	if err != nil {
		t.Fatal(err)
	}
	pump := func(s zmq4.Socket, ch chan *wire.Message) {
		for {
			m, err := wire.Recv(s, c.key)
			if err != nil {
				if ctx.Err() != nil || isClosed(err) {
					return
				}
				c.t.Logf("recv: %v", err)
				continue
			}
			ch <- m
		}
	}
	go pump(c.shell, c.shellCh)
	go pump(c.control, c.controlCh)
	go pump(c.stdin, c.stdinCh)
	go pump(c.iopub, c.iopubCh)
	return c
}

func (c *testClient) Close() {
	for _, s := range []zmq4.Socket{c.shell, c.control, c.stdin, c.iopub, c.hb} {
		s.Close()
	}
}

func (c *testClient) send(s zmq4.Socket, msgType string, content any) *wire.Message {
	c.t.Helper()
	m := wire.NewMessage(msgType, nil, c.session, content)
	if err := wire.Send(s, m, c.key); err != nil {
		c.t.Fatalf("send %s: %v", msgType, err)
	}
	return m
}

// reply waits for the reply to req on ch.
func (c *testClient) reply(ch chan *wire.Message, req *wire.Message, timeout time.Duration) (*wire.Message, error) {
	deadline := time.After(timeout)
	for {
		select {
		case m := <-ch:
			if m.ParentHeader.MsgID == req.Header.MsgID {
				return m, nil
			}
		case <-deadline:
			return nil, fmt.Errorf("no reply to %s within %v", req.Header.MsgType, timeout)
		}
	}
}

// waitReady sends kernel_info requests until the kernel answers and iopub carries its status.
func (c *testClient) waitReady(timeout time.Duration) map[string]any {
	c.t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		req := c.send(c.shell, "kernel_info_request", nil)
		rep, err := c.reply(c.shellCh, req, 2*time.Second)
		if err != nil {
			continue
		}
		var info map[string]any
		if err := rep.Unmarshal(&info); err != nil {
			c.t.Fatal(err)
		}
		// iopub must carry the status of that request, proving the subscription is live.
		if c.awaitIdle(req, 2*time.Second) != nil {
			return info
		}
	}
	c.t.Fatalf("kernel not ready after %v", timeout)
	return nil
}

func (c *testClient) awaitIdle(req *wire.Message, timeout time.Duration) []*wire.Message {
	var got []*wire.Message
	deadline := time.After(timeout)
	for {
		select {
		case m := <-c.iopubCh:
			if m.ParentHeader.MsgID != req.Header.MsgID {
				continue
			}
			got = append(got, m)
			if m.Header.MsgType == "status" {
				var st struct {
					ExecutionState string `json:"execution_state"`
				}
				m.Unmarshal(&st)
				if st.ExecutionState == "idle" {
					return got
				}
			}
		case <-deadline:
			return nil
		}
	}
}

type execution struct {
	Reply  map[string]any
	IOPub  []*wire.Message
	Stdout string
	Stderr string
	Errors []map[string]any
	Result map[string]any // execute_result content
	Other  []string       // other iopub msg types
}

func (e *execution) Status() string { s, _ := e.Reply["status"].(string); return s }

// execute runs code and collects its reply and iopub messages until idle.
func (c *testClient) execute(code string, timeout time.Duration) *execution {
	c.t.Helper()
	req := c.send(c.shell, "execute_request", map[string]any{"code": code, "silent": false,
		"store_history": true, "user_expressions": map[string]any{}, "allow_stdin": false, "stop_on_error": true})
	return c.collect(req, timeout)
}

func (c *testClient) collect(req *wire.Message, timeout time.Duration) *execution {
	c.t.Helper()
	e := &execution{}
	rep, err := c.reply(c.shellCh, req, timeout)
	if err != nil {
		c.t.Fatalf("execute: %v", err)
	}
	if err := rep.Unmarshal(&e.Reply); err != nil {
		c.t.Fatal(err)
	}
	e.IOPub = c.awaitIdle(req, 10*time.Second)
	if e.IOPub == nil {
		c.t.Fatalf("no idle status on iopub")
	}
	for _, m := range e.IOPub {
		var content map[string]any
		m.Unmarshal(&content)
		switch m.Header.MsgType {
		case "stream":
			if content["name"] == "stdout" {
				e.Stdout += content["text"].(string)
			} else {
				e.Stderr += content["text"].(string)
			}
		case "error":
			e.Errors = append(e.Errors, content)
		case "execute_result":
			e.Result = content
		case "status", "execute_input":
		default:
			e.Other = append(e.Other, m.Header.MsgType)
		}
	}
	return e
}

func (e *execution) String() string {
	b, _ := json.MarshalIndent(map[string]any{"reply": e.Reply, "stdout": e.Stdout, "stderr": e.Stderr,
		"errors": e.Errors, "result": e.Result, "other": e.Other}, "", "  ")
	return string(b)
}

var (
	toolsOnce sync.Once
	toolsDir  string
	toolsErr  error
)

// gonbTools returns a directory holding gonb, gopls and goimports: $DL4GO_GONB_DIR,
// or the pinned tools (go.mod's tool lines) built once into the user cache.
func gonbTools(t testing.TB) string {
	t.Helper()
	if d := os.Getenv("DL4GO_GONB_DIR"); d != "" {
		if _, err := os.Stat(filepath.Join(d, "gonb")); err != nil {
			t.Fatalf("DL4GO_GONB_DIR=%s: %v", d, err)
		}
		return d
	}
	toolsOnce.Do(func() {
		cache, err := os.UserCacheDir()
		if err != nil {
			toolsErr = err
			return
		}
		toolsDir = filepath.Join(cache, "dl4go", "test-tools", runtime.Version())
		if _, err := os.Stat(filepath.Join(toolsDir, "gonb")); err == nil {
			return
		}
		if err := os.MkdirAll(filepath.Dir(toolsDir), 0o755); err != nil {
			toolsErr = err
			return
		}
		staging, err := os.MkdirTemp(filepath.Dir(toolsDir), "build-")
		if err != nil {
			toolsErr = err
			return
		}
		defer os.RemoveAll(staging)
		out, err := exec.Command("go", "build", "-o", staging+string(filepath.Separator),
			"github.com/janpfeifer/gonb", "golang.org/x/tools/gopls", "golang.org/x/tools/cmd/goimports").CombinedOutput()
		if err != nil {
			toolsErr = fmt.Errorf("build gonb, gopls, goimports: %v\n%s", err, out)
			return
		}
		if err := os.Rename(staging, toolsDir); err != nil && !os.IsExist(err) {
			if _, statErr := os.Stat(filepath.Join(toolsDir, "gonb")); statErr != nil {
				toolsErr = err
			}
		}
	})
	if toolsErr != nil {
		t.Fatalf("GoNB tools: %v", toolsErr)
	}
	return toolsDir
}

// gonbCommand returns a StartBackend that runs gonb from dir.
func gonbCommand(dir string) func(ctx context.Context, connFile string) (*exec.Cmd, error) {
	return func(ctx context.Context, connFile string) (*exec.Cmd, error) {
		cmd := exec.Command(filepath.Join(dir, "gonb"), append(gonbExtraArgs, "--kernel", connFile)...)
		gomodcache, _ := exec.Command("go", "env", "GOMODCACHE").Output()
		cmd.Env = append(os.Environ(), "PATH="+dir+string(os.PathListSeparator)+os.Getenv("PATH"),
			"GOPROXY=file://"+strings.TrimSpace(string(gomodcache))+"/cache/download,https://proxy.golang.org,direct")
		if os.Getenv("DL4GO_FRONT_DEBUG") == "" {
			cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
		}
		return cmd, nil
	}
}

var gonbExtraArgs []string

// awaitStdout waits until req's stdout carries text (the cell is running).
func (c *testClient) awaitStdout(req *wire.Message, text string, timeout time.Duration) {
	c.t.Helper()
	deadline := time.After(timeout)
	for {
		select {
		case m := <-c.iopubCh:
			if m.ParentHeader.MsgID != req.Header.MsgID || m.Header.MsgType != "stream" {
				continue
			}
			var s struct{ Text string }
			m.Unmarshal(&s)
			if strings.Contains(s.Text, text) {
				return
			}
		case <-deadline:
			c.t.Fatalf("no %q on stdout within %v", text, timeout)
		}
	}
}
