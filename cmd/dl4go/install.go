package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"

	"github.com/dl4go/dl4go/assets"
	"github.com/dl4go/dl4go/kernel"
)

func init() {
	register("install", "build the pinned GoNB, gopls, goimports and install the \"Go (dl4go)\" kernel", installCommand)
	register("uninstall", "remove the dl4go kernelspec", uninstallCommand)
}

// dataDirFlags adds --user and --prefix and returns a function resolving the data dir.
func dataDirFlags(fs *flag.FlagSet) func() (string, error) {
	fs.Bool("user", true, "install for the current user (the default): $JUPYTER_DATA_DIR or ~/.local/share/jupyter")
	prefix := fs.String("prefix", "", "install under `DIR`/share/jupyter instead (like ipykernel's --prefix)")
	return func() (string, error) {
		if *prefix != "" {
			return kernel.PrefixDataDir(*prefix), nil
		}
		return kernel.UserDataDir()
	}
}

func installCommand(args []string) int {
	fs := flag.NewFlagSet("dl4go install", flag.ContinueOnError)
	dataDir := dataDirFlags(fs)
	if status, ok := parseFlags(fs, args); !ok {
		return status
	}
	dir, err := dataDir()
	if err != nil {
		return fail(1, "%v", err)
	}
	if _, err := install(dir, nil); err != nil {
		return fail(1, "%v", err)
	}
	return 0
}

// install installs the kernel from the checkout around the working
// directory, building tools (nil: all of kernel.Tools) with a progress meter
// while the offline assets download.
func install(dataDir string, tools []string) (kernel.Installed, error) {
	root, err := kernel.FindRoot(".")
	if err != nil {
		return kernel.Installed{}, err
	}
	assetsDone := make(chan []assetResult, 1)
	go func() { assetsDone <- fetchAssets() }()

	binaries := len(tools)
	if tools == nil {
		binaries = len(kernel.Tools)
	}
	m := startMeter("dl4go: building the kernel tools", 0, 30*time.Second)
	n, err := packagesToBuild(root, tools, m.note)
	if err != nil {
		m.printf("dl4go: cannot count the packages to compile (%v); building anyway", err)
	} else if n > binaries { // more than relinking them
		m.setTotal(n)
		m.printf("dl4go: %d packages to compile (about %s on %d idle cores; once: Go's build cache keeps them)%s",
			n, buildEstimate(n), runtime.NumCPU(), busyNote())
	}
	logf := func(format string, args ...any) { m.printf("dl4go: "+format, args...) }
	in, err := kernel.Install(kernel.InstallOptions{Root: root, DataDir: dataDir, Tools: tools, Logf: logf,
		BuildLine: func(line string) {
			if strings.HasPrefix(line, "go: ") {
				m.note(line)
			} else if !strings.Contains(line, " ") {
				m.step(line) // go build -v: the import path of a package being compiled
			}
		}})
	took := m.elapsed()
	m.finish()
	if err != nil {
		return in, err
	}
	progressf("kernel tools ready in %s", roundDuration(took))
	for _, r := range <-assetsDone {
		if r.err != nil {
			progressf("offline assets: %v (until `dl4go install` succeeds online, charts load echarts from its CDN and pages lack the Japanese font)", r.err)
		} else {
			progressf("offline asset %s %s in %s", r.name, assets.Packages[r.name].Version, r.dir)
		}
	}
	return in, nil
}

// packagesToBuild counts the packages (standard library included) that
// building tools compiles, i.e. those Go's build cache lacks; "go:
// downloading" lines go to note as modules arrive.
func packagesToBuild(root string, tools []string, note func(string)) (int, error) {
	if tools == nil {
		tools = kernel.Tools
	}
	cmd := exec.Command("go", append([]string{"list", "-deps", "-f", "{{if .Stale}}{{.ImportPath}}{{end}}"}, tools...)...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOTOOLCHAIN=local")
	var stderr bytes.Buffer
	cmd.Stderr = io.MultiWriter(&stderr, lineWriter(note))
	out, err := cmd.Output()
	if err != nil {
		return 0, fmt.Errorf("go list: %w: %s", err, firstLine(stderr.String()))
	}
	return bytes.Count(out, []byte("\n")), nil
}

// secondsPerPackage is the measured mean CPU time of compiling one package of
// the kernel tools and their dependencies (standard library included) on
// these machines' AMD EPYC cores; see buildEstimate.
const secondsPerPackage = 0.25

// buildEstimate is the expected wall time to compile n packages on this machine's cores.
func buildEstimate(n int) time.Duration {
	d := time.Duration(float64(n) * secondsPerPackage / float64(max(1, min(runtime.NumCPU(), 8))) * float64(time.Second))
	if d < time.Minute {
		return d.Round(10 * time.Second)
	}
	return d.Round(30 * time.Second)
}

// busyNote warns, where the load average is readable (Linux), that a busy
// machine builds slower than the estimate: measured, 77 packages took 8 s at
// load 2 on 2 cores and 4 minutes at load 13.
func busyNote() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	var load float64
	if _, err := fmt.Sscan(string(data), &load); err != nil || load <= float64(runtime.NumCPU()) {
		return ""
	}
	return fmt.Sprintf("; this machine is busy (load average %.1f on %d cores): expect it to take longer", load, runtime.NumCPU())
}

// lineWriter is an io.Writer that calls f for each complete line written to it.
type lineWriter func(string)

func (f lineWriter) Write(p []byte) (int, error) {
	for _, l := range strings.Split(strings.TrimRight(string(p), "\n"), "\n") {
		if l != "" {
			f(l)
		}
	}
	return len(p), nil
}

func progressf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "dl4go: "+format+"\n", args...)
}

func uninstallCommand(args []string) int {
	fs := flag.NewFlagSet("dl4go uninstall", flag.ContinueOnError)
	dataDir := dataDirFlags(fs)
	if status, ok := parseFlags(fs, args); !ok {
		return status
	}
	dir, err := dataDir()
	if err != nil {
		return fail(1, "%v", err)
	}
	removed, err := kernel.Uninstall(dir)
	if err != nil {
		return fail(1, "%v", err)
	}
	if removed {
		progressf("removed the %s kernelspec from %s", kernel.Name, dir)
	} else {
		progressf("no %s kernelspec in %s: nothing to do", kernel.Name, dir)
	}
	return 0
}
