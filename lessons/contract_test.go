package lessons_test

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/dl4go/dl4go/lessons"
)

// lessonDirs returns the lesson packages: the folders below lessons/ holding non-test Go files.
func lessonDirs(t *testing.T) []string {
	t.Helper()
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	var dirs []string
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		files, _ := filepath.Glob(filepath.Join(e.Name(), "*.go"))
		for _, f := range files {
			if !strings.HasSuffix(f, "_test.go") {
				dirs = append(dirs, e.Name())
				break
			}
		}
	}
	if len(dirs) < 2 {
		t.Fatalf("found %d lesson packages below lessons/: %v", len(dirs), dirs)
	}
	return dirs
}

// parsed is a lesson package's syntax: its non-test and its test files.
type parsed struct {
	src, tests []*ast.File
}

func parseLesson(t *testing.T, dir string) parsed {
	t.Helper()
	fset := token.NewFileSet()
	files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
	var p parsed
	for _, f := range files {
		file, err := parser.ParseFile(fset, f, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(f, "_test.go") {
			p.tests = append(p.tests, file)
		} else {
			p.src = append(p.src, file)
		}
	}
	return p
}

// typeString renders a type expression: "Config", "*Outcome", "lessons.Result".
func typeString(e ast.Expr) string {
	switch x := e.(type) {
	case *ast.Ident:
		return x.Name
	case *ast.StarExpr:
		return "*" + typeString(x.X)
	case *ast.SelectorExpr:
		return typeString(x.X) + "." + x.Sel.Name
	}
	return "?"
}

func fieldTypes(fl *ast.FieldList) []string {
	var out []string
	if fl == nil {
		return out
	}
	for _, f := range fl.List {
		n := max(1, len(f.Names))
		for range n {
			out = append(out, typeString(f.Type))
		}
	}
	return out
}

// signatures maps each top-level function and method of the package to "(params) (results)";
// methods are keyed "Recv.Name" with the receiver's base type.
func signatures(files []*ast.File) map[string]string {
	sigs := map[string]string{}
	for _, f := range files {
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok {
				continue
			}
			name := fn.Name.Name
			if fn.Recv != nil {
				name = strings.TrimPrefix(typeString(fn.Recv.List[0].Type), "*") + "." + name
			}
			sigs[name] = "(" + strings.Join(fieldTypes(fn.Type.Params), ", ") + ") (" + strings.Join(fieldTypes(fn.Type.Results), ", ") + ")"
		}
	}
	return sigs
}

// TestLessonContract checks, for every lesson package, the contract of docs/lessons.md: an
// exported Lesson (a lessons.Lesson), a Config embedding lessons.Options, Full/Quick/Size
// returning it, Run(cfg Config) (*Outcome, error), (*Outcome).Result() lessons.Result, and a
// full-size test TestFullOutcome behind lessons.SkipUnlessFull; and that lessonsByName (the table
// the key tests use) has every lesson.
func TestLessonContract(t *testing.T) {
	for _, dir := range lessonDirs(t) {
		t.Run(dir, func(t *testing.T) {
			p := parseLesson(t, dir)
			sigs := signatures(p.src)
			for name, want := range map[string]string{
				"Full": "() (Config)", "Quick": "() (Config)", "Size": "() (Config)",
				"Run": "(Config) (*Outcome, error)", "Outcome.Result": "() (lessons.Result)",
			} {
				if got, ok := sigs[name]; !ok {
					t.Errorf("lessons/%s has no %s %s", dir, name, want)
				} else if got != want {
					t.Errorf("lessons/%s: %s is %s, want %s", dir, name, got, want)
				}
			}
			var lessonVar, embedsOptions bool
			for _, f := range p.src {
				ast.Inspect(f, func(n ast.Node) bool {
					switch x := n.(type) {
					case *ast.ValueSpec:
						for i, id := range x.Names {
							if id.Name == "Lesson" && i < len(x.Values) {
								if cl, ok := x.Values[i].(*ast.CompositeLit); ok && typeString(cl.Type) == "lessons.Lesson" {
									lessonVar = true
								}
							}
						}
					case *ast.TypeSpec:
						if st, ok := x.Type.(*ast.StructType); ok && x.Name.Name == "Config" {
							for _, fld := range st.Fields.List {
								if len(fld.Names) == 0 && typeString(fld.Type) == "lessons.Options" {
									embedsOptions = true
								}
							}
						}
					}
					return true
				})
			}
			if !lessonVar {
				t.Errorf(`lessons/%s declares no "var Lesson = lessons.Lesson{...}"`, dir)
			}
			if !embedsOptions {
				t.Errorf("lessons/%s: Config does not embed lessons.Options", dir)
			}
			full := false
			for _, f := range p.tests {
				for _, d := range f.Decls {
					if fn, ok := d.(*ast.FuncDecl); ok && fn.Name.Name == "TestFullOutcome" {
						ast.Inspect(fn.Body, func(n ast.Node) bool {
							if sel, ok := n.(*ast.SelectorExpr); ok && typeString(sel) == "lessons.SkipUnlessFull" {
								full = true
							}
							return true
						})
					}
				}
			}
			if !full {
				t.Errorf("lessons/%s has no full-size test: func TestFullOutcome(t *testing.T) { lessons.SkipUnlessFull(t); ... }", dir)
			}
			if _, ok := lessonsByName[dir]; !ok {
				t.Errorf("lessons/%s is missing from lessonsByName in lessons/keys_test.go", dir)
			}
		})
	}
}

