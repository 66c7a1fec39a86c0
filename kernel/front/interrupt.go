package front

import (
	"syscall"
	"time"

	"github.com/dl4go/dl4go/kernel/internal/procs"
	"github.com/dl4go/dl4go/kernel/wire"
)

// interrupt stops the running cell: GoNB is told (it signals its cell program),
// every process under GoNB except gopls gets SIGINT, and whatever still runs the
// same cell after the grace period is killed.
func (f *front) interrupt() {
	select {
	case <-f.ready:
	default:
		return
	}
	// The running cell is marked first: GoNB may stop it and report it idle
	// (which finalizes it) before the request below has even returned.
	f.mu.Lock()
	st := f.current
	f.mu.Unlock()
	if st != nil {
		st.mu.Lock()
		st.interrupted = true
		st.mu.Unlock()
	}
	req := wire.NewMessage("interrupt_request", nil, f.session, nil)
	f.expectOwn(req.Header.MsgID)
	f.forgetOwnLater(req.Header.MsgID)
	if err := f.sendBackend(&f.gControl, req); err != nil {
		f.logf("interrupt: %v", err)
	}
	root := f.reaped.gonbPID
	for _, pid := range cellProcesses(root) {
		_ = syscall.Kill(pid, syscall.SIGINT)
	}
	if st == nil {
		return
	}
	go func() {
		select {
		case <-st.finalized:
			return
		case <-time.After(f.opts.InterruptGrace):
		}
		pids := cellProcesses(root)
		f.logf("interrupt: cell still running after %v: killing %d processes", f.opts.InterruptGrace, len(pids))
		for _, pid := range pids {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
	}()
}

// cellProcesses lists the descendants of root, except gopls and its children.
func cellProcesses(root int) []int {
	var pids []int
	for _, p := range procs.Descendants(root, func(p procs.Process) bool { return p.Comm == "gopls" }) {
		pids = append(pids, p.PID)
	}
	return pids
}
