//go:build unix

package main

import (
	"os"
	"runtime"
	"syscall"
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
