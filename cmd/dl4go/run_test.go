package main

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dl4go/dl4go/gomlxext"
	"github.com/dl4go/dl4go/internal/testkernel"
	"github.com/dl4go/dl4go/notebook"
)

func TestMain(m *testing.M) {
	code := m.Run()
	testkernel.Cleanup()
	os.Exit(code)
}

// capture runs the CLI with args and returns its exit status and stderr.
func capture(t *testing.T, args ...string) (int, string) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	saved := os.Stderr
	os.Stderr = w
	done := make(chan string)
	go func() {
		var b bytes.Buffer
		io.Copy(&b, r)
		done <- b.String()
	}()
	status := dispatch(args)
	os.Stderr = saved
	w.Close()
	return status, <-done
}

// useTestKernel points the CLI at a kernel installed in a temporary Jupyter data dir.
func useTestKernel(t *testing.T) {
	t.Helper()
	_, dataDir := testkernel.Install(t)
	t.Setenv("JUPYTER_DATA_DIR", dataDir)
	t.Setenv("JUPYTER_PATH", "")
}

func writeNotebook(t *testing.T, dir, name string, lesson bool, sources ...string) string {
	t.Helper()
	nb := &notebook.Notebook{NBFormat: 4, NBFormatMinor: 5, Metadata: map[string]any{
		"kernelspec": map[string]any{"name": "dl4go", "display_name": "Go (dl4go)", "language": "go"},
	}}
	if lesson {
		nb.Metadata["dl4go"] = map[string]any{"id": "99", "title": "Test lesson", "package": "lessons/test"}
	}
	for _, s := range sources {
		nb.Cells = append(nb.Cells, &notebook.Cell{CellType: notebook.Code, Source: s, Metadata: map[string]any{}})
	}
	nb.EnsureIDs()
	path := filepath.Join(dir, name)
	if err := nb.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestRunWelcome(t *testing.T) {
	useTestKernel(t)
	out := t.TempDir()
	src := filepath.Join("..", "..", "notebooks", "00-welcome.ipynb")
	before, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	status, stderr := capture(t, "run", "--out", out, "00")
	if status != 0 {
		t.Fatalf("dl4go run 00: exit %d\n%s", status, stderr)
	}
	if !strings.Contains(stderr, "00-welcome       cell  1/") {
		t.Errorf("no progress line per cell in:\n%s", stderr)
	}
	executed := filepath.Join(out, "00-welcome.ipynb")
	nb, err := notebook.Read(executed)
	if err != nil {
		t.Fatal(err)
	}
	if !nb.Executed() {
		t.Errorf("%s has no outputs", executed)
	}
	if _, ok := nb.Run(); !ok {
		t.Errorf("%s has no dl4go_run metadata", executed)
	}
	if page, err := os.ReadFile(filepath.Join(out, "00-welcome.html")); err != nil || !bytes.Contains(page, []byte("Hello from Go")) {
		t.Errorf("the HTML page is missing or lacks the first cell's output (err %v)", err)
	}
	if after, _ := os.ReadFile(src); !bytes.Equal(before, after) {
		t.Errorf("dl4go run modified the source notebook %s", src)
	}
	validateWithJupyter(t, executed)
}

// validateWithJupyter checks a notebook against nbformat's schema with Debian's python3-nbformat.
func validateWithJupyter(t *testing.T, path string) {
	t.Helper()
	out, err := exec.Command("/usr/bin/python3", "-c",
		"import nbformat,sys; nbformat.validate(nbformat.read(sys.argv[1], as_version=4))", path).CombinedOutput()
	if err != nil {
		if _, statErr := os.Stat("/usr/bin/python3"); statErr != nil || bytes.Contains(out, []byte("No module named")) {
			requireJupyterOrSkip(t, "python3-nbformat is not installed")
			return
		}
		t.Errorf("nbformat rejects %s: %v\n%s", path, err, out)
	}
}

// requireJupyterOrSkip skips loudly, or fails when DL4GO_REQUIRE_JUPYTER=1.
func requireJupyterOrSkip(t *testing.T, why string) {
	t.Helper()
	if os.Getenv("DL4GO_REQUIRE_JUPYTER") == "1" {
		t.Fatalf("%s, and DL4GO_REQUIRE_JUPYTER=1", why)
	}
	t.Skipf("SKIPPED (Jupyter missing): %s; install Debian's jupyter packages (see .ci/run) to run this test", why)
}

func TestRunFailures(t *testing.T) {
	useTestKernel(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	tests := []struct {
		name    string
		sources []string
		lesson  bool
		want    string // in stderr
	}{
		{"cell error", []string{"%%\nfmt.Println(undefinedVariable)", "%%\nfmt.Println(\"never runs\")"}, false, "cell 1 (index 0)"},
		{"missing RESULT", []string{"import \"fmt\"\n%%\nfmt.Println(\"no result\")"}, true, "no RESULT line"},
		{"failed RESULT", []string{"import \"fmt\"\n%%\nfmt.Println(\"RESULT lesson=99 metric=m value=1 threshold=2 ok=false\")"}, true, "outcome was not reached"},
		{"another lesson's RESULT", []string{"import \"fmt\"\n%%\nfmt.Println(\"RESULT lesson=15 metric=m value=3 threshold=2 ok=true\")"}, true, "is for lesson 15, but this notebook is lesson 99"},
		{"kernel death", []string{"import \"fmt\"\n%%\nfmt.Println(\"before\")", "!kill -9 $PPID"}, false, "kernel died"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			name := strings.ReplaceAll(tt.name, " ", "-") + ".ipynb"
			src := writeNotebook(t, dir, name, tt.lesson, tt.sources...)
			before, _ := os.ReadFile(src)
			status, stderr := capture(t, "run", "--out", out, src)
			if status != 1 || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, want 1 with %q in stderr:\n%s", status, tt.want, stderr)
			}
			if after, _ := os.ReadFile(src); !bytes.Equal(before, after) {
				t.Errorf("the source notebook changed")
			}
			if _, err := notebook.Read(filepath.Join(out, name)); err != nil {
				t.Errorf("no partial executed notebook in --out: %v", err)
			}
		})
	}
}

