package front

import (
	"context"
	"strconv"
	"syscall"
	"time"

	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dl4go/dl4go/kernel/wire"
)

// testKernelspec builds testdata/frontkernel and writes a temporary kernelspec
// "dl4go-fronttest" for it; it returns the JUPYTER_PATH holding it. It skips (or
// fails under DL4GO_REQUIRE_JUPYTER=1) when /usr/bin/python3 lacks the modules.
func testKernelspec(t *testing.T, modules string) string {
	python := "/usr/bin/python3"
	if err := exec.Command(python, "-c", "import "+modules).Run(); err != nil {
		msg := "JUPYTER TEST NOT RUN: " + python + " lacks " + modules +
			" (apt-get install python3-jupyter-kernel-test python3-jupyter-client jupyter-console python3-pexpect)"
		if os.Getenv("DL4GO_REQUIRE_JUPYTER") == "1" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	dir := gonbTools(t)
	tmp := t.TempDir()
	bin := buildFrontkernel(t, tmp)
	gomodcache, err := exec.Command("go", "env", "GOMODCACHE").Output()
	if err != nil {
		t.Fatal(err)
	}
	spec := map[string]any{
		"argv":           []string{bin, "-f", "{connection_file}"},
		"display_name":   "Go (dl4go front test)",
		"language":       "go",
		"interrupt_mode": "message",
		"env": map[string]string{
			"DL4GO_GONB_DIR": dir,
			"DL4GO_HISTORY":  filepath.Join(tmp, "history.jsonl"),
			"GOPROXY":        "file://" + strings.TrimSpace(string(gomodcache)) + "/cache/download,https://proxy.golang.org,direct",
		},
	}
	specDir := filepath.Join(tmp, "jupyter", "kernels", "dl4go-fronttest")
	if err := os.MkdirAll(specDir, 0o755); err != nil {
		t.Fatal(err)
	}
	data, _ := json.MarshalIndent(spec, "", "  ")
	if err := os.WriteFile(filepath.Join(specDir, "kernel.json"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	return filepath.Join(tmp, "jupyter")
}

// The conformance suite (testdata/test_dl4go_kernel.py) runs against the
// installed kernel in cmd/dl4go's TestConformanceSuite.

// TestConsole types a multi-line function definition line by line into
// `jupyter console` through a pseudo-terminal, then calls it.
func TestConsole(t *testing.T) {
	if testing.Short() {
		t.Skip("console test skipped in -short mode")
	}
	if _, err := exec.LookPath("jupyter-console"); err != nil {
		if os.Getenv("DL4GO_REQUIRE_JUPYTER") == "1" {
			t.Fatal("jupyter-console not found (apt-get install jupyter-console)")
		}
		t.Skip("JUPYTER TEST NOT RUN: jupyter-console not found (apt-get install jupyter-console)")
	}
	jupyterPath := testKernelspec(t, "pexpect, jupyter_console")
	cmd := exec.Command("/usr/bin/python3", "testdata/console_pty.py", "dl4go-fronttest")
	cmd.Env = append(os.Environ(), "JUPYTER_PATH="+jupyterPath)
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "CONSOLE OK") {
		t.Fatalf("console session failed: %v\n%s", err, out)
	}
}

// buildFrontkernel builds testdata/frontkernel into dir.
func buildFrontkernel(t *testing.T, dir string) string {
	bin := filepath.Join(dir, "frontkernel")
	if out, err := exec.Command("go", "build", "-o", bin, "./testdata/frontkernel").CombinedOutput(); err != nil {
		t.Fatalf("build frontkernel: %v\n%s", err, out)
	}
	return bin
}

// TestSignalInterrupt: with interrupt_mode "signal", Jupyter sends SIGINT to the
// kernel process; the front stops the running shell command and lives on.
func TestSignalInterrupt(t *testing.T) {
	dir, tmp, bin, connFile, ci := frontkernelOnLoopback(t)
	cmd := exec.Command(bin, "-f", connFile)
	cmd.Env = append(os.Environ(), "DL4GO_GONB_DIR="+dir, "DL4GO_HISTORY="+filepath.Join(tmp, "h.jsonl"))
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c := dialClient(t, ctx, ci)
	defer c.Close()
	c.waitReady(60 * time.Second)
	req := c.send(c.shell, "execute_request", executeContent("!echo sleeping && sleep 30"))
	c.awaitStdout(req, "sleeping", 60*time.Second)
	start := time.Now()
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	if _, err := c.reply(c.shellCh, req, 2*time.Second); err != nil {
		t.Fatalf("after SIGINT: %v", err)
	}
	t.Logf("SIGINT → reply in %v", time.Since(start))
	c.awaitIdle(req, 5*time.Second)
	if e := c.execute("%%\nfmt.Println(\"alive\")", 60*time.Second); e.Status() != "ok" || e.Stdout != "alive\n" {
		t.Fatalf("after SIGINT: %s", e)
	}
	// SIGTERM ends the kernel cleanly.
	cmd.Process.Signal(syscall.SIGTERM)
	waited := make(chan error, 1)
	go func() { waited <- cmd.Wait() }()
	select {
	case err := <-waited:
		if err != nil {
			t.Errorf("kernel exit after SIGTERM: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Error("kernel did not exit after SIGTERM")
	}
}

// TestParentDeath: a kernel whose parent (Jupyter) dies shuts down and stops GoNB.
func TestParentDeath(t *testing.T) {
	dir, tmp, bin, connFile, _ := frontkernelOnLoopback(t)
	pidFile := filepath.Join(tmp, "pid")
	// A shell parent that starts the kernel in the background, reports its pid and exits.
	parent := exec.Command("/bin/sh", "-c", `"$0" -f "$1" & echo $! > "$2"; sleep 3`, bin, connFile, pidFile)
	parent.Env = append(os.Environ(), "DL4GO_GONB_DIR="+dir, "DL4GO_HISTORY="+filepath.Join(tmp, "h.jsonl"))
	if err := parent.Run(); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(data)))
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if syscall.Kill(pid, 0) != nil {
			return // exited
		}
		time.Sleep(200 * time.Millisecond)
	}
	syscall.Kill(pid, syscall.SIGKILL)
	t.Fatalf("kernel %d still running 10 s after its parent exited", pid)
}

// frontkernelOnLoopback builds the front kernel and writes a loopback connection file for it,
// skipping the test in -short mode; it returns the GoNB tools folder, a temporary folder, the
// kernel binary, the connection file and its contents.
func frontkernelOnLoopback(t *testing.T) (dir, tmp, bin, connFile string, ci wire.ConnectionInfo) {
	t.Helper()
	if testing.Short() {
		t.Skip("skipped in -short mode")
	}
	dir = gonbTools(t)
	tmp = t.TempDir()
	bin = buildFrontkernel(t, tmp)
	ci, _ = wire.NewLoopbackConnection()
	connFile = filepath.Join(tmp, "kernel.json")
	ci.Write(connFile)
	return dir, tmp, bin, connFile, ci
}
