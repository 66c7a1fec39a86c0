// Package testkernel installs the dl4go kernel once per test binary into a
// temporary Jupyter data directory, so tests can start it like Jupyter does
// without touching the user's own installation.
package testkernel

import (
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/dl4go/dl4go/kernel"
)

var (
	once      sync.Once
	installed kernel.Installed
	dataDir   string
	err       error
)

// Install installs the kernel (once per process) and returns it with its Jupyter data directory.
// The directory is removed by Cleanup, which TestMain should defer.
func Install(t testing.TB) (kernel.Installed, string) {
	t.Helper()
	once.Do(func() {
		var root string
		root, err = kernel.FindRoot(".")
		if err != nil {
			return
		}
		dataDir, err = os.MkdirTemp("", "dl4go-jupyter-")
		if err != nil {
			return
		}
		installed, err = kernel.Install(kernel.InstallOptions{Root: root, DataDir: dataDir})
	})
	if err != nil {
		t.Fatalf("install the dl4go kernel: %v", err)
	}
	return installed, dataDir
}

// Cleanup removes the temporary Jupyter data directory, if one was made.
func Cleanup() {
	if dataDir != "" && filepath.Base(dataDir) != "" {
		os.RemoveAll(dataDir)
	}
}
