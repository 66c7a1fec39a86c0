//go:build !unix

package backend_test

import "time"

// cpuTime is not measured on this platform.
func cpuTime() time.Duration { return 0 }

// peakRSSMB is not measured on this platform.
func peakRSSMB() float64 { return 0 }
