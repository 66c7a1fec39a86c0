package lessons

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/dl4go/dl4go"
	"github.com/dl4go/dl4go/gomlxext"
)

type testConfig struct {
	Options `json:"-"`
	Steps   int
}

var testLesson = Lesson{ID: "99", Name: "example"}

func TestOpenFolders(t *testing.T) {
	t.Setenv(gomlxext.CacheDirEnv, t.TempDir())
	r, err := testLesson.Open(testConfig{Steps: 3})
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(os.Getenv(gomlxext.CacheDirEnv), "example", r.Key); r.Dir != want {
		t.Errorf("run folder %s, want %s", r.Dir, want)
	}
	if _, err := os.Stat(filepath.Join(r.Dir, runFile)); err != nil {
		t.Errorf("no %s in the run folder: %v", runFile, err)
	}
	part, err := r.Part("judge")
	if fi, serr := os.Stat(part); err != nil || serr != nil || !fi.IsDir() {
		t.Errorf("Part: %q, %v, %v", part, err, serr)
	}

	none, err := testLesson.Open(testConfig{Options: Options{CacheDir: "-"}, Steps: 3})
	if err != nil || none.Dir != "" || none.Key != r.Key {
		t.Errorf(`CacheDir "-": dir %q, key %s (want "" and %s), err %v`, none.Dir, none.Key, r.Key, err)
	}
	if p, err := none.Part("x"); p != "" || err != nil {
		t.Errorf(`Part of a run that saves nothing: %q, %v`, p, err)
	}

	// A folder given by hand is the run's while it holds that run; another run is refused.
	own := t.TempDir()
	if _, err := testLesson.Open(testConfig{Options: Options{CacheDir: own}, Steps: 3}); err != nil {
		t.Fatal(err)
	}
	if _, err := testLesson.Open(testConfig{Options: Options{CacheDir: own, Quiet: true}, Steps: 3}); err != nil {
		t.Errorf("the same run again (Quiet differs): %v", err)
	}
	_, err = testLesson.Open(testConfig{Options: Options{CacheDir: own}, Steps: 4})
	if err == nil || !strings.Contains(err.Error(), "holds another run") || !strings.Contains(err.Error(), own) {
		t.Errorf("another configuration in the same folder: %v, want a refusal naming the folder", err)
	}
}

type testOutcome struct {
	Loss []float64
	Best float64
}

func TestOutcomeStore(t *testing.T) {
	t.Setenv(gomlxext.CacheDirEnv, t.TempDir())
	r, err := testLesson.Open(testConfig{Steps: 1})
	if err != nil {
		t.Fatal(err)
	}
	var got testOutcome
	if ok, err := r.LoadOutcome(&got); ok || err != nil {
		t.Fatalf("before any save: %v, %v", ok, err)
	}
	want := testOutcome{Loss: []float64{1, math.NaN(), math.Inf(1)}, Best: 0.5}
	if err := r.SaveOutcome(want); err != nil {
		t.Fatal(err)
	}
	if ok, err := r.LoadOutcome(&got); !ok || err != nil || got.Best != 0.5 || !math.IsNaN(got.Loss[1]) || !math.IsInf(got.Loss[2], 1) {
		t.Fatalf("reloaded %+v, %v, %v; want %+v", got, ok, err, want)
	}
	// The same folder opened for another key (a folder given by hand and emptied of run.json):
	// the outcome is not this run's.
	os.Remove(filepath.Join(r.Dir, runFile))
	other, err := testLesson.Open(testConfig{Options: Options{CacheDir: r.Dir}, Steps: 2})
	if err != nil {
		t.Fatal(err)
	}
	if ok, _ := other.LoadOutcome(&got); ok {
		t.Error("an outcome saved under another key was returned")
	}
	// A damaged file is measured again, not an error.
	if err := os.WriteFile(filepath.Join(r.Dir, outcomeFile), []byte("junk"), 0o644); err != nil {
		t.Fatal(err)
	}
	if ok, err := other.LoadOutcome(&got); ok || err != nil {
		t.Errorf("damaged outcome: %v, %v; want false, nil", ok, err)
	}
}

