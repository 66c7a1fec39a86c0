//go:build !(((linux && amd64) || darwin) && cgo && !noxla)

package gomlxext

import "errors"

const xlaLinked = false

// InstallXLA is unavailable in this build: the XLA backend needs cgo on linux/amd64 or darwin.
func InstallXLA() error {
	return errors.New("this dl4go build has no XLA backend (needs cgo on linux/amd64 or darwin, without the noxla tag)")
}
