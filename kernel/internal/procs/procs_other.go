//go:build !linux

package procs

import "syscall"

// Table is empty where there is no /proc.
func Table() []Process { return nil }

func startTime(int) uint64 { return 0 }

func exists(pid int) bool { return syscall.Kill(pid, 0) != syscall.ESRCH }
