package client_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/dl4go/dl4go/internal/testkernel"
	"github.com/dl4go/dl4go/kernel"
	"github.com/dl4go/dl4go/kernel/client"
	"github.com/dl4go/dl4go/notebook"
)

func TestMain(m *testing.M) {
	code := m.Run()
	testkernel.Cleanup()
	os.Exit(code)
}

// startKernel starts the installed dl4go kernel the way Jupyter would.
func startKernel(t *testing.T) *client.Kernel {
	t.Helper()
	in, _ := testkernel.Install(t)
	env := os.Environ()
	for k, v := range in.Spec.Env {
		env = append(env, k+"="+v)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	k, err := client.Start(ctx, client.Options{Argv: in.Spec.Argv, Env: env, Dir: t.TempDir()})
	if err != nil {
		t.Fatalf("start kernel: %v", err)
	}
	t.Cleanup(func() { k.Shutdown() })
	return k
}

func execute(t *testing.T, k *client.Kernel, code string) *client.Reply {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	r, err := k.Execute(ctx, code)
	if err != nil {
		t.Fatalf("execute %q: %v", code, err)
	}
	return r
}

func stdout(r *client.Reply) string {
	var b strings.Builder
	for _, o := range r.Outputs {
		if o.OutputType == notebook.Stream && o.Name == "stdout" {
			b.WriteString(o.Text)
		}
	}
	return b.String()
}

func errorOutputs(r *client.Reply) []notebook.Output {
	var errs []notebook.Output
	for _, o := range r.Outputs {
		if o.OutputType == notebook.Error {
			errs = append(errs, o)
		}
	}
	return errs
}

func TestKernelInfo(t *testing.T) {
	k := startKernel(t)
	li, _ := k.Info["language_info"].(map[string]any)
	if li["name"] != "go" {
		t.Errorf("language_info.name = %v, want go (kernel_info %v)", li["name"], k.Info)
	}
	if k.Info["protocol_version"] == nil {
		t.Errorf("kernel_info_reply lacks protocol_version: %v", k.Info)
	}
}

func TestCells(t *testing.T) {
	k := startKernel(t)

	t.Run("hello", func(t *testing.T) {
		r := execute(t, k, "import \"fmt\"\n%%\nfmt.Println(\"hello, world\")")
		if r.Status != "ok" || stdout(r) != "hello, world\n" {
			t.Errorf("status %q, stdout %q; want ok and hello, world", r.Status, stdout(r))
		}
	})
	t.Run("declaration carried to the next cell", func(t *testing.T) {
		if r := execute(t, k, "func twice(x int) int { return 2 * x }"); r.Status != "ok" {
			t.Fatalf("declaring a function: status %q, outputs %+v", r.Status, r.Outputs)
		}
		r := execute(t, k, "%%\nfmt.Println(twice(21))")
		if r.Status != "ok" || stdout(r) != "42\n" {
			t.Errorf("status %q, stdout %q; want ok and 42", r.Status, stdout(r))
		}
	})
	t.Run("the checkout is importable offline", func(t *testing.T) {
		r := execute(t, k, "import \"github.com/dl4go/dl4go/lessons\"\n%%\nfmt.Println(lessons.Result{Lesson: \"00\", Metric: \"m\", Value: 2, Threshold: 1})")
		if want := "RESULT lesson=00 metric=m value=2 threshold=1 ok=true\n"; stdout(r) != want {
			t.Errorf("stdout %q, want %q (outputs %+v)", stdout(r), want, r.Outputs)
		}
	})
	t.Run("compile error", func(t *testing.T) {
		r := execute(t, k, "%%\nx := 1\nfmt.Println(undefinedThing)")
		if r.Status != "error" {
			t.Fatalf("status %q, want error", r.Status)
		}
		errs := errorOutputs(r)
		if len(errs) == 0 {
			t.Fatalf("no error output: %+v", r.Outputs)
		}
		text := errs[0].Evalue + strings.Join(errs[0].Traceback, "\n")
		if !strings.Contains(text, "undefinedThing") {
			t.Errorf("the error does not name the culprit: %q", text)
		}
	})
	t.Run("panic", func(t *testing.T) {
		r := execute(t, k, "%%\npanic(\"boom\")")
		if r.Status != "error" {
			t.Errorf("a panicking cell replied status %q, want error (see issue #3)", r.Status)
		}
	})
	t.Run("kernel still works after errors", func(t *testing.T) {
		r := execute(t, k, "%%\nfmt.Println(twice(1))")
		if stdout(r) != "2\n" {
			t.Errorf("stdout %q, want 2", stdout(r))
		}
	})
}

func TestInterruptBusyLoop(t *testing.T) {
	k := startKernel(t)
	execute(t, k, "import \"fmt\"\n%%\nfmt.Println(\"warm\")")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	start := time.Now()
	r, err := k.Execute(ctx, "%%\nfmt.Println(\"spinning\")\nfor i := 0; ; i++ { if i < 0 { break } }")
	if err == nil {
		t.Fatalf("a busy loop ended by itself: %+v", r)
	}
	if !strings.Contains(err.Error(), client.ErrTimeout.Error()) {
		t.Fatalf("want a timeout followed by an interrupt, got %v", err)
	}
	if d := time.Since(start); d > 20*time.Second {
		t.Errorf("the interrupted cell took %s to stop", d)
	}
	if r := execute(t, k, "%%\nfmt.Println(\"alive\")"); stdout(r) != "alive\n" {
		t.Errorf("after the interrupt: stdout %q, want alive", stdout(r))
	}
}

var _ = kernel.Name

// TestMovedCheckout: a kernel whose checkout is gone still starts and says why in the first cell.
func TestMovedCheckout(t *testing.T) {
	in, _ := testkernel.Install(t)
	env := append(os.Environ(), kernel.RootEnvVar+"="+t.TempDir())
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	k, err := client.Start(ctx, client.Options{Argv: in.Spec.Argv, Env: env, Dir: t.TempDir()})
	if err != nil {
		t.Fatalf("start kernel: %v", err)
	}
	defer k.Shutdown()
	r := execute(t, k, "%%\nfmt.Println(1)")
	errs := errorOutputs(r)
	if r.Status != "error" || len(errs) != 1 || !strings.Contains(errs[0].Evalue, "dl4go install") {
		t.Errorf("status %q, outputs %+v: want one error telling to run dl4go install", r.Status, r.Outputs)
	}
}

// TestStartKernelThatExits: a kernel command that exits before it binds its sockets is
// reported at once (Start keeps trying to connect while the kernel starts, not after it died).
func TestStartKernelThatExits(t *testing.T) {
	start := time.Now()
	_, err := client.Start(context.Background(), client.Options{Argv: []string{"sh", "-c", "exit 3"}})
	if err == nil || !strings.Contains(err.Error(), "exited") || !strings.Contains(err.Error(), "exit status 3") {
		t.Fatalf("Start of a kernel that exits: %v, want an error saying it exited with status 3", err)
	}
	if d := time.Since(start); d > 20*time.Second {
		t.Errorf("Start took %s to see the kernel exit", d)
	}
}
