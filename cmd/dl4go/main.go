// Command dl4go installs the dl4go Jupyter kernel, runs and exports the
// lessons, and checks the set-up.
//
//	dl4go install [--user | --prefix DIR]   build the pinned GoNB/gopls/goimports and install the "Go (dl4go)" kernel
//	dl4go uninstall [--user | --prefix DIR] remove it
//	dl4go run [--quick] [--out DIR] [--timeout DUR] [ID|PATH ...]
//	                                        execute notebooks headless through the kernel, write notebook + HTML
//	dl4go export [--out DIR] NOTEBOOK ...   export executed notebooks to offline HTML pages
//	dl4go list                              list the lessons
//	dl4go doctor                            check Go, the kernel, Jupyter, the GoMLX backend and the offline assets
//	dl4go kernel -f CONNECTION_FILE         the kernel process (started by Jupyter through kernel.json)
//
// Exit status: 0 on success, 1 on failure, 2 on bad input (unknown lesson,
// unreadable notebook, bad flags).
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"
)

// command is one dl4go sub-command.
type command struct {
	summary string
	run     func(args []string) int
}

var commands = map[string]command{}

func register(name, summary string, run func(args []string) int) {
	commands[name] = command{summary: summary, run: run}
}

func main() {
	os.Exit(dispatch(os.Args[1:]))
}

func dispatch(args []string) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(os.Stdout)
		return 0
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(os.Stderr, "dl4go: unknown command %q\n", args[0])
		usage(os.Stderr)
		return 2
	}
	return cmd.run(args[1:])
}

func usage(w *os.File) {
	fmt.Fprintln(w, "usage: dl4go COMMAND [ARGS]\n\ncommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nRun 'dl4go COMMAND -h' for a command's flags.")
}

// fail prints a one-line error and returns the exit status.
func fail(status int, format string, args ...any) int {
	msg := fmt.Sprintf(format, args...)
	fmt.Fprintln(os.Stderr, "dl4go: "+strings.TrimSpace(msg))
	return status
}

// parseFlags parses a command's flags. ok is false when the command must stop
// there, with status 0 for -h and 2 for bad flags.
func parseFlags(fs *flag.FlagSet, args []string) (status int, ok bool) {
	switch err := fs.Parse(args); {
	case errors.Is(err, flag.ErrHelp):
		return 0, false
	case err != nil:
		return 2, false
	}
	return 0, true
}
