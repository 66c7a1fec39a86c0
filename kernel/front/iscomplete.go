package front

import (
	"go/parser"
	"go/scanner"
	"go/token"
	"strings"
)

// IsCompleteReply is the content of an is_complete_reply.
type IsCompleteReply struct {
	Status string `json:"status"`           // "complete", "incomplete" or "invalid"
	Indent string `json:"indent,omitempty"` // for "incomplete": the next line's indent
}

// cellMagics are GoNB's cell commands (specialcmd.CellSpecialCommands): on the
// first line, they take the rest of the cell, which is not Go, as their body.
var cellMagics = map[string]bool{"%%writefile": true, "%%script": true, "%%bash": true, "%%sh": true}

// IsComplete tells a console whether code is ready to run: "incomplete" while
// brackets, strings or comments are open, a line ends with a binary operator, a
// special command (%, !, also after GoNB's "//gonb:" prefix) ends with a
// backslash, or a block that needs a body has none yet ("%%" or "%main" without
// statements, a cell magic such as "%%writefile f" without lines); "invalid"
// when Go cannot parse it in any cell form (declarations, or statements as in a
// %% cell); else "complete".
func IsComplete(code string) IsCompleteReply {
	lines := strings.Split(code, "\n")
	if first, ok := specialCommand(lines[0]); ok && cellMagics[strings.Fields(first)[0]] {
		if strings.TrimSpace(strings.Join(lines[1:], "\n")) == "" {
			return IsCompleteReply{Status: "incomplete"}
		}
		return IsCompleteReply{Status: "complete"}
	}
	return isComplete(lines)
}

func isComplete(lines []string) IsCompleteReply {
	goLines := make([]string, len(lines))
	statements := false
	mainLine := 0 // the "%%" line: declarations come before it, statements after
	for i, line := range lines {
		cmd, special := specialCommand(line)
		switch {
		case !special:
			goLines[i] = line
			continue
		case !statements && (strings.HasPrefix(cmd, "%%") || strings.HasPrefix(cmd, "%main")):
			statements, mainLine = true, i
		}
		// A special command; a trailing backslash continues it.
		if i == len(lines)-1 && strings.HasSuffix(strings.TrimRight(line, " \t"), `\`) {
			return IsCompleteReply{Status: "incomplete", Indent: ""}
		}
		for j := i; j < len(lines)-1 && strings.HasSuffix(strings.TrimRight(lines[j], " \t"), `\`); j++ {
			lines[j+1] = "%" + lines[j+1]
		}
	}
	src := strings.Join(goLines, "\n")
	if strings.TrimSpace(src) == "" {
		if statements {
			return IsCompleteReply{Status: "incomplete"} // "%%" waits for its statements
		}
		return IsCompleteReply{Status: "complete"}
	}

	// Bracket depth and unterminated tokens, with the scanner.
	fset := token.NewFileSet()
	file := fset.AddFile("cell.go", -1, len(src))
	var scanErrs []string
	var s scanner.Scanner
	s.Init(file, []byte(src), func(pos token.Position, msg string) { scanErrs = append(scanErrs, msg) }, scanner.ScanComments)
	depth := 0
	last := token.ILLEGAL
	for {
		_, tok, lit := s.Scan()
		if tok == token.EOF {
			break
		}
		switch tok {
		case token.LPAREN, token.LBRACE, token.LBRACK:
			depth++
		case token.RPAREN, token.RBRACE, token.RBRACK:
			depth--
			if depth < 0 {
				return IsCompleteReply{Status: "invalid"}
			}
		}
		if tok == token.SEMICOLON && lit == "\n" {
			continue
		}
		if tok != token.COMMENT {
			last = tok
		}
	}
	for _, e := range scanErrs {
		if strings.Contains(e, "not terminated") {
			return IsCompleteReply{Status: "incomplete", Indent: strings.Repeat("    ", depth)}
		}
	}
	if depth > 0 {
		return IsCompleteReply{Status: "incomplete", Indent: strings.Repeat("    ", depth)}
	}
	if last.IsOperator() && last != token.RPAREN && last != token.RBRACE && last != token.RBRACK &&
		last != token.INC && last != token.DEC && last != token.SEMICOLON {
		return IsCompleteReply{Status: "incomplete", Indent: "    "}
	}
	if len(scanErrs) > 0 {
		return IsCompleteReply{Status: "invalid"}
	}

	// Parse as declarations, as statements, or as an expression.
	mode := parser.SkipObjectResolution
	if !statements {
		if _, err := parser.ParseFile(token.NewFileSet(), "cell.go", "package main\n"+src, mode); err == nil {
			return IsCompleteReply{Status: "complete"}
		}
		if _, err := parser.ParseExpr(src); err == nil {
			return IsCompleteReply{Status: "complete"}
		}
	}
	decls, stmts := "", src
	if statements {
		decls, stmts = strings.Join(goLines[:mainLine], "\n"), strings.Join(goLines[mainLine+1:], "\n")
	}
	if _, err := parser.ParseFile(token.NewFileSet(), "cell.go", "package main\n"+decls+"\nfunc main() {\n"+stmts+"\n}\n", mode); err == nil {
		return IsCompleteReply{Status: "complete"}
	}
	return IsCompleteReply{Status: "invalid"}
}
