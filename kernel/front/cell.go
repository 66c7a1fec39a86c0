package front

import (
	"go/ast"
	"go/parser"
	"go/token"
	"strconv"
	"strings"
)

// cellKind says how the front rewrites a cell before GoNB runs it.
type cellKind int

const (
	plainCell cellKind = iota // sent as is
	exprCell                  // a lone expression: its value becomes execute_result
	stmtCell                  // a lone call to a printing function: run as a %% statement
	helpCell                  // "?name" or "name?": the documentation, as a pager payload
)

// statementPackages are packages whose calls are run for their effect, not displayed.
var statementPackages = map[string]bool{"fmt": true, "log": true, "os": true, "gonbui": true, "plotting": true, "klog": true}

// gonbPrefix may precede any special command, so that the cell stays valid Go
// for editors: "//gonb:%%" is "%%" (GoNB's goexec.TrimGonbCommentPrefix).
const gonbPrefix = "//gonb:"

// specialCommand returns line as a GoNB special command ("%...", "!...") with
// surrounding blanks and any "//gonb:" prefix removed, and whether it is one.
func specialCommand(line string) (string, bool) {
	l := strings.TrimSpace(line)
	l = strings.TrimPrefix(l, gonbPrefix)
	return l, strings.HasPrefix(l, "%") || strings.HasPrefix(l, "!")
}

// hasSpecialCommand reports whether any line of code is a special command.
func hasSpecialCommand(code string) bool {
	for _, line := range strings.Split(code, "\n") {
		if _, ok := specialCommand(line); ok {
			return true
		}
	}
	return false
}

// classify decides whether code is a lone Go expression.
func classify(code string) cellKind {
	trimmed := strings.TrimSpace(code)
	if trimmed == "" {
		return plainCell
	}
	if hasSpecialCommand(trimmed) {
		return plainCell
	}
	if _, ok := helpTarget(trimmed); ok {
		return helpCell
	}
	fset := token.NewFileSet()
	if _, err := parser.ParseFile(fset, "cell.go", "package main\n"+trimmed, parser.SkipObjectResolution); err == nil {
		return plainCell // declarations
	}
	expr, err := parser.ParseExprFrom(fset, "cell.go", trimmed, parser.SkipObjectResolution)
	if err != nil {
		return plainCell
	}
	if call, ok := expr.(*ast.CallExpr); ok {
		switch fn := call.Fun.(type) {
		case *ast.Ident:
			if fn.Name == "println" || fn.Name == "print" || fn.Name == "panic" {
				return stmtCell
			}
		case *ast.SelectorExpr:
			if x, ok := fn.X.(*ast.Ident); ok && statementPackages[x.Name] {
				return stmtCell
			}
		}
	}
	return exprCell
}

// exprProgram wraps an expression so that the cell program writes its value to path.
func exprProgram(expr, path string) string {
	return "%%\nfunc(vs ...any) { var s string; for i, v := range vs { if i > 0 { s += \" \" }; " +
		"if t, ok := v.(string); ok { s += fmt.Sprintf(\"%q\", t) } else { s += fmt.Sprintf(\"%v\", v) } }; " +
		"_ = os.WriteFile(" + strconv.Quote(path) + ", []byte(s), 0o600) }(" + strings.TrimSpace(expr) + ")\n"
}

// lineOffset is the number of lines the front put before the user's code.
func (st *execState) lineOffset() int {
	if st.kind == exprCell || st.kind == stmtCell {
		return strings.Count(completePrefix, "\n")
	}
	return 0
}

// shellOnly reports whether code holds no Go, only special commands (a shell
// command, %goflags, ...), a cell magic such as %%bash and its body, comments
// and blank lines: then GoNB runs no cell program, and an exit status on stderr
// is a shell command's.
func shellOnly(code string) bool {
	lines := strings.Split(code, "\n")
	if first, ok := specialCommand(lines[0]); ok && strings.HasPrefix(first, "%%") && first != "%%" {
		return cellMagics[strings.Fields(first)[0]]
	}
	special, continued := false, false
	for _, line := range lines {
		t := strings.TrimSpace(line)
		cmd, ok := specialCommand(line)
		switch {
		case continued:
			// the continuation of the previous special command
		case ok && (strings.HasPrefix(cmd, "%%") || strings.HasPrefix(cmd, "%main")):
			return false // Go statements follow
		case ok:
			special = true
		case t == "" || strings.HasPrefix(t, "//"):
		default:
			return false
		}
		continued = strings.HasSuffix(strings.TrimRight(line, " \t"), `\`)
	}
	return special
}
