package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"

	"github.com/dl4go/dl4go/assets"
	"github.com/dl4go/dl4go/kernel"
)

func init() {
	register("doctor", "check Go, the kernel, Jupyter, the GoMLX backend and the offline assets", doctorCommand)
}

// check is one line of the doctor's report.
type check struct {
	name string
	ok   bool
	info string // what was found
	fix  string // what to do when not ok
}

func doctorCommand(args []string) int {
	fs := flag.NewFlagSet("dl4go doctor", flag.ContinueOnError)
	if status, ok := parseFlags(fs, args); !ok {
		return status
	}
	checks := doctor()
	failed := 0
	for _, c := range checks {
		mark := "ok  "
		if !c.ok {
			mark = "FAIL"
			failed++
		}
		fmt.Printf("[%s] %-12s %s\n", mark, c.name, c.info)
		if !c.ok && c.fix != "" {
			fmt.Printf("       fix: %s\n", c.fix)
		}
	}
	if failed > 0 {
		fmt.Printf("\n%d check(s) failed.\n", failed)
		return 1
	}
	fmt.Println("\nAll checks passed.")
	return 0
}

func doctor() []check {
	var checks []check
	g, err := kernel.LookupGo()
	if err != nil {
		checks = append(checks, check{name: "go", info: err.Error(), fix: "install Go 1.26 (https://go.dev/dl) and put it on PATH"})
	} else {
		ok := goAtLeast(g.GOVERSION, 1, 26)
		checks = append(checks, check{name: "go", ok: ok, info: g.GOVERSION + " at " + g.GoBin,
			fix: "dl4go needs Go 1.26 or newer: install it from https://go.dev/dl"})
	}

	root, err := kernel.FindRoot(".")
	if err != nil {
		checks = append(checks, check{name: "checkout", info: err.Error(), fix: "run dl4go from inside the dl4go repository"})
	} else {
		checks = append(checks, check{name: "checkout", ok: true, info: root})
	}

	in, err := kernel.Find()
	switch {
	case err != nil:
		checks = append(checks, check{name: "kernel", info: err.Error(), fix: "go run ./cmd/dl4go install"})
	case root != "" && !sameDir(in.Root(), root):
		checks = append(checks, check{name: "kernel", info: fmt.Sprintf("%s wires %s, not this checkout", in.Dir, in.Root()),
			fix: "go run ./cmd/dl4go install (from this checkout)"})
	default:
		checks = append(checks, check{name: "kernel", ok: true, info: fmt.Sprintf("%q in %s", kernel.DisplayName, in.Dir)})
		var missing []string
		gopls := false
		for _, t := range kernel.Tools {
			_, err := os.Stat(filepath.Join(in.BinDir(), filepath.Base(t)))
			switch {
			case filepath.Base(t) == "gopls":
				gopls = err == nil
			case err != nil:
				missing = append(missing, filepath.Base(t))
			}
		}
		checks = append(checks, check{name: "tools", ok: len(missing) == 0,
			info: "dl4go, GoNB, goimports in " + in.BinDir() + missingNote(missing), fix: "go run ./cmd/dl4go install"})
		checks = append(checks, check{name: "gopls", ok: gopls, info: goplsInfo(gopls, in.BinDir()),
			fix: "go run ./cmd/dl4go install (dl4go run installs the kernel without it: a headless run needs no completion)"})
	}

	if j, err := exec.LookPath("jupyter"); err != nil {
		checks = append(checks, check{name: "jupyter", info: "jupyter is not on PATH",
			fix: "install JupyterLab (pip install jupyterlab, conda env create -f environment.yml, or apt install jupyter-notebook); dl4go run works without it"})
	} else {
		checks = append(checks, check{name: "jupyter", ok: true, info: j})
	}

	checks = append(checks, backendChecks()...)

	names := make([]string, 0, len(assets.Packages))
	for n := range assets.Packages {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		dir, err := assets.Dir(n)
		for f := range assets.Packages[n].Files { // present, with its pinned hash
			if err == nil {
				_, err = assets.Path(n, f)
			}
		}
		if err != nil {
			fix := "go run ./cmd/dl4go install (needs the npm registry once)"
			if n == "echarts" {
				fix += "; until then charts load from the CDN"
			}
			checks = append(checks, check{name: n, info: err.Error(), fix: fix})
		} else {
			checks = append(checks, check{name: n, ok: true, info: assets.Packages[n].Version + " in " + dir})
		}
	}
	return checks
}

func goplsInfo(found bool, dir string) string {
	if found {
		return "in " + dir + ": completion and inspection in Jupyter"
	}
	return "not in " + dir + ": Jupyter cells run, but completion and inspection are off"
}

func missingNote(missing []string) string {
	if len(missing) == 0 {
		return ""
	}
	return " (missing: " + strings.Join(missing, ", ") + ")"
}

// goAtLeast reports whether a GOVERSION such as "go1.26.8" is at least major.minor.
func goAtLeast(v string, major, minor int) bool {
	var ma, mi int
	if _, err := fmt.Sscanf(strings.TrimPrefix(v, "go"), "%d.%d", &ma, &mi); err != nil {
		return false
	}
	return ma > major || (ma == major && mi >= minor)
}
