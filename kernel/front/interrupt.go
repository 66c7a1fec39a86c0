package front

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

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
	req := wire.NewMessage("interrupt_request", nil, f.session, nil)
	f.expectOwn(req.Header.MsgID)
	f.forgetOwnLater(req.Header.MsgID)
	if err := f.sendBackend(&f.gControl, req); err != nil {
		f.logf("interrupt: %v", err)
	}
	f.mu.Lock()
	st := f.current
	f.mu.Unlock()
	if st != nil {
		st.mu.Lock()
		st.interrupted = true
		st.mu.Unlock()
	}
	root := f.cmd.Process.Pid
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
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	children := map[int][]int{}
	comm := map[int]string{}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		data, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		s := string(data)
		open, close := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
		if open < 0 || close < 0 || close+2 >= len(s) {
			continue
		}
		fields := strings.Fields(s[close+2:])
		if len(fields) < 2 {
			continue
		}
		ppid, _ := strconv.Atoi(fields[1])
		children[ppid] = append(children[ppid], pid)
		comm[pid] = s[open+1 : close]
	}
	var out []int
	var walk func(int)
	walk = func(p int) {
		for _, c := range children[p] {
			if comm[c] == "gopls" {
				continue
			}
			out = append(out, c)
			walk(c)
		}
	}
	walk(root)
	return out
}
