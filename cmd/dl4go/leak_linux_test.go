package main

import (
	"bufio"
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/dl4go/dl4go/internal/testkernel"
)

// TestRunLeavesNothingRunning starts `dl4go run` as its own process (the CLI
// binary of the test kernel) and ends it in each way a run ends: normally,
// Ctrl+C (SIGINT), SIGTERM, a closed output pipe, SIGKILL, and the test
// binary that runs it in-process timing out. Each time, no process it started (kernel,
// GoNB, gopls, go build, cell binaries) may survive it, and its temporary
// directories must be gone.
func TestRunLeavesNothingRunning(t *testing.T) {
	in, dataDir := testkernel.Install(t)
	bin := filepath.Join(in.BinDir(), "dl4go")
	dir := t.TempDir()
	quick := writeNotebook(t, dir, "quick.ipynb", false,
		"import \"fmt\"\n%%\nfmt.Println(\"hello\")", "%%\nfmt.Println(\"again\")")
	long := writeNotebook(t, dir, "long.ipynb", false,
		"import (\"fmt\"; \"time\")\n%%\nfmt.Println(\"start\")", "%%\ntime.Sleep(5 * time.Minute)", "%%\nfmt.Println(\"never\")")
	short := []string{"import (\"fmt\"; \"time\")\n%%\nfmt.Println(\"start\")"}
	for range 40 {
		short = append(short, "%%\ntime.Sleep(200 * time.Millisecond)")
	}
	many := writeNotebook(t, dir, "many.ipynb", false, short...)

	tests := []struct {
		name   string
		nb     string
		end    func(t *testing.T, p *os.Process, out *os.File) // after the first cell's line
		status int
		want   string
	}{
		{"normal exit", quick, nil, 0, "wrote"},
		{"SIGINT", long, signalAfter(syscall.SIGINT), exitInterrupt, "interrupted (Ctrl+C) at cell 2/3"},
		{"SIGTERM", long, signalAfter(syscall.SIGTERM), exitTerminated, "terminated (SIGTERM) at cell 2/3"},
		{"closed pipe", many, func(t *testing.T, _ *os.Process, out *os.File) { out.Close() }, exitPipeClosed, ""},
		// SIGKILL leaves dl4go no say: the kernel sees its parent go.
		{"SIGKILL", long, signalAfter(syscall.SIGKILL), -1, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			token, tmp := testkernel.LeakToken(), t.TempDir()
			cmd := exec.Command(bin, "run", "--out", filepath.Join(dir, "out"), tt.nb)
			cmd.Env = append(os.Environ(), testkernel.LeakTokenEnv+"="+token, "TMPDIR="+tmp,
				"JUPYTER_DATA_DIR="+dataDir, "JUPYTER_PATH=")
			r, w, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			cmd.Stdout, cmd.Stderr = w, w
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			w.Close()
			var log bytes.Buffer
			lines, readDone := make(chan string), make(chan struct{})
			go func() {
				defer close(readDone)
				defer close(lines)
				sc := bufio.NewScanner(r)
				for sc.Scan() {
					log.WriteString(sc.Text() + "\n")
					if strings.Contains(sc.Text(), "cell  1/") {
						lines <- sc.Text()
					}
				}
			}()
			first := time.After(3 * time.Minute)
			select {
			case <-lines:
			case <-first:
				cmd.Process.Kill()
				t.Fatalf("no line for the first cell within 3 minutes")
			}
			if tt.end != nil {
				tt.end(t, cmd.Process, r)
			}
			go func() {
				for range lines {
				}
			}()
			err = cmd.Wait()
			<-readDone
			r.Close()
			status := 0
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				status = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if status != tt.status {
				t.Errorf("exit status %d, want %d; output:\n%s", status, tt.status, log.String())
			}
			if tt.want != "" && !strings.Contains(log.String(), tt.want) {
				t.Errorf("output lacks %q:\n%s", tt.want, log.String())
			}
			wait := time.Duration(0)
			if tt.status < 0 {
				wait = 30 * time.Second // the kernel polls for its parent every second
			}
			testkernel.RequireNothingLeft(t, token, tmp, wait)
		})
	}

	t.Run("test timeout", func(t *testing.T) {
		token, tmp := testkernel.LeakToken(), t.TempDir()
		cmd := exec.Command(os.Args[0], "-test.run=^TestRunHelperTimesOut$", "-test.timeout=20s", "-test.v")
		cmd.Env = append(os.Environ(), testkernel.LeakTokenEnv+"="+token, "TMPDIR="+tmp,
			"JUPYTER_DATA_DIR="+dataDir, "JUPYTER_PATH=", "DL4GO_HELPER_NOTEBOOK="+long,
			"DL4GO_HELPER_OUT="+filepath.Join(dir, "out-helper"))
		out, _ := cmd.CombinedOutput()
		if !bytes.Contains(out, []byte("test timed out after 20s")) {
			t.Fatalf("the helper test did not time out:\n%s", tail(string(out), 3000))
		}
		// The kernel notices its parent's death within a second or two.
		testkernel.RequireNothingLeft(t, token, tmp, 30*time.Second)
	})
}

// TestRunHelperTimesOut is run by TestRunLeavesNothingRunning in a child test
// binary with a short -test.timeout: it runs a notebook that outlives it, in-process.
func TestRunHelperTimesOut(t *testing.T) {
	nb := os.Getenv("DL4GO_HELPER_NOTEBOOK")
	if nb == "" {
		t.Skip("a helper of TestRunLeavesNothingRunning")
	}
	dispatch([]string{"run", "--out", os.Getenv("DL4GO_HELPER_OUT"), nb})
	t.Fatal("the run ended before the test timed out")
}

// signalAfter sends sig once the second cell has had time to start.
func signalAfter(sig syscall.Signal) func(*testing.T, *os.Process, *os.File) {
	return func(t *testing.T, p *os.Process, _ *os.File) {
		time.Sleep(2 * time.Second)
		if err := p.Signal(sig); err != nil {
			t.Fatal(err)
		}
	}
}
