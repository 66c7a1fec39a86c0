package client_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dl4go/dl4go/internal/gonbtest"
	"github.com/dl4go/dl4go/internal/testkernel"
	"github.com/dl4go/dl4go/kernel/client"
	"github.com/dl4go/dl4go/notebook"
)

// GoNB's own test notebooks (examples/tests/*.ipynb of the pinned GoNB in the
// module cache) run through the dl4go kernel, each cell in order as
// nbconvert --execute does. The executed notebook is written out as text the way
// `jupyter nbconvert --to asciidoc` lays it out (gonbtest.Asciidoc: no Python or
// pandoc needed), and that text must hold the lines GoNB's internal/nbtests
// expects, checked the way nbtests checks them (a sequence of groups; each
// group's lines consecutive). The expectations are restated here, with the few
// differences dl4go makes on purpose noted where they are.
//
// DL4GO_GONB_STOCK=1 runs every notebook through stock GoNB too (the pinned
// gonb binary as the kernel), for comparison.

// gonbCase is one of GoNB's test notebooks and what its output must hold.
type gonbCase struct {
	name string
	// expect returns the groups of lines, in order; env has the notebook's paths.
	expect func(env gonbEnv) [][]string
	// browser, when set, says why the notebook is left to the JupyterLab browser test.
	browser string
	// check, when set, runs after the notebook (files it must have written).
	check func(t *testing.T, env gonbEnv)
	// lost, when set, says why a cell's result shows output that GoNB itself lost (see
	// lostDisplay), "" when it does not; such a cell is run again, a few times at most.
	lost func(env gonbEnv, source string, r *client.Reply) string
}

// gonbEnv is where a notebook runs.
type gonbEnv struct {
	gitRoot     string // GoNB's module directory ($GONB_GIT_ROOT)
	jupyterRoot string // where the stand-in for the Jupyter server runs
	notebookDir string // the notebook's directory, the kernel's working directory
	testDir     string // $TEST_DIR
}

var (
	outLine = gonbtest.OutLine
	inLine  = gonbtest.InLine
)

const sep = gonbtest.Sep