// TestLessonIDsMatchNotebooks checks that each notebook's dl4go metadata names a lesson package
// whose Lesson.ID is the notebook's id, so that the RESULT line a notebook prints carries its id.
func TestLessonIDsMatchNotebooks(t *testing.T) {
	nbs, err := filepath.Glob(filepath.Join("..", "notebooks", "*.ipynb"))
	if err != nil || len(nbs) == 0 {
		t.Fatalf("no notebooks found: %v", err)
	}
	for _, nb := range nbs {
		data, err := os.ReadFile(nb)
		if err != nil {
			t.Fatal(err)
		}
		var meta struct {
			Metadata struct {
				DL4Go struct{ ID, Package string } `json:"dl4go"`
			} `json:"metadata"`
		}
		if err := json.Unmarshal(data, &meta); err != nil {
			t.Fatalf("%s: %v", nb, err)
		}
		m := meta.Metadata.DL4Go
		name, ok := strings.CutPrefix(m.Package, "lessons/")
		if !ok {
			continue
		}
		e, ok := lessonsByName[name]
		switch {
		case !ok:
			t.Errorf("%s names the package %s, which is not a lesson in lessonsByName", nb, m.Package)
		case e.lesson.ID != m.ID:
			t.Errorf("%s has id %q but %s.Lesson.ID is %q", nb, m.ID, name, e.lesson.ID)
		case e.lesson.Name != name:
			t.Errorf("%s.Lesson.Name is %q, want its folder name %q", name, e.lesson.Name, name)
		}
	}
}

// TestKeyCoversEverySetting perturbs every exported setting of every lesson's Quick
// configuration, one at a time, and checks that the run's key changes — so that no run with
// another setting resumes or replays this one (DCGAN's Steps, AlphaGo's Komi, ...) — while the
// Options (Quiet, CacheDir) leave it alone.
func TestKeyCoversEverySetting(t *testing.T) {
	for name, e := range lessonsByName {
		t.Run(name, func(t *testing.T) {
			base, err := e.lesson.Key(e.quick)
			if err != nil {
				t.Fatal(err)
			}
			v := reflect.ValueOf(e.quick)
			var walk func(path string, get func(reflect.Value) reflect.Value, typ reflect.Type)
			check := func(path string, get func(reflect.Value) reflect.Value) {
				c := reflect.New(v.Type()).Elem()
				c.Set(v)
				f := get(c)
				if !perturb(f) {
					t.Errorf("%s: cannot perturb %s (%s): extend perturb in lessons/contract_test.go", name, path, f.Type())
					return
				}
				k, err := e.lesson.Key(c.Interface().(lessons.Settings))
				if err != nil {
					t.Fatal(err)
				}
				if k == base {
					t.Errorf("%s: changing %s does not change the run's key: a run with another %s would resume or replay this one", name, path, path)
				}
			}
			walk = func(path string, get func(reflect.Value) reflect.Value, typ reflect.Type) {
				for i := range typ.NumField() {
					sf := typ.Field(i)
					if !sf.IsExported() {
						continue
					}
					p := path + "." + sf.Name
					i := i
					g := func(c reflect.Value) reflect.Value { return get(c).Field(i) }
					if sf.Anonymous && sf.Type == reflect.TypeOf(lessons.Options{}) {
						c := reflect.New(v.Type()).Elem()
						c.Set(v)
						opts := g(c)
						opts.Set(reflect.ValueOf(lessons.Options{Quiet: true, CacheDir: "/somewhere"}))
						k, err := e.lesson.Key(c.Interface().(lessons.Settings))
						if err != nil {
							t.Fatal(err)
						}
						if k != base {
							t.Errorf("%s: Options change the run's key", name)
						}
						continue
					}
					if tag := sf.Tag.Get("json"); tag == "-" {
						t.Errorf("%s: %s is left out of the run's key (json:\"-\"): only lessons.Options may be", name, p)
						continue
					}
					if sf.Type.Kind() == reflect.Struct {
						walk(p, g, sf.Type)
						continue
					}
					check(p, g)
				}
			}
			walk("Config", func(c reflect.Value) reflect.Value { return c }, v.Type())
		})
	}
}

// perturb changes v in place to another value of its type; false for kinds it cannot change.
func perturb(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Bool:
		v.SetBool(!v.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(v.Int() + 1)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(v.Uint() + 1)
	case reflect.Float32, reflect.Float64:
		v.SetFloat(v.Float()*1.5 + 1)
	case reflect.String:
		v.SetString(v.String() + "x")
	case reflect.Slice:
		n := reflect.MakeSlice(v.Type(), v.Len()+1, v.Len()+1)
		reflect.Copy(n, v)
		if !perturb(n.Index(v.Len())) && n.Index(v.Len()).Kind() != reflect.Struct {
			return false
		}
		v.Set(n)
	case reflect.Map:
		if v.Type().Key().Kind() != reflect.String {
			return false
		}
		n := reflect.MakeMap(v.Type())
		for _, k := range v.MapKeys() {
			n.SetMapIndex(k, v.MapIndex(k))
		}
		n.SetMapIndex(reflect.ValueOf("perturbed"+strconv.Itoa(v.Len())).Convert(v.Type().Key()), reflect.Zero(v.Type().Elem()))
		v.Set(n)
	case reflect.Pointer:
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
			return true
		}
		return perturb(v.Elem())
	default:
		return false
	}
	return true
}
