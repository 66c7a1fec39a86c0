//go:build !(linux && amd64)

package main

import (
	"fmt"
	"runtime"

	"github.com/gomlx/go-xla/pkg/installer"
)

// installCUDA fails: go-xla installs CUDA PJRT plugins on linux/amd64 only.
func installCUDA(plugin, version, dir string, level installer.VerbosityLevel) error {
	return fmt.Errorf("CUDA PJRT plugins are only available for linux/amd64, not %s/%s", runtime.GOOS, runtime.GOARCH)
}