var gonbCases = []gonbCase{
	{name: "hello", expect: func(gonbEnv) [][]string {
		return [][]string{
			{outLine(2), sep, "Hello World!", sep},
			{outLine(3), sep, "Works with //gonb:", sep},
			{outLine(4), sep, "%exec worked for x=17", sep},
		}
	}},
	{name: "functions", expect: func(gonbEnv) [][]string {
		return [][]string{{outLine(3), sep, "incr: x=2, y=4.14", sep}}
	}},
	{name: "init", expect: func(gonbEnv) [][]string {
		return [][]string{
			{outLine(2), sep, "init_a", sep},
			{outLine(3), sep, "init_a", "init_b", sep},
			{outLine(4), sep, "init: v0", "init_a", "init_b", sep},
			{outLine(5), sep, "init: v1", "init_a", "init_b", sep},
			{outLine(6), sep, "removed func init_a", "removed func init_b", sep},
			{outLine(7), sep, "init: v1", "Done", sep},
		}
	}},
	{name: "gowork", expect: func(gonbEnv) [][]string {
		return [][]string{
			{outLine(5), sep, `Added replace rule for module "a.com/a/pkg" to local directory`, sep},
			// Deliberate: GoNB's go.mod holds only the module and go lines before the
			// replace rule; dl4go's also requires the checkout and its pinned modules
			// (cells import them offline), so the replace rule comes later.
			{outLine(6), sep, "module gonb_"},
			{"replace a.com/a/pkg => TMP_PKG"},
			{outLine(7), sep, "List of files/directories being tracked", "", "/tmp/gonb_tests_gowork_", sep},
			{outLine(9), sep, `Untracked "/tmp/gonb_tests_gowork_..."`, "", "No files or directory being tracked yet", sep},
		}
	}},
	{name: "goflags", expect: func(gonbEnv) [][]string {
		return [][]string{
			{outLine(1), sep, `%goflags=["-cover"]`, sep},
			{outLine(2), sep, `%goflags=["-cover"]`, sep},
			{outLine(3), sep, "%goflags=[]", sep},
			{outLine(7), sep, "A\t\t100.0%", "B\t\t0.0%"},
			{outLine(8), sep, "State reset: all memorized declarations discarded", sep},
			{outLine(10), sep},
			{"can inline (*Point).ManhattanLen"},
			{"p does not escape"},
		}
	}},
	{name: "gotest", expect: func(gonbEnv) [][]string {
		return [][]string{
			{outLine(2), sep, "55", "2178309", "2178309", sep},
			{outLine(3), sep, "RUN   TestA", "Testing A", "PASS: TestA", "PASS"},
			{outLine(4), sep}, {"TestA"}, {inLine(5)},
			{outLine(5), sep, "RUN   TestA", "Testing A", "PASS: TestA", "PASS"},
			{outLine(6), sep, "RUN   TestAB", "Testing AB", "PASS: TestAB", "RUN   TestB", "Testing B", "PASS: TestB", "PASS"},
			{outLine(7), sep, "Testing A", "Testing AB", "Testing B", "PASS"},
			{outLine(8), sep}, {"BenchmarkFibonacciA32"}, {"BenchmarkFibonacciB32"}, {"PASS"},
		}
	}},
	{name: "bash_script", expect: func(e gonbEnv) [][]string {
		return [][]string{
			{outLine(1), sep, "hello", sep},
			{outLine(2), sep, "/gonb_", sep},
			{outLine(3), sep, e.notebookDir, "/gonb_", e.jupyterRoot, e.gitRoot, sep},
		}
	}},
	{name: "gonbui", expect: func(gonbEnv) [][]string {
		return [][]string{
			{outLine(2), sep, "ok", sep},
			{outLine(3), sep, "Added replace rule for module", sep},
			{outLine(4), sep, "html displayed", sep},
		}
	}, lost: lostDisplay},
	{name: "vartuple", expect: func(gonbEnv) [][]string {
		return [][]string{
			{outLine(1), sep, "a=3, c=7", sep},
			{outLine(2), sep}, {"== Variables"}, {"a"}, {"c"}, {"== Functions"},
			{outLine(3), sep, "c=1.5", sep},
			{outLine(4), sep, `. key "a" not found in any definition, not removed`, sep},
		}
	}},
	{name: "capture", expect: func(gonbEnv) [][]string {
		return [][]string{
			{outLine(2), sep, "Ping", sep},
			{outLine(4), sep, "Ping", "Pong", sep},
			{outLine(6), sep, "Ping", "Pong", sep},
			{outLine(8), sep, "# Ping", "# Pong", sep},
		}
	}, lost: lostCapture},
	{name: "writefile", expect: func(e gonbEnv) [][]string {
		return [][]string{
			{outLine(1), sep, fmt.Sprintf(`Cell contents written to "%s/poetry.txt".`, e.testDir), sep},
			{outLine(2), sep, fmt.Sprintf(`Cell contents appended to "%s/poetry.txt".`, e.testDir), sep},
		}
	}, check: func(t *testing.T, e gonbEnv) {
		got, err := os.ReadFile(filepath.Join(e.testDir, "poetry.txt"))
		want := "Um trem-de-ferro é uma coisa mecânica,\nmas atravessa a noite, a madrugada, o dia,\natravessou minha vida,\nvirou só sentimento.\n\nAdélia Prado\n"
		if err != nil || string(got) != want {
			t.Errorf("poetry.txt: %q (%v), want %q", got, err, want)
		}
	}},
	{name: "script", expect: func(gonbEnv) [][]string {
		return [][]string{
			{outLine(1), sep, "1 : a", "2 : b", "3 : c", sep},
			{outLine(2), sep, "18", sep},
			{outLine(3), sep, "19", sep},
			{outLine(4), sep, "", "can only appear at the start", "", sep},
		}
	}},
	{name: "wasm", expect: func(e gonbEnv) [][]string {
		// GoNB's own TestWasm is disabled (nbconvert runs no JavaScript); this checks
		// what it meant to: the directories, and the compiled program next to the
		// wasm_exec.js copied from Go (see check). Its expected block ended after
		// the three lines, before the notebook's first cell also got %goflags.
		return [][]string{
			{outLine(1), sep, e.jupyterRoot, e.jupyterRoot + "/jupyter_files/", "/files/jupyter_files/", `%goflags=["--cover" "--covermode=set"]`, sep},
		}
	}, check: func(t *testing.T, e gonbEnv) {
		dirs, _ := filepath.Glob(filepath.Join(e.jupyterRoot, "jupyter_files", "*"))
		if len(dirs) != 1 {
			t.Fatalf("jupyter_files holds %v, want one directory", dirs)
		}
		for _, f := range []string{"wasm_exec.js", "gonb_cell.wasm"} {
			if _, err := os.Stat(filepath.Join(dirs[0], f)); err != nil {
				t.Errorf("%%wasm did not write %s: %v", f, err)
			}
		}
	}},
}

