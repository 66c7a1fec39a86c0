package gomlxext

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/gomlx/gomlx/backends"
)

// Environment variables and versions of dl4go's XLA support (docs/xla.md).
const (
	// RequireXLAEnv, set to "1", makes tests that need an XLA PJRT plugin fail instead of
	// skipping when none is found (CI's XLA job sets it).
	RequireXLAEnv = "DL4GO_REQUIRE_XLA"

	// GoXLAPJRTVersion is the PJRT C API version (major.minor) of the header that the pinned
	// github.com/gomlx/go-xla (v0.1.4, pkg/pjrt/pjrt_c_api.h) is compiled against. Plugins with an
	// older minor version load (the C API is versioned by struct sizes); xla-cpu-pjrt 0.0.1 from
	// PyPI is 0.81 and passes the op coverage table (docs/xla.md).
	GoXLAPJRTVersion = "0.83"
)

// XLAPlugin describes a PJRT plugin file: what dl4go recorded when it installed it (Source) and
// what the plugin reports about itself (PJRT C API and StableHLO versions).
type XLAPlugin struct {
	// Path is the plugin file, e.g. ~/.local/lib/go-xla/pjrt_c_api_cpu_plugin.so.
	Path string `json:"-"`
	// Name is the plugin's name as go-xla derives it from the file name, e.g. "cpu" or "cuda".
	Name string `json:"name"`
	// Source says where the file came from, e.g. "xla_cpu_pjrt 0.0.1 (wheel)" or
	// "go-xla installer v0.83.3"; empty when unknown.
	Source string `json:"source,omitempty"`
	// PJRTVersion is the PJRT C API version the plugin implements, e.g. "0.81"; empty when the
	// plugin was neither loaded nor recorded at install.
	PJRTVersion string `json:"pjrt_api,omitempty"`
	// StableHLO is the newest StableHLO version the plugin accepts, e.g. "1.13.3".
	StableHLO string `json:"stablehlo,omitempty"`
	// Loaded reports that PJRTVersion and StableHLO come from loading the plugin in this process
	// (InspectXLAPlugin), not from the install record.
	Loaded bool `json:"-"`

	// WheelSHA256 is the sha256 of the wheel the plugin was unpacked from, if any.
	WheelSHA256 string `json:"wheel_sha256,omitempty"`
	// Installed is when dl4go installed it.
	Installed time.Time `json:"installed"`
	// Size and ModTime identify the file the record describes: a record whose plugin file was
	// replaced since (by GoMLX's installer, say) is ignored.
	Size    int64     `json:"size"`
	ModTime time.Time `json:"mod_time"`
}

// String returns e.g. "xla_cpu_pjrt 0.0.1 (wheel), PJRT C API 0.81, StableHLO 1.13.3".
func (p XLAPlugin) String() string {
	var parts []string
	if p.Source != "" {
		parts = append(parts, p.Source)
	}
	if p.PJRTVersion != "" {
		parts = append(parts, "PJRT C API "+p.PJRTVersion)
	}
	if p.StableHLO != "" {
		parts = append(parts, "StableHLO "+p.StableHLO)
	}
	if len(parts) == 0 {
		return "version unknown (not installed by dl4go; `dl4go doctor` loads it and tells)"
	}
	return strings.Join(parts, ", ")
}

// xlaRecordPath is where dl4go records what it installed: next to the plugin, with ".json"
// appended (go-xla only looks at files ending in .so, .dylib or .dll).
func xlaRecordPath(plugin string) string { return plugin + ".json" }

// RecordXLAPlugin writes p's install record next to p.Path, stamped with the file's current size
// and modification time, for DescribeXLAPlugin (and so the kernel banner) to read without loading
// the plugin.
func RecordXLAPlugin(p XLAPlugin) error {
	st, err := os.Stat(p.Path)
	if err != nil {
		return fmt.Errorf("record PJRT plugin: %w", err)
	}
	p.Size, p.ModTime = st.Size(), st.ModTime()
	if p.Installed.IsZero() {
		p.Installed = time.Now().UTC().Truncate(time.Second)
	}
	b, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return fmt.Errorf("record PJRT plugin %s: %w", p.Path, err)
	}
	if err := os.WriteFile(xlaRecordPath(p.Path), append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("record PJRT plugin: %w", err)
	}
	return nil
}

// goXLAFileRE matches the versioned file names of go-xla's installer, e.g.
// pjrt_c_api_cpu_v0.83.3_plugin.so, and captures the version.
var goXLAFileRE = regexp.MustCompile(`^pjrt_c_api_[a-z0-9]+_(v[0-9][0-9.]*)_plugin\.(?:so|dylib|dll)$`)

