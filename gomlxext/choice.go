package gomlxext

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/gomlx/gomlx/backends"
	_ "github.com/gomlx/gomlx/backends/simplego" // the plain pure-Go engine, "go".

	_ "github.com/dl4go/dl4go/gomlxext/backend" // "dl4go": the pure-Go engine made complete and fast.
)

const (
	// DefaultBackend is the GoMLX backend used when no PJRT plugin is installed and
	// $GOMLX_BACKEND is unset: dl4go's complete, fast wrapper of the pure-Go backend.
	// When it is not compiled in, the plain pure-Go backend "go" is used.
	DefaultBackend = "dl4go"

	// XLAInstallEnv, set to "1", lets the XLA backend download its PJRT plugins on first use
	// (GoMLX's auto-install). It is off by default, so that a notebook cell never hangs offline.
	// Use InstallXLA for an explicit install.
	XLAInstallEnv = "DL4GO_XLA_INSTALL"

	// pluginPathsEnv is go-xla's variable listing the directories searched for PJRT plugins.
	pluginPathsEnv = "PJRT_PLUGIN_LIBRARY_PATH"
)

// Choice describes which backend Backend returns and why.
type Choice struct {
	// Config is the GoMLX backend configuration string, e.g. "dl4go", "go" or "xla:cpu".
	Config string
	// Reason explains, in one sentence, why this backend was chosen.
	Reason string
	// Plugin is the path of the PJRT plugin found, when Config selects XLA because of it.
	Plugin string
	// XLA describes the PJRT plugin Config selects (found, or named by $GOMLX_BACKEND), from
	// dl4go's install record, without loading it; its Path is empty when Config is not XLA or the
	// plugin was not found.
	XLA XLAPlugin
}

// String returns "<config> (<reason>)", e.g. "dl4go (no PJRT plugin installed: dl4go's pure-Go
// backend)"; for XLA it adds the plugin's source and versions when known, e.g. "xla:cpu (PJRT
// plugin installed at /home/u/.local/lib/go-xla/pjrt_c_api_cpu_plugin.so; xla_cpu_pjrt 0.0.1
// (wheel), PJRT C API 0.81, StableHLO 1.13.3)".
func (c Choice) String() string {
	if c.XLA.Path != "" && (c.XLA.Source != "" || c.XLA.PJRTVersion != "") {
		return fmt.Sprintf("%s (%s; %s)", c.Config, c.Reason, c.XLA)
	}
	return fmt.Sprintf("%s (%s)", c.Config, c.Reason)
}

// Choose decides which backend to use, without creating it and without touching the network:
//
//  1. $GOMLX_BACKEND, if set (e.g. "go", "dl4go", "xla:cpu", "xla:/abs/path/pjrt_c_api_cpu_plugin.so");
//  2. XLA, if this binary links the XLA backend and a PJRT plugin is installed where go-xla looks for
//     it ($PJRT_PLUGIN_LIBRARY_PATH, else ~/.local/lib/go-xla, /usr/local/lib/go-xla and the system
//     library directories);
//  3. DefaultBackend ("dl4go") when it is compiled in, else the plain pure-Go backend "go".
func Choose() Choice {
	return choose(os.LookupEnv, pluginSearchDirs(), xlaLinked, backendRegistered(DefaultBackend), hasNvidiaGPU())
}

// choose is Choose with its inputs made explicit, for tests.
func choose(lookup func(string) (string, bool), pluginDirs []string, withXLA, withDL4Go, withGPU bool) Choice {
	if cfg, ok := lookup(backends.ConfigEnvVar); ok && cfg != "" {
		c := Choice{Config: cfg, Reason: "set by $" + backends.ConfigEnvVar}
		if _, isXLA := xlaConfigPlugin(cfg); isXLA {
			if path, err := findXLAPlugin(lookup, pluginDirs, withGPU); err == nil {
				c.XLA = DescribeXLAPlugin(path)
			}
		}
		return c
	}
	var note string
	if name, path := findPlugin(pluginDirs, withGPU); path != "" {
		if withXLA {
			return Choice{Config: "xla:" + name, Reason: "PJRT plugin installed at " + path, Plugin: path,
				XLA: DescribeXLAPlugin(path)}
		}
		note = "; a PJRT plugin is installed but this build has no XLA backend (it needs cgo)"
	}
	if withDL4Go {
		return Choice{Config: DefaultBackend, Reason: "no PJRT plugin installed: dl4go's pure-Go backend" + note}
	}
	return Choice{Config: "go", Reason: "no PJRT plugin installed: GoMLX's pure-Go backend" + note}
}

// backendRegistered reports whether a GoMLX backend with the given name is compiled in.
func backendRegistered(name string) bool { return slices.Contains(backends.List(), name) }

// pluginFileRE matches go-xla's PJRT plugin file names and captures the plugin name.
var pluginFileRE = regexp.MustCompile(`^(?:pjrt_c_api_(.+)_plugin|pjrt[-_]plugin[-_](.+))\.(?:so|dylib|dll)$`)