// GoNB's browser test notebooks run in JupyterLab (internal/browser, TestLabGoNBNotebooks),
// with the expectations in gonbtest.Browser; here they are listed, skipped, with the reason.
func init() {
	for _, b := range gonbtest.Browser {
		gonbCases = append(gonbCases, gonbCase{name: b.Name, browser: b.Why})
	}
}

// maxLostAttempts bounds the runs of a cell whose output GoNB lost. Measured at load 19–30 on
// 2 cores: dl4go lost it in 8 of 32 runs of such a cell (5 of 12 at load 19 with CPU burners),
// stock GoNB in 3 of 32; eight runs all losing it (under 0.1% at 40% each) is a real bug.
const maxLostAttempts = 8

// lostDisplay says why a cell's display data is missing, "" when it is not: a cell whose
// program ends right after gonbui.DisplayHTML/DisplayMarkdown without gonbui.Sync (GoNB's test
// notebooks have none) may come back without its display_data. That is GoNB's race, not the
// front's: the program's display data goes through the $GONB_PIPE named pipe, which GoNB
// reads in its own goroutine (internal/jpyexec/namedpipes.go:170, pollNamedPipeReader), but
// Exec waits only for stdout, stderr and the process (jpyexec.go:279–280), then its deferred
// done() (jpyexec.go:189) closes the pipe reader (namedpipes.go:162–163), dropping what was
// not read yet. gonbui's package doc says it: "defer gonbui.Sync()" in main "guarantees that
// no in-transit display content get left behind". A cell that prints with fmt (stdout) is
// never lost, so only such display cells are run again. Seen in the gonbui notebook's
// DisplayHTML cell on a clean-clone CI run (stop 51).
func lostDisplay(_ gonbEnv, source string, r *client.Reply) string {
	if !strings.Contains(source, "gonbui.Display") || strings.Contains(source, "gonbui.Sync") {
		return ""
	}
	for _, o := range r.Outputs {
		if o.OutputType == notebook.DisplayData {
			return ""
		}
	}
	return "GoNB lost the program's display data (no display_data output)"
}

// lostCapture is the capture notebook's lost: in a "%capture FILE" cell the race of
// lostDisplay may also leave FILE empty, since PostExecuteCell (goexec/execcode.go:78,
// 143–149) closes the capture file before a late dispatchDisplayData writes it
// (namedpipes.go:286–289). The "!cat" cell after the display cells then checks the file's
// content as GoNB's test does.
func lostCapture(e gonbEnv, source string, r *client.Reply) string {
	first := firstLine(source)
	if !strings.HasPrefix(first, "%capture ") || !strings.Contains(source, "gonbui.Display") || strings.Contains(source, "gonbui.Sync") {
		return ""
	}
	file := strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(first, "%capture "), "-a "))
	file = strings.ReplaceAll(file, "${TEST_DIR}", e.testDir+"/")
	b, err := os.ReadFile(file)
	switch {
	case err != nil:
		return fmt.Sprintf("GoNB did not write the %%capture file: %v", err)
	case len(b) == 0 && lostDisplay(e, source, r) != "":
		return "GoNB lost the program's display data (no display_data output, the %capture file empty)"
	case len(b) == 0:
		return "GoNB wrote the display data after it closed the %capture file (the file is empty)"
	}
	return ""
}

func loadavg() string {
	b, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "load ?"
	}
	return "load " + strings.Join(f[:3], " ")
}

// gonbKernel says how to start one kernel for the suite.
type gonbKernel struct {
	name string
	argv []string
	env  []string
}

