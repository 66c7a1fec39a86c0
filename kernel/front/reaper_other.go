//go:build !linux

package front

import (
	"os"
	"os/exec"
	"syscall"
)

// reaped is GoNB, started directly where there is no subreaper (not Linux):
// the front stops its process group at shutdown.
type reaped struct {
	lifeline *os.File // always nil here
	gonbPID  int
}

// startReaped starts cmd in its own process group (so a terminal's Ctrl+C
// reaches only the front).
func startReaped(cmd *exec.Cmd, _, _ string) (*reaped, error) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Setpgid = true
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	return &reaped{gonbPID: cmd.Process.Pid}, nil
}
