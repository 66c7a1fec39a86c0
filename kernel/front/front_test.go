package front

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dl4go/dl4go/kernel/wire"
	"github.com/dl4go/dl4go/plotting"
)

// startFront runs Serve with real GoNB on a fresh connection and returns a client.
func startFront(t testing.TB) (*testClient, wire.ConnectionInfo, string) {
	t.Helper()
	return startFrontWrapped(t, nil)
}

// startFrontWrapped is startFront with GoNB's command passed through wrap
// (when not nil) before it starts.
func startFrontWrapped(t testing.TB, wrap func(*exec.Cmd) *exec.Cmd) (*testClient, wire.ConnectionInfo, string) {
	t.Helper()
	dir := gonbTools(t)
	startBackend := gonbCommand(dir)
	if wrap != nil {
		inner := startBackend
		startBackend = func(ctx context.Context, connFile string) (*exec.Cmd, error) {
			cmd, err := inner(ctx, connFile)
			if err != nil {
				return nil, err
			}
			return wrap(cmd), nil
		}
	}
	ci, err := wire.NewLoopbackConnection()
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	kernelID := wire.NewID()
	connFile := filepath.Join(tmp, "kernel-"+kernelID+".json") // as Jupyter names it
	if err := ci.Write(connFile); err != nil {
		t.Fatal(err)
	}
	histPath := filepath.Join(tmp, "history.jsonl")
	ctx, cancel := context.WithCancel(context.Background())
	var logMu sync.Mutex
	var logs []string
	done := make(chan error, 1)
	go func() {
		done <- Serve(ctx, connFile, Options{
			StartBackend: startBackend,
			Backend:      "test",
			HistoryPath:  histPath,
			Logf: func(format string, args ...any) {
				logMu.Lock()
				logs = append(logs, format)
				logMu.Unlock()
				t.Logf("front: "+format, args...)
			},
		})
	}()
	c := dialClient(t, ctx, ci)
	c.kernelID = kernelID
	t.Cleanup(func() {
		c.Close()
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Logf("Serve: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Errorf("Serve did not return after cancel")
		}
	})
	c.waitReady(60 * time.Second)
	return c, ci, histPath
}

