//go:build ((linux && amd64) || darwin) && cgo && !noxla

package gomlxext

import (
	"fmt"
	"os"
	"strings"

	"github.com/gomlx/go-xla/pkg/pjrt"
	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/backends/xla"
)

// xlaLinked reports whether the XLA backend is compiled into this binary.
const xlaLinked = true

func init() {
	// Never download PJRT plugins behind the user's back: a notebook cell must not hang offline.
	xla.EnableAutoInstall(os.Getenv(XLAInstallEnv) == "1")
}

// InstallXLA downloads and installs the default PJRT plugins (CPU, and CUDA if a GPU is present)
// under the user's ~/.local/lib/go-xla. It needs the network; call it only when the user asks.
func InstallXLA() error {
	return xla.AutoInstall()
}

// InspectXLAPlugin loads the PJRT plugin at path (an absolute path, or a name such as "cpu"
// searched where go-xla looks) into this process and returns what it reports: its PJRT C API and
// StableHLO versions, with Source from dl4go's install record when there is one. A plugin stays
// loaded once loaded (go-xla caches it); loading the CPU plugin takes about a second.
func InspectXLAPlugin(path string) (XLAPlugin, error) {
	p, err := loadPlugin(path)
	if err != nil {
		return XLAPlugin{Path: path}, err
	}
	info := DescribeXLAPlugin(p.Path())
	major, minor := p.Version()
	info.PJRTVersion = fmt.Sprintf("%d.%d", major, minor)
	info.StableHLO = ""
	if v, ok := p.Attributes()["stablehlo_current_version"].([]int64); ok {
		parts := make([]string, len(v))
		for i, n := range v {
			parts[i] = fmt.Sprint(n)
		}
		info.StableHLO = strings.Join(parts, ".")
	}
	info.Loaded = true
	return info, nil
}

// loadPlugin loads a PJRT plugin with go-xla. go-xla v0.1.4 returns neither a plugin nor an error
// when the library's GetPjrtApi returns NULL; that becomes an error here.
func loadPlugin(path string) (*pjrt.Plugin, error) {
	p, err := pjrt.GetPlugin(path)
	if err != nil {
		return nil, fmt.Errorf("load PJRT plugin %s: %w", path, err)
	}
	if p == nil {
		return nil, fmt.Errorf("load PJRT plugin %s: its GetPjrtApi returned no API", path)
	}
	return p, nil
}

// NewXLA creates a GoMLX XLA backend on the plugin opts.Plugin names (default: FindXLAPlugin's),
// independent of the process-wide Backend. With opts.Devices > 0 a CPU plugin is asked for that
// many devices; the error says so if the backend has fewer.
func NewXLA(opts XLAOptions) (backends.Backend, error) {
	plugin := opts.Plugin
	if plugin == "" {
		var err error
		if plugin, err = FindXLAPlugin(); err != nil {
			return nil, err
		}
	}
	if _, err := loadPlugin(plugin); err != nil {
		return nil, fmt.Errorf("create the XLA backend: %w", err)
	}
	var clientOpts pjrt.NamedValuesMap
	isCPU := strings.Contains(pluginName(plugin), "cpu") || plugin == "cpu"
	if opts.Devices > 0 && isCPU {
		clientOpts = pjrt.NamedValuesMap{"cpu_device_count": int64(opts.Devices)}
	}
	config := plugin
	if isCPU {
		// Host buffers are device buffers on the CPU plugin: skip the copies (GoMLX enables this
		// for the plugin named "cpu" only, not for a path to it).
		config += ",shared_buffers"
	}
	b, err := xla.NewWithOptions(config, clientOpts)
	if err != nil {
		return nil, fmt.Errorf("create the XLA backend on %s: %w", plugin, err)
	}
	if opts.Devices > 0 && b.NumDevices() < opts.Devices {
		n := b.NumDevices()
		b.Finalize()
		return nil, fmt.Errorf("the XLA backend on %s has %d device(s), %d were asked for (a GPU plugin has one per GPU)",
			plugin, n, opts.Devices)
	}
	return b, nil
}
