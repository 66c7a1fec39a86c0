package client_test

import (
	"context"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/dl4go/dl4go/internal/testkernel"
	"github.com/dl4go/dl4go/kernel/client"
	"github.com/dl4go/dl4go/kernel/internal/procs"
)

// TestKernelLeavesNothing ends a kernel the hard ways (the process group killed
// as jupyter_client's restart_kernel(now=True) does, the front alone killed,
// GoNB crashing) while a cell has left a child process running; each time no
// process the kernel started may survive, and its temporary directories
// (dl4go-front-*, dl4go-kernel-* with GoNB's files inside) must be gone.
func TestKernelLeavesNothing(t *testing.T) {
	in, _ := testkernel.Install(t)
	for _, tt := range []struct {
		name string
		end  func(t *testing.T, front, gonb int)
	}{
		{"hard restart", func(t *testing.T, front, _ int) {
			if err := syscall.Kill(-front, syscall.SIGKILL); err != nil { // the kernel leads its own group (setsid)
				t.Fatal(err)
			}
		}},
		{"SIGKILL of the front", func(t *testing.T, front, _ int) {
			if err := syscall.Kill(front, syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
		}},
		{"GoNB crash", func(t *testing.T, _, gonb int) {
			if err := syscall.Kill(gonb, syscall.SIGSEGV); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			token, tmp := testkernel.LeakToken(), t.TempDir()
			env := append(os.Environ(), "TMPDIR="+tmp, testkernel.LeakTokenEnv+"="+token)
			for k, v := range in.Spec.Env {
				env = append(env, k+"="+v)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			k, err := client.Start(ctx, client.Options{Argv: append([]string{"setsid"}, in.Spec.Argv...), Env: env, Dir: t.TempDir()})
			if err != nil {
				t.Fatalf("start kernel: %v", err)
			}
			defer k.Shutdown()
			r := execute(t, k, "%%\nif err := exec.Command(\"sleep\", \"306\").Start(); err != nil { panic(err) }\nfmt.Println(\"started\")")
			if r.Status != "ok" || stdout(r) != "started\n" {
				t.Fatalf("cell: %s %s %s", r.Status, r.Evalue, stdout(r))
			}
			ours := map[int]bool{}
			for _, m := range testkernel.MarkedProcesses(token) {
				ours[m.PID] = true
			}
			var front, gonb, sleep int
			for _, p := range procs.Table() {
				if !ours[p.PID] {
					continue
				}
				switch {
				case p.PPID == os.Getpid():
					front = p.PID
				case p.Comm == "gonb":
					gonb = p.PID
				case p.Comm == "sleep":
					sleep = p.PID
				}
			}
			if front == 0 || gonb == 0 || sleep == 0 {
				t.Fatalf("kernel %d, GoNB %d, the cell's sleep %d: not all found among %v", front, gonb, sleep, testkernel.MarkedProcesses(token))
			}
			tt.end(t, front, gonb)
			testkernel.RequireNothingLeft(t, token, tmp, 30*time.Second)
		})
	}
}
