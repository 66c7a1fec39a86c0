package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dl4go/dl4go/notebook"
)

// jupyter returns Debian's jupyter command, or skips (fails with DL4GO_REQUIRE_JUPYTER=1).
func jupyter(t *testing.T) string {
	t.Helper()
	for _, p := range []string{"/usr/bin/jupyter", "jupyter"} {
		if path, err := exec.LookPath(p); err == nil {
			return path
		}
	}
	requireJupyterOrSkip(t, "the jupyter command is not installed")
	return ""
}

// TestJupyterExecutesWelcome runs the welcome notebook with Jupyter's own
// executor (nbconvert) on the installed dl4go kernel.
func TestJupyterExecutesWelcome(t *testing.T) {
	j := jupyter(t)
	useTestKernel(t)
	list, err := exec.Command(j, "kernelspec", "list").CombinedOutput()
	if err != nil || !strings.Contains(string(list), "dl4go") {
		t.Fatalf("jupyter kernelspec list does not show dl4go (err %v):\n%s", err, list)
	}
	out := t.TempDir()
	src, _ := filepath.Abs(filepath.Join("..", "..", "notebooks", "00-welcome.ipynb"))
	cmd := exec.Command(j, "nbconvert", "--to", "notebook", "--execute",
		"--ExecutePreprocessor.kernel_name=dl4go", "--ExecutePreprocessor.timeout=600",
		"--output-dir", out, src)
	cmd.Env = os.Environ()
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("jupyter nbconvert --execute: %v\n%s", err, tail(string(b), 3000))
	}
	nb, err := notebook.Read(filepath.Join(out, "00-welcome.ipynb"))
	if err != nil {
		t.Fatal(err)
	}
	var text strings.Builder
	for _, c := range nb.Cells {
		for _, o := range c.Outputs {
			text.WriteString(o.Text)
		}
	}
	for _, want := range []string{"Hello from Go", "144", "GoMLX backend:"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("executed notebook lacks %q in its outputs", want)
		}
	}
}

func tail(s string, n int) string {
	if len(s) > n {
		return "..." + s[len(s)-n:]
	}
	return s
}

// TestConformanceSuite runs the official Jupyter kernel conformance suite
// (Debian's python3-jupyter-kernel-test) against the installed dl4go kernel,
// with every optional sample filled (kernel/front/testdata/test_dl4go_kernel.py).
func TestConformanceSuite(t *testing.T) {
	jupyter(t)
	if err := exec.Command("/usr/bin/python3", "-c", "import jupyter_kernel_test").Run(); err != nil {
		requireJupyterOrSkip(t, "python3-jupyter-kernel-test is not installed")
	}
	useTestKernel(t)
	dir, _ := filepath.Abs(filepath.Join("..", "..", "kernel", "front", "testdata"))
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "/usr/bin/python3", "-m", "unittest", "-v", "test_dl4go_kernel")
	cmd.WaitDelay = 5 * time.Second
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "DL4GO_KERNEL_NAME=dl4go", "PYTHONDONTWRITEBYTECODE=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("conformance suite failed: %v\n%s", err, tail(string(out), 6000))
	}
	if !strings.Contains(string(out), "\nOK\n") || strings.Contains(string(out), "skipped") {
		t.Errorf("want every test of the suite to run (none skipped) and pass:\n%s", tail(string(out), 6000))
	}
}
