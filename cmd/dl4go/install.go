package main

import (
	"flag"
	"fmt"
	"os"

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
	if _, err := install(dir); err != nil {
		return fail(1, "%v", err)
	}
	return 0
}

// install installs the kernel from the checkout around the working directory.
func install(dataDir string) (kernel.Installed, error) {
	root, err := kernel.FindRoot(".")
	if err != nil {
		return kernel.Installed{}, err
	}
	in, err := kernel.Install(kernel.InstallOptions{Root: root, DataDir: dataDir, Logf: progressf})
	if err != nil {
		return in, err
	}
	if err := installAssets(); err != nil {
		progressf("offline assets: %v (charts will load echarts from its CDN until `dl4go install` succeeds online)", err)
	}
	return in, nil
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
