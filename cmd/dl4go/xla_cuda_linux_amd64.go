package main

import "github.com/gomlx/go-xla/pkg/installer"

// installCUDA installs the CUDA PJRT plugin and the Nvidia libraries it needs under dir/nvidia.
func installCUDA(plugin, version, dir string, level installer.VerbosityLevel) error {
	return installer.CudaInstall(plugin, version, dir, false, level)
}
