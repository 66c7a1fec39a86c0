package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// becomeSubreaper makes orphaned descendants (gopls, which GoNB starts in its
// own process group, left behind when GoNB crashes) reparent to the kernel
// process, so that reapOrphans can stop them.
func becomeSubreaper() { _ = unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) }

// reapOrphans kills every remaining child of this process, repeatedly, since
// killing one reparents its own children here.
func reapOrphans() {
	self := strconv.Itoa(os.Getpid())
	for range 5 {
		stats, _ := filepath.Glob("/proc/[0-9]*/stat")
		killed := 0
		for _, p := range stats {
			data, err := os.ReadFile(p)
			if err != nil {
				continue
			}
			// Fields after the command, which is in parentheses: state ppid ...
			i := strings.LastIndexByte(string(data), ')')
			fields := strings.Fields(string(data)[i+1:])
			if len(fields) < 2 || fields[1] != self {
				continue
			}
			if pid, err := strconv.Atoi(filepath.Base(filepath.Dir(p))); err == nil {
				_ = syscall.Kill(pid, syscall.SIGKILL)
				var ws syscall.WaitStatus
				_, _ = syscall.Wait4(pid, &ws, 0, nil)
				killed++
			}
		}
		if killed == 0 {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}
