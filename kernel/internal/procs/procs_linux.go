package procs

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Table reads the process table from /proc.
func Table() []Process {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	var out []Process
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if p, ok := stat(pid); ok {
			out = append(out, p)
		}
	}
	return out
}

// stat parses /proc/pid/stat: "pid (comm) state ppid ... starttime(22) ...".
func stat(pid int) (Process, bool) {
	data, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return Process{}, false
	}
	s := string(data)
	open, close := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
	if open < 0 || close < open || close+2 >= len(s) {
		return Process{}, false
	}
	fields := strings.Fields(s[close+2:]) // fields[0] is field 3 (state)
	if len(fields) < 20 {
		return Process{}, false
	}
	ppid, _ := strconv.Atoi(fields[1])
	start, _ := strconv.ParseUint(fields[19], 10, 64)
	return Process{PID: pid, PPID: ppid, Comm: s[open+1 : close], State: fields[0][0], Start: start}, true
}

func startTime(pid int) uint64 {
	p, _ := stat(pid)
	return p.Start
}

func exists(pid int) bool {
	p, ok := stat(pid)
	return ok && p.State != 'Z'
}
