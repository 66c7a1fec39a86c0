package main

import (
	"flag"
	"fmt"
	"os"
	"text/tabwriter"

	"github.com/dl4go/dl4go/kernel"
)

func init() {
	register("list", "list the lessons with their expected full/quick run time", listCommand)
}

func listCommand(args []string) int {
	fs := flag.NewFlagSet("dl4go list", flag.ContinueOnError)
	if status, ok := parseFlags(fs, args); !ok {
		return status
	}
	root, err := kernel.FindRoot(".")
	if err != nil {
		return fail(1, "%v", err)
	}
	cat, err := catalog(root)
	if err != nil {
		return fail(2, "%v", err)
	}
	w := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tTITLE\tFULL\tQUICK\tNOTEBOOK")
	for _, l := range cat {
		title := l.Meta.Title
		if l.Meta.TitleJa != "" {
			title += " (" + l.Meta.TitleJa + ")"
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", l.ID(), title, dash(l.Meta.TimeFull), dash(l.Meta.TimeQuick), relTo(root, l.Path))
	}
	w.Flush()
	return 0
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
