// Command frontkernel is a minimal kernel for the conformance suite: front.Serve
// with GoNB from $DL4GO_GONB_DIR (gonb, gopls and goimports). The real kernel is
// `dl4go kernel -f FILE`.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/dl4go/dl4go/kernel/front"
)

func main() {
	connFile := flag.String("f", "", "connection file")
	flag.Parse()
	dir := os.Getenv("DL4GO_GONB_DIR")
	err := front.Serve(context.Background(), *connFile, front.Options{
		StartBackend: func(ctx context.Context, cf string) (*exec.Cmd, error) {
			cmd := exec.Command(filepath.Join(dir, "gonb"), "--kernel", cf)
			cmd.Env = append(os.Environ(), "PATH="+dir+string(os.PathListSeparator)+os.Getenv("PATH"))
			return cmd, nil
		},
		Backend:       "conformance-test",
		HistoryPath:   os.Getenv("DL4GO_HISTORY"),
		HandleSignals: true,
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
