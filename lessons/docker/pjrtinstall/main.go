// Command pjrtinstall installs the XLA PJRT plugins that GoMLX's "xla" backend loads, using
// go-xla's installer package at the version this module pins (github.com/gomlx/go-xla, required
// by github.com/gomlx/gomlx). The Dockerfile runs it at image build time, so the container runs
// lessons on XLA without downloading anything at run time:
//
//	go run ./lessons/docker/pjrtinstall -dir /usr/local/lib/go-xla              # CPU plugin
//	go run ./lessons/docker/pjrtinstall -dir /usr/local/lib/go-xla -cuda cuda13 # + CUDA plugin and Nvidia libraries
//
// The CPU plugin is the release go-xla was tested with (the same one GoMLX's auto-install fetches);
// the CUDA plugin comes from the Jax PJRT wheels on PyPI (-cuda-version picks the Jax version).
// /usr/local/lib/go-xla is one of the directories go-xla searches, so no environment variable is needed.
// It needs the network.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/gomlx/go-xla/pkg/installer"
)

func main() {
	dir := flag.String("dir", "/usr/local/lib/go-xla", "directory to install the PJRT plugins in (go-xla searches /usr/local/lib/go-xla and ~/.local/lib/go-xla)")
	cuda := flag.String("cuda", "", `also install a CUDA PJRT plugin: "cuda13" or "cuda12" (empty: CPU only)`)
	cudaVersion := flag.String("cuda-version", "latest", "Jax version of the CUDA PJRT wheel, e.g. 0.8.1")
	verbose := flag.Bool("v", false, "verbose output")
	flag.Parse()
	if err := install(*dir, *cuda, *cudaVersion, *verbose); err != nil {
		fmt.Fprintln(os.Stderr, "pjrtinstall:", err)
		os.Exit(1)
	}
}

func install(dir, cuda, cudaVersion string, verbose bool) error {
	level := installer.Normal
	if verbose {
		level = installer.Verbose
	}
	if err := installer.CPUAutoInstall(dir, false, level); err != nil {
		return fmt.Errorf("install the CPU PJRT plugin in %s: %w", dir, err)
	}
	if cuda == "" {
		return nil
	}
	if err := installCUDA(cuda, cudaVersion, dir, level); err != nil {
		return fmt.Errorf("install the %s PJRT plugin (Jax %s) in %s: %w", cuda, cudaVersion, dir, err)
	}
	return nil
}
