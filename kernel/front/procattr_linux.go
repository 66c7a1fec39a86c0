package front

import "syscall"

// setParentDeathSignal makes Linux stop GoNB when the front dies.
func setParentDeathSignal(a *syscall.SysProcAttr) { a.Pdeathsig = syscall.SIGTERM }
