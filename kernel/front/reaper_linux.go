package front

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/dl4go/dl4go/kernel/internal/procs"
	"golang.org/x/sys/unix"
)

// GoNB runs under a reaper: a copy of the front's own executable, started in
// its own process group, that starts GoNB and becomes the subreaper of
// everything below it (PR_SET_CHILD_SUBREAPER: a cell's orphaned children,
// gopls, a daemonized shell command are re-parented to it, not to init). It
// kills that whole tree when GoNB exits, and when the front dies however it
// dies: the front holds the write end of a pipe (the lifeline) whose read end
// the reaper waits on, so even a SIGKILL of the front, or of its whole process
// group as jupyter_client's restart does, ends the tree. Then it removes the
// temporary directories whose owner is dead (procs.RemoveStale).
//
// The reaper is this same binary re-executed with reaperEnv set: the package's
// init runs it before main. Any program linking this package (the dl4go CLI,
// its test binaries) can thus serve as the reaper.

const (
	reaperEnv      = "DL4GO_FRONT_REAPER"       // "1" in the reaper's environment
	reaperSweepEnv = "DL4GO_FRONT_REAPER_SWEEP" // the temporary directory whose stale dirs it removes
	reaperRootEnv  = "DL4GO_FRONT_REAPER_ROOT"  // the directory to stand for Jupyter's root, without Jupyter
	jupyterPIDEnv  = "JPY_PARENT_PID"           // set by Jupyter's kernel manager; GoNB reads its cwd
	lifelineFD     = 3                          // the reaper's read end of the lifeline
	pidFD          = 4                          // where the reaper writes GoNB's pid
)

func init() {
	if os.Getenv(reaperEnv) == "1" {
		os.Exit(runReaper(os.Args[1:]))
	}
}

// reaped is GoNB started under a reaper.
type reaped struct {
	lifeline *os.File // the front's end: closed when the front exits or dies
	gonbPID  int
}

// startReaped starts cmd (GoNB, not started) under a reaper and returns once
// GoNB runs. cmd itself becomes the reaper's command: Wait on it ends when GoNB
// and everything it left have ended. Without Jupyter ($JPY_PARENT_PID unset:
// `dl4go run`, tests) jupyterRoot stands for Jupyter's root directory, where
// GoNB writes %wasm's files: GoNB takes the working directory of the process
// $JPY_PARENT_PID names, so the reaper works there and names itself.
func startReaped(cmd *exec.Cmd, sweepDir, jupyterRoot string) (*reaped, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("find the front's executable for the reaper: %w", err)
	}
	lifeR, lifeW, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("reaper lifeline: %w", err)
	}
	pidR, pidW, err := os.Pipe()
	if err != nil {
		lifeR.Close()
		lifeW.Close()
		return nil, fmt.Errorf("reaper pid pipe: %w", err)
	}
	defer pidR.Close()
	env := cmd.Env
	if env == nil {
		env = os.Environ()
	}
	env = append(env[:len(env):len(env)], reaperEnv+"=1", reaperSweepEnv+"="+sweepDir)
	if !hasEnv(env, jupyterPIDEnv) && jupyterRoot != "" {
		env = append(env, reaperRootEnv+"="+jupyterRoot)
	}
	gonbArgs := append([]string{cmd.Path}, cmd.Args...) // the path, then GoNB's argv
	*cmd = exec.Cmd{
		Path: self, Args: append([]string{self}, gonbArgs...),
		Env: env,
		Dir: cmd.Dir, Stdin: cmd.Stdin, Stdout: cmd.Stdout, Stderr: cmd.Stderr,
		ExtraFiles:  []*os.File{lifeR, pidW}, // fds 3 and 4
		SysProcAttr: &syscall.SysProcAttr{Setpgid: true},
	}
	err = cmd.Start()
	lifeR.Close()
	pidW.Close()
	if err != nil {
		lifeW.Close()
		return nil, fmt.Errorf("start GoNB's reaper %s: %w", self, err)
	}
	line := make(chan string, 1)
	go func() {
		b, _ := io.ReadAll(io.LimitReader(pidR, 32))
		line <- string(b)
	}()
	var got string
	select {
	case got = <-line:
	case <-time.After(30 * time.Second):
	}
	pid, err := strconv.Atoi(strings.TrimSpace(got))
	if err != nil || pid <= 0 {
		lifeW.Close() // the reaper, if it still runs, kills what it started
		return nil, fmt.Errorf("GoNB's reaper did not start GoNB (%q; see the kernel's log)", got)
	}
	return &reaped{lifeline: lifeW, gonbPID: pid}, nil
}

