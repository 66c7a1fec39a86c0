package cputime

import (
	"testing"
	"time"
)

// TestProcessCountsWork: a busy loop of ≥ 50 ms of wall time on this goroutine adds CPU time,
// and sleeping adds (almost) none.
func TestProcessCountsWork(t *testing.T) {
	before, err := Process()
	if err != nil {
		t.Skip(err)
	}
	for start := time.Now(); time.Since(start) < 50*time.Millisecond; {
	}
	busy, err := Process()
	if err != nil {
		t.Fatal(err)
	}
	if busy <= before {
		t.Errorf("a busy loop added no CPU time (%v → %v)", before, busy)
	}
	time.Sleep(100 * time.Millisecond)
	slept, _ := Process()
	if d := slept - busy; d > 50*time.Millisecond {
		t.Errorf("sleeping 100 ms cost %v of CPU", d)
	}
}

// TestLoadAverage: where /proc/loadavg exists the load is a finite number ≥ 0.
func TestLoadAverage(t *testing.T) {
	l, err := LoadAverage()
	if err != nil {
		t.Skip(err)
	}
	if !(l >= 0) || l > 1e6 {
		t.Errorf("load average %v", l)
	}
}
