// Package peak measures the machine's fp32 FMA peak, the ceiling that go run ./bench -peak
// reports each model's achieved GFLOP/s against: register-blocked kernels of independent FMA
// chains (no memory traffic), AVX2 (12 ymm accumulators) and AVX-512 (24 zmm accumulators) where
// the CPU has them, on one core and on every core at once. Start with Measure.
package peak

import (
	"fmt"
	"runtime"
	"sync"
	"time"
)

// Result is one measured peak.
type Result struct {
	ISA     string  // "AVX2+FMA" or "AVX-512"
	Cores   int     // goroutines (each locked to an OS thread) running the kernel at once
	GFLOPS  float64 // fp32 GFLOP/s, all cores together (an FMA counts 2)
	PerCore float64 // GFLOPS / Cores
}

func (r Result) String() string {
	return fmt.Sprintf("%s × %d cores: %.1f GFLOP/s (%.1f per core)", r.ISA, r.Cores, r.GFLOPS, r.PerCore)
}

// kernel runs iters iterations of flopsPerIter FLOP; out gets a checksum.
type kernel struct {
	isa          string
	flopsPerIter int
	run          func(iters int, a, b float32, out *float32)
	accumulators int // checksum = accumulators·iters·a·b
}

// Measure returns the peak of each available instruction set on one core and on cores cores
// (runtime.NumCPU() if cores < 1), each timed for about d (the best of several runs). It fails if
// a kernel's checksum is wrong (the kernel did not do the work it claims).
func Measure(d time.Duration, cores int) ([]Result, error) {
	if cores < 1 {
		cores = runtime.NumCPU()
	}
	var out []Result
	for _, k := range kernels() {
		counts := []int{1}
		if cores > 1 {
			counts = append(counts, cores)
		}
		for _, c := range counts {
			r, err := measureKernel(k, c, d)
			if err != nil {
				return nil, err
			}
			out = append(out, r)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("peak: no FMA kernel for %s/%s", runtime.GOOS, runtime.GOARCH)
	}
	return out, nil
}

// Best returns the highest all-core result.
func Best(results []Result) Result {
	var best Result
	for _, r := range results {
		if r.GFLOPS > best.GFLOPS {
			best = r
		}
	}
	return best
}

func measureKernel(k kernel, cores int, d time.Duration) (Result, error) {
	// Calibrate: iterations per call for ~2 ms.
	iters := 1 << 16
	for {
		t := time.Now()
		var sink float32
		k.run(iters, 1, 1e-7, &sink)
		if time.Since(t) > 2*time.Millisecond || iters > 1<<30 {
			break
		}
		iters *= 2
	}
	const a, b = 1, 1.0 / 1024 // exact in float32: the checksum is exact
	best := 0.0
	for rep := 0; rep < 5; rep++ {
		var wg sync.WaitGroup
		errs := make([]error, cores)
		calls := make([]int, cores)
		start := time.Now()
		deadline := start.Add(d / 5)
		for c := range cores {
			wg.Add(1)
			go func() {
				defer wg.Done()
				runtime.LockOSThread()
				defer runtime.UnlockOSThread()
				small := min(iters, 1<<20) // 2^20·1/1024 stays exact in float32 per lane
				for time.Now().Before(deadline) {
					var sum float32
					k.run(small, a, b, &sum)
					if want := float32(k.accumulators) * float32(small) * b; sum != want {
						errs[c] = fmt.Errorf("peak: %s kernel checksum %g, want %g", k.isa, sum, want)
						return
					}
					calls[c] += small
				}
			}()
		}
		wg.Wait()
		elapsed := time.Since(start).Seconds()
		total := 0
		for c := range cores {
			if errs[c] != nil {
				return Result{}, errs[c]
			}
			total += calls[c]
		}
		best = max(best, float64(total)*float64(k.flopsPerIter)/elapsed/1e9)
	}
	return Result{ISA: k.isa, Cores: cores, GFLOPS: best, PerCore: best / float64(cores)}, nil
}
