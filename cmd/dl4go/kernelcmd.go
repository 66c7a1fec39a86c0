package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/dl4go/dl4go/gomlxext"
	"github.com/dl4go/dl4go/kernel"
	"github.com/dl4go/dl4go/kernel/front"
)

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
	w, err := kernel.Wire(root, binDir, g)
	if err != nil {
		return broken(err)
	}
	defer w.Close()

	becomeSubreaper()
	defer reapOrphans()
	err = front.Serve(context.Background(), *connFile, front.Options{
		StartBackend: func(ctx context.Context, connectionFile string) (*exec.Cmd, error) {
			cmd := exec.CommandContext(ctx, filepath.Join(binDir, "gonb"), "--kernel", connectionFile)
			cmd.Env = w.Env
			cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
			return cmd, nil
		},
		Backend:       gomlxext.Choose().String(),
		HandleSignals: true,
	})
	if err != nil {
		return fail(1, "kernel: %v", err)
	}
	return 0
}
