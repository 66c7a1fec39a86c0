package main

import (
	"flag"
	"os"
	"path/filepath"

	"github.com/gomlx/go-xla/pkg/installer"

	"github.com/dl4go/dl4go/gomlxext"
)

func init() {
	register("xla", "install XLA's PJRT plugin (CPU, optionally CUDA) so GoMLX can run lessons on XLA: from the network, or --from-wheel a PyPI wheel", xlaCommand)
}

// xlaCommand installs the PJRT plugins that GoMLX's "xla" backend loads: with go-xla's installer
// at the version GoMLX pins (it downloads the CPU plugin from GitHub), or, with --from-wheel, from
// a wheel downloaded with pip (`pip download --no-deps xla-cpu-pjrt==0.0.1`; docs/xla.md). The
// Dockerfile runs it at image build time; users run it once. go-xla searches ~/.local/lib/go-xla
// and /usr/local/lib/go-xla, so no environment variable is needed afterwards.
func xlaCommand(args []string) int {
	fs := flag.NewFlagSet("dl4go xla", flag.ContinueOnError)
	home, _ := os.UserHomeDir()
	dir := fs.String("dir", filepath.Join(home, ".local", "lib", "go-xla"), "`DIR` to install the plugins in (go-xla searches ~/.local/lib/go-xla and /usr/local/lib/go-xla)")
	cuda := fs.String("cuda", "", `also install a CUDA PJRT plugin: "cuda13" or "cuda12"`)
	cudaVersion := fs.String("cuda-version", "latest", "Jax `VERSION` of the CUDA PJRT wheel, e.g. 0.8.1")
	wheel := fs.String("from-wheel", "", "install the PJRT plugin of this `WHEEL` file (e.g. xla_cpu_pjrt-0.0.1-py3-none-manylinux_2_27_x86_64.whl from `pip download --no-deps xla-cpu-pjrt==0.0.1`) instead of downloading")
	name := fs.String("name", "", "with --from-wheel: the plugin's `NAME` (default: cpu or cuda, from the package name)")
	verbose := fs.Bool("v", false, "verbose output")
	if status, ok := parseFlags(fs, args); !ok {
		return status
	}
	if fs.NArg() > 0 {
		return fail(2, "dl4go xla takes no arguments (got %q); a wheel goes after --from-wheel", fs.Args())
	}
	if *wheel != "" {
		if *cuda != "" {
			return fail(2, "--from-wheel and --cuda do not go together: install one plugin per run")
		}
		p, err := installWheel(*wheel, *dir, *name)
		if err != nil {
			return fail(1, "install the PJRT plugin of %s in %s: %v", *wheel, *dir, err)
		}
		progressf("PJRT plugin installed at %s: %s (go-xla calls PJRT C API %s)", p.Path, p, gomlxext.GoXLAPJRTVersion)
		switch found, err := gomlxext.FindXLAPlugin(); {
		case err == nil && found == p.Path:
			progressf("cells now get xla:%s (unless $GOMLX_BACKEND says otherwise); or pick it explicitly with GOMLX_BACKEND=xla:%s", p.Name, p.Path)
		case err == nil:
			progressf("cells get the plugin %s (found first); pick this one with GOMLX_BACKEND=xla:%s", found, p.Path)
		default:
			progressf("go-xla does not look in %s by default: pick the plugin with GOMLX_BACKEND=xla:%s (or PJRT_PLUGIN_LIBRARY_PATH=%s)", *dir, p.Path, *dir)
		}
		return 0
	}
	if *name != "" {
		return fail(2, "--name goes with --from-wheel")
	}
	level := installer.Normal
	if *verbose {
		level = installer.Verbose
	}
	if err := installer.CPUAutoInstall(*dir, false, level); err != nil {
		return fail(1, "install the CPU PJRT plugin in %s: %v (offline, or GitHub unreachable? `pip download --no-deps xla-cpu-pjrt==0.0.1` then `dl4go xla --from-wheel WHEEL`)", *dir, err)
	}
	if *cuda != "" {
		if err := installCUDA(*cuda, *cudaVersion, *dir, level); err != nil {
			return fail(1, "install the %s PJRT plugin (Jax %s) in %s: %v", *cuda, *cudaVersion, *dir, err)
		}
	}
	progressf("PJRT plugin(s) installed in %s: `dl4go doctor` shows the backend cells now get", *dir)
	return 0
}
