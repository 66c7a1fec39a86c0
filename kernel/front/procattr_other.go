//go:build !linux

package front

import "syscall"

// setParentDeathSignal does nothing where the OS has no parent-death signal:
// the front stops GoNB at shutdown itself.
func setParentDeathSignal(*syscall.SysProcAttr) {}
