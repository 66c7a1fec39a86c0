package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/dl4go/dl4go/gomlxext"
	"github.com/dl4go/dl4go/kernel"
	"github.com/dl4go/dl4go/kernel/front"
)

// noGoplsEnv, set to 1 in the kernel's environment, keeps GoNB from starting
// gopls. `dl4go run` sets it: a headless run never asks for completion, and
// gopls would load the module's packages on the cores the lesson trains on.
const noGoplsEnv = "DL4GO_KERNEL_NO_GOPLS"

func init() {
	register("kernel", "the kernel process Jupyter starts through kernel.json (-f CONNECTION_FILE)", kernelCommand)
}

func kernelCommand(args []string) int {
	fs := flag.NewFlagSet("dl4go kernel", flag.ContinueOnError)
	connFile := fs.String("f", "", "Jupyter connection `file`")
	if status, ok := parseFlags(fs, args); !ok {
		return status
	}
	if *connFile == "" {
		return fail(2, "kernel: -f CONNECTION_FILE is required (Jupyter passes it through kernel.json)")
	}
	self, err := os.Executable()
	if err != nil {
		return fail(1, "kernel: %v", err)
	}
	binDir := filepath.Dir(self)
	root := os.Getenv(kernel.RootEnvVar)
	broken := func(problem error) int {
		fmt.Fprintf(os.Stderr, "dl4go kernel: %v\n", problem)
		if err := kernel.ServeBroken(context.Background(), *connFile, problem); err != nil {
			return fail(1, "kernel: %v", err)
		}
		return 1
	}
	if err := kernel.CheckRoot(root); err != nil {
		return broken(fmt.Errorf("the dl4go checkout moved or is missing (%v): run `go run ./cmd/dl4go install` from the checkout, then restart the kernel", err))
	}
	g, err := kernel.LookupGo()
	if err != nil {
		return broken(err)
	}
	choice := gomlxext.Choose()
	w, err := kernel.Wire(root, binDir, g, choice.Config)
	if err != nil {
		return broken(err)
	}
	defer w.Close()
	// GoNB and the go commands it runs keep their temporary files (GoNB's
	// module, the cells' named pipes, go build's work) in a directory of the
	// kernel's, removed with the shim directory even when GoNB was killed.
	tmp := filepath.Join(w.ShimDir, "tmp")
	if err := os.Mkdir(tmp, 0o700); err != nil {
		return broken(fmt.Errorf("create the kernel's temporary directory: %w", err))
	}
	w.Env = append(w.Env, "TMPDIR="+tmp)
	if os.Getenv(noGoplsEnv) == "1" {
		// GoNB starts the first gopls on its PATH, and the shim directory
		// comes first: a gopls there that exits at once stands in for it.
		stub := "#!/bin/sh\n# dl4go run: a headless run asks for no completion (" + noGoplsEnv + "=1)\nexit 0\n"
		if err := os.WriteFile(filepath.Join(w.ShimDir, "gopls"), []byte(stub), 0o755); err != nil {
			return broken(fmt.Errorf("write the gopls stand-in: %w", err))
		}
	}
	// A write to a closed stderr (dl4go run or Jupyter gone) must fail, not
	// kill the kernel before it stops GoNB and its children.
	signal.Ignore(syscall.SIGPIPE)

	becomeSubreaper()
	defer reapOrphans()
	err = front.Serve(context.Background(), *connFile, front.Options{
		StartBackend: func(ctx context.Context, connectionFile string) (*exec.Cmd, error) {
			cmd := exec.CommandContext(ctx, filepath.Join(binDir, "gonb"), "--kernel", connectionFile)
			cmd.Env = w.Env
			cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
			return cmd, nil
		},
		Backend:       choice.String(),
		HandleSignals: true,
	})
	if err != nil {
		return fail(1, "kernel: %v", err)
	}
	return 0
}
