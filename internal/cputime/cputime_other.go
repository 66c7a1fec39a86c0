//go:build !unix

package cputime

import (
	"fmt"
	"runtime"
	"time"
)

func process() (time.Duration, error) {
	return 0, fmt.Errorf("cputime: the process's CPU time is not available on %s", runtime.GOOS)
}