func TestFront(t *testing.T) {
	c, _, _ := startFront(t)
	t.Run("hello", func(t *testing.T) {
		e := c.execute("%%\nfmt.Println(\"hello, world\")", 60*time.Second)
		if e.Status() != "ok" || e.Stdout != "hello, world\n" {
			t.Fatalf("got %s", e)
		}
	})
	t.Run("client session", func(t *testing.T) {
		// The cell's program reads the session of the client that runs it (package plotting
		// sends the echarts library again to a new page).
		e := c.execute("%%\nb, err := os.ReadFile(os.Getenv(\""+ClientFileEnvVar+"\"))\nfmt.Printf(\"%s%v\", b, err)", 60*time.Second)
		if e.Status() != "ok" || e.Stdout != c.session+"\n<nil>" {
			t.Fatalf("got %s, want the client's session %s", e, c.session)
		}
	})
	t.Run("gonb prefix", func(t *testing.T) {
		// GoNB's hello.ipynb: the front took the cell for a lone fmt call and added a
		// second %%, which made GoNB panic.
		e := c.execute("// Make sure the //gonb: prefix will work as well.\n//gonb:%%\nfmt.Println(\"Works with //gonb:\")", 60*time.Second)
		if e.Status() != "ok" || e.Stdout != "Works with //gonb:\n" {
			t.Fatalf("got %s", e)
		}
	})
	t.Run("declaration carried", func(t *testing.T) {
		if e := c.execute("var x = 21\nfunc double(v int) int { return 2 * v }", 60*time.Second); e.Status() != "ok" {
			t.Fatalf("declare: %s", e)
		}
		e := c.execute("%%\nfmt.Println(double(x))", 60*time.Second)
		if e.Status() != "ok" || strings.TrimSpace(e.Stdout) != "42" {
			t.Fatalf("use: %s", e)
		}
	})
	t.Run("execute_result", func(t *testing.T) {
		for _, tc := range []struct{ code, want string }{{"1+2", "3"}, {"x*2", "42"}, {"double(x) + 1", "43"}, {`"a" + "b"`, `"ab"`}} {
			e := c.execute(tc.code, 60*time.Second)
			if e.Status() != "ok" || e.Result == nil {
				t.Fatalf("%s: %s", tc.code, e)
			}
			data := e.Result["data"].(map[string]any)
			if data["text/plain"] != tc.want || e.Result["execution_count"] != e.Reply["execution_count"] {
				t.Errorf("%s: result %v, want %q (reply %v)", tc.code, e.Result, tc.want, e.Reply)
			}
		}
	})
	t.Run("call without result", func(t *testing.T) {
		e := c.execute(`fmt.Println("plain")`, 60*time.Second)
		if e.Status() != "ok" || e.Stdout != "plain\n" || e.Result != nil {
			t.Fatalf("got %s", e)
		}
		c.execute("func noResult() { fmt.Println(\"side effect\") }", 60*time.Second)
		e = c.execute("noResult()", 60*time.Second)
		if e.Status() != "ok" || e.Stdout != "side effect\n" || e.Result != nil || len(e.Errors) != 0 {
			t.Fatalf("got %s", e)
		}
	})
	t.Run("compile error", func(t *testing.T) {
		e := c.execute("%%\na := 1\nb := \"s\" + a\n_ = b", 60*time.Second)
		if e.Status() != "error" || len(e.Errors) != 1 || len(e.Other) != 0 {
			t.Fatalf("got %s", e)
		}
		tb := jsonString(e.Reply["traceback"])
		if !strings.Contains(tb, "Line 3") || !strings.Contains(e.Reply["evalue"].(string), "mismatched types") {
			t.Errorf("traceback does not name cell line 3: %v / %v", tb, e.Reply)
		}
		if ue, ok := e.Reply["user_expressions"].(map[string]any); !ok || len(ue) != 0 {
			t.Errorf("the error reply's user_expressions: %v, want {} as in every reply", e.Reply["user_expressions"])
		}
	})
	t.Run("panic", func(t *testing.T) {
		e := c.execute("%%\nfmt.Println(\"before\")\npanic(\"boom\")", 60*time.Second)
		if e.Status() != "error" || len(e.Errors) != 1 || e.Reply["ename"] != "panic" || e.Reply["evalue"] != "boom" {
			t.Fatalf("got %s", e)
		}
		if tb := jsonString(e.Reply["traceback"]); !strings.Contains(tb, "Line 3") || !strings.Contains(tb, `panic(\"boom\")`) {
			t.Errorf("traceback does not name the cell line: %s", tb)
		}
	})
	t.Run("panic in an expression cell", func(t *testing.T) {
		e := c.execute("[]int{1, 2}[x]", 60*time.Second)
		if e.Status() != "error" || len(e.Errors) != 1 || e.Reply["ename"] != "panic" {
			t.Fatalf("got %s", e)
		}
		if tb := jsonString(e.Reply["traceback"]); !strings.Contains(tb, "Line 1") || strings.Contains(tb, "Line 2") {
			t.Errorf("traceback should name the user's line 1: %s", tb)
		}
	})
	t.Run("log.Fatal", func(t *testing.T) {
		e := c.execute("%%\nlog.Fatal(\"bad thing\")", 60*time.Second)
		if e.Status() != "error" || len(e.Errors) != 1 || !strings.Contains(e.Reply["evalue"].(string), "bad thing") {
			t.Fatalf("got %s", e)
		}
		if tb := jsonString(e.Reply["traceback"]); !strings.Contains(tb, "Line 2") {
			t.Errorf("traceback does not name the cell line: %s", tb)
		}
	})
	t.Run("SIGSEGV", func(t *testing.T) {
		e := c.execute("%%\nfmt.Fprintln(os.Stderr, \"about to crash\")\nsyscall.Kill(os.Getpid(), syscall.SIGSEGV)\ntime.Sleep(time.Second)", 60*time.Second)
		tb := jsonString(e.Reply["traceback"])
		if e.Status() != "error" || e.Reply["ename"] != "Signal" || e.Reply["evalue"] != "SIGSEGV: segmentation violation" {
			t.Fatalf("got %s", e)
		}
		if !strings.Contains(tb, "about to crash") || strings.Contains(tb, "rax ") {
			t.Errorf("traceback should hold the cell's last stderr line and no register dump: %s", tb)
		}
	})
	t.Run("SIGKILL names the memory used", func(t *testing.T) {
		// 300 MiB touched, then the cell dies as the out-of-memory killer would kill it.
		e := c.execute("%%\nb := make([]byte, 300<<20)\nfor i := range b { b[i] = 1 }\ntime.Sleep(time.Second)\nsyscall.Kill(os.Getpid(), syscall.SIGKILL)\nfmt.Println(len(b))", 60*time.Second)
		evalue, _ := e.Reply["evalue"].(string)
		m := regexp.MustCompile(`^killed \(SIGKILL\) — often the out-of-memory killer: the cell used (\d+) MiB of `).FindStringSubmatch(evalue)
		if e.Status() != "error" || e.Reply["ename"] != "Signal" || m == nil {
			t.Fatalf("got %s", e)
		}
		if n, _ := strconv.Atoi(m[1]); n < 290 || n > 600 {
			t.Errorf("the cell used %d MiB, want about 300: %s", n, evalue)
		}
	})
	t.Run("failing shell command", func(t *testing.T) {
		// As in GoNB (and IPython's !cmd): the exit status is printed, the cell is not an
		// error, Run All goes on.
		e := c.execute("!echo out; echo err >&2; false", 60*time.Second)
		if e.Status() != "ok" || e.Stdout != "out\n" || e.Stderr != "err\nexit status 1\n" || len(e.Errors) != 0 {
			t.Fatalf("got %s", e)
		}
	})
	t.Run("go get failure", func(t *testing.T) {
		e := c.execute("import \"example.com/nosuch/pkg\"\n%%\npkg.Foo()", 120*time.Second)
		evalue, _ := e.Reply["evalue"].(string)
		if e.Status() != "error" || e.Reply["ename"] != "GoGetError" || !strings.Contains(evalue, "example.com/nosuch/pkg") ||
			strings.Contains(jsonString(e.Reply["traceback"]), "border") {
			t.Fatalf("got %s", e)
		}
	})
	t.Run("Jupyter root without Jupyter", func(t *testing.T) {
		// Without Jupyter ($JPY_PARENT_PID unset, as under dl4go run) the front's
		// temporary directory stands for Jupyter's root, where %wasm writes its files
		// (kernel/client's TestWasmWithoutJupyter runs %wasm so).
		if os.Getenv("JPY_PARENT_PID") != "" {
			t.Skip("runs under Jupyter")
		}
		e := c.execute("!echo $GONB_JUPYTER_ROOT", 60*time.Second)
		if e.Status() != "ok" || !strings.Contains(e.Stdout, "/dl4go-front-") {
			t.Fatalf("GONB_JUPYTER_ROOT: %s", e)
		}
	})
	t.Run("kernel still fine", func(t *testing.T) {
		if e := c.execute("%%\nfmt.Println(x)", 60*time.Second); e.Status() != "ok" || e.Stdout != "21\n" {
			t.Fatalf("got %s", e)
		}
	})
}

func TestMain(m *testing.M) {
	os.Exit(m.Run())
}

// jsonString is v as JSON, for comparing parts of replies.
func jsonString(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// TestClientFileEnvVar: package plotting reads the variable the front sets.
func TestClientFileEnvVar(t *testing.T) {
	if ClientFileEnvVar != plotting.ClientFileEnvVar {
		t.Errorf("front.ClientFileEnvVar is %q, plotting reads %q", ClientFileEnvVar, plotting.ClientFileEnvVar)
	}
}
