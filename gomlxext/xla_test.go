package gomlxext_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/dl4go/dl4go/gomlxext"
	"github.com/dl4go/dl4go/internal/xlatest"
)

// TestInspectXLAPlugin loads the plugin and checks that its PJRT C API is one go-xla can call:
// the same major version, a minor version no newer than go-xla's header.
func TestInspectXLAPlugin(t *testing.T) {
	path := xlatest.Plugin(t)
	p, err := gomlxext.InspectXLAPlugin(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s: %s", path, p)
	major, minor, ok := strings.Cut(p.PJRTVersion, ".")
	gMajor, gMinor, _ := strings.Cut(gomlxext.GoXLAPJRTVersion, ".")
	m, _ := strconv.Atoi(minor)
	gm, _ := strconv.Atoi(gMinor)
	if !ok || major != gMajor || m > gm || !p.Loaded {
		t.Errorf("plugin %s reports PJRT C API %q (loaded %t); go-xla's header is %s", path, p.PJRTVersion, p.Loaded, gomlxext.GoXLAPJRTVersion)
	}
	if p.StableHLO == "" {
		t.Errorf("plugin %s reports no StableHLO version", path)
	}
}

// TestNewXLADevices asks the CPU plugin for 2 devices, as data parallelism on one machine does.
func TestNewXLADevices(t *testing.T) {
	b := xlatest.Backend(t, 2)
	if n := b.NumDevices(); n != 2 {
		t.Errorf("NewXLA(Devices: 2) has %d devices", n)
	}
}

// TestGoXLAPJRTVersion checks GoXLAPJRTVersion against the header of the go-xla in go.mod.
func TestGoXLAPJRTVersion(t *testing.T) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/gomlx/go-xla").Output()
	if err != nil {
		t.Skipf("go list go-xla: %v", err)
	}
	header, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(out)), "pkg", "pjrt", "pjrt_c_api.h"))
	if err != nil {
		t.Fatal(err)
	}
	get := func(name string) string {
		m := regexp.MustCompile(`#define ` + name + ` (\d+)`).FindSubmatch(header)
		if m == nil {
			t.Fatalf("no %s in go-xla's pjrt_c_api.h", name)
		}
		return string(m[1])
	}
	if got := get("PJRT_API_MAJOR") + "." + get("PJRT_API_MINOR"); got != gomlxext.GoXLAPJRTVersion {
		t.Errorf("go-xla's pjrt_c_api.h is PJRT C API %s, GoXLAPJRTVersion says %s", got, gomlxext.GoXLAPJRTVersion)
	}
}
