package notebook

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// jupyterFixture was written by Debian's python3-nbformat 5.5 (nbformat.write).
const jupyterFixture = "testdata/jupyter.ipynb"

func TestRoundTripMatchesJupyterBytes(t *testing.T) {
	want, err := os.ReadFile(jupyterFixture)
	if err != nil {
		t.Fatal(err)
	}
	nb, err := Parse(want, jupyterFixture)
	if err != nil {
		t.Fatal(err)
	}
	got, err := nb.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("Marshal differs from Jupyter's own bytes:\n%s", firstDiff(got, want))
	}
}

func firstDiff(a, b []byte) string {
	al, bl := strings.Split(string(a), "\n"), strings.Split(string(b), "\n")
	for i := 0; i < len(al) && i < len(bl); i++ {
		if al[i] != bl[i] {
			return fmt.Sprintf("line %d:\n got %q\nwant %q", i+1, al[i], bl[i])
		}
	}
	return fmt.Sprintf("lengths differ: %d vs %d lines", len(al), len(bl))
}

func TestParseContents(t *testing.T) {
	nb, err := Read(jupyterFixture)
	if err != nil {
		t.Fatal(err)
	}
	if len(nb.Cells) != 5 {
		t.Fatalf("got %d cells, want 5", len(nb.Cells))
	}
	run := nb.Cells[2]
	if run.ID != "run" || run.CellType != Code || *run.ExecutionCount != 2 {
		t.Errorf("cell 2 = %+v", run)
	}
	if want := "%%\nfmt.Println(\"<script>alert(1)</script>\")\nfmt.Println(result)"; run.Source != want {
		t.Errorf("source = %q, want %q", run.Source, want)
	}
	tests := []struct {
		name, got, want string
	}{
		{"stream name", run.Outputs[0].Name, "stdout"},
		{"stream text", strings.SplitN(run.Outputs[0].Text, "\n", 2)[0], "<script>alert(1)</script>"},
		{"html joined", run.Outputs[1].Data["text/html"].(string), "<div id=\"c\">chart</div>\n<script>var x=1;</script>"},
		{"png kept", run.Outputs[1].Data["image/png"].(string), "iVBORw0KGgo=\n"},
		{"ename", run.Outputs[3].Ename, "panic"},
		{"traceback", run.Outputs[3].Traceback[1], "goroutine 1"},
		{"raw", nb.Cells[4].Source, "raw text"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s = %q, want %q", tt.name, tt.got, tt.want)
		}
	}
	if _, ok := run.Outputs[1].Data["application/json"].(map[string]any); !ok {
		t.Errorf("application/json should stay a JSON object, got %T", run.Outputs[1].Data["application/json"])
	}
	if !nb.Executed() {
		t.Error("Executed() = false for a notebook with outputs")
	}
}

func TestLessonAndRunMeta(t *testing.T) {
	nb, err := Read(jupyterFixture)
	if err != nil {
		t.Fatal(err)
	}
	want := LessonMeta{ID: "01", Title: "Gradient descent", TitleJa: "勾配降下法", Package: "lessons/gd", TimeFull: "4m", TimeQuick: "40s"}
	if got := nb.Lesson(); got != want {
		t.Errorf("Lesson() = %+v, want %+v", got, want)
	}
	run, ok := nb.Run()
	if !ok || run != (RunMeta{Backend: "dl4go", Date: "2026-11-26T22:00:00Z", DurationS: 12.5, Quick: true}) {
		t.Errorf("Run() = %+v, %v", run, ok)
	}
	nb.StripOutputs()
	if _, ok := nb.Run(); ok {
		t.Error("StripOutputs kept dl4go_run")
	}
	if nb.Executed() {
		t.Error("Executed() = true after StripOutputs")
	}
	nb.SetRun(RunMeta{Backend: "xla", Date: "d", DurationS: 3, Quick: false})
	data, _ := nb.Marshal()
	back, err := Parse(data, "x")
	if err != nil {
		t.Fatal(err)
	}
	if r, ok := back.Run(); !ok || r.Backend != "xla" || r.DurationS != 3 {
		t.Errorf("after SetRun and round trip: %+v %v", r, ok)
	}
	// Unknown metadata survives.
	if !bytes.Contains(data, []byte(`"big": 12345678901234567890`)) || !bytes.Contains(data, []byte(`"custom"`)) {
		t.Error("unknown metadata lost on round trip")
	}
}

