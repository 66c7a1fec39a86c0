package front

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"syscall"
	"time"

	"github.com/dl4go/dl4go/kernel/internal/procs"
	"github.com/dl4go/dl4go/kernel/wire"
	"github.com/go-zeromq/zmq4"
)

// staleDirPatterns are the temporary directories of dl4go kernels (the front's,
// and kernel.Wire's shim with GoNB's files), removed at start-up and by the
// reaper once their owner died.
var staleDirPatterns = []string{"dl4go-front-*", "dl4go-kernel-*"}

// startBackend removes the temporary directories of dead kernels, writes GoNB's
// private connection file and starts GoNB.
func (f *front) startBackend(ctx context.Context) error {
	removed, err := procs.RemoveStale(os.TempDir(), staleDirPatterns...)
	if err != nil {
		f.logf("%v", err)
	}
	for _, d := range removed {
		f.logf("removed %s, left by a kernel that died", d)
	}
	dir, err := os.MkdirTemp("", "dl4go-front-")
	if err != nil {
		return fmt.Errorf("front: temp dir: %w", err)
	}
	f.tmpDir = dir
	if err := procs.MarkOwner(dir); err != nil {
		return fmt.Errorf("front: %w", err)
	}
	gci, err := wire.NewLoopbackConnection()
	if err != nil {
		return fmt.Errorf("front: %w", err)
	}
	gci.KernelName = "gonb"
	f.gci, f.gkey = gci, gci.SigningKey()
	path := filepath.Join(dir, backendConnectionName(f.connFile))
	if err := gci.Write(path); err != nil {
		return fmt.Errorf("front: %w", err)
	}
	cmd, err := f.opts.StartBackend(ctx, path)
	if err != nil {
		return fmt.Errorf("front: start GoNB: %w", err)
	}
	if cmd.Stdout == nil {
		cmd.Stdout = os.Stderr
	}
	if cmd.Stderr == nil {
		cmd.Stderr = os.Stderr
	}
	if cmd.Err != nil {
		return fmt.Errorf("front: start GoNB: %w", cmd.Err)
	}
	// The cells' programs learn which Jupyter client runs them (see recordClient).
	cmd.Env = append(cmd.Environ(), ClientFileEnvVar+"="+filepath.Join(dir, clientFileName))
	gonbPath := cmd.Path
	r, err := startReaped(cmd, os.TempDir(), f.tmpDir)
	if err != nil {
		return fmt.Errorf("front: start GoNB %s: %w", gonbPath, err)
	}
	f.cmd, f.reaped = cmd, r
	go func() {
		f.cmdErr = cmd.Wait()
		killOrphans(cmd.Process.Pid)
		close(f.cmdDone)
	}()
	return nil
}

// ClientFileEnvVar names the environment variable of GoNB (so of every cell's program) that
// holds the path of the file where the front writes the session of the Jupyter client whose
// execute_request runs now (its header.session: JupyterLab and Notebook 7 draw a new one for
// each page they load). Package plotting reads it to send the echarts library again when a
// chart is drawn for another page than the one that got it (plotting.ClientFileEnvVar).
const ClientFileEnvVar = "DL4GO_CLIENT_FILE"

// clientFileName is the file ClientFileEnvVar names, in the front's temporary directory.
const clientFileName = "client-session"

// recordClient writes the client session of an execute_request to the file of
// ClientFileEnvVar before GoNB runs the cell (cells run one at a time).
func (f *front) recordClient(session string) {
	path := filepath.Join(f.tmpDir, clientFileName)
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(session+"\n"), 0o644); err != nil {
		f.logf("record the client session: %v", err)
		return
	}
	if err := os.Rename(tmp, path); err != nil {
		f.logf("record the client session: %v", err)
	}
}

// reJupyterKernelID is how Jupyter names connection files (jupyter_client's
// KernelManager: "kernel-<kernel id>.json") and how GoNB reads the kernel id
// from its own (internal/kernel/kernel.go, reExtractJupyterSessionId).
var reJupyterKernelID = regexp.MustCompile(`^kernel-([0-9a-f-]+)\.json$`)

// backendConnectionName names GoNB's connection file after Jupyter's, so that
// GoNB knows the Jupyter kernel id: its widgets' JavaScript connects to
// /api/kernels/<id>/channels and GoNB accepts only a comm_open naming that id.
func backendConnectionName(jupyterConnectionFile string) string {
	if m := reJupyterKernelID.FindStringSubmatch(filepath.Base(jupyterConnectionFile)); m != nil {
		return "kernel-" + m[1] + ".json"
	}
	return "gonb-connection.json"
}