func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	notJSON := filepath.Join(dir, "broken.ipynb")
	os.WriteFile(notJSON, []byte("{not json"), 0o644)
	v3 := filepath.Join(dir, "old.ipynb")
	os.WriteFile(v3, []byte(`{"nbformat": 3, "nbformat_minor": 0, "worksheets": []}`), 0o644)
	tests := []struct {
		args []string
		want []string
	}{
		{[]string{"run", notJSON}, []string{"broken.ipynb"}},
		{[]string{"run", v3}, []string{"old.ipynb", "nbformat"}},
		{[]string{"run", filepath.Join(dir, "missing.ipynb")}, []string{"missing.ipynb"}},
		{[]string{"run", "no-such-lesson"}, []string{"unknown lesson", "00  00-welcome"}},
		{[]string{"frobnicate"}, []string{"unknown command"}},
	}
	for _, tt := range tests {
		status, stderr := capture(t, tt.args...)
		if status != 2 {
			t.Errorf("dl4go %v: exit %d, want 2", tt.args, status)
		}
		for _, w := range tt.want {
			if !strings.Contains(stderr, w) {
				t.Errorf("dl4go %v: stderr %q lacks %q", tt.args, stderr, w)
			}
		}
	}
}

func TestOverwriteSourceRefused(t *testing.T) {
	useTestKernel(t)
	dir := t.TempDir()
	src := writeNotebook(t, dir, "self.ipynb", false, "%%\nfmt.Println(1)")
	status, stderr := capture(t, "run", "--out", dir, src)
	if status == 0 || !strings.Contains(stderr, "overwrite the source") {
		t.Errorf("exit %d, stderr %q: want a refusal to overwrite the source", status, stderr)
	}
}

func TestList(t *testing.T) {
	status, _ := capture(t, "list")
	if status != 0 {
		t.Errorf("dl4go list: exit %d", status)
	}
}

