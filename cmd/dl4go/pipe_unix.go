//go:build unix

package main

import "golang.org/x/sys/unix"

// outputClosed reports whether stdout or stderr is a pipe or socket whose
// reader has gone (poll reports an error or hang-up on it). A SIGPIPE can
// also come from a write to one of the kernel's sockets; only this one
// means that nobody reads dl4go's output any more.
func outputClosed() bool {
	fds := []unix.PollFd{{Fd: 1}, {Fd: 2}} // no events asked: errors and hang-ups are always reported
	if n, err := unix.Poll(fds, 0); err != nil || n == 0 {
		return false
	}
	for _, f := range fds {
		if f.Revents&(unix.POLLERR|unix.POLLHUP) != 0 {
			return true
		}
	}
	return false
}