// connectBackend dials GoNB's channels and waits until its iopub carries the
// status of a kernel_info_request.
func (f *front) connectBackend(ctx context.Context) error {
	id := "dl4go-front-" + f.session[:8]
	opts := []zmq4.Option{zmq4.WithDialerRetry(50 * time.Millisecond), zmq4.WithDialerMaxRetries(1200)}
	var err error
	dial := func(ch wire.Channel) zmq4.Socket {
		if err != nil {
			return nil
		}
		var s zmq4.Socket
		s, err = wire.Dial(ctx, f.gci, ch, id, opts...)
		return s
	}
	f.gIOPub = dial(wire.IOPub)
	f.gShell.s, f.gControl.s, f.gStdin.s = dial(wire.Shell), dial(wire.Control), dial(wire.Stdin)
	if err != nil {
		return fmt.Errorf("front: connect to GoNB: %w", err)
	}
	go f.readBackendIOPub(ctx)
	go f.readBackend(ctx, &f.gShell, &f.jShell, wire.Shell)
	go f.readBackend(ctx, &f.gControl, &f.jControl, wire.Control)
	go f.readBackend(ctx, &f.gStdin, &f.jStdin, wire.Stdin)

	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		req := wire.NewMessage("kernel_info_request", nil, f.session, nil)
		ch := f.expectOwn(req.Header.MsgID)
		if err := f.sendBackend(&f.gShell, req); err != nil {
			return err
		}
		timer := time.NewTimer(500 * time.Millisecond)
	wait:
		for {
			select {
			case m := <-ch:
				if m.Header.MsgType == "status" {
					timer.Stop()
					f.forgetOwnLater(req.Header.MsgID)
					return nil
				}
			case <-timer.C:
				break wait
			case <-f.cmdDone:
				return fmt.Errorf("front: GoNB exited before answering: %v", f.cmdErr)
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		f.forgetOwnLater(req.Header.MsgID)
	}
	return errors.New("front: GoNB did not answer kernel_info_request within 2 minutes")
}

func (f *front) expectOwn(id string) chan *wire.Message {
	ch := make(chan *wire.Message, 16)
	f.mu.Lock()
	f.own[id] = ch
	f.mu.Unlock()
	return ch
}

// forgetOwnLater keeps swallowing late replies to an own request for a while.
func (f *front) forgetOwnLater(id string) {
	time.AfterFunc(30*time.Second, func() {
		f.mu.Lock()
		delete(f.own, id)
		f.mu.Unlock()
	})
}

func (f *front) sendBackend(s *lockedSocket, m *wire.Message) error {
	frames, err := m.Encode(f.gkey)
	if err != nil {
		return err
	}
	if err := s.send(frames); err != nil {
		return fmt.Errorf("front: send %s to GoNB: %w", m.Header.MsgType, err)
	}
	return nil
}

// stopBackend asks GoNB to exit (SIGTERM); after 3 s it has the reaper kill
// GoNB's whole tree, and kills the process group as a last resort.
func (f *front) stopBackend() {
	if f.cmd == nil || f.cmd.Process == nil {
		return
	}
	select {
	case <-f.cmdDone:
		return
	default:
	}
	_ = f.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-f.cmdDone:
	case <-time.After(3 * time.Second):
		// GoNB is slow to exit: the reaper kills its whole tree once the lifeline
		// closes. Killing the reaper's process group instead would leave what runs in
		// groups of its own (gopls, a setsid shell command) to init.
		if !f.closeLifeline(5 * time.Second) {
			killGroup(f.cmd.Process.Pid)
			<-f.cmdDone
		}
	}
	f.closeLifeline(0)
	for _, s := range []zmq4.Socket{f.gShell.s, f.gControl.s, f.gStdin.s, f.gIOPub} {
		if s != nil {
			s.Close()
		}
	}
}

// closeLifeline closes the reaper's lifeline (once), which makes the reaper
// kill GoNB's tree and exit, and reports whether the reaper exited within wait.
func (f *front) closeLifeline(wait time.Duration) bool {
	if f.reaped == nil || f.reaped.lifeline == nil {
		return false
	}
	f.lifelineOnce.Do(func() { f.reaped.lifeline.Close() })
	select {
	case <-f.cmdDone:
		return true
	case <-time.After(wait):
		return false
	}
}

// killOrphans kills what is left of GoNB's process group (gopls, a cell
// program) once GoNB itself has exited.
func killOrphans(pid int) { _ = syscall.Kill(-pid, syscall.SIGKILL) }

func killGroup(pid int) {
	_ = syscall.Kill(-pid, syscall.SIGKILL)
	_ = syscall.Kill(pid, syscall.SIGKILL)
}
