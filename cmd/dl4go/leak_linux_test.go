package main

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/dl4go/dl4go/internal/testkernel"
)

// leakTokenEnv marks every process a run under test starts: they all inherit
// it, so a scan of /proc finds the survivors whoever their parent is now.
const leakTokenEnv = "DL4GO_LEAK_TOKEN"

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
			token, tmp := leakToken(t), t.TempDir()
			cmd := exec.Command(bin, "run", "--out", filepath.Join(dir, "out"), tt.nb)
			cmd.Env = append(os.Environ(), leakTokenEnv+"="+token, "TMPDIR="+tmp,
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
			requireNoSurvivors(t, token, tmp, wait)
		})
	}

	t.Run("test timeout", func(t *testing.T) {
		token, tmp := leakToken(t), t.TempDir()
		cmd := exec.Command(os.Args[0], "-test.run=^TestRunHelperTimesOut$", "-test.timeout=20s", "-test.v")
		cmd.Env = append(os.Environ(), leakTokenEnv+"="+token, "TMPDIR="+tmp,
			"JUPYTER_DATA_DIR="+dataDir, "JUPYTER_PATH=", "DL4GO_HELPER_NOTEBOOK="+long,
			"DL4GO_HELPER_OUT="+filepath.Join(dir, "out-helper"))
		out, _ := cmd.CombinedOutput()
		if !bytes.Contains(out, []byte("test timed out after 20s")) {
			t.Fatalf("the helper test did not time out:\n%s", tail(string(out), 3000))
		}
		// The kernel notices its parent's death within a second or two.
		requireNoSurvivors(t, token, tmp, 30*time.Second)
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

func leakToken(t *testing.T) string {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// requireNoSurvivors fails if a process marked with token is still running
// after wait (it kills them, so that the test leaves nothing either) or if
// anything is left in the run's TMPDIR.
func requireNoSurvivors(t *testing.T, token, tmp string, wait time.Duration) {
	t.Helper()
	deadline := time.Now().Add(wait)
	var left []string
	for {
		left = marked(token)
		if len(left) == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(250 * time.Millisecond)
	}
	if len(left) > 0 {
		t.Errorf("processes left running after the run ended:\n%s", strings.Join(left, "\n"))
		for _, p := range left {
			var pid int
			fmt.Sscanf(p, "%d", &pid)
			syscall.Kill(pid, syscall.SIGKILL)
		}
	}
	entries, _ := os.ReadDir(tmp)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if len(names) > 0 {
		t.Errorf("temporary files left in the run's TMPDIR: %s", strings.Join(names, ", "))
	}
}

// marked lists "pid command line" of the live processes whose environment holds token.
func marked(token string) []string {
	want := []byte(leakTokenEnv + "=" + token + "\x00")
	self := os.Getpid()
	paths, _ := filepath.Glob("/proc/[0-9]*/environ")
	var out []string
	for _, p := range paths {
		var pid int
		fmt.Sscanf(filepath.Base(filepath.Dir(p)), "%d", &pid)
		if pid == self {
			continue
		}
		env, err := os.ReadFile(p)
		if err != nil || !bytes.Contains(env, want) {
			continue
		}
		if st, err := os.ReadFile(filepath.Join(filepath.Dir(p), "stat")); err == nil {
			if i := bytes.LastIndexByte(st, ')'); i > 0 && len(st) > i+2 && st[i+2] == 'Z' {
				continue // a zombie: it has ended, its parent has not reaped it yet
			}
		}
		cmdline, _ := os.ReadFile(filepath.Join(filepath.Dir(p), "cmdline"))
		out = append(out, fmt.Sprintf("%d %s", pid, bytes.ReplaceAll(bytes.TrimRight(cmdline, "\x00"), []byte{0}, []byte{' '})))
	}
	return out
}
