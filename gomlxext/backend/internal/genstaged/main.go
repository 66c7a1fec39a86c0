// Command genstaged writes staged_ops.go: for every method of GoMLX's
// backends.StandardOps and CollectiveOps (except the handwritten Dot and
// DotGeneral), a method of the staged builder that records the call for
// replay and runs it on the current stage. Run it with go generate in
// gomlxext/backend.
package main

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/printer"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

func typeStr(fset *token.FileSet, e ast.Expr) string {
	var b bytes.Buffer
	printer.Fprint(&b, fset, e)
	s := strings.ReplaceAll(b.String(), "...", "@")
	// qualify backends types
	for _, t := range []string{"Op", "ConvolveAxesConfig", "PadAxis", "FFTType", "ReduceOpType", "ShardingSpec", "Mesh"} {
		s = qualify(s, t)
	}
	return strings.ReplaceAll(s, "@", "...")
}

func qualify(s, t string) string {
	var out strings.Builder
	for i := 0; i < len(s); {
		if strings.HasPrefix(s[i:], t) && (i == 0 || !isIdent(s[i-1])) && (i+len(t) == len(s) || !isIdent(s[i+len(t)])) {
			out.WriteString("backends." + t)
			i += len(t)
			continue
		}
		out.WriteByte(s[i])
		i++
	}
	return out.String()
}

func isIdent(c byte) bool {
	return c == '_' || c == '.' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
}

func main() {
	fset := token.NewFileSet()
	var out bytes.Buffer
	out.WriteString("// Code generated from GoMLX v0.26.0 backends.StandardOps and CollectiveOps; DO NOT EDIT.\n\npackage backend\n\nimport (\n\t\"github.com/gomlx/gomlx/backends\"\n\t\"github.com/gomlx/gomlx/pkg/core/dtypes\"\n\t\"github.com/gomlx/gomlx/pkg/core/shapes\"\n)\n\nvar _ dtypes.DType\nvar _ shapes.Shape\n")
	dir, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/gomlx/gomlx").Output()
	if err != nil {
		fmt.Fprintln(os.Stderr, "genstaged: locate GoMLX:", err)
		os.Exit(1)
	}
	root := strings.TrimSpace(string(dir))
	files := []string{filepath.Join(root, "backends", "standard_ops.go"), filepath.Join(root, "backends", "collectiveops.go")}
	for _, file := range files {
		f, err := parser.ParseFile(fset, file, nil, 0)
		if err != nil {
			panic(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			ts, ok := n.(*ast.TypeSpec)
			if !ok {
				return true
			}
			it, ok := ts.Type.(*ast.InterfaceType)
			if !ok || (ts.Name.Name != "StandardOps" && ts.Name.Name != "CollectiveOps") {
				return true
			}
			for _, m := range it.Methods.List {
				ft, ok := m.Type.(*ast.FuncType)
				if !ok {
					continue
				}
				name := m.Names[0].Name
				if name == "DotGeneral" || name == "Dot" {
					continue // handwritten
				}
				var params, callArgs, opExprs []string
				nOps := 0
				for _, p := range ft.Params.List {
					t := typeStr(fset, p.Type)
					for _, pn := range p.Names {
						params = append(params, pn.Name+" "+t)
						switch t {
						case "backends.Op":
							callArgs = append(callArgs, fmt.Sprintf("in[%s]", offsetExpr(nOps, opExprs)))
							opExprs = append(opExprs, "[]backends.Op{"+pn.Name+"}")
							nOps++
						case "[]backends.Op", "...backends.Op":
							opExprs = append(opExprs, pn.Name)
							sl := fmt.Sprintf("in[%s:%s]", offsetExpr(nOps, opExprs[:len(opExprs)-1]), offsetExpr(nOps, opExprs))
							if t == "...backends.Op" {
								sl += "..."
							}
							callArgs = append(callArgs, sl)
						default:
							if strings.HasPrefix(t, "...") {
								callArgs = append(callArgs, pn.Name+"...")
							} else {
								callArgs = append(callArgs, pn.Name)
							}
						}
					}
				}
				var results []string
				for _, r := range ft.Results.List {
					t := typeStr(fset, r.Type)
					cnt := len(r.Names)
					if cnt == 0 {
						cnt = 1
					}
					for range cnt {
						results = append(results, t)
					}
				}
				nRes := len(results) - 1 // last is error
				var rs []string
				for i := range results {
					rs = append(rs, fmt.Sprintf("r%d", i))
				}
				fmt.Fprintf(&out, "\n// %s implements backends.Builder on the current stage.\nfunc (s *staged) %s(%s) (%s) {\n", name, name, strings.Join(params, ", "), strings.Join(results, ", "))
				fmt.Fprintf(&out, "\touts, err := s.record(func(b backends.Builder, in []backends.Op) ([]backends.Op, error) {\n")
				fmt.Fprintf(&out, "\t\t%s := b.%s(%s)\n", strings.Join(rs, ", "), name, strings.Join(callArgs, ", "))
				if results[0] == "[]backends.Op" {
					fmt.Fprintf(&out, "\t\treturn r0, r1\n")
				} else {
					fmt.Fprintf(&out, "\t\treturn []backends.Op{%s}, r%d\n", strings.Join(rs[:nRes], ", "), nRes)
				}
				fmt.Fprintf(&out, "\t}, %s)\n", concatExpr(opExprs))
				if results[0] == "[]backends.Op" {
					fmt.Fprintf(&out, "\treturn outs, err\n}\n")
				} else {
					var rets []string
					for i := range nRes {
						rets = append(rets, fmt.Sprintf("s.at(outs, %d)", i))
					}
					fmt.Fprintf(&out, "\treturn %s, err\n}\n", strings.Join(rets, ", "))
				}
			}
			return false
		})
	}
	src, err := format.Source(out.Bytes())
	if err != nil {
		fmt.Fprintln(os.Stderr, "genstaged: format:", err)
		os.Exit(1)
	}
	if err := os.WriteFile("staged_ops.go", src, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "genstaged:", err)
		os.Exit(1)
	}
}

// offsetExpr returns the Go expression for the number of ops before position n.
func offsetExpr(_ int, exprs []string) string {
	if len(exprs) == 0 {
		return "0"
	}
	var parts []string
	single := 0
	for _, e := range exprs {
		if strings.HasPrefix(e, "[]backends.Op{") {
			single++
			continue
		}
		parts = append(parts, "len("+e+")")
	}
	if single > 0 || len(parts) == 0 {
		parts = append([]string{fmt.Sprint(single)}, parts...)
	}
	return strings.Join(parts, "+")
}

func concatExpr(exprs []string) string {
	if len(exprs) == 0 {
		return "nil"
	}
	return "concatOps(" + strings.Join(exprs, ", ") + ")"
}
