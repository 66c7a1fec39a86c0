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

// IsComplete tells a console whether code is ready to run: "incomplete" while
// brackets, strings or comments are open, a line ends with a binary operator or a
// special command (%, !) ends with a backslash; "invalid" when Go cannot parse it
// in any cell form (declarations, or statements as in a %% cell); else "complete".
// A %% cell, like an IPython block, is complete only after an empty line, so a
// console user can type several statements.
func IsComplete(code string) IsCompleteReply {
	r := isComplete(code)
	lines := strings.Split(code, "\n")
	if r.Status == "complete" && strings.TrimSpace(lines[len(lines)-1]) != "" {
		for _, l := range lines {
			if strings.HasPrefix(strings.TrimSpace(l), "%%") {
				return IsCompleteReply{Status: "incomplete", Indent: ""}
			}
		}
	}
	return r
}

func isComplete(code string) IsCompleteReply {
	if strings.TrimSpace(code) == "" {
		return IsCompleteReply{Status: "complete"}
	}
	lines := strings.Split(code, "\n")
	goLines := make([]string, len(lines))
	statements := false
	for i, line := range lines {
		t := strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(t, "%%"):
			statements = true
		case strings.HasPrefix(t, "%") || strings.HasPrefix(t, "!"):
			// special command; a trailing backslash continues it
		default:
			goLines[i] = line
			continue
		}
		if i == len(lines)-1 && strings.HasSuffix(strings.TrimRight(line, " \t"), `\`) {
			return IsCompleteReply{Status: "incomplete", Indent: ""}
		}
		// continued special-command lines are part of it
		for j := i; j < len(lines)-1 && strings.HasSuffix(strings.TrimRight(lines[j], " \t"), `\`); j++ {
			lines[j+1] = "%" + lines[j+1]
		}
	}
	src := strings.Join(goLines, "\n")
	if strings.TrimSpace(src) == "" {
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
	if _, err := parser.ParseFile(token.NewFileSet(), "cell.go", "package main\nfunc main() {\n"+src+"\n}\n", mode); err == nil {
		return IsCompleteReply{Status: "complete"}
	}
	return IsCompleteReply{Status: "invalid"}
}
