//go:build !unix

package main

// outputClosed is Unix-only (see pipe_unix.go); elsewhere there is no SIGPIPE.
func outputClosed() bool { return false }
