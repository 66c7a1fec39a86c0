package front_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"

	"github.com/dl4go/dl4go/kernel/front"
)

// IsComplete answers a console's is_complete_request.
func ExampleIsComplete() {
	for _, code := range []string{
		"func triple(x int) int {",
		"func triple(x int) int {\n    return 3 * x\n}",
		"%%",
		"%%\nfmt.Println(triple(2))",
		"x := )",
	} {
		fmt.Printf("%+v\n", front.IsComplete(code))
	}
	// Output:
	// {Status:incomplete Indent:    }
	// {Status:complete Indent:}
	// {Status:incomplete Indent:}
	// {Status:complete Indent:}
	// {Status:invalid Indent:}
}

// The kernel process (`dl4go kernel -f FILE`, started by Jupyter) serves the
// connection file with GoNB behind the front until shutdown.
func ExampleServe() {
	connectionFile := "/run/user/1000/jupyter/kernel-1234.json" // from Jupyter's {connection_file}
	err := front.Serve(context.Background(), connectionFile, front.Options{
		StartBackend: func(ctx context.Context, gonbConnectionFile string) (*exec.Cmd, error) {
			cmd := exec.Command("/path/to/kernel/bin/gonb", "--kernel", gonbConnectionFile)
			cmd.Env = append(os.Environ(), "PATH=/path/to/kernel/bin:"+os.Getenv("PATH"))
			return cmd, nil
		},
		Backend:       "xla:cpu", // e.g. gomlxext.Choose().String()
		HandleSignals: true,
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
