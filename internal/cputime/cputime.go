// Package cputime reads the CPU time this process has used, user and system together: the work
// a computation did, which on a shared machine says more than its wall time (at a load average of
// 20 on 2 cores a process gets a tenth of a core, so its wall time measures the other processes).
// Parallel speed-ups are judged with both: wall time falls with more workers only while there are
// idle cores, CPU time shows what the workers cost.
package cputime

import "time"

// Process returns the CPU time (user + system) used by the process since it started, and an error
// where the platform cannot tell (then the duration is 0).
func Process() (time.Duration, error) { return process() }
