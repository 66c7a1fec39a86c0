// Package testkernel installs the dl4go kernel once per test binary into a
// temporary Jupyter data directory, so tests can start it like Jupyter does
// without touching the user's own installation.
package testkernel

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
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
		removeStale()
		dataDir, err = os.MkdirTemp("", fmt.Sprintf("%s%d-", dirPrefix, os.Getpid()))
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

// dirPrefix starts the name of each temporary data directory, followed by
// the pid of the test binary that made it and a dash.
const dirPrefix = "dl4go-jupyter-pid"

// removeStale removes the data directories (each holds ~50 MB of kernel
// binaries) of test binaries that died without Cleanup: one that timed out
// panics past TestMain.
func removeStale() {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), dirPrefix+"*"))
	for _, d := range dirs {
		pidText, _, _ := strings.Cut(strings.TrimPrefix(filepath.Base(d), dirPrefix), "-")
		pid, err := strconv.Atoi(pidText)
		if err != nil || pid <= 0 || processAlive(pid) {
			continue // not ours, or its test binary still runs
		}
		os.RemoveAll(d)
	}
}

// processAlive reports whether a process with that pid may exist: only "no
// such process" counts as dead (where signal 0 is not supported, all live).
func processAlive(pid int) bool {
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	err = p.Signal(syscall.Signal(0))
	return !errors.Is(err, syscall.ESRCH) && !errors.Is(err, os.ErrProcessDone)
}

// Cleanup removes the temporary Jupyter data directory, if one was made.
func Cleanup() {
	if dataDir != "" && filepath.Base(dataDir) != "" {
		os.RemoveAll(dataDir)
	}
}

// RequireEnvVar names the environment variable that turns the skips of tests needing
// Jupyter or a browser into failures (CI sets it).
const RequireEnvVar = "DL4GO_REQUIRE_JUPYTER"

// SkipOrFail skips t loudly, saying why and how to install what is missing, or fails it
// when DL4GO_REQUIRE_JUPYTER=1.
func SkipOrFail(t testing.TB, why, fix string) {
	t.Helper()
	if os.Getenv(RequireEnvVar) == "1" {
		t.Fatalf("%s, and %s=1 (%s)", why, RequireEnvVar, fix)
	}
	t.Skipf("SKIPPED: %s (%s; %s=1 makes this a failure)", why, fix, RequireEnvVar)
}