// findPlugin returns the preferred PJRT plugin (cuda when a GPU is present, then cpu, then any other)
// among the given directories, searched in order, without loading it. It returns empty strings if none.
func findPlugin(dirs []string, withGPU bool) (name, path string) {
	found := map[string]string{}
	for _, dir := range dirs {
		entries, err := os.ReadDir(dir)
		if err != nil {
			continue
		}
		for _, e := range entries {
			m := pluginFileRE.FindStringSubmatch(e.Name())
			if m == nil || e.IsDir() {
				continue
			}
			n := m[1] + m[2]
			if _, dup := found[n]; !dup {
				found[n] = filepath.Join(dir, e.Name())
			}
		}
	}
	if !withGPU {
		for n := range found {
			if strings.HasPrefix(n, "cuda") {
				delete(found, n)
			}
		}
	}
	for _, n := range []string{"cuda", "cpu"} {
		if p, ok := found[n]; ok {
			return n, p
		}
	}
	names := slices.Sorted(func(yield func(string) bool) {
		for n := range found {
			if !yield(n) {
				return
			}
		}
	})
	if len(names) > 0 {
		return names[0], found[names[0]]
	}
	return "", ""
}

// pluginSearchDirs mirrors go-xla v0.1.4's search path for PJRT plugins (pkg/pjrt/dynamiclib_*.go).
func pluginSearchDirs() []string {
	if v, ok := os.LookupEnv(pluginPathsEnv); ok {
		return slices.DeleteFunc(strings.Split(v, string(os.PathListSeparator)), func(s string) bool { return s == "" })
	}
	var dirs []string
	home, _ := os.UserHomeDir()
	if runtime.GOOS == "darwin" {
		if home != "" {
			dirs = append(dirs, filepath.Join(home, "Library", "Application Support", "go-xla"),
				filepath.Join(home, "Library", "Application Support", "GoMLX", "PJRT"))
		}
		dirs = append(dirs, "/usr/local/lib/go-xla", "/usr/local/lib/gomlx/pjrt")
		dirs = append(dirs, absPathList(os.Getenv("DYLD_LIBRARY_PATH"))...)
		return append(dirs, absPathList(os.Getenv("LD_LIBRARY_PATH"))...)
	}
	if home != "" {
		local := filepath.Join(home, ".local", "lib", "go-xla")
		dirs = append(dirs, local, filepath.Join(local, "nvidia"), filepath.Join(home, ".local", "lib", "gomlx", "pjrt"))
	}
	dirs = append(dirs, "/usr/local/lib/go-xla", "/usr/local/lib/go-xla/nvidia", "/usr/local/lib/gomlx/pjrt")
	dirs = append(dirs, absPathList(os.Getenv("LD_LIBRARY_PATH"))...)
	return ldSoConfDirs(dirs, "/etc/ld.so.conf", 0)
}

func absPathList(list string) []string {
	var out []string
	for _, p := range filepath.SplitList(list) {
		if filepath.IsAbs(p) {
			out = append(out, p)
		}
	}
	return out
}

// ldSoConfDirs appends the directories listed in an ld.so.conf file, following its includes.
func ldSoConfDirs(dirs []string, file string, depth int) []string {
	f, err := os.Open(file)
	if err != nil || depth > 8 {
		return dirs
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, "include"):
			matches, _ := filepath.Glob(strings.TrimSpace(strings.TrimPrefix(line, "include")))
			for _, m := range matches {
				dirs = ldSoConfDirs(dirs, m, depth+1)
			}
		default:
			dirs = append(dirs, line)
		}
	}
	return dirs
}

// hasNvidiaGPU reports whether an NVIDIA driver is visible, as go-xla requires for its cuda plugin.
func hasNvidiaGPU() bool {
	for _, p := range []string{"/proc/driver/nvidia/version", "/dev/nvidia0"} {
		if _, err := os.Stat(p); err == nil {
			return true
		}
	}
	return false
}

var (
	backendOnce   sync.Once
	backendMu     sync.Mutex
	backendMade   bool
	backend       backends.Backend
	backendChoice Choice
	backendErr    error
)

// Backend returns the process-wide backend chosen by Choose, creating it on first use.
// If XLA was picked automatically (not by $GOMLX_BACKEND) and its plugin fails to load, it falls
// back to the pure-Go backend; Chosen then tells what was really created.
func Backend() (backends.Backend, error) {
	backendOnce.Do(func() {
		c := Choose()
		b, err := newBackend(c.Config)
		if err != nil && c.Plugin != "" {
			fallback := choose(os.LookupEnv, nil, false, backendRegistered(DefaultBackend), false)
			if fb, fbErr := newBackend(fallback.Config); fbErr == nil {
				c = Choice{Config: fallback.Config, Reason: fmt.Sprintf("the PJRT plugin %s failed to load (%v)", c.Plugin, err)}
				b, err = fb, nil
			}
		}
		if err != nil {
			err = fmt.Errorf("create GoMLX backend %s: %w", c, err)
		}
		backendMu.Lock()
		backend, backendErr, backendChoice, backendMade = b, err, c, true
		backendMu.Unlock()
	})
	return backend, backendErr
}

// MustBackend is Backend for notebooks and examples: it panics if the backend cannot be created.
func MustBackend() backends.Backend {
	b, err := Backend()
	if err != nil {
		panic(err)
	}
	return b
}

// Chosen returns the choice Backend acted on; before the first call to Backend it returns Choose().
func Chosen() Choice {
	backendMu.Lock()
	defer backendMu.Unlock()
	if !backendMade {
		return Choose()
	}
	return backendChoice
}

// newBackend creates a backend from a GoMLX config string, turning GoMLX's panics (unknown
// backend names, constructor failures) into errors.
func newBackend(config string) (b backends.Backend, err error) {
	name, _, _ := strings.Cut(config, ":")
	if !backendRegistered(name) {
		return nil, fmt.Errorf("backend %q is not compiled in (available: %s)", name, strings.Join(backends.List(), ", "))
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("backend %q: %v", config, r)
		}
	}()
	return backends.NewWithConfig(config)
}