func TestGoNBNotebooks(t *testing.T) {
	gitRoot, err := gonbtest.ModuleDir()
	if err != nil {
		t.Fatal(err)
	}
	in, _ := testkernel.Install(t)
	kernels := []gonbKernel{{name: "dl4go", argv: in.Spec.Argv, env: specEnv(in.Spec.Env)}}
	if os.Getenv("DL4GO_GONB_STOCK") == "1" {
		modcache, _ := exec.Command("go", "env", "GOMODCACHE").Output()
		kernels = append(kernels, gonbKernel{name: "stock GoNB",
			argv: []string{filepath.Join(in.BinDir(), "gonb"), "--kernel", "{connection_file}"},
			env: []string{"PATH=" + in.BinDir() + string(os.PathListSeparator) + os.Getenv("PATH"),
				"GOPROXY=file://" + strings.TrimSpace(string(modcache)) + "/cache/download,https://proxy.golang.org,direct"}})
	}
	for _, k := range kernels {
		for _, nc := range gonbCases {
			t.Run(k.name+"/"+nc.name, func(t *testing.T) {
				if nc.browser != "" {
					t.Skipf("needs a browser (%s): internal/browser's TestLabGoNBNotebooks runs it in JupyterLab", nc.browser)
				}
				runGoNBNotebook(t, k, nc, gitRoot)
			})
		}
	}
}

func specEnv(m map[string]string) []string {
	var env []string
	for k, v := range m {
		env = append(env, k+"="+v)
	}
	return env
}

// runGoNBNotebook executes one notebook with kernel k and checks its asciidoc text.
func runGoNBNotebook(t *testing.T, k gonbKernel, nc gonbCase, gitRoot string) {
	src := filepath.Join(gitRoot, "examples", "tests", nc.name+".ipynb")
	nb, err := notebook.Read(src)
	if err != nil {
		t.Fatal(err)
	}
	e := gonbEnv{gitRoot: gitRoot, jupyterRoot: t.TempDir(), testDir: t.TempDir()}
	e.notebookDir = filepath.Join(e.jupyterRoot, "examples", "tests")
	if err := os.MkdirAll(e.notebookDir, 0o755); err != nil {
		t.Fatal(err)
	}
	// The Jupyter server GoNB looks for ($JPY_PARENT_PID's working directory).
	server := exec.Command("sleep", "3600")
	server.Dir = e.jupyterRoot
	if err := server.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { server.Process.Kill(); server.Wait() }()
	env := append(os.Environ(), k.env...)
	env = append(env, "GONB_GIT_ROOT="+gitRoot, "TEST_DIR="+e.testDir+"/", "GOCOVERDIR="+t.TempDir(),
		fmt.Sprintf("JPY_PARENT_PID=%d", server.Process.Pid))
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	kern, err := client.Start(ctx, client.Options{Argv: k.argv, Env: env, Dir: e.notebookDir})
	if err != nil {
		t.Fatalf("start %s: %v", k.name, err)
	}
	defer kern.Shutdown()
	start := time.Now()
	reruns := 0
	for _, c := range nb.Cells {
		if c.CellType != notebook.Code {
			continue
		}
		var r *client.Reply
		for attempt := 1; ; attempt++ {
			cctx, ccancel := context.WithTimeout(context.Background(), 3*time.Minute)
			r, err = kern.Execute(cctx, c.Source)
			ccancel()
			if err != nil {
				t.Fatalf("cell %q: %v", firstLine(c.Source), err)
			}
			why := ""
			if nc.lost != nil {
				why = nc.lost(e, c.Source, r)
			}
			if why == "" || attempt == maxLostAttempts {
				break
			}
			// The notebook's cell numbers stay those of one run per cell, as GoNB's expectations have them.
			reruns++
			t.Logf("%s, cell %q (attempt %d, %s): %s; running it again", k.name, firstLine(c.Source), attempt, loadavg(), why)
		}
		count := r.ExecutionCount - reruns
		c.ExecutionCount, c.Outputs = &count, r.Outputs
	}
	t.Logf("%s ran %s in %v", k.name, nc.name, time.Since(start).Round(100*time.Millisecond))
	lines := gonbtest.Asciidoc(nb)
	text := strings.Join(lines, "\n")
	if err := gonbtest.MatchSequence(lines, nc.expect(e)); err != nil {
		t.Errorf("%v\n--- asciidoc ---\n%s", err, text)
	}
	if nc.check != nil {
		nc.check(t, e)
	}
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}

