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

// PeakRSS is the largest resident set process pid has had (VmHWM), in bytes; 0 if unknown.
func PeakRSS(pid int) uint64 {
	data, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "status"))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			f := strings.Fields(rest) // "123456 kB"
			if len(f) == 2 && f[1] == "kB" {
				n, _ := strconv.ParseUint(f[0], 10, 64)
				return n << 10
			}
		}
	}
	return 0
}

// Memory is what bounds this process's memory: its cgroup's limit (v2 or v1)
// or, without one, the machine's RAM, and the number of processes the cgroup's
// out-of-memory killer has killed so far.
type Memory struct {
	Limit    uint64 // bytes; 0 if unknown
	CGroup   bool   // whether Limit is a cgroup limit (else the machine's RAM)
	OOMKills uint64 // the cgroup's oom_kill count; 0 without a cgroup
}

// ReadMemory reads this process's memory bound and its cgroup's OOM kill count.
func ReadMemory() Memory {
	var m Memory
	cg, _ := os.ReadFile("/proc/self/cgroup")
	for _, line := range strings.Split(string(cg), "\n") {
		parts := strings.SplitN(line, ":", 3)
		if len(parts) != 3 {
			continue
		}
		var dirs []string
		var limitFile, eventsFile string
		switch {
		case parts[0] == "0" && parts[1] == "": // cgroup v2
			dirs = []string{filepath.Join("/sys/fs/cgroup", parts[2]), "/sys/fs/cgroup"}
			limitFile, eventsFile = "memory.max", "memory.events"
		case strings.Contains(","+parts[1]+",", ",memory,"): // cgroup v1
			dirs = []string{filepath.Join("/sys/fs/cgroup/memory", parts[2]), "/sys/fs/cgroup/memory"}
			limitFile, eventsFile = "memory.limit_in_bytes", "memory.oom_control"
		default:
			continue
		}
		for _, d := range dirs {
			data, err := os.ReadFile(filepath.Join(d, limitFile))
			if err != nil {
				continue
			}
			if n, err := strconv.ParseUint(strings.TrimSpace(string(data)), 10, 64); err == nil && n < 1<<60 {
				m.Limit, m.CGroup = n, true
			}
			events, _ := os.ReadFile(filepath.Join(d, eventsFile))
			for _, l := range strings.Split(string(events), "\n") {
				if rest, ok := strings.CutPrefix(l, "oom_kill "); ok {
					m.OOMKills, _ = strconv.ParseUint(strings.TrimSpace(rest), 10, 64)
				}
			}
			break
		}
		if m.CGroup {
			break
		}
	}
	if !m.CGroup {
		info, _ := os.ReadFile("/proc/meminfo")
		for _, l := range strings.Split(string(info), "\n") {
			if rest, ok := strings.CutPrefix(l, "MemTotal:"); ok {
				if f := strings.Fields(rest); len(f) == 2 {
					n, _ := strconv.ParseUint(f[0], 10, 64)
					m.Limit = n << 10
				}
			}
		}
	}
	return m
}
