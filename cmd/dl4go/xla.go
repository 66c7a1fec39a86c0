package main

import (
	"flag"
	"os"
	"path/filepath"

	"github.com/gomlx/go-xla/pkg/installer"
)

func init() {
	register("xla", "install XLA's PJRT plugin (CPU, optionally CUDA) so GoMLX can run lessons on XLA; needs the network", xlaCommand)
}

// xlaCommand installs the PJRT plugins that GoMLX's "xla" backend loads, with
// go-xla's installer at the version GoMLX pins. The Dockerfile runs it at image
// build time; users run it once online. go-xla searches ~/.local/lib/go-xla and
// /usr/local/lib/go-xla, so no environment variable is needed afterwards.
func xlaCommand(args []string) int {
	fs := flag.NewFlagSet("dl4go xla", flag.ContinueOnError)
	home, _ := os.UserHomeDir()
	dir := fs.String("dir", filepath.Join(home, ".local", "lib", "go-xla"), "`DIR` to install the plugins in (go-xla searches ~/.local/lib/go-xla and /usr/local/lib/go-xla)")
	cuda := fs.String("cuda", "", `also install a CUDA PJRT plugin: "cuda13" or "cuda12"`)
	cudaVersion := fs.String("cuda-version", "latest", "Jax `VERSION` of the CUDA PJRT wheel, e.g. 0.8.1")
	verbose := fs.Bool("v", false, "verbose output")
	if status, ok := parseFlags(fs, args); !ok {
		return status
	}
	level := installer.Normal
	if *verbose {
		level = installer.Verbose
	}
	if err := installer.CPUAutoInstall(*dir, false, level); err != nil {
		return fail(1, "install the CPU PJRT plugin in %s: %v", *dir, err)
	}
	if *cuda != "" {
		if err := installCUDA(*cuda, *cudaVersion, *dir, level); err != nil {
			return fail(1, "install the %s PJRT plugin (Jax %s) in %s: %v", *cuda, *cudaVersion, *dir, err)
		}
	}
	progressf("PJRT plugin(s) installed in %s: `dl4go doctor` shows the backend cells now get", *dir)
	return 0
}
