// Package procs finds a process's descendants and cleans up after processes
// that died: the temporary directories of the dl4go kernel carry an owner
// record (the owning process's pid and start time), and [RemoveStale] removes
// those whose owner is gone, so that a kernel killed with SIGKILL leaves
// nothing behind for long.
package procs

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// OwnerFile is the name of the owner record inside an owned directory.
const OwnerFile = ".dl4go-owner"

// Process is one entry of the process table.
type Process struct {
	PID, PPID int
	Comm      string // the command name (as in ps -o comm)
	State     byte   // 'R', 'S', 'Z' (zombie), ...
	Start     uint64 // start time in clock ticks since boot; 0 where unknown
}

// Descendants returns the live (non-zombie) processes below root, children
// before their own children. skip, when not nil, prunes a process and its subtree.
func Descendants(root int, skip func(Process) bool) []Process {
	table := Table()
	children := map[int][]Process{}
	for _, p := range table {
		children[p.PPID] = append(children[p.PPID], p)
	}
	var out []Process
	var walk func(int)
	walk = func(pid int) {
		for _, c := range children[pid] {
			if skip != nil && skip(c) {
				continue
			}
			if c.State != 'Z' {
				out = append(out, c)
			}
			walk(c.PID)
		}
	}
	walk(root)
	return out
}

// MarkOwner writes dir's owner record: this process.
func MarkOwner(dir string) error {
	return MarkOwnerPID(dir, os.Getpid())
}

// MarkOwnerPID writes dir's owner record naming process pid.
func MarkOwnerPID(dir string, pid int) error {
	rec := strconv.Itoa(pid) + " " + strconv.FormatUint(startTime(pid), 10) + "\n"
	if err := os.WriteFile(filepath.Join(dir, OwnerFile), []byte(rec), 0o600); err != nil {
		return fmt.Errorf("mark %s as owned by process %d: %w", dir, pid, err)
	}
	return nil
}

// Alive reports whether the owner record rec ("pid start") names a running process.
func Alive(rec string) bool {
	f := strings.Fields(rec)
	if len(f) != 2 {
		return false
	}
	pid, err1 := strconv.Atoi(f[0])
	start, err2 := strconv.ParseUint(f[1], 10, 64)
	if err1 != nil || err2 != nil || pid <= 0 {
		return false
	}
	if !exists(pid) {
		return false
	}
	// A reused pid has another start time.
	return start == 0 || startTime(pid) == 0 || startTime(pid) == start
}

// RemoveStale removes the directories in parent matching any of patterns
// (filepath.Match syntax) whose owner record names a process that is gone.
// Directories without a record, or with one it cannot read, are left alone.
// It returns the directories it removed.
func RemoveStale(parent string, patterns ...string) ([]string, error) {
	var removed []string
	var errs []error
	for _, pat := range patterns {
		matches, err := filepath.Glob(filepath.Join(parent, pat))
		if err != nil {
			return removed, fmt.Errorf("remove stale directories: %w", err)
		}
		for _, dir := range matches {
			rec, err := os.ReadFile(filepath.Join(dir, OwnerFile))
			if err != nil || Alive(string(rec)) {
				continue
			}
			if err := os.RemoveAll(dir); err != nil {
				errs = append(errs, fmt.Errorf("remove stale %s: %w", dir, err))
				continue
			}
			removed = append(removed, dir)
		}
	}
	return removed, errors.Join(errs...)
}