func TestGoAtLeast(t *testing.T) {
	for v, want := range map[string]bool{"go1.26.8": true, "go1.27": true, "go2.0": true, "go1.25.3": false, "devel": false} {
		if got := goAtLeast(v, 1, 26); got != want {
			t.Errorf("goAtLeast(%q) = %v", v, got)
		}
	}
}

// TestLessonNotebooksQuick executes every lesson notebook at its quick size
// through the kernel, as a learner's "Run All" would, and requires its RESULT
// line to be ok. It is the notebooks' own test (the lesson packages test their
// code); skipped with -short.
// ciNotebooks are the lesson notebooks TestLessonNotebooksQuick runs in CI: one of each kind
// of lesson (tabular and deep RL with progress bars, detection pictures, audio players, a GAN's
// live pictures, a graph chart, a lesson with no training), so that every way a notebook shows
// things goes through the kernel within CI's time. Every lesson's code still runs in CI through its
// package's quick test. DL4GO_ALL_NOTEBOOKS=1 (.ci/all-notebooks) runs every notebook.
var ciNotebooks = map[string]bool{
	"01-rl.ipynb": true, "07-detection.ipynb": true, "13-audio.ipynb": true,
	"15-dcgan.ipynb": true, "21-gcn.ipynb": true, "23-docker.ipynb": true,
}

// allNotebooksEnv names the variable that makes TestLessonNotebooksQuick run every notebook.
const allNotebooksEnv = "DL4GO_ALL_NOTEBOOKS"

func TestLessonNotebooksQuick(t *testing.T) {
	if testing.Short() {
		t.Skip("skipped with -short: runs lesson notebooks")
	}
	useTestKernel(t)
	t.Setenv(gomlxext.CacheDirEnv, t.TempDir()) // train for real, never from a learner's cache
	paths, err := filepath.Glob(filepath.Join("..", "..", "notebooks", "*.ipynb"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no notebooks: %v", err)
	}
	all := os.Getenv(allNotebooksEnv) == "1"
	for name := range ciNotebooks {
		if _, err := os.Stat(filepath.Join("..", "..", "notebooks", name)); err != nil {
			t.Errorf("CI's notebook %s is missing: %v", name, err)
		}
	}
	out := t.TempDir()
	for _, p := range paths {
		if strings.HasSuffix(p, "00-welcome.ipynb") {
			continue // TestRunWelcome
		}
		t.Run(filepath.Base(p), func(t *testing.T) {
			if !all && !ciNotebooks[filepath.Base(p)] {
				t.Skipf("not in CI's subset (its package's quick test runs its code): %s=1 or .ci/all-notebooks runs it", allNotebooksEnv)
			}
			status, stderr := capture(t, "run", "--quick", "--out", out, p)
			if status != 0 {
				t.Errorf("dl4go run --quick %s: exit %d\n%s", p, status, tail(stderr, 4000))
			}
		})
	}
}

func TestCellLimit(t *testing.T) {
	lesson := func(full, quick string) *notebook.Notebook {
		return &notebook.Notebook{Metadata: map[string]any{"dl4go": map[string]any{"id": "99", "time_full": full, "time_quick": quick}}}
	}
	tests := []struct {
		nb      *notebook.Notebook
		opts    runOptions
		want    time.Duration
		wantErr string
	}{
		{lesson("2m", "45s"), runOptions{}, 11 * time.Minute, ""},
		{lesson("2m", "45s"), runOptions{quick: true}, 7*time.Minute + 15*time.Second, ""},
		{lesson("13m", "45s"), runOptions{}, 44 * time.Minute, ""},
		{lesson("2m", "45s"), runOptions{timeout: time.Minute}, time.Minute, ""},
		{&notebook.Notebook{Metadata: map[string]any{}}, runOptions{}, defaultCellLimit, ""},
		{lesson("two minutes", ""), runOptions{}, 0, `dl4go.time_full is "two minutes"`},
	}
	for _, tt := range tests {
		got, _, err := cellLimit(tt.nb, tt.opts)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("cellLimit(%v): error %v, want one with %q", tt.nb.Metadata, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("cellLimit(%v, %+v) = %s, %v; want %s", tt.nb.Metadata, tt.opts, got, err, tt.want)
		}
	}
}
