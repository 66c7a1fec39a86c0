package kernel

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
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
// binaries (gonb, gopls, goimports) in binDir; gomlxDefault is the GoMLX backend
// configuration a cell program gets when $GOMLX_BACKEND is unset (e.g.
// gomlxext.Choose().Config: "dl4go" without an XLA plugin).
//
// GoNB runs `go mod init gonb_<id>` in its temporary directory at start (and on
// `%reset go.mod`). The shim `go` placed first on GoNB's PATH passes every call
// to the real go command and:
//
//   - after that init, writes a go.mod that requires github.com/dl4go/dl4go
//     (replaced by the checkout, through a relative path so that GoNB does not
//     auto-track the checkout as if the user had run %track) and every module
//     the checkout pins, at the same versions, with the checkout's go.sum. Cells
//     can then import lessons, GoMLX, go-echarts and gonbui offline;
//   - before GoNB builds a cell program that imports GoMLX, adds dl4go_backend.go
//     to it, which registers the "dl4go" backend and makes gomlxDefault GoMLX's
//     default (backends.DefaultConfig), so that GoMLX's own notebooks run on it
//     offline; $GOMLX_BACKEND still wins, as in GoMLX;
//   - answers GoNB's `go env GOROOT` (asked only for %wasm) with a directory
//     holding misc/wasm/wasm_exec.js when the Go toolchain keeps it in lib/wasm
//     (Go 1.24 and later), where GoNB v0.11.1 does not look.
//
// GOWORK is left unset, so that a go.work the user creates in GoNB's directory
// (`!*go work init && go work use . DIR`, then %goworkfix) works alongside.
func Wire(root, binDir string, g GoEnv, gomlxDefault string) (*Wiring, error) {
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
	files := map[string][]byte{"go.mod.tail": modTail, "go.sum": sum, "dl4go_backend.go": backendFile(gomlxDefault)}
	goroot := ""
	if _, err := os.Stat(filepath.Join(g.GOROOT, "misc", "wasm", "wasm_exec.js")); err != nil {
		if js, err := os.ReadFile(filepath.Join(g.GOROOT, "lib", "wasm", "wasm_exec.js")); err == nil {
			goroot = filepath.Join(shim, "goroot")
			files[filepath.Join("goroot", "misc", "wasm", "wasm_exec.js")] = js
		}
	}
	for name, content := range files {
		p := filepath.Join(shim, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			w.Close()
			return nil, err
		}
		if err := os.WriteFile(p, content, 0o644); err != nil {
			w.Close()
			return nil, err
		}
	}
	if err := os.WriteFile(filepath.Join(shim, "go"), []byte(shimScript(shim, root, g.GoBin, goroot)), 0o755); err != nil {
		w.Close()
		return nil, err
	}
	path := shim + string(os.PathListSeparator) + binDir + string(os.PathListSeparator) +
		filepath.Dir(g.GoBin) + string(os.PathListSeparator) + os.Getenv("PATH")
	w.Env = setEnv(unsetEnv(os.Environ(), "GOWORK"),
		"PATH="+path,
		"GOPROXY="+g.ProxyWithCache(),
		"GOTOOLCHAIN=local",
		RootEnvVar+"="+root,
	)
	return w, nil
}

// rootPlaceholder stands for the checkout in go.mod.tail; the shim replaces it
// with the checkout's path relative to GoNB's directory.
const rootPlaceholder = "@DL4GO_ROOT@"

// shimScript is the go shim (see Wire). goroot, when not empty, is the
// directory to answer GoNB's `go env GOROOT` with.
func shimScript(shim, root, goBin, goroot string) string {
	// The checkout relative to GoNB's directory: "../" for each component of
	// $PWD, then the checkout's absolute path without its leading "/". A path with
	// characters that sed or go.mod read specially stays absolute (and quoted).
	rel := `up=$(printf '%s' "$PWD" | sed 's|[^/][^/]*|..|g; s|^/||'); rel="$up"/` + shQuote(strings.TrimPrefix(root, "/"))
	if strings.ContainsAny(root, " \t\"'`|&\\\n") || !filepath.IsAbs(root) {
		rel = "rel=" + shQuote(quoteModPath(root))
	}
	var b strings.Builder
	fmt.Fprintf(&b, `#!/bin/sh
# go shim of the dl4go kernel (see github.com/dl4go/dl4go/kernel.Wire).
ingonb() { case "$PWD" in */gonb_*) grep -qs '^module gonb_' go.mod ;; *) false ;; esac; }
case "$1" in
build|test)
	# The dl4go GoMLX backend in every cell program that uses GoMLX.
	if ingonb; then
		if [ "${GOOS:-}" != js ] && grep -qs '"github.com/gomlx/gomlx' main.go main_test.go; then
			cp %[1]s dl4go_backend.go
		else
			rm -f dl4go_backend.go
		fi
	fi ;;
`, shQuote(filepath.Join(shim, "dl4go_backend.go")))
	if goroot != "" {
		fmt.Fprintf(&b, `env)
	# GoNB v0.11.1 copies $GOROOT/misc/wasm/wasm_exec.js for %%wasm; Go keeps it in lib/wasm now.
	if [ "$*" = "env GOROOT" ] && [ "$(cat /proc/$PPID/comm 2>/dev/null)" = gonb ]; then
		printf '%%s
' %[1]s
		exit 0
	fi ;;
`, shQuote(goroot))
	}
	fmt.Fprintf(&b, `esac
%[1]s "$@" || exit $?
case "$1 $2 $3" in
"mod init gonb_"*)
	%[2]s
	{ printf 'module %%s

' "$3"; sed "s|%[3]s|$rel|" %[4]s; } > go.mod && cp %[5]s go.sum ;;
esac
`, shQuote(goBin), rel, rootPlaceholder, shQuote(filepath.Join(shim, "go.mod.tail")), shQuote(filepath.Join(shim, "go.sum")))
	return b.String()
}

// backendFile is the Go file the shim adds to a cell program that imports GoMLX.
func backendFile(gomlxDefault string) []byte {
	return []byte(fmt.Sprintf(`// Code generated by the dl4go kernel (kernel.Wire) for cell programs that use GoMLX. DO NOT EDIT.

package main

import (
	_ "github.com/dl4go/dl4go/gomlxext/backend" // registers the "dl4go" GoMLX backend

	dl4goGoMLXBackends "github.com/gomlx/gomlx/backends"
)

// The default backend when $GOMLX_BACKEND is unset, set before any of the
// cell's package-level variables calls backends.New (this file sorts first).
var _ = func() int { dl4goGoMLXBackends.DefaultConfig = %q; return 0 }()
`, gomlxDefault))
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
	fmt.Fprintf(&b, ")\n\nreplace %s => %s\n", ModulePath, rootPlaceholder)
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

// unsetEnv returns env without the variables named.
func unsetEnv(env []string, names ...string) []string {
	out := make([]string, 0, len(env))
	for _, e := range env {
		k, _, _ := strings.Cut(e, "=")
		if !slices.Contains(names, k) {
			out = append(out, e)
		}
	}
	return out
}

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
