// Package xlatest gives tests an XLA backend on the PJRT plugin that gomlxext.FindXLAPlugin finds
// ($GOMLX_BACKEND=xla:/abs/path/plugin.so in CI's XLA job, else one installed with `dl4go xla`),
// and skips them loudly when there is none, unless $DL4GO_REQUIRE_XLA=1 makes that a failure.
package xlatest

import (
	"os"
	"sync"
	"testing"

	"github.com/gomlx/gomlx/backends"

	"github.com/dl4go/dl4go/gomlxext"
)

var (
	mu   sync.Mutex
	made = map[int]backends.Backend{}
)

// Required reports whether $DL4GO_REQUIRE_XLA=1: tests needing XLA must fail, not skip.
func Required() bool { return os.Getenv(gomlxext.RequireXLAEnv) == "1" }

// Plugin returns the PJRT plugin's path, or skips (fails when Required) naming how to get one.
func Plugin(tb testing.TB) string {
	tb.Helper()
	path, err := gomlxext.FindXLAPlugin()
	if err != nil {
		skip(tb, err)
	}
	return path
}

// Backend returns an XLA backend with at least devices devices (0: the plugin's default), created
// once per device count for the test binary, or skips (fails when Required).
func Backend(tb testing.TB, devices int) backends.Backend {
	tb.Helper()
	mu.Lock()
	defer mu.Unlock()
	if b, ok := made[devices]; ok {
		return b
	}
	plugin := Plugin(tb)
	b, err := gomlxext.NewXLA(gomlxext.XLAOptions{Plugin: plugin, Devices: devices})
	if err != nil {
		skip(tb, err)
	}
	made[devices] = b
	return b
}

func skip(tb testing.TB, err error) {
	tb.Helper()
	if Required() {
		tb.Fatalf("XLA required ($%s=1): %v", gomlxext.RequireXLAEnv, err)
	}
	tb.Skipf("SKIPPED, no XLA: %v", err)
}
