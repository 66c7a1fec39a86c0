package front

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestConformance runs the official Jupyter kernel conformance suite
// (Debian python3-jupyter-kernel-test) against front.Serve over real GoNB, through
// a temporary kernelspec whose argv runs testdata/frontkernel.
func TestConformance(t *testing.T) {
	if testing.Short() {
		t.Skip("conformance suite skipped in -short mode")
	}
	python := "/usr/bin/python3"
	if err := exec.Command(python, "-c", "import jupyter_kernel_test, jupyter_client").Run(); err != nil {
		msg := "JUPYTER CONFORMANCE SUITE NOT RUN: " + python + " lacks jupyter_kernel_test " +
			"(apt-get install python3-jupyter-kernel-test python3-jupyter-client)"
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
	cmd := exec.Command(python, "-m", "unittest", "-v", "test_dl4go_kernel")
	cmd.Dir = "testdata"
	cmd.Env = append(os.Environ(), "JUPYTER_PATH="+filepath.Join(tmp, "jupyter"), "DL4GO_KERNEL_NAME=dl4go-fronttest")
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
