package backend

import (
	"runtime"
	"sync"
	"testing"
	"time"
)

// TestWorkerPoolNeverBlocks checks that a job handing out jobs and waiting for them finishes
// (a new worker starts when none is idle) and that idle workers exit.
func TestWorkerPoolNeverBlocks(t *testing.T) {
	p := newWorkerPool(20 * time.Millisecond)
	before := runtime.NumGoroutine()
	var wg sync.WaitGroup
	ran := make([]bool, 8)
	for i := range 4 {
		wg.Add(1)
		p.goRun(func() {
			defer wg.Done()
			var inner sync.WaitGroup
			inner.Add(1)
			p.goRun(func() { ran[4+i] = true; inner.Done() })
			inner.Wait()
			ran[i] = true
		})
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("jobs waiting for the jobs they handed out never finished")
	}
	for i, r := range ran {
		if !r {
			t.Errorf("job %d did not run", i)
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Errorf("%d goroutines after the idle time, %d before: idle workers did not exit", n, before)
	}
}