// GoMLX's own tutorial (examples/tutorial/tutorial.ipynb of the pinned GoMLX)
// runs offline on dl4go's backend, which the kernel registers in every cell
// program that imports GoMLX and makes GoMLX's default when $GOMLX_BACKEND is
// unset and no XLA plugin is installed. Two cells are changed: the first, the
// author's `go work use . ~/Projects/gomlx`, is left out, and the line
// `%env GOMLX_BACKEND=xla:cpu` pinning XLA (whose plugin it would download) is
// removed. Every cell must then succeed except the one that shows an error on
// purpose (mixing float64 and int64).
func TestGoMLXTutorial(t *testing.T) {
	dir, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/gomlx/gomlx").Output()
	if err != nil {
		t.Fatalf("find the pinned GoMLX module: %v", err)
	}
	nb, err := notebook.Read(filepath.Join(strings.TrimSpace(string(dir)), "examples", "tutorial", "tutorial.ipynb"))
	if err != nil {
		t.Fatal(err)
	}
	var cells []string
	for _, c := range nb.Cells {
		if c.CellType != notebook.Code {
			continue
		}
		if strings.Contains(c.Source, "go work use") {
			continue
		}
		cells = append(cells, strings.ReplaceAll(c.Source, "%env GOMLX_BACKEND=xla:cpu\n", ""))
	}
	cells = append(cells, "%%\nfmt.Println(backend.String())")
	in, _ := testkernel.Install(t)
	env := append(os.Environ(), specEnv(in.Spec.Env)...)
	env = append(unsetEnv(env, "GOMLX_BACKEND"), "PJRT_PLUGIN_LIBRARY_PATH="+t.TempDir()) // no XLA plugin
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	kern, err := client.Start(ctx, client.Options{Argv: in.Spec.Argv, Env: env, Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer kern.Shutdown()
	var last string
	for i, code := range cells {
		cctx, ccancel := context.WithTimeout(context.Background(), 5*time.Minute)
		r, err := kern.Execute(cctx, code)
		ccancel()
		if err != nil {
			t.Fatalf("cell %d (%s): %v", i+1, firstLine(code), err)
		}
		deliberate := strings.Contains(code, "Error: arguments have different dtypes")
		if (r.Status == "error") != deliberate {
			t.Errorf("cell %d (%s): status %s %s: %s", i+1, firstLine(code), r.Status, r.Ename, r.Evalue)
		}
		t.Logf("cell %d (%s): %s in %v", i+1, firstLine(code), r.Status, r.Duration.Round(100*time.Millisecond))
		last = textOf(r)
	}
	if strings.TrimSpace(last) != "dl4go" {
		t.Errorf("the tutorial ran on %q, want dl4go", last)
	}
}

// textOf is a reply's stdout and text/plain outputs.
func textOf(r *client.Reply) string {
	var b strings.Builder
	for _, o := range r.Outputs {
		switch {
		case o.OutputType == notebook.Stream && o.Name == "stdout":
			b.WriteString(o.Text)
		case o.Data != nil:
			if p, ok := o.Data["text/plain"].(string); ok {
				b.WriteString(p)
			}
		}
	}
	return b.String()
}

func unsetEnv(env []string, name string) []string {
	var out []string
	for _, e := range env {
		if !strings.HasPrefix(e, name+"=") {
			out = append(out, e)
		}
	}
	return out
}

// %wasm works without Jupyter (as under dl4go run: no $JPY_PARENT_PID) and
// under Go 1.24 and later (wasm_exec.js moved from misc/wasm to lib/wasm).
func TestWasmWithoutJupyter(t *testing.T) {
	in, _ := testkernel.Install(t)
	env := unsetEnv(append(os.Environ(), specEnv(in.Spec.Env)...), "JPY_PARENT_PID")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	kern, err := client.Start(ctx, client.Options{Argv: in.Spec.Argv, Env: env, Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer kern.Shutdown()
	r := execute(t, kern, "%wasm\n%%\nfmt.Println(\"in the browser\")")
	if r.Status != "ok" || len(errorOutputs(r)) != 0 {
		t.Fatalf("%%wasm: %s %s: %s", r.Status, r.Ename, r.Evalue)
	}
	r = execute(t, kern, "!ls \"$GONB_WASM_DIR\"")
	if out := stdout(r); !strings.Contains(out, "wasm_exec.js") || !strings.Contains(out, "gonb_cell.wasm") {
		t.Errorf("$GONB_WASM_DIR holds %q, want wasm_exec.js and gonb_cell.wasm", out)
	}
}
