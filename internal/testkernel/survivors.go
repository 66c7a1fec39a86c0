package testkernel

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// LeakTokenEnv marks every process a test starts: they all inherit it, so a
// scan of /proc finds the survivors whoever their parent is now.
const LeakTokenEnv = "DL4GO_LEAK_TOKEN"

// LeakToken returns a new random token, to set as LeakTokenEnv.
func LeakToken() string {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("testkernel: random token: %v", err))
	}
	return hex.EncodeToString(b)
}

// Marked is a live process that carries a leak token.
type Marked struct {
	PID     int
	Cmdline string
}

func (m Marked) String() string { return fmt.Sprintf("%d %s", m.PID, m.Cmdline) }

// MarkedProcesses lists the live processes (zombies excluded) whose environment
// holds LeakTokenEnv=token, other than this process.
func MarkedProcesses(token string) []Marked {
	want := []byte(LeakTokenEnv + "=" + token + "\x00")
	self := os.Getpid()
	paths, _ := filepath.Glob("/proc/[0-9]*/environ")
	var out []Marked
	for _, p := range paths {
		pid, err := strconv.Atoi(filepath.Base(filepath.Dir(p)))
		if err != nil || pid == self {
			continue
		}
		env, err := os.ReadFile(p)
		if err != nil || !bytes.Contains(env, want) {
			continue
		}
		if st, err := os.ReadFile(filepath.Join(filepath.Dir(p), "stat")); err == nil {
			if i := bytes.LastIndexByte(st, ')'); i > 0 && len(st) > i+2 && st[i+2] == 'Z' {
				continue // a zombie: it has ended, its parent has not reaped it yet
			}
		}
		cmdline, _ := os.ReadFile(filepath.Join(filepath.Dir(p), "cmdline"))
		out = append(out, Marked{PID: pid, Cmdline: string(bytes.ReplaceAll(bytes.TrimRight(cmdline, "\x00"), []byte{0}, []byte{' '}))})
	}
	return out
}

// RequireNothingLeft waits up to wait for every process marked with token to
// end and for dir (a TMPDIR given to what the test ran) to be empty, then fails
// t for each survivor, which it kills so that the test leaves nothing either,
// and for what is left in dir.
func RequireNothingLeft(t testing.TB, token, dir string, wait time.Duration) {
	t.Helper()
	deadline := time.Now().Add(wait)
	var left []Marked
	var files []string
	for {
		left, files = MarkedProcesses(token), nil
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			files = append(files, e.Name())
		}
		if (len(left) == 0 && len(files) == 0) || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	for _, p := range left {
		t.Errorf("process left running: %v", p)
		_ = syscall.Kill(p.PID, syscall.SIGKILL)
	}
	if len(files) > 0 {
		t.Errorf("temporary files left in %s: %s", dir, strings.Join(files, ", "))
	}
}
