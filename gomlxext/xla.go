//go:build ((linux && amd64) || darwin) && cgo && !noxla

package gomlxext

import (
	"os"

	"github.com/gomlx/gomlx/backends/xla"
)

// xlaLinked reports whether the XLA backend is compiled into this binary.
const xlaLinked = true

func init() {
	// Never download PJRT plugins behind the user's back: a notebook cell must not hang offline.
	xla.EnableAutoInstall(os.Getenv(XLAInstallEnv) == "1")
}

// InstallXLA downloads and installs the default PJRT plugins (CPU, and CUDA if a GPU is present)
// under the user's ~/.local/lib/go-xla. It needs the network; call it only when the user asks.
func InstallXLA() error {
	return xla.AutoInstall()
}
