//go:build !(((linux && amd64) || darwin) && cgo && !noxla)

package gomlxext

import (
	"errors"

	"github.com/gomlx/gomlx/backends"
)

const xlaLinked = false

// errNoXLA is returned by the XLA functions of a build without the XLA backend.
var errNoXLA = errors.New("this dl4go build has no XLA backend (needs cgo on linux/amd64 or darwin, without the noxla tag)")

// InstallXLA is unavailable in this build: the XLA backend needs cgo on linux/amd64 or darwin.
func InstallXLA() error { return errNoXLA }

// InspectXLAPlugin is unavailable in this build: it cannot load PJRT plugins.
func InspectXLAPlugin(path string) (XLAPlugin, error) { return DescribeXLAPlugin(path), errNoXLA }

// NewXLA is unavailable in this build: it has no XLA backend.
func NewXLA(XLAOptions) (backends.Backend, error) { return nil, errNoXLA }
