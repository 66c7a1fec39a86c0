//go:build unix

package main

import (
	"os"
	"runtime"
	"syscall"
	"time"
)

// peakRSSMB returns the peak resident set size of a finished process, in MiB (0 if unknown).
func peakRSSMB(ps *os.ProcessState) float64 {
	if ps == nil {
		return 0
	}
	ru, ok := ps.SysUsage().(*syscall.Rusage)
	if !ok {
		return 0
	}
	kib := float64(ru.Maxrss) // KiB on Linux and the BSDs, bytes on macOS.
	if runtime.GOOS == "darwin" {
		kib /= 1024
	}
	return kib / 1024
}

// processCPU returns the CPU time (user + system, all threads) this process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
