package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

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
