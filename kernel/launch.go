package kernel

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/dl4go/dl4go/kernel/internal/procs"
	"golang.org/x/mod/modfile"
)

// GoEnv is what the launcher needs to know about the Go toolchain.
type GoEnv struct {
	GoBin      string // absolute path of the go command
	GOVERSION  string
	GOMODCACHE string
	GOPROXY    string
	GOROOT     string
}

// LookupGo finds the go command on PATH and reads its environment.
func LookupGo() (GoEnv, error) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		return GoEnv{}, fmt.Errorf("the go command is not on PATH (install Go 1.26 from https://go.dev/dl and restart Jupyter): %w", err)
	}
	out, err := exec.Command(goBin, "env", "-json", "GOVERSION", "GOMODCACHE", "GOPROXY", "GOROOT").Output()
	if err != nil {
		return GoEnv{}, fmt.Errorf("run %s env: %w", goBin, err)
	}
	var m map[string]string
	if err := json.Unmarshal(out, &m); err != nil {
		return GoEnv{}, fmt.Errorf("parse go env: %w", err)
	}
	return GoEnv{GoBin: goBin, GOVERSION: m["GOVERSION"], GOMODCACHE: m["GOMODCACHE"], GOPROXY: m["GOPROXY"], GOROOT: m["GOROOT"]}, nil
}

// ProxyWithCache returns a GOPROXY value that serves modules from the local
// module cache first, so that cells resolve pinned versions with no network,
// then falls back to the original proxy list.
func (g GoEnv) ProxyWithCache() string {
	dl := filepath.ToSlash(filepath.Join(g.GOMODCACHE, "cache", "download"))
	if !strings.HasPrefix(dl, "/") {
		dl = "/" + dl // Windows: file:///C:/...
	}
	orig := g.GOPROXY
	if orig == "" || orig == "off" {
		return "file://" + dl
	}
	return "file://" + dl + "," + orig
}

// Wiring is the environment prepared for GoNB: a `go` shim that wires the
// checkout into each module GoNB creates, and the variables that keep cells offline.
type Wiring struct {
	Env     []string // full environment for the GoNB process
	ShimDir string   // temporary directory holding the shim; removed by Close
}

// Close removes the shim directory.
func (w *Wiring) Close() error { return os.RemoveAll(w.ShimDir) }

// Wire prepares GoNB's environment for the checkout root, with the kernel's
// binaries (gonb, gopls, goimports) in binDir.
//
// GoNB runs `go mod init gonb_<id>` in its temporary directory at start (and on
// `%reset go.mod`). The shim `go` placed first on GoNB's PATH passes every call
// to the real go command and, after that init, writes a go.mod that requires
// github.com/dl4go/dl4go (replaced by the checkout) and every module the
// checkout pins, at the same versions, with the checkout's go.sum. Cells can
// then import lessons, GoMLX, go-echarts and gonbui offline.
func Wire(root, binDir string, g GoEnv) (*Wiring, error) {
	if runtime.GOOS == "windows" {
		return nil, fmt.Errorf("the dl4go kernel needs a POSIX shell to wire the checkout; on Windows use WSL2 or the Docker image")
	}
	modTail, err := moduleTail(root)
	if err != nil {
		return nil, err
	}
	shim, err := os.MkdirTemp("", "dl4go-kernel-")
	if err != nil {
		return nil, fmt.Errorf("create shim directory: %w", err)
	}
	w := &Wiring{ShimDir: shim}
	// Removed at the next kernel start (or by GoNB's reaper) if this process dies without Close.
	if err := procs.MarkOwner(shim); err != nil {
		w.Close()
		return nil, err
	}
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil && !os.IsNotExist(err) {
		w.Close()
		return nil, fmt.Errorf("read go.sum: %w", err)
	}
	script := fmt.Sprintf(`#!/bin/sh
# go shim of the dl4go kernel (see github.com/dl4go/dl4go/kernel.Wire).
%s "$@" || exit $?
case "$1 $2 $3" in
"mod init gonb_"*)
	{ printf 'module %%s\n\n' "$3"; cat %s; } > go.mod && cp %s go.sum ;;
esac
`, shQuote(g.GoBin), shQuote(filepath.Join(shim, "go.mod.tail")), shQuote(filepath.Join(shim, "go.sum")))
	for name, content := range map[string][]byte{"go.mod.tail": modTail, "go.sum": sum} {
		if err := os.WriteFile(filepath.Join(shim, name), content, 0o644); err != nil {
			w.Close()
			return nil, err
		}
	}
	if err := os.WriteFile(filepath.Join(shim, "go"), []byte(script), 0o755); err != nil {
		w.Close()
		return nil, err
	}
	path := shim + string(os.PathListSeparator) + binDir + string(os.PathListSeparator) +
		filepath.Dir(g.GoBin) + string(os.PathListSeparator) + os.Getenv("PATH")
	w.Env = setEnv(os.Environ(),
		"PATH="+path,
		"GOPROXY="+g.ProxyWithCache(),
		"GOWORK=off",
		"GOTOOLCHAIN=local",
		RootEnvVar+"="+root,
	)
	return w, nil
}

// moduleTail returns the go.mod body (after the module line) for GoNB's module.
func moduleTail(root string) ([]byte, error) {
	path := filepath.Join(root, "go.mod")
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	mf, err := modfile.ParseLax(path, data, nil)
	if err != nil {
		return nil, fmt.Errorf("parse %s: %w", path, err)
	}
	var b bytes.Buffer
	if mf.Go != nil {
		fmt.Fprintf(&b, "go %s\n\n", mf.Go.Version)
	}
	fmt.Fprintf(&b, "require %s v0.0.0\n\nrequire (\n", ModulePath)
	for _, r := range mf.Require {
		fmt.Fprintf(&b, "\t%s %s\n", r.Mod.Path, r.Mod.Version)
	}
	fmt.Fprintf(&b, ")\n\nreplace %s => %s\n", ModulePath, quoteModPath(root))
	for _, r := range mf.Replace {
		target := r.New.Path
		if r.New.Version == "" && !filepath.IsAbs(target) {
			target = filepath.Join(root, target)
		}
		fmt.Fprintf(&b, "replace %s => %s %s\n", r.Old.Path, quoteModPath(target), r.New.Version)
	}
	return b.Bytes(), nil
}

func quoteModPath(p string) string {
	if strings.ContainsAny(p, " \t\"'`") {
		return fmt.Sprintf("%q", p)
	}
	return p
}

func shQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// setEnv returns env with each "K=V" in kvs replacing any earlier value of K.
func setEnv(env []string, kvs ...string) []string {
	out := make([]string, 0, len(env)+len(kvs))
	for _, e := range env {
		k, _, _ := strings.Cut(e, "=")
		keep := true
		for _, kv := range kvs {
			if strings.HasPrefix(kv, k+"=") {
				keep = false
				break
			}
		}
		if keep {
			out = append(out, e)
		}
	}
	return append(out, kvs...)
}
