package kernel

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The go shim, run where GoNB runs it (its gonb_<id> directory).
func TestWireShim(t *testing.T) {
	g, err := LookupGo()
	if err != nil {
		t.Fatal(err)
	}
	root, err := FindRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("GOWORK", "/somewhere/go.work") // the user's: not passed to GoNB
	w, err := Wire(root, t.TempDir(), g, "dl4go")
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	for _, e := range w.Env {
		if strings.HasPrefix(e, "GOWORK=") {
			t.Errorf("GoNB's environment sets %s: a go.work the user makes must work", e)
		}
	}
	gonbDir := filepath.Join(t.TempDir(), "tmp", "gonb_1234abcd")
	if err := os.MkdirAll(gonbDir, 0o700); err != nil {
		t.Fatal(err)
	}
	shim := func(args ...string) (string, error) {
		cmd := exec.Command(filepath.Join(w.ShimDir, "go"), args...)
		cmd.Dir, cmd.Env = gonbDir, append(w.Env, "PWD="+gonbDir)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := shim("mod", "init", "gonb_1234abcd"); err != nil {
		t.Fatalf("go mod init: %v\n%s", err, out)
	}
	mod, _ := os.ReadFile(filepath.Join(gonbDir, "go.mod"))
	var target string
	for _, l := range strings.Split(string(mod), "\n") {
		if rest, ok := strings.CutPrefix(l, "replace "+ModulePath+" => "); ok {
			target = rest
		}
	}
	// Relative, so that GoNB does not track the checkout as if the user had run %track.
	if !strings.HasPrefix(target, "../") || filepath.Clean(filepath.Join(gonbDir, target)) != filepath.Clean(root) {
		t.Errorf("replace target %q does not lead from %s to %s\n%s", target, gonbDir, root, mod)
	}
	if out, err := shim("list", "-m", ModulePath); err != nil || !strings.Contains(out, ModulePath) {
		t.Errorf("go list -m %s in GoNB's module: %v\n%s", ModulePath, err, out)
	}

	backend := filepath.Join(gonbDir, "dl4go_backend.go")
	write := func(src string) {
		if err := os.WriteFile(filepath.Join(gonbDir, "main.go"), []byte(src), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("package main\n\nimport _ \"github.com/gomlx/gomlx/pkg/core/graph\"\n\nfunc main() {}\n")
	shim("build", "-o", "/dev/null", "--no-such-flag") // the shim acts before go runs (and fails)
	data, err := os.ReadFile(backend)
	if err != nil || !strings.Contains(string(data), `DefaultConfig = "dl4go"`) || !strings.Contains(string(data), `_ "github.com/dl4go/dl4go/gomlxext/backend"`) {
		t.Errorf("a cell program importing GoMLX lacks the dl4go backend: %v\n%s", err, data)
	}
	write("package main\n\nfunc main() {}\n")
	shim("build", "-o", "/dev/null", "--no-such-flag")
	if _, err := os.Stat(backend); !os.IsNotExist(err) {
		t.Errorf("a cell program without GoMLX keeps %s", backend)
	}
	// Not in GoNB's directory: the shim touches nothing.
	other := t.TempDir()
	os.WriteFile(filepath.Join(other, "main.go"), []byte("package main\n\nimport _ \"github.com/gomlx/gomlx/pkg/core/graph\"\n"), 0o600)
	cmd := exec.Command(filepath.Join(w.ShimDir, "go"), "build", "--no-such-flag")
	cmd.Dir, cmd.Env = other, append(w.Env, "PWD="+other)
	cmd.Run()
	if _, err := os.Stat(filepath.Join(other, "dl4go_backend.go")); !os.IsNotExist(err) {
		t.Error("the shim wrote dl4go_backend.go outside GoNB's directory")
	}
	// go env GOROOT asked by anything but GoNB is the real one.
	if out, err := shim("env", "GOROOT"); err != nil || strings.TrimSpace(out) != g.GOROOT {
		t.Errorf("go env GOROOT = %q (%v), want %s", out, err, g.GOROOT)
	}
}
