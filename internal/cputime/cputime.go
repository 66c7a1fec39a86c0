// Package cputime reads the CPU time this process has used, user and system together: the work
// a computation did, which on a shared machine says more than its wall time (at a load average of
// 20 on 2 cores a process gets a tenth of a core, so its wall time measures the other processes).
// Parallel speed-ups are judged with both: wall time falls with more workers only while there are
// idle cores, CPU time shows what the workers cost.
package cputime

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// Process returns the CPU time (user + system) used by the process since it started, and an error
// where the platform cannot tell (then the duration is 0).
func Process() (time.Duration, error) { return process() }

// LoadAverage returns the machine's load average over the last minute (the number of runnable
// processes, averaged), read from /proc/loadavg: beside a wall time it says how much of the
// machine the measurement had. Where there is no /proc (macOS, Windows) it returns an error.
func LoadAverage() (float64, error) {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0, fmt.Errorf("cputime: load average: %w", err)
	}
	f := strings.Fields(string(data))
	if len(f) == 0 {
		return 0, fmt.Errorf("cputime: load average: /proc/loadavg is empty")
	}
	v, err := strconv.ParseFloat(f[0], 64)
	if err != nil {
		return 0, fmt.Errorf("cputime: load average: %w", err)
	}
	return v, nil
}