// TestRevision checks what the code revision covers: the lesson's own code, the code of the
// lessons it uses, the engine and data; not tests, docs or other lessons.
func TestRevision(t *testing.T) {
	defer func() { Sources = dl4go.Sources }()
	base := fstest.MapFS{
		"go.mod":                     {Data: []byte("module m\nrequire github.com/gomlx/gomlx v0.26.0\n")},
		"gomlxext/fit.go":            {Data: []byte("package gomlxext")},
		"data/mnist/mnist.go":        {Data: []byte("package mnist")},
		"lessons/lessons.go":         {Data: []byte("package lessons")},
		"lessons/a/a.go":             {Data: []byte("package a")},
		"lessons/a/a_test.go":        {Data: []byte("package a")},
		"lessons/a/testdata/x.json":  {Data: []byte("{}")},
		"lessons/a/README.md":        {Data: []byte("# a")},
		"lessons/b/b.go":             {Data: []byte("package b")},
		"lessons/c/c.go":             {Data: []byte("package c")},
		"plotting/charts.go":         {Data: []byte("package plotting")},
		"lessons/a/pretrained/w.bin": {Data: []byte{1, 2, 3}},
	}
	a, b := Lesson{Name: "a"}, Lesson{Name: "b", Uses: []string{"a"}}
	rev := func(l Lesson, fs fstest.MapFS) string {
		Sources = fs
		r, err := l.Revision()
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	ra, rb := rev(a, base), rev(b, base)
	edit := func(name string) fstest.MapFS {
		m := fstest.MapFS{}
		for k, v := range base {
			m[k] = v
		}
		data := append([]byte("// edited\n"), base[name].Data...)
		if name == "go.mod" {
			data = []byte(strings.Replace(string(base[name].Data), "v0.26.0", "v0.27.0", 1))
		}
		m[name] = &fstest.MapFile{Data: data}
		return m
	}
	for _, tc := range []struct {
		file         string
		changeA, chB bool
	}{
		{"lessons/a/a.go", true, true},
		{"lessons/a/pretrained/w.bin", true, true},
		{"lessons/b/b.go", false, true},
		{"lessons/c/c.go", false, false},
		{"gomlxext/fit.go", true, true},
		{"data/mnist/mnist.go", true, true},
		{"lessons/lessons.go", true, true},
		{"go.mod", true, true}, // a GoMLX version bump
		{"lessons/a/a_test.go", false, false},
		{"lessons/a/testdata/x.json", false, false},
		{"lessons/a/README.md", false, false},
		{"plotting/charts.go", false, false},
	} {
		m := edit(tc.file)
		if got := rev(a, m) != ra; got != tc.changeA {
			t.Errorf("editing %s changes lesson a's revision: %v, want %v", tc.file, got, tc.changeA)
		}
		if got := rev(b, m) != rb; got != tc.chB {
			t.Errorf("editing %s changes lesson b's (uses a) revision: %v, want %v", tc.file, got, tc.chB)
		}
	}
	Sources = base
	if _, err := (Lesson{Name: "nosuch"}).Revision(); err == nil {
		t.Error("a lesson without a source folder has a revision")
	}
}

func TestBackendID(t *testing.T) {
	for in, want := range map[string]string{
		"dl4go": "dl4go", "xla:cpu": "xla:cpu", "xla:/opt/x/pjrt_c_api_cpu_plugin.so": "xla:pjrt_c_api_cpu_plugin.so", "go": "go",
	} {
		if got := backendID(in); got != want {
			t.Errorf("backendID(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestProbeDir checks that every probe variant gets a folder of its own under the probes' root,
// the same folder when probed again, and a throw-away folder when no root is set.
func TestProbeDir(t *testing.T) {
	root := t.TempDir()
	t.Setenv("DL4GO_TEST_PROBE_DIR", root)
	a, r := ProbeDir(t, "DL4GO_TEST_PROBE_DIR", `{"Seed":1}`)
	b, _ := ProbeDir(t, "DL4GO_TEST_PROBE_DIR", `{"Seed":2}`)
	again, _ := ProbeDir(t, "DL4GO_TEST_PROBE_DIR", `{"Seed":1}`)
	if r != root || filepath.Dir(a) != root || filepath.Dir(b) != root || a == b || a != again {
		t.Errorf("ProbeDir under %s: %s, %s, again %s (root %q)", root, a, b, again, r)
	}
	t.Setenv("DL4GO_TEST_PROBE_DIR", "")
	if tmp, r := ProbeDir(t, "DL4GO_TEST_PROBE_DIR", `{"Seed":1}`); r != "" || tmp == "" || filepath.Dir(tmp) == root {
		t.Errorf("ProbeDir without a root: %s (root %q)", tmp, r)
	}
}
