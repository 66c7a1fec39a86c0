package front

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/dl4go/dl4go/kernel/internal/procs"
	"github.com/dl4go/dl4go/kernel/wire"
	"github.com/go-zeromq/zmq4"
)

func executeContent(code string) map[string]any {
	return map[string]any{"code": code, "silent": false, "store_history": true,
		"user_expressions": map[string]any{}, "allow_stdin": false, "stop_on_error": true}
}

func TestFrontProtocol(t *testing.T) {
	c, _, _ := startFront(t)
	marker := filepath.Join(t.TempDir(), "ran")

	t.Run("kernel_info", func(t *testing.T) {
		req := c.send(c.shell, "kernel_info_request", nil)
		rep, err := c.reply(c.shellCh, req, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		var info struct {
			LanguageInfo map[string]any      `json:"language_info"`
			Banner       string              `json:"banner"`
			HelpLinks    []map[string]string `json:"help_links"`
		}
		rep.Unmarshal(&info)
		li := info.LanguageInfo
		if li["name"] != "go" || li["mimetype"] != "text/x-go" || li["file_extension"] != ".go" ||
			li["pygments_lexer"] != "go" || li["codemirror_mode"] != "go" || !strings.HasPrefix(li["version"].(string), "1.") {
			t.Errorf("language_info %v", li)
		}
		for _, want := range []string{"dl4go", "GoNB v0.11.1", "GoMLX v0.26.0", "backend: test"} {
			if !strings.Contains(info.Banner, want) {
				t.Errorf("banner %q lacks %q", info.Banner, want)
			}
		}
		if len(info.HelpLinks) < 2 {
			t.Errorf("help_links %v", info.HelpLinks)
		}
	})

	t.Run("forged message", func(t *testing.T) {
		code := "%%\nos.WriteFile(\"" + marker + "\", []byte(\"x\"), 0o600)"
		m := wire.NewMessage("execute_request", nil, c.session, executeContent(code))
		frames, _ := m.Encode([]byte("not the key"))
		if err := wire.SendFrames(c.shell, frames); err != nil {
			t.Fatal(err)
		}
		unsigned, _ := wire.NewMessage("execute_request", nil, c.session, executeContent(code)).Encode(nil)
		wire.SendFrames(c.shell, unsigned)
		if rep, err := c.reply(c.shellCh, m, 3*time.Second); err == nil {
			t.Fatalf("forged message got a reply: %v", rep)
		}
		// The kernel still works, and the forged cell never ran.
		if e := c.execute("%%\nfmt.Println(\"alive\")", 60*time.Second); e.Status() != "ok" || e.Stdout != "alive\n" {
			t.Fatalf("after forged message: %s", e)
		}
		if _, err := os.Stat(marker); err == nil {
			t.Fatal("the forged cell ran")
		}
	})

	t.Run("replayed message", func(t *testing.T) {
		code := "%%\nf, _ := os.OpenFile(\"" + marker + "-replay\", os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)\nf.WriteString(\"x\")\nf.Close()"
		m := wire.NewMessage("execute_request", nil, c.session, executeContent(code))
		frames, _ := m.Encode(c.key)
		wire.SendFrames(c.shell, frames)
		if _, err := c.reply(c.shellCh, m, 60*time.Second); err != nil {
			t.Fatal(err)
		}
		wire.SendFrames(c.shell, frames)
		if rep, err := c.reply(c.shellCh, m, 3*time.Second); err == nil {
			t.Fatalf("replayed message got a reply: %v", rep)
		}
		if data, _ := os.ReadFile(marker + "-replay"); string(data) != "x" {
			t.Fatalf("cell ran %d times", len(data))
		}
	})

	t.Run("malformed requests", func(t *testing.T) {
		// Each of these, forwarded as is, made GoNB panic and took the kernel down.
		for _, bad := range []struct {
			sock    zmq4.Socket
			replies chan *wire.Message
			msgType string
			content string
		}{
			{c.shell, c.shellCh, "execute_request", `{"code": 42}`},
			{c.shell, c.shellCh, "execute_request", `null`},
			{c.shell, c.shellCh, "execute_request", `{}`},
			{c.shell, c.shellCh, "inspect_request", `{"code": "fmt.Println", "cursor_pos": 99}`},
			{c.shell, c.shellCh, "complete_request", `{"code": 7, "cursor_pos": 0}`},
			{c.control, c.controlCh, "shutdown_request", `[]`},
		} {
			req := c.send(bad.sock, bad.msgType, json.RawMessage(bad.content))
			rep, err := c.reply(bad.replies, req, 5*time.Second)
			if err != nil {
				t.Fatalf("%s %s: %v", bad.msgType, bad.content, err)
			}
			var r map[string]any
			rep.Unmarshal(&r)
			if r["status"] != "error" || r["ename"] != "BadRequest" || !strings.HasSuffix(rep.Header.MsgType, "_reply") {
				t.Errorf("%s %s: %s %v, want an error reply", bad.msgType, bad.content, rep.Header.MsgType, r)
			}
		}
		// Dropped: there is no reply to send.
		c.send(c.stdin, "input_reply", json.RawMessage(`{"value": null}`))
		c.send(c.shell, "comm_msg", json.RawMessage(`{"comm_id": 1}`))
		// Fields the spec gives defaults may be left out: GoNB gets them filled in.
		req := c.send(c.shell, "inspect_request", map[string]any{"code": "%%\nfmt.Println", "cursor_pos": 9})
		if rep, err := c.reply(c.shellCh, req, 30*time.Second); err != nil || rep.Header.MsgType != "inspect_reply" {
			t.Errorf("inspect_request without detail_level: %v %v", rep, err)
		}
		req = c.send(c.shell, "execute_request", map[string]any{"code": "%%\nfmt.Println(\"defaults\")"})
		if e := c.collect(req, 60*time.Second); e.Status() != "ok" || e.Stdout != "defaults\n" {
			t.Fatalf("execute_request with only code: %s", e)
		}
		if e := c.execute("%%\nfmt.Println(\"alive\")", 60*time.Second); e.Status() != "ok" || e.Stdout != "alive\n" {
			t.Fatalf("after malformed requests: %s", e)
		}
	})

	t.Run("is_complete", func(t *testing.T) {
		for code, want := range map[string]string{"func f() {": "incomplete", "x := 1": "complete", "}": "invalid"} {
			req := c.send(c.shell, "is_complete_request", map[string]any{"code": code})
			rep, err := c.reply(c.shellCh, req, 5*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			var r IsCompleteReply
			rep.Unmarshal(&r)
			if r.Status != want {
				t.Errorf("%q: %v, want %s", code, r, want)
			}
		}
	})

	t.Run("history", func(t *testing.T) {
		c.execute("7*6", 60*time.Second)
		req := c.send(c.shell, "history_request", map[string]any{"hist_access_type": "tail", "n": 1, "output": true, "raw": true})
		rep, err := c.reply(c.shellCh, req, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		var r struct{ History [][]any }
		rep.Unmarshal(&r)
		if len(r.History) != 1 || jsonString(r.History[0][2]) != `["7*6","42"]` {
			t.Errorf("history %v", r.History)
		}
		req = c.send(c.shell, "history_request", map[string]any{"hist_access_type": "search", "pattern": "7*", "unique": true})
		rep, _ = c.reply(c.shellCh, req, 5*time.Second)
		rep.Unmarshal(&r)
		if len(r.History) != 1 || r.History[0][2] != "7*6" {
			t.Errorf("search %v", r.History)
		}
	})

	t.Run("heartbeat while busy", func(t *testing.T) {
		// A new import makes GoNB compile (and go get), then the cell sleeps.
		req := c.send(c.shell, "execute_request", executeContent("import \"math/big\"\n\n%%\nfmt.Println(big.NewInt(7))\ntime.Sleep(2*time.Second)"))
		for i := 0; i < 5; i++ {
			start := time.Now()
			if err := c.hb.Send(zmq4.NewMsgString("ping")); err != nil {
				t.Fatal(err)
			}
			msg, err := c.hb.Recv()
			if err != nil || string(msg.Frames[0]) != "ping" {
				t.Fatalf("heartbeat: %v %v", msg, err)
			}
			if d := time.Since(start); d > time.Second {
				t.Errorf("heartbeat took %v", d)
			}
			time.Sleep(200 * time.Millisecond)
		}
		e := c.collect(req, 60*time.Second)
		if e.Status() != "ok" || e.Stdout != "7\n" {
			t.Fatalf("got %s", e)
		}
	})

	t.Run("interrupt shell command", func(t *testing.T) {
		req := c.send(c.shell, "execute_request", executeContent("!echo sleeping && sleep 30"))
		c.awaitStdout(req, "sleeping", 60*time.Second)
		start := time.Now()
		ireq := c.send(c.control, "interrupt_request", nil)
		if _, err := c.reply(c.controlCh, ireq, 2*time.Second); err != nil {
			t.Fatal(err)
		}
		rep, err := c.reply(c.shellCh, req, 2*time.Second)
		if err != nil {
			t.Fatalf("execute_reply after interrupt: %v", err)
		}
		t.Logf("interrupt → reply in %v", time.Since(start))
		var r map[string]any
		rep.Unmarshal(&r)
		if r["status"] != "error" {
			t.Errorf("interrupted cell status %v", r)
		}
		c.awaitIdle(req, 5*time.Second)
		if e := c.execute("%%\nfmt.Println(\"still here\")", 60*time.Second); e.Status() != "ok" || e.Stdout != "still here\n" {
			t.Fatalf("after interrupt: %s", e)
		}
	})

	t.Run("stdin input request", func(t *testing.T) {
		content := executeContent("%with_inputs\n!read x && echo got $x")
		content["allow_stdin"] = true
		req := c.send(c.shell, "execute_request", content)
		select {
		case ir := <-c.stdinCh:
			if ir.Header.MsgType != "input_request" || ir.ParentHeader.MsgID != req.Header.MsgID {
				t.Fatalf("stdin got %s for %s", ir.Header.MsgType, ir.ParentHeader.MsgID)
			}
			reply := wire.NewMessage("input_reply", ir, c.session, map[string]any{"value": "gopher"})
			reply.Identities = nil
			if err := wire.Send(c.stdin, reply, c.key); err != nil {
				t.Fatal(err)
			}
		case <-time.After(60 * time.Second):
			t.Fatal("no input_request")
		}
		if e := c.collect(req, 60*time.Second); e.Status() != "ok" || !strings.Contains(e.Stdout, "got gopher") {
			t.Fatalf("got %s", e)
		}
	})

	t.Run("interrupt kills a cell ignoring SIGINT", func(t *testing.T) {
		req := c.send(c.shell, "execute_request", executeContent("%%\nsignal.Ignore(os.Interrupt)\nfmt.Println(\"spinning\")\nfor {}"))
		c.awaitStdout(req, "spinning", 60*time.Second)
		start := time.Now()
		c.send(c.control, "interrupt_request", nil)
		rep, err := c.reply(c.shellCh, req, 4500*time.Millisecond)
		if err != nil {
			t.Fatalf("execute_reply after interrupt: %v", err)
		}
		d := time.Since(start)
		t.Logf("interrupt → reply in %v (grace 2 s)", d)
		var r map[string]any
		rep.Unmarshal(&r)
		if r["status"] != "error" || r["ename"] != "Interrupted" || d < time.Second {
			t.Errorf("reply %v after %v; want an Interrupted error after the grace period", r, d)
		}
		c.awaitIdle(req, 5*time.Second)
	})

	t.Run("interrupt busy loop", func(t *testing.T) {
		req := c.send(c.shell, "execute_request", executeContent("%%\nfmt.Println(\"looping\")\nfor {}"))
		c.awaitStdout(req, "looping", 60*time.Second)
		start := time.Now()
		c.send(c.control, "interrupt_request", nil)
		if _, err := c.reply(c.shellCh, req, 5*time.Second); err != nil {
			t.Fatalf("execute_reply after interrupt: %v", err)
		}
		t.Logf("interrupt → reply in %v", time.Since(start))
		c.awaitIdle(req, 5*time.Second)
	})
}

func TestFrontAbortAfterError(t *testing.T) {
	c, _, _ := startFront(t)
	// Like JupyterLab's Run All: three cells sent at once; the second fails.
	r1 := c.send(c.shell, "execute_request", executeContent("%%\nfmt.Println(\"one\")"))
	r2 := c.send(c.shell, "execute_request", executeContent("%%\npanic(\"two\")"))
	r3 := c.send(c.shell, "execute_request", executeContent("%%\nfmt.Println(\"three\")"))
	e1, e2, e3 := c.collect(r1, 60*time.Second), c.collect(r2, 60*time.Second), c.collect(r3, 60*time.Second)
	if e1.Status() != "ok" || e2.Status() != "error" || e3.Status() != "aborted" || e3.Stdout != "" {
		t.Fatalf("statuses %s %s %s, want ok error aborted\n%s", e1.Status(), e2.Status(), e3.Status(), e3)
	}
	// The kernel goes on afterwards.
	if e := c.execute("%%\nfmt.Println(\"four\")", 60*time.Second); e.Status() != "ok" || e.Stdout != "four\n" {
		t.Fatalf("after abort: %s", e)
	}
}

// GoNB gets its own loopback connection, key and private directory.
func TestBackendConnectionFile(t *testing.T) {
	ci, _ := wire.NewLoopbackConnection()
	connFile := filepath.Join(t.TempDir(), "kernel.json")
	ci.Write(connFile)
	got := make(chan string, 1)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- Serve(ctx, connFile, Options{
			HistoryPath: filepath.Join(t.TempDir(), "h.jsonl"),
			Logf:        t.Logf,
			StartBackend: func(ctx context.Context, path string) (*exec.Cmd, error) {
				got <- path
				return exec.Command("sleep", "30"), nil
			},
		})
	}()
	var path string
	select {
	case path = <-got:
	case <-time.After(10 * time.Second):
		t.Fatal("StartBackend not called")
	}
	gci, err := wire.LoadConnectionFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if gci.IP != "127.0.0.1" || gci.Transport != "tcp" || gci.Key == "" || gci.Key == ci.Key || gci.SignatureScheme != "hmac-sha256" {
		t.Errorf("GoNB connection %+v", gci)
	}
	st, _ := os.Stat(path)
	dst, _ := os.Stat(filepath.Dir(path))
	if st.Mode().Perm() != 0o600 || dst.Mode().Perm() != 0o700 {
		t.Errorf("modes: file %v dir %v", st.Mode().Perm(), dst.Mode().Perm())
	}
	cancel()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not return")
	}
	if _, err := os.Stat(filepath.Dir(path)); !os.IsNotExist(err) {
		t.Errorf("private dir %s left behind", filepath.Dir(path))
	}
}

func TestShutdown(t *testing.T) {
	dir := gonbTools(t)
	ci, _ := wire.NewLoopbackConnection()
	tmp := t.TempDir()
	connFile := filepath.Join(tmp, "kernel.json")
	ci.Write(connFile)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	var gonb *exec.Cmd
	go func() {
		done <- Serve(ctx, connFile, Options{
			HistoryPath: filepath.Join(tmp, "h.jsonl"),
			Logf:        t.Logf,
			StartBackend: func(ctx context.Context, path string) (*exec.Cmd, error) {
				cmd, err := gonbCommand(dir)(ctx, path)
				gonb = cmd
				return cmd, err
			},
		})
	}()
	c := dialClient(t, ctx, ci)
	defer c.Close()
	c.waitReady(60 * time.Second)
	req := c.send(c.control, "shutdown_request", map[string]any{"restart": false})
	rep, err := c.reply(c.controlCh, req, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	var r map[string]any
	rep.Unmarshal(&r)
	if r["status"] != "ok" || r["restart"] != false {
		t.Errorf("shutdown_reply %v", r)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Serve after shutdown: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not return after shutdown_request")
	}
	if gonb.ProcessState == nil {
		t.Error("GoNB still running after Serve returned")
	}
}

// TestInputReplyRightAway answers GoNB's input prompts at once while every
// write GoNB makes returns late (strace delays the syscalls' exit). GoNB
// registers the callback for the input_reply only after its input_request is
// sent, so without the front's hold the reply arrives first, is dropped, and
// the cell waits for input forever.
func TestInputReplyRightAway(t *testing.T) {
	if err := exec.Command("strace", "-f", "-qq", "-o", os.DevNull, "true").Run(); err != nil {
		t.Skipf("strace cannot trace here (%v); install Debian's strace to run this test", err)
	}
	c, _, _ := startFrontWrapped(t, func(cmd *exec.Cmd) *exec.Cmd {
		args := append([]string{"-f", "-qq", "-o", os.DevNull, "-e", "trace=write,sendmsg,sendto",
			"-e", "inject=write,sendmsg,sendto:delay_exit=20000", cmd.Path}, cmd.Args[1:]...)
		traced := exec.Command("strace", args...)
		traced.Env, traced.Stdout, traced.Stderr = cmd.Env, cmd.Stdout, cmd.Stderr
		return traced
	})
	for i := range 3 {
		content := executeContent("%with_inputs\n!read x && echo got $x")
		content["allow_stdin"] = true
		req := c.send(c.shell, "execute_request", content)
		select {
		case ir := <-c.stdinCh:
			reply := wire.NewMessage("input_reply", ir, c.session, map[string]any{"value": fmt.Sprint("gopher", i)})
			reply.Identities = nil
			if err := wire.Send(c.stdin, reply, c.key); err != nil {
				t.Fatal(err)
			}
		case <-time.After(60 * time.Second):
			t.Fatalf("cell %d: no input_request", i)
		}
		if e := c.collect(req, 20*time.Second); e.Status() != "ok" || !strings.Contains(e.Stdout, fmt.Sprint("got gopher", i)) {
			t.Fatalf("cell %d: got %s", i, e)
		}
	}
}

// The temporary directories of a kernel that died (SIGKILL leaves them) are
// removed when the next kernel starts; a live kernel's stay.
func TestStaleDirsRemovedAtStart(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Fatal(err)
	}
	dirs := map[string]int{"dl4go-front-1": dead.Process.Pid, "dl4go-kernel-2": dead.Process.Pid, "dl4go-front-3": os.Getpid()}
	for name, pid := range dirs {
		os.Mkdir(filepath.Join(tmp, name), 0o700)
		if err := procs.MarkOwnerPID(filepath.Join(tmp, name), pid); err != nil {
			t.Fatal(err)
		}
	}
	os.Mkdir(filepath.Join(tmp, "dl4go-front-unmarked"), 0o700)
	ci, _ := wire.NewLoopbackConnection()
	connFile := filepath.Join(t.TempDir(), "kernel.json")
	ci.Write(connFile)
	started := make(chan struct{})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- Serve(ctx, connFile, Options{HistoryPath: filepath.Join(t.TempDir(), "h.jsonl"), Logf: t.Logf,
			StartBackend: func(ctx context.Context, path string) (*exec.Cmd, error) {
				close(started)
				return exec.Command("sleep", "30"), nil
			}})
	}()
	select {
	case <-started:
	case <-time.After(10 * time.Second):
		t.Fatal("StartBackend not called")
	}
	cancel()
	<-done
	for name, want := range map[string]bool{"dl4go-front-1": false, "dl4go-kernel-2": false, "dl4go-front-3": true, "dl4go-front-unmarked": true} {
		if _, err := os.Stat(filepath.Join(tmp, name)); (err == nil) != want {
			t.Errorf("%s exists: %v, want %v", name, err == nil, want)
		}
	}
}

