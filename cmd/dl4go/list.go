package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/text/width"

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
	rows := [][]string{{"ID", "TITLE", "FULL", "QUICK", "NOTEBOOK"}}
	for _, l := range cat {
		title := l.Meta.Title
		if l.Meta.TitleJa != "" {
			title += " (" + l.Meta.TitleJa + ")"
		}
		rows = append(rows, []string{l.ID(), title, dash(l.Meta.TimeFull), dash(l.Meta.TimeQuick), relTo(root, l.Path)})
	}
	printColumns(os.Stdout, rows)
	return 0
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// printColumns writes rows as aligned columns, counting East Asian wide
// characters (the lessons' Japanese titles) as two columns, as terminals do.
func printColumns(w io.Writer, rows [][]string) {
	var widths []int
	for _, r := range rows {
		for i, cell := range r {
			if i >= len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], displayWidth(cell))
		}
	}
	for _, r := range rows {
		var b strings.Builder
		for i, cell := range r {
			b.WriteString(cell)
			if i < len(r)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]-displayWidth(cell)+2))
			}
		}
		fmt.Fprintln(w, b.String())
	}
}

func displayWidth(s string) int {
	n := 0
	for _, r := range s {
		switch width.LookupRune(r).Kind() {
		case width.EastAsianWide, width.EastAsianFullwidth:
			n += 2
		default:
			n++
		}
	}
	return n
}
