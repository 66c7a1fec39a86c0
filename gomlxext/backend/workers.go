package backend

import (
	"time"
)

// goPool runs the executables' nodes (schedule.go) and the kernels' parallel loops
// (parallelFor) on long-lived goroutines. A simplego stage or a kernel call grows its
// goroutine's stack to tens of kilobytes; on a fresh goroutine per node and per loop that
// growth (runtime.newstack, copying the stack each time it doubles) was paid again at every
// step: 6% of a DCGAN batch-8 step. A worker keeps its grown stack from job to job.
var goPool = newWorkerPool(10 * time.Second)

// workerPool hands jobs to idle workers and starts a new worker when none is idle, so
// that goRun never blocks (a job may itself hand out jobs). A worker idle for longer than
// idle exits.
type workerPool struct {
	jobs chan func()
	idle time.Duration
}

func newWorkerPool(idle time.Duration) *workerPool {
	return &workerPool{jobs: make(chan func()), idle: idle}
}

// goRun runs job on a worker: an idle one if a worker is waiting, else a new one. With
// DL4GO_PPROF_LABELS=1 it runs job on a new goroutine, which inherits the caller's profiler
// labels (a worker's are its own).
func (p *workerPool) goRun(job func()) {
	if profileLabels {
		go job()
		return
	}
	select {
	case p.jobs <- job: // a waiting worker took it
	default:
		go p.work(job)
	}
}

// work runs job, then the jobs handed to it, until it has waited p.idle for one.
func (p *workerPool) work(job func()) {
	t := time.NewTimer(p.idle)
	defer t.Stop()
	for {
		job()
		t.Reset(p.idle)
		select {
		case job = <-p.jobs:
		case <-t.C:
			return
		}
	}
}