func TestStringOrListSourceAndUpgrade(t *testing.T) {
	src := `{"nbformat": 4, "nbformat_minor": 2, "metadata": {"x": {"y": 1.0}},
	 "cells": [
	  {"cell_type": "markdown", "metadata": {}, "source": "# Title\nline"},
	  {"cell_type": "code", "metadata": {}, "source": ["a\n", "b"], "outputs": [
	    {"output_type": "stream", "name": "stdout", "text": "one\ntwo\n"}], "execution_count": 3},
	  {"cell_type": "code", "metadata": {}, "source": ["a\n", "b"], "outputs": [], "execution_count": null}
	 ]}`
	nb, err := Parse([]byte(src), "old.ipynb")
	if err != nil {
		t.Fatal(err)
	}
	if nb.NBFormatMinor != 5 {
		t.Errorf("minor = %d, want 5 after upgrade", nb.NBFormatMinor)
	}
	ids := map[string]bool{}
	for i, c := range nb.Cells {
		if !validID.MatchString(c.ID) || ids[c.ID] {
			t.Errorf("cell %d id %q not valid and unique", i, c.ID)
		}
		ids[c.ID] = true
	}
	if nb.Cells[0].Source != "# Title\nline" || nb.Cells[1].Source != "a\nb" || nb.Cells[1].Outputs[0].Text != "one\ntwo\n" {
		t.Errorf("sources: %q %q", nb.Cells[0].Source, nb.Cells[1].Source)
	}
	// Ids are stable across reads.
	nb2, _ := Parse([]byte(src), "old.ipynb")
	for i := range nb.Cells {
		if nb.Cells[i].ID != nb2.Cells[i].ID {
			t.Errorf("cell %d: id %q then %q", i, nb.Cells[i].ID, nb2.Cells[i].ID)
		}
	}
	data, err := nb.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"nbformat_minor": 5`, `"y": 1.0`, "\"source\": [\n    \"a\\n\",\n    \"b\"\n   ]"} {
		if !bytes.Contains(data, []byte(want)) {
			t.Errorf("marshalled notebook lacks %s:\n%s", want, data)
		}
	}
	validateWithJupyter(t, data)
}

func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name, content, reason string
	}{
		{"garbage.ipynb", "this is not json", "not JSON"},
		{"truncated.ipynb", `{"cells": [`, "not JSON"},
		{"array.ipynb", `[1,2]`, "not JSON"},
		{"v3.ipynb", `{"nbformat": 3, "nbformat_minor": 0, "worksheets": []}`, "nbformat 3 is not supported"},
		{"noversion.ipynb", `{"cells": []}`, `no "nbformat" version`},
		{"nocells.ipynb", `{"nbformat": 4, "nbformat_minor": 5, "metadata": {}}`, `no "cells" list`},
		{"badcell.ipynb", `{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [{"cell_type": "weird", "source": ""}]}`, `cell 0: unknown cell_type "weird"`},
		{"badsource.ipynb", `{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [{"cell_type": "code", "source": 3}]}`, "cell 0: source"},
		{"missing.ipynb", "", "no such file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, tt.name)
			if tt.name != "missing.ipynb" {
				if err := os.WriteFile(path, []byte(tt.content), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			_, err := Read(path)
			var fe *FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("Read(%s) error = %v (%T), want *FormatError", tt.name, err, err)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, path+": ") || !strings.Contains(msg, tt.reason) || strings.Contains(msg, "\n") {
				t.Errorf("error %q: want one line starting with the path and containing %q", msg, tt.reason)
			}
		})
	}
}

func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "n.ipynb")
	nb, err := Read(jupyterFixture)
	if err != nil {
		t.Fatal(err)
	}
	if err := nb.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		t.Fatal(err)
	}
	nb.Cells = nb.Cells[:1]
	if err := nb.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	back, err := Read(path)
	if err != nil || len(back.Cells) != 1 {
		t.Fatalf("read back: %v, %d cells", err, len(back.Cells))
	}
	st, _ := os.Stat(path)
	if st.Mode().Perm() != 0o600 {
		t.Errorf("permissions %v, want kept 0600", st.Mode().Perm())
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("temporary files left behind: %v", entries)
	}
	// Writing into a missing directory fails and leaves nothing.
	if err := nb.WriteFile(filepath.Join(dir, "no", "such", "x.ipynb")); err == nil {
		t.Error("WriteFile into a missing directory succeeded")
	}
}

func TestNewNotebookValidates(t *testing.T) {
	one := 1
	nb := &Notebook{
		NBFormat: 4,
		Metadata: map[string]any{"kernelspec": map[string]any{"name": "dl4go", "display_name": "Go (dl4go)", "language": "go"}},
		Cells: []*Cell{
			{CellType: Markdown, Source: "# Hi"},
			{CellType: Code, Source: "%%\nfmt.Println(1)", ExecutionCount: &one, Outputs: []Output{
				{OutputType: Stream, Name: "stdout", Text: "1\n"},
				{OutputType: DisplayData, Data: map[string]any{"text/html": "<b>x</b>\n<i>y</i>", "image/png": "AAAA"}},
				{OutputType: ExecuteResult, Data: map[string]any{"text/plain": "2"}, ExecutionCount: &one},
				{OutputType: Error, Ename: "E", Evalue: "v"},
			}},
			{CellType: Code, Source: ""},
			{CellType: Raw, Source: "r"},
		},
	}
	data, err := nb.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	validateWithJupyter(t, data)
}

// validateWithJupyter checks data with Debian's python3-nbformat.
func validateWithJupyter(t *testing.T, data []byte) {
	t.Helper()
	const py = "/usr/bin/python3"
	if err := exec.Command(py, "-c", "import nbformat").Run(); err != nil {
		if os.Getenv("DL4GO_REQUIRE_JUPYTER") == "1" {
			t.Fatalf("python3-nbformat is required (DL4GO_REQUIRE_JUPYTER=1) but %s cannot import nbformat: %v", py, err)
		}
		t.Skipf("SKIPPED: nbformat validation — %s cannot import nbformat (apt install python3-nbformat)", py)
	}
	path := filepath.Join(t.TempDir(), "v.ipynb")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(py, "-c",
		"import nbformat,sys; nbformat.validate(nbformat.read(sys.argv[1], as_version=4))", path).CombinedOutput()
	if err != nil {
		t.Errorf("nbformat.validate failed: %v\n%s", err, out)
	}
}

// TestNBConvert checks that Debian's `jupyter nbconvert --to html` accepts
// an executed notebook written by this package.
func TestNBConvert(t *testing.T) {
	const jupyter = "/usr/bin/jupyter"
	if err := exec.Command(jupyter, "nbconvert", "--version").Run(); err != nil {
		if os.Getenv("DL4GO_REQUIRE_JUPYTER") == "1" {
			t.Fatalf("jupyter nbconvert is required (DL4GO_REQUIRE_JUPYTER=1): %v", err)
		}
		t.Skipf("SKIPPED: %s nbconvert not available (apt install jupyter-nbconvert): %v", jupyter, err)
	}
	nb, err := Read(jupyterFixture)
	if err != nil {
		t.Fatal(err)
	}
	nb.Cells = append(nb.Cells, &Cell{CellType: Code, Source: "%%\nfmt.Println(\"done\")", ExecutionCount: new(int),
		Outputs: []Output{{OutputType: Stream, Name: "stdout", Text: "marker-from-dl4go\n"}}})
	dir := t.TempDir()
	path := filepath.Join(dir, "executed.ipynb")
	if err := nb.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(jupyter, "nbconvert", "--to", "html", "--output-dir", dir, path)
	cmd.Env = append(os.Environ(), "JUPYTER_PLATFORM_DIRS=1", "HOME="+dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("nbconvert failed: %v\n%s", err, out)
	}
	page, err := os.ReadFile(filepath.Join(dir, "executed.html"))
	if err != nil {
		t.Fatalf("nbconvert wrote no page: %v\n%s", err, out)
	}
	for _, want := range []string{"marker-from-dl4go", "RESULT lesson=01", "&lt;script&gt;alert(1)&lt;/script&gt;"} {
		if !bytes.Contains(page, []byte(want)) {
			t.Errorf("nbconvert page lacks %q", want)
		}
	}
}
