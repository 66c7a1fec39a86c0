package main

import (
	"archive/zip"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dl4go/dl4go/gomlxext"
)

// sharedLib compiles C source into a shared library with gcc, or skips the test without gcc.
func sharedLib(t *testing.T, src string) []byte {
	t.Helper()
	if _, err := exec.LookPath("gcc"); err != nil {
		t.Skip("gcc not found: cannot build a test shared library")
	}
	dir := t.TempDir()
	c, so := filepath.Join(dir, "p.c"), filepath.Join(dir, "p.so")
	if err := os.WriteFile(c, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("gcc", "-shared", "-fPIC", "-o", so, c).CombinedOutput(); err != nil {
		t.Fatalf("gcc: %v\n%s", err, out)
	}
	b, err := os.ReadFile(so)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// makeWheel writes a zip with the given files (name → content) and returns its path.
func makeWheel(t *testing.T, files map[string][]byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "w-0.0.1-py3-none-any.whl")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	for name, b := range files {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(b); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

const cpuMeta = "Metadata-Version: 2.1\nName: xla_cpu_pjrt\nVersion: 0.0.1\n\nUNKNOWN\n"

func TestInstallWheel(t *testing.T) {
	plugin := sharedLib(t, "void *GetPjrtApi(void) { return 0; }\n")
	wheel := makeWheel(t, map[string][]byte{
		"xla_cpu_pjrt-0.0.1.dist-info/METADATA":    []byte(cpuMeta),
		"xla_plugins/xla_cpu_pjrt/__init__.py":     nil,
		"xla_plugins/xla_cpu_pjrt/xla_cpu_pjrt.so": plugin,
	})
	dir := t.TempDir()
	// go-xla's installer leaves a link to its versioned file: the wheel's plugin replaces the link.
	old := filepath.Join(dir, "pjrt_c_api_cpu_v0.83.3_plugin.so")
	if err := os.WriteFile(old, []byte("go-xla's"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Base(old), filepath.Join(dir, "pjrt_c_api_cpu_plugin.so")); err != nil {
		t.Fatal(err)
	}

	inspected := ""
	inspectPlugin = func(path string) (gomlxext.XLAPlugin, error) {
		inspected = path
		return gomlxext.XLAPlugin{Path: path, PJRTVersion: "0.81", StableHLO: "1.13.3", Loaded: true}, nil
	}
	defer func() { inspectPlugin = gomlxext.InspectXLAPlugin }()
	p, err := installWheel(wheel, dir, "")
	if err != nil {
		t.Fatal(err)
	}
	dest := filepath.Join(dir, "pjrt_c_api_cpu_plugin.so")
	if p.Path != dest || p.Name != "cpu" || p.PJRTVersion != "0.81" || p.Source != "xla_cpu_pjrt 0.0.1 (wheel)" || len(p.WheelSHA256) != 64 {
		t.Errorf("installWheel = %+v", p)
	}
	if inspected == "" || inspected == dest {
		t.Errorf("the plugin was loaded from %q: want the unpacked temporary file, before it is installed", inspected)
	}
	if got, err := os.ReadFile(dest); err != nil || string(got) != string(plugin) {
		t.Errorf("installed file differs from the wheel's plugin (err %v)", err)
	}
	if st, err := os.Lstat(dest); err != nil || st.Mode()&os.ModeSymlink != 0 || st.Mode()&0o100 == 0 {
		t.Errorf("installed file: %v, %v; want an executable regular file", st.Mode(), err)
	}
	if got, _ := os.ReadFile(old); string(got) != "go-xla's" {
		t.Error("go-xla's versioned plugin was overwritten through the link")
	}
	if d := gomlxext.DescribeXLAPlugin(dest); d.Source != p.Source || d.PJRTVersion != "0.81" {
		t.Errorf("record not found afterwards: %+v", d)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 3 {
		t.Errorf("install dir holds %d entries, want the old file, the plugin and its record", len(entries))
	}
}

func TestInstallWheelErrors(t *testing.T) {
	notPJRT := sharedLib(t, "int answer(void) { return 42; }\n")
	nilAPI := sharedLib(t, "void *GetPjrtApi(void) { return 0; }\n")
	notZip := filepath.Join(t.TempDir(), "x.whl")
	if err := os.WriteFile(notZip, []byte("not a zip"), 0o644); err != nil {
		t.Fatal(err)
	}
	meta := map[string][]byte{"xla_cpu_pjrt-0.0.1.dist-info/METADATA": []byte(cpuMeta)}
	with := func(files map[string][]byte) string {
		for k, v := range meta {
			if _, ok := files[k]; !ok {
				files[k] = v
			}
		}
		return makeWheel(t, files)
	}
	tests := []struct {
		name, wheel, pluginName, want string
		loadErr                       error
	}{
		{"not a zip", notZip, "", "is not a wheel", nil},
		{"no metadata", makeWheel(t, map[string][]byte{"a/p.so": nilAPI}), "", "no *.dist-info/METADATA", nil},
		{"no plugin", with(map[string][]byte{"a/__init__.py": nil}), "", "holds 0 shared libraries", nil},
		{"two libraries", with(map[string][]byte{"a/p.so": nilAPI, "a/q.so": nilAPI}), "", "holds 2 shared libraries", nil},
		{"not a PJRT plugin", with(map[string][]byte{"a/p.so": notPJRT}), "", "exports no GetPjrtApi", nil},
		{"unknown name", makeWheel(t, map[string][]byte{"foo-1.dist-info/METADATA": []byte("Name: foo\nVersion: 1\n"),
			"a/p.so": nilAPI}), "", "pass --name", nil},
		{"bad name", with(map[string][]byte{"a/p.so": nilAPI}), "a/b", "bad plugin name", nil},
		{"does not load", with(map[string][]byte{"a/p.so": nilAPI}), "", "does not load in go-xla", errors.New("nil plugin")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			inspectPlugin = func(path string) (gomlxext.XLAPlugin, error) { return gomlxext.XLAPlugin{}, tc.loadErr }
			defer func() { inspectPlugin = gomlxext.InspectXLAPlugin }()
			dir := t.TempDir()
			_, err := installWheel(tc.wheel, dir, tc.pluginName)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("installWheel error = %v, want one containing %q", err, tc.want)
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 0 {
				t.Errorf("a failed install left %d file(s) in %s", len(entries), dir)
			}
		})
	}
}

// TestInstallWheelLoadsForReal loads a library whose GetPjrtApi returns NULL through go-xla: the
// install must fail with go-xla's error and install nothing.
func TestInstallWheelLoadsForReal(t *testing.T) {
	wheel := makeWheel(t, map[string][]byte{
		"xla_cpu_pjrt-0.0.1.dist-info/METADATA": []byte(cpuMeta),
		"p/xla_cpu_pjrt.so":                     sharedLib(t, "void *GetPjrtApi(void) { return 0; }\n"),
	})
	if _, err := gomlxext.InspectXLAPlugin("/nonexistent/pjrt_c_api_cpu_plugin.so"); err != nil && strings.Contains(err.Error(), "no XLA backend") {
		t.Skip("this build has no XLA backend")
	}
	dir := t.TempDir()
	_, err := installWheel(wheel, dir, "")
	if err == nil || !strings.Contains(err.Error(), "does not load in go-xla") {
		t.Fatalf("installWheel of a plugin returning no API: %v", err)
	}
	t.Logf("error: %v", err)
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("a failed install left %d file(s)", len(entries))
	}
}

// TestInstallRealWheel installs the wheel named by $DL4GO_XLA_WHEEL (CI's XLA job sets it) and
// loads the plugin: the PJRT C API version go-xla gets must be the one recorded.
func TestInstallRealWheel(t *testing.T) {
	wheel := os.Getenv("DL4GO_XLA_WHEEL")
	if wheel == "" {
		if os.Getenv(gomlxext.RequireXLAEnv) == "1" {
			t.Fatalf("$%s=1 but $DL4GO_XLA_WHEEL names no wheel", gomlxext.RequireXLAEnv)
		}
		t.Skip("SKIPPED: $DL4GO_XLA_WHEEL names no PJRT plugin wheel (pip download --no-deps xla-cpu-pjrt==0.0.1)")
	}
	dir := t.TempDir()
	p, err := installWheel(wheel, dir, "")
	if err != nil {
		t.Fatal(err)
	}
	loaded, err := gomlxext.InspectXLAPlugin(p.Path)
	if err != nil {
		t.Fatal(err)
	}
	if loaded.PJRTVersion != p.PJRTVersion || loaded.Source != p.Source {
		t.Errorf("recorded %s, loaded %s", p, loaded)
	}
	t.Logf("%s: %s", p.Path, loaded)
}
