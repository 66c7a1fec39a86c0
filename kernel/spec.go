package kernel

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// Name is the kernelspec name users pick in JupyterLab.
const Name = "dl4go"

// DisplayName is the name shown in JupyterLab's launcher and kernel menu.
const DisplayName = "Go (dl4go)"

// RootEnvVar names the environment variable that holds the dl4go checkout the
// kernel wires into cells. Install writes it into kernel.json's env.
const RootEnvVar = "DL4GO_ROOT"

// ModulePath is the module path of this project.
const ModulePath = "github.com/dl4go/dl4go"

// Spec is the content of a kernelspec's kernel.json.
// See https://jupyter-client.readthedocs.io/en/latest/kernels.html#kernel-specs.
type Spec struct {
	Argv          []string          `json:"argv"`
	DisplayName   string            `json:"display_name"`
	Language      string            `json:"language"`
	InterruptMode string            `json:"interrupt_mode,omitempty"`
	Env           map[string]string `json:"env,omitempty"`
	Metadata      map[string]any    `json:"metadata,omitempty"`
}

// Installed is a kernelspec found on disk.
type Installed struct {
	Dir  string // the kernelspec directory, .../kernels/dl4go
	Spec Spec
}

// BinDir returns the directory holding the kernel's binaries (dl4go, gonb, gopls, goimports).
func (in Installed) BinDir() string { return filepath.Join(in.Dir, "bin") }

// Root returns the checkout the installed kernel wires into cells.
func (in Installed) Root() string { return in.Spec.Env[RootEnvVar] }

// UserDataDir returns the per-user Jupyter data directory, as jupyter_core
// computes it: $JUPYTER_DATA_DIR if set, else the platform's default.
func UserDataDir() (string, error) {
	if d := os.Getenv("JUPYTER_DATA_DIR"); d != "" {
		return d, nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("find the Jupyter data directory: %w (set JUPYTER_DATA_DIR)", err)
	}
	switch runtime.GOOS {
	case "darwin":
		return filepath.Join(home, "Library", "Jupyter"), nil
	case "windows":
		if appData := os.Getenv("APPDATA"); appData != "" {
			return filepath.Join(appData, "jupyter"), nil
		}
		return filepath.Join(home, "AppData", "Roaming", "jupyter"), nil
	default:
		if xdg := os.Getenv("XDG_DATA_HOME"); xdg != "" {
			return filepath.Join(xdg, "jupyter"), nil
		}
		return filepath.Join(home, ".local", "share", "jupyter"), nil
	}
}

// PrefixDataDir returns the Jupyter data directory below an installation
// prefix, as `jupyter kernelspec install --prefix` uses it.
func PrefixDataDir(prefix string) string { return filepath.Join(prefix, "share", "jupyter") }

// SearchDataDirs returns the Jupyter data directories in the order Jupyter
// searches them for kernelspecs: $JUPYTER_PATH entries, the user directory,
// then the system directories.
func SearchDataDirs() []string {
	var dirs []string
	for _, d := range filepath.SplitList(os.Getenv("JUPYTER_PATH")) {
		if d != "" {
			dirs = append(dirs, d)
		}
	}
	if d, err := UserDataDir(); err == nil {
		dirs = append(dirs, d)
	}
	if runtime.GOOS != "windows" {
		dirs = append(dirs, "/usr/local/share/jupyter", "/usr/share/jupyter")
	}
	return dirs
}

// ErrNotInstalled is returned by Find when no dl4go kernelspec exists.
var ErrNotInstalled = errors.New("the dl4go kernel is not installed (run `dl4go install`)")

// Find returns the first dl4go kernelspec in SearchDataDirs.
func Find() (Installed, error) {
	return FindIn(SearchDataDirs())
}

// FindIn returns the first dl4go kernelspec in the given Jupyter data directories.
func FindIn(dataDirs []string) (Installed, error) {
	for _, d := range dataDirs {
		dir := filepath.Join(d, "kernels", Name)
		spec, err := ReadSpec(filepath.Join(dir, "kernel.json"))
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return Installed{}, err
		}
		return Installed{Dir: dir, Spec: spec}, nil
	}
	return Installed{}, ErrNotInstalled
}

// ReadSpec reads a kernel.json file.
func ReadSpec(path string) (Spec, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Spec{}, err
	}
	var spec Spec
	if err := json.Unmarshal(data, &spec); err != nil {
		return Spec{}, fmt.Errorf("read kernelspec %s: %w", path, err)
	}
	return spec, nil
}

// exe returns name with the platform's executable suffix.
func exe(name string) string {
	if runtime.GOOS == "windows" && !strings.HasSuffix(name, ".exe") {
		return name + ".exe"
	}
	return name
}
