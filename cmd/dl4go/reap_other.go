//go:build !linux

package main

// becomeSubreaper is Linux-only; elsewhere GoNB stops gopls itself on a clean exit.
func becomeSubreaper() {}

// reapOrphans is Linux-only (see reap_linux.go).
func reapOrphans() {}