// A GoNB that ignores SIGTERM is stopped with everything it started, also what
// runs in a process group of its own (as gopls does): killing GoNB's process
// group after the grace period left such processes to init.
func TestSlowBackendStopped(t *testing.T) {
	tmp := t.TempDir()
	pidFile := filepath.Join(tmp, "pid")
	ci, _ := wire.NewLoopbackConnection()
	connFile := filepath.Join(tmp, "kernel.json")
	ci.Write(connFile)
	started := make(chan struct{})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- Serve(ctx, connFile, Options{HistoryPath: filepath.Join(tmp, "h.jsonl"), Logf: t.Logf,
			StartBackend: func(ctx context.Context, path string) (*exec.Cmd, error) {
				close(started)
				return exec.Command("sh", "-c", `trap "" TERM; setsid sleep 300 & echo $! > "$0"; wait`, pidFile), nil
			}})
	}()
	<-started
	var pid int
	for deadline := time.Now().Add(10 * time.Second); pid == 0 && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		data, _ := os.ReadFile(pidFile)
		pid, _ = strconv.Atoi(strings.TrimSpace(string(data)))
	}
	if pid == 0 {
		t.Fatal("the backend did not start its child")
	}
	cancel()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("Serve did not return")
	}
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if p, ok := procStat(pid); !ok || p == 'Z' {
			return
		}
	}
	syscall.Kill(pid, syscall.SIGKILL)
	t.Fatalf("process %d (in a session of its own) outlived the stopped backend", pid)
}

// procStat returns the state letter of process pid, and whether it exists.
func procStat(pid int) (byte, bool) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, false
	}
	i := strings.LastIndexByte(string(data), ')')
	if i < 0 || i+2 >= len(data) {
		return 0, false
	}
	return data[i+2], true
}
