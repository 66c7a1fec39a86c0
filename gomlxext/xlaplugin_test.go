package gomlxext

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestDescribeXLAPlugin(t *testing.T) {
	dir := t.TempDir()
	plugin := filepath.Join(dir, "pjrt_c_api_cpu_plugin.so")
	write(t, plugin, "not really a plugin")
	if p := DescribeXLAPlugin(plugin); p.Name != "cpu" || p.Source != "" || p.PJRTVersion != "" {
		t.Errorf("without a record: %+v, want name cpu and nothing else", p)
	}
	rec := XLAPlugin{Path: plugin, Name: "cpu", Source: "xla_cpu_pjrt 0.0.1 (wheel)", PJRTVersion: "0.81", StableHLO: "1.13.3"}
	if err := RecordXLAPlugin(rec); err != nil {
		t.Fatal(err)
	}
	got := DescribeXLAPlugin(plugin)
	if got.Source != rec.Source || got.PJRTVersion != "0.81" || got.StableHLO != "1.13.3" || got.Path != plugin || got.Loaded {
		t.Errorf("with a record: %+v", got)
	}
	if want := "xla_cpu_pjrt 0.0.1 (wheel), PJRT C API 0.81, StableHLO 1.13.3"; got.String() != want {
		t.Errorf("String() = %q, want %q", got.String(), want)
	}

	// The file replaced since (another size and time): the record no longer describes it.
	write(t, plugin, "another plugin, longer")
	if err := os.Chtimes(plugin, time.Now(), time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if p := DescribeXLAPlugin(plugin); p.Source != "" || p.PJRTVersion != "" {
		t.Errorf("stale record used: %+v", p)
	}

	// go-xla's installer: a link to the versioned file.
	versioned := filepath.Join(dir, "pjrt_c_api_cuda_v0.83.3_plugin.so")
	write(t, versioned, "x")
	link := filepath.Join(dir, "pjrt_c_api_cuda_plugin.so")
	if err := os.Symlink(filepath.Base(versioned), link); err != nil {
		t.Fatal(err)
	}
	if p := DescribeXLAPlugin(link); p.Name != "cuda" || p.Source != "go-xla installer v0.83.3" {
		t.Errorf("go-xla link: %+v", p)
	}
	if s := DescribeXLAPlugin(filepath.Join(dir, "missing.so")).String(); !strings.Contains(s, "unknown") {
		t.Errorf("missing plugin String() = %q", s)
	}
}

func TestFindXLAPlugin(t *testing.T) {
	dir := t.TempDir()
	cpu := filepath.Join(dir, "pjrt_c_api_cpu_plugin.so")
	touch(t, cpu)
	empty := t.TempDir()
	env := func(v string) func(string) (string, bool) {
		return func(k string) (string, bool) { return v, k == "GOMLX_BACKEND" && v != "" }
	}
	tests := []struct {
		name, env string
		dirs      []string
		want      string // path, or an error substring prefixed by "error: "
	}{
		{"installed", "", []string{empty, dir}, cpu},
		{"env path", "xla:" + cpu + ",shared_buffers", []string{empty}, cpu},
		{"env name", "xla:cpu", []string{empty, dir}, cpu},
		{"env bare xla", "xla", []string{dir}, cpu},
		{"env not xla: installed one", "dl4go", []string{dir}, cpu},
		{"env path missing", "xla:/no/such/plugin.so", []string{dir}, "error: /no/such/plugin.so"},
		{"env name missing", "xla:cuda", []string{dir}, `error: no PJRT plugin named "cuda"`},
		{"none", "", []string{empty}, "error: dl4go xla --from-wheel"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := findXLAPlugin(env(tc.env), tc.dirs, false)
			if want, isErr := strings.CutPrefix(tc.want, "error: "); isErr {
				if err == nil || !strings.Contains(err.Error(), want) {
					t.Errorf("got %q, %v; want an error containing %q", got, err, want)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("got %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

func TestChooseDescribesPlugin(t *testing.T) {
	dir := t.TempDir()
	plugin := filepath.Join(dir, "pjrt_c_api_cpu_plugin.so")
	write(t, plugin, "x")
	if err := RecordXLAPlugin(XLAPlugin{Path: plugin, Name: "cpu", Source: "xla_cpu_pjrt 0.0.1 (wheel)", PJRTVersion: "0.81"}); err != nil {
		t.Fatal(err)
	}
	none := func(string) (string, bool) { return "", false }
	c := choose(none, []string{dir}, true, true, false)
	if s := c.String(); !strings.Contains(s, plugin) || !strings.Contains(s, "xla_cpu_pjrt 0.0.1") || !strings.Contains(s, "PJRT C API 0.81") {
		t.Errorf("auto choice String() = %q, want the plugin's path, source and PJRT version", s)
	}
	byEnv := func(k string) (string, bool) { return "xla:" + plugin, k == "GOMLX_BACKEND" }
	if s := choose(byEnv, nil, true, true, false).String(); !strings.Contains(s, "$GOMLX_BACKEND") || !strings.Contains(s, "PJRT C API 0.81") {
		t.Errorf("$GOMLX_BACKEND choice String() = %q, want the reason and the PJRT version", s)
	}
}
