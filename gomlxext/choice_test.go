package gomlxext

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestChoose(t *testing.T) {
	withCPU := t.TempDir()
	touch(t, filepath.Join(withCPU, "pjrt_c_api_cpu_plugin.so"))
	withCUDA := t.TempDir()
	touch(t, filepath.Join(withCUDA, "pjrt_c_api_cuda_plugin.so"))
	touch(t, filepath.Join(withCUDA, "pjrt_c_api_cpu_plugin.so"))
	withOther := t.TempDir()
	touch(t, filepath.Join(withOther, "pjrt-plugin-metal.dylib"))
	touch(t, filepath.Join(withOther, "libfoo.so"))
	empty := t.TempDir()

	env := func(kv ...string) func(string) (string, bool) {
		return func(k string) (string, bool) {
			for i := 0; i+1 < len(kv); i += 2 {
				if kv[i] == k {
					return kv[i+1], true
				}
			}
			return "", false
		}
	}
	tests := []struct {
		name                   string
		lookup                 func(string) (string, bool)
		dirs                   []string
		xla, dl4go, gpu        bool
		wantConfig, wantReason string
	}{
		{"env wins over plugin", env("GOMLX_BACKEND", "go"), []string{withCPU}, true, true, false, "go", "$GOMLX_BACKEND"},
		{"env with plugin path", env("GOMLX_BACKEND", "xla:/abs/p.so"), nil, true, true, false, "xla:/abs/p.so", "$GOMLX_BACKEND"},
		{"empty env is unset", env("GOMLX_BACKEND", ""), []string{empty}, true, true, false, "dl4go", "no PJRT plugin"},
		{"cpu plugin", env(), []string{empty, withCPU}, true, true, false, "xla:cpu", withCPU},
		{"cuda needs a GPU", env(), []string{withCUDA}, true, true, false, "xla:cpu", withCUDA},
		{"cuda with a GPU", env(), []string{withCUDA}, true, true, true, "xla:cuda", "cuda_plugin"},
		{"other plugin name", env(), []string{withOther}, true, true, false, "xla:metal", "metal"},
		{"first dir wins", env(), []string{withCUDA, withCPU}, true, true, false, "xla:cpu", withCUDA},
		{"plugin but no xla linked", env(), []string{withCPU}, false, true, false, "dl4go", "no XLA backend"},
		{"nothing", env(), []string{empty, "/does/not/exist"}, true, true, false, "dl4go", "dl4go's pure-Go"},
		{"nothing, no dl4go", env(), nil, true, false, false, "go", "GoMLX's pure-Go"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := choose(tc.lookup, tc.dirs, tc.xla, tc.dl4go, tc.gpu)
			if c.Config != tc.wantConfig || !strings.Contains(c.Reason, tc.wantReason) {
				t.Errorf("choose() = %+v, want config %q and a reason containing %q", c, tc.wantConfig, tc.wantReason)
			}
			if !strings.Contains(c.String(), c.Config) || !strings.Contains(c.String(), c.Reason) {
				t.Errorf("String() = %q lacks config or reason", c.String())
			}
		})
	}
}

func TestChooseUsesPluginPathEnv(t *testing.T) {
	dir := t.TempDir()
	touch(t, filepath.Join(dir, "pjrt_c_api_cpu_plugin.so"))
	t.Setenv("GOMLX_BACKEND", "")
	t.Setenv(pluginPathsEnv, dir)
	c := Choose()
	want := "xla:cpu"
	if !xlaLinked {
		want = "go"
		if backendRegistered(DefaultBackend) {
			want = DefaultBackend
		}
	}
	if c.Config != want {
		t.Errorf("Choose() with %s=%s: got %v, want %s", pluginPathsEnv, dir, c, want)
	}
}

func TestLdSoConf(t *testing.T) {
	dir := t.TempDir()
	sub := filepath.Join(dir, "conf.d")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, "ld.so.conf"), "# comment\ninclude "+sub+"/*.conf\n/opt/a\n")
	write(t, filepath.Join(sub, "x.conf"), "/opt/b\n\n")
	got := ldSoConfDirs([]string{"/first"}, filepath.Join(dir, "ld.so.conf"), 0)
	want := []string{"/first", "/opt/b", "/opt/a"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("ldSoConfDirs = %q, want %q", got, want)
	}
}

func TestBackendCreates(t *testing.T) {
	b, err := Backend()
	if err != nil {
		t.Fatalf("Backend(): %v", err)
	}
	if b2, _ := Backend(); b2 != b {
		t.Error("Backend() created a second backend")
	}
	t.Logf("backend %s: %s", b.Name(), Chosen())
}

func TestNewBackendUnknown(t *testing.T) {
	if _, err := newBackend("nosuchbackend:x"); err == nil || !strings.Contains(err.Error(), "not compiled in") {
		t.Errorf("newBackend(unknown) error = %v", err)
	}
}

func touch(t *testing.T, path string) { write(t, path, "") }

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
