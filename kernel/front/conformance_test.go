package front

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
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
	bin := filepath.Join(tmp, "frontkernel")
	if out, err := exec.Command("go", "build", "-o", bin, "./testdata/frontkernel").CombinedOutput(); err != nil {
		t.Fatalf("build frontkernel: %v\n%s", err, out)
	}
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

// TestConformance runs the official Jupyter kernel conformance suite
// (Debian python3-jupyter-kernel-test) against front.Serve over real GoNB, through
// a temporary kernelspec whose argv runs testdata/frontkernel. Every optional
// sample is filled, so no test may be skipped.
func TestConformance(t *testing.T) {
	if testing.Short() {
		t.Skip("conformance suite skipped in -short mode")
	}
	jupyterPath := testKernelspec(t, "jupyter_kernel_test, jupyter_client")
	cmd := exec.Command("/usr/bin/python3", "-m", "unittest", "-v", "test_dl4go_kernel")
	cmd.Dir = "testdata"
	cmd.Env = append(os.Environ(), "JUPYTER_PATH="+jupyterPath, "DL4GO_KERNEL_NAME=dl4go-fronttest")
	out, err := cmd.CombinedOutput()
	var summary []string
	for _, line := range strings.Split(string(out), "\n") {
		if strings.Contains(line, " ... ") || strings.HasPrefix(line, "FAIL") || strings.HasPrefix(line, "ERROR") ||
			strings.HasPrefix(line, "Ran ") || strings.HasPrefix(line, "OK") || strings.HasPrefix(line, "AssertionError") {
			summary = append(summary, line)
		}
	}
	t.Logf("conformance suite:\n%s", strings.Join(summary, "\n"))
	if err != nil {
		t.Fatalf("conformance suite failed: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "\nOK\n") || strings.Contains(string(out), "skipped") {
		t.Errorf("want every test to run (none skipped) and pass")
	}
}

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
