package client_test

import (
	"context"
	"os"
	"sort"
	"testing"
	"time"

	"github.com/dl4go/dl4go/internal/testkernel"
	"github.com/dl4go/dl4go/kernel/client"
)

// BenchmarkKernel measures what a learner waits for: kernel start to the first
// kernel_info_reply, the first cell, a warm trivial cell round trip and a warm
// cell that imports GoMLX. Run with: go test -run XXX -bench Kernel ./kernel/client
func BenchmarkKernel(b *testing.B) {
	in, _ := testkernel.Install(b)
	env := os.Environ()
	for k, v := range in.Spec.Env {
		env = append(env, k+"="+v)
	}
	ctx := context.Background()
	exec := func(k *client.Kernel, code string) time.Duration {
		r, err := k.Execute(ctx, code)
		if err != nil || r.Status != "ok" {
			b.Fatalf("execute %q: %v %+v", code, err, r)
		}
		return r.Duration
	}
	var starts, firsts, trivial, gomlx []time.Duration
	for i := 0; i < b.N; i++ {
		k, err := client.Start(ctx, client.Options{Argv: in.Spec.Argv, Env: env, Dir: b.TempDir()})
		if err != nil {
			b.Fatal(err)
		}
		starts = append(starts, k.StartupTime)
		firsts = append(firsts, exec(k, "import \"fmt\"\n%%\nfmt.Println(1)"))
		for j := 0; j < 5; j++ {
			trivial = append(trivial, exec(k, "%%\nfmt.Println(2)"))
		}
		gomlxCell := "import \"github.com/gomlx/gomlx/pkg/core/graph\"\n%%\nfmt.Println(graph.Const != nil)"
		exec(k, gomlxCell) // compiles GoMLX into the cell once
		for j := 0; j < 3; j++ {
			gomlx = append(gomlx, exec(k, gomlxCell))
		}
		k.Shutdown()
	}
	report := func(name string, ds []time.Duration) {
		sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
		b.ReportMetric(ds[len(ds)/2].Seconds()*1000, name+"-ms")
	}
	report("start", starts)
	report("first-cell", firsts)
	report("warm-trivial", trivial)
	report("warm-gomlx", gomlx)
}