// runReaper is the reaper's main: argv is GoNB's path then its argv.
func runReaper(argv []string) int {
	logf := func(format string, args ...any) {
		fmt.Fprintf(os.Stderr, "dl4go reaper: "+format+"\n", args...)
	}
	if len(argv) < 2 {
		logf("usage: %s=1 %s GONB_PATH GONB_ARGV...", reaperEnv, os.Args[0])
		return 2
	}
	signal.Ignore(syscall.SIGPIPE)
	if err := unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); err != nil {
		logf("cannot become a subreaper: %v", err)
	}
	syscall.CloseOnExec(lifelineFD)
	syscall.CloseOnExec(pidFD)
	lifeline, pidOut := os.NewFile(lifelineFD, "lifeline"), os.NewFile(pidFD, "pid")
	sweepDir, root := os.Getenv(reaperSweepEnv), os.Getenv(reaperRootEnv)
	os.Unsetenv(reaperEnv)
	os.Unsetenv(reaperSweepEnv)
	os.Unsetenv(reaperRootEnv)
	gonbDir, err := os.Getwd()
	if err != nil {
		logf("%v", err)
		return 1
	}
	if root != "" {
		if err := os.Chdir(root); err != nil {
			logf("%v", err)
		} else {
			os.Setenv(jupyterPIDEnv, strconv.Itoa(os.Getpid()))
		}
	}

	sigs := make(chan os.Signal, 8)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP)
	p, err := os.StartProcess(argv[0], argv[1:], &os.ProcAttr{
		Dir:   gonbDir,
		Env:   os.Environ(),
		Files: []*os.File{os.Stdin, os.Stdout, os.Stderr},
		Sys:   &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL},
	})
	if err != nil {
		logf("start GoNB: %v", err)
		pidOut.Close()
		return 1
	}
	gonb := p.Pid
	fmt.Fprintf(pidOut, "%d\n", gonb)
	pidOut.Close()

	self := os.Getpid()
	go func() { // signals for GoNB: the front's SIGTERM at shutdown
		for s := range sigs {
			_ = syscall.Kill(gonb, s.(syscall.Signal))
		}
	}()
	go func() { // the front's death
		_, _ = io.Copy(io.Discard, lifeline)
		killTree(self)
	}()

	var status syscall.WaitStatus
	for {
		var ws syscall.WaitStatus
		pid, err := syscall.Wait4(-1, &ws, 0, nil)
		if errors.Is(err, syscall.EINTR) {
			continue
		}
		if err != nil { // ECHILD: GoNB and everything below it have ended
			break
		}
		if pid == gonb {
			status = ws
			killTree(self) // what GoNB left: cell programs, gopls, shell commands
		}
	}
	if sweepDir != "" {
		if _, err := procs.RemoveStale(sweepDir, staleDirPatterns...); err != nil {
			logf("%v", err)
		}
	}
	switch {
	case status.Signaled():
		if status.Signal() != syscall.SIGTERM { // SIGTERM: the front's shutdown
			logf("GoNB was killed by signal %d (%v)", int(status.Signal()), status.Signal())
		}
		return 128 + int(status.Signal())
	case status.Exited():
		return status.ExitStatus()
	}
	return 1
}

// killTree SIGKILLs every live process below root until none is left (killing
// one re-parents its children to root, the subreaper, so they are found next
// round). Zombies are left for root's wait loop.
func killTree(root int) {
	for range 200 {
		left := procs.Descendants(root, nil)
		if len(left) == 0 {
			return
		}
		for _, p := range left {
			_ = syscall.Kill(p.PID, syscall.SIGKILL)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// hasEnv reports whether env sets name.
func hasEnv(env []string, name string) bool {
	for _, e := range env {
		if strings.HasPrefix(e, name+"=") {
			return true
		}
	}
	return false
}
