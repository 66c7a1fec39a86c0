package front

import (
	"context"
	"path/filepath"
	"sort"
	"syscall"
	"testing"
	"time"

	"github.com/dl4go/dl4go/kernel/wire"
)

// startDirect runs GoNB alone (no front) and returns a client for it.
func startDirect(b testing.TB) *testClient {
	dir := gonbTools(b)
	ci, err := wire.NewLoopbackConnection()
	if err != nil {
		b.Fatal(err)
	}
	connFile := filepath.Join(b.TempDir(), "kernel.json")
	if err := ci.Write(connFile); err != nil {
		b.Fatal(err)
	}
	cmd, _ := gonbCommand(dir)(context.Background(), connFile)
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	c := dialClient(b, ctx, ci)
	b.Cleanup(func() {
		c.Close()
		cancel()
		cmd.Process.Signal(syscall.SIGTERM) // GoNB removes its directory
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
		}
	})
	c.waitReady(60 * time.Second)
	return c
}

// BenchmarkWarmCell measures a warm cell round trip (execute_request to idle and
// reply) through the front and straight to GoNB. "empty" is a cell GoNB counts
// but does not compile (the pure message path); "trivial" compiles and runs
// fmt.Println. The front's added latency is the difference of the medians.
//
//	go test ./kernel/front -run '^$' -bench WarmCell -benchtime 30x
func BenchmarkWarmCell(b *testing.B) {
	for _, cell := range []struct{ name, code string }{
		{"empty", ""},
		{"trivial", "%%\nfmt.Println(1)"},
	} {
		for _, via := range []string{"gonb", "front"} {
			b.Run(cell.name+"/"+via, func(b *testing.B) {
				var c *testClient
				if via == "front" {
					c, _, _ = startFront(b)
				} else {
					c = startDirect(b)
				}
				for range 3 { // warm up: first compile, gopls
					c.execute(cell.code, 60*time.Second)
				}
				times := make([]float64, 0, b.N)
				b.ResetTimer()
				for range b.N {
					start := time.Now()
					e := c.execute(cell.code, 60*time.Second)
					times = append(times, float64(time.Since(start).Microseconds())/1000)
					if e.Status() != "ok" {
						b.Fatalf("cell failed: %s", e)
					}
				}
				sort.Float64s(times)
				b.ReportMetric(times[len(times)/2], "ms-median")
			})
		}
	}
}