// DescribeXLAPlugin tells what is known about the plugin at path without loading it: dl4go's
// install record when it still matches the file, else the version in the file name that go-xla's
// installer links it to. Use InspectXLAPlugin to load it and ask the plugin itself.
func DescribeXLAPlugin(path string) XLAPlugin {
	p := XLAPlugin{Path: path, Name: pluginName(path)}
	st, err := os.Stat(path)
	if err != nil {
		return p
	}
	if b, err := os.ReadFile(xlaRecordPath(path)); err == nil {
		var rec XLAPlugin
		if json.Unmarshal(b, &rec) == nil && rec.Size == st.Size() && rec.ModTime.Equal(st.ModTime()) {
			rec.Path = path
			return rec
		}
	}
	if target, err := filepath.EvalSymlinks(path); err == nil {
		if m := goXLAFileRE.FindStringSubmatch(filepath.Base(target)); m != nil {
			p.Source = "go-xla installer " + m[1]
		}
	}
	return p
}

// pluginName derives go-xla's plugin name from a plugin file name ("" if it is not one).
func pluginName(path string) string {
	m := pluginFileRE.FindStringSubmatch(filepath.Base(path))
	if m == nil {
		return ""
	}
	return m[1] + m[2]
}

// XLAOptions configures NewXLA.
type XLAOptions struct {
	// Plugin is the PJRT plugin to load: a name ("cpu", "cuda") searched where go-xla looks, or the
	// absolute path of the plugin file. Empty: the plugin $GOMLX_BACKEND names when it selects
	// XLA, else the one Choose finds installed (see FindXLAPlugin).
	Plugin string
	// Devices, when > 0, asks a CPU plugin for that many devices (its "cpu_device_count" client
	// option; XLA_FLAGS=--xla_force_host_platform_device_count=N does the same), e.g. 2 to try data
	// parallelism on one machine. NewXLA fails if the backend then has fewer devices. GPU plugins
	// have one device per GPU and take no such option.
	Devices int
}

// FindXLAPlugin returns the PJRT plugin XLA would use, without loading it: the one named by
// $GOMLX_BACKEND when that selects XLA ("xla:cpu", "xla:/abs/path/pjrt_c_api_cpu_plugin.so"),
// else the preferred one installed where go-xla looks (as Choose). The error says how to install one.
func FindXLAPlugin() (string, error) {
	return findXLAPlugin(os.LookupEnv, pluginSearchDirs(), hasNvidiaGPU())
}

func findXLAPlugin(lookup func(string) (string, bool), dirs []string, withGPU bool) (string, error) {
	if cfg, ok := lookup(backends.ConfigEnvVar); ok && cfg != "" {
		if plugin, ok := xlaConfigPlugin(cfg); ok {
			if filepath.IsAbs(plugin) {
				if _, err := os.Stat(plugin); err != nil {
					return "", fmt.Errorf("$%s=%s: %w", backends.ConfigEnvVar, cfg, err)
				}
				return plugin, nil
			}
			if path := findPluginNamed(dirs, plugin); path != "" {
				return path, nil
			}
			return "", fmt.Errorf("$%s=%s: no PJRT plugin named %q in %s; %s",
				backends.ConfigEnvVar, cfg, plugin, strings.Join(dirs, ", "), xlaInstallHint)
		}
	}
	if _, path := findPlugin(dirs, withGPU); path != "" {
		return path, nil
	}
	return "", errors.New("no XLA PJRT plugin installed: " + xlaInstallHint)
}

// xlaInstallHint tells how to get a PJRT plugin (docs/xla.md).
const xlaInstallHint = "install the CPU plugin with `pip download --no-deps xla-cpu-pjrt==0.0.1` and " +
	"`go run ./cmd/dl4go xla --from-wheel xla_cpu_pjrt-0.0.1-*.whl` (or `dl4go xla` online), " +
	"or set GOMLX_BACKEND=xla:/abs/path/pjrt_c_api_cpu_plugin.so (see docs/xla.md)"

// xlaConfigPlugin returns the plugin part of an XLA backend config ("xla:cpu,opt" → "cpu").
// An empty plugin ("xla") means "cpu", GoMLX's default when only a CPU plugin is installed.
func xlaConfigPlugin(config string) (string, bool) {
	name, rest, _ := strings.Cut(config, ":")
	switch name {
	case "xla", "stablehlo", "hlo", "shlo":
	default:
		return "", false
	}
	plugin, _, _ := strings.Cut(rest, ",")
	if plugin == "" {
		plugin = "cpu"
	}
	return plugin, true
}

// findPluginNamed returns the first plugin file called name in dirs, or "".
func findPluginNamed(dirs []string, name string) string {
	for _, dir := range dirs {
		entries, err := os.ReadDir(dir)
		if err != nil {
			continue
		}
		for _, e := range entries {
			if !e.IsDir() && pluginName(e.Name()) == name {
				return filepath.Join(dir, e.Name())
			}
		}
	}
	return ""
}
