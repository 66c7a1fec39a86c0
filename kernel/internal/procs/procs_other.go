//go:build !linux

package procs

import "syscall"

// Table is empty where there is no /proc.
func Table() []Process { return nil }

func startTime(int) uint64 { return 0 }

func exists(pid int) bool { return syscall.Kill(pid, 0) != syscall.ESRCH }

// PeakRSS is unknown without /proc.
func PeakRSS(int) uint64 { return 0 }

// Memory is what bounds this process's memory (see the Linux version).
type Memory struct {
	Limit    uint64
	CGroup   bool
	OOMKills uint64
}

// ReadMemory knows nothing without /proc.
func ReadMemory() Memory { return Memory{} }
