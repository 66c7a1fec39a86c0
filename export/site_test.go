package export

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/dl4go/dl4go/notebook"
)

func writeNotebook(t *testing.T, path string, nb *notebook.Notebook) {
	t.Helper()
	if err := nb.WriteFile(path); err != nil {
		t.Fatal(err)
	}
}

func TestBuildSiteListsExactlyTheLessonsPresent(t *testing.T) {
	dir := t.TempDir()
	// 07: executed, passes.
	writeNotebook(t, filepath.Join(dir, "07-rl.ipynb"), sampleNotebook(""))
	// 03: executed, fails.
	failing := sampleNotebook("")
	failing.Metadata["dl4go"] = map[string]any{"id": "03", "title": "Convolutions", "title_ja": "畳み込み"}
	last := failing.Cells[len(failing.Cells)-1]
	last.Outputs[0].Text = "RESULT lesson=03 metric=accuracy value=0.5 threshold=0.9 ok=false\n"
	writeNotebook(t, filepath.Join(dir, "03-cnn.ipynb"), failing)
	// 05: not executed.
	fresh := sampleNotebook("")
	fresh.Metadata["dl4go"] = map[string]any{"id": "05", "title": "Attention"}
	fresh.StripOutputs()
	writeNotebook(t, filepath.Join(dir, "05-attn.ipynb"), fresh)
	// 09: only its page is left (the notebook was moved away).
	other := sampleNotebook("")
	other.Metadata["dl4go"] = map[string]any{"id": "09", "title": "Only a page"}
	page, err := Page(other, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "09-page.html"), page, 0o644); err != nil {
		t.Fatal(err)
	}
	// Not lessons: a foreign HTML file, a stale index, a directory.
	_ = os.WriteFile(filepath.Join(dir, "notes.html"), []byte("<html>not a lesson</html>"), 0o644)
	_ = os.WriteFile(filepath.Join(dir, IndexFile), []byte("stale"), 0o644)
	_ = os.Mkdir(filepath.Join(dir, "sub.ipynb"), 0o755)

	pages, err := BuildSite(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var hrefs []string
	for _, p := range pages {
		hrefs = append(hrefs, p.Href)
	}
	if got, want := strings.Join(hrefs, " "), "03-cnn.html 05-attn.html 07-rl.html 09-page.html"; got != want {
		t.Errorf("indexed %s, want %s", got, want)
	}
	for _, f := range []string{"03-cnn.html", "05-attn.html", "07-rl.html"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("page not written: %v", err)
		}
	}
	index, err := os.ReadFile(filepath.Join(dir, IndexFile))
	if err != nil {
		t.Fatal(err)
	}
	s := string(index)
	links := regexp.MustCompile(`<a href="([^"]+)"`).FindAllStringSubmatch(s, -1)
	var got []string
	for _, l := range links {
		got = append(got, l[1])
	}
	if strings.Join(got, " ") != strings.Join(hrefs, " ") {
		t.Errorf("index links %q, want exactly %q", got, hrefs)
	}
	if n := strings.Count(s, `<tr class="lesson">`); n != 4 {
		t.Errorf("index has %d rows, want 4", n)
	}
	wants := []string{
		`03 · Convolutions`, `<span lang="ja" class="title-ja">畳み込み</span>`,
		`<span class="badge fail">FAIL</span>`, `accuracy = 0.5 (threshold 0.9)`,
		`<span class="badge pass">PASS</span>`, `cliff_return = -13 (threshold -20)`,
		`<span class="badge none">not executed</span>`,
		`1m23s`, `backend dl4go · quick size · 2026-11-26 22:00 UTC`,
	}
	for _, w := range wants {
		if !strings.Contains(s, w) {
			t.Errorf("index lacks %q", w)
		}
	}
	if !strings.Contains(s, "4 lesson(s): 2 passed, 1 failed, 1 without a result.") {
		t.Errorf("index totals wrong:\n%s", s)
	}
	if strings.Contains(s, "notes.html") || strings.Contains(s, "stale") {
		t.Error("index lists a file that is not a lesson page")
	}
	// Pages link back to the index.
	p07, _ := os.ReadFile(filepath.Join(dir, "07-rl.html"))
	if !strings.Contains(string(p07), `<a href="index.html">`) {
		t.Error("page does not link back to the index")
	}

	// Removing a lesson removes it from the index.
	for _, f := range []string{"05-attn.ipynb", "05-attn.html"} {
		if err := os.Remove(filepath.Join(dir, f)); err != nil {
			t.Fatal(err)
		}
	}
	pages, err = BuildSite(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(pages) != 3 {
		t.Errorf("after removing 05: %d pages, want 3", len(pages))
	}
	index, _ = os.ReadFile(filepath.Join(dir, IndexFile))
	if strings.Contains(string(index), "05-attn") {
		t.Error("index still lists a removed lesson")
	}
}

func TestBuildSiteBadNotebook(t *testing.T) {
	dir := t.TempDir()
	writeNotebook(t, filepath.Join(dir, "01-ok.ipynb"), sampleNotebook(""))
	bad := filepath.Join(dir, "02-bad.ipynb")
	if err := os.WriteFile(bad, []byte(`{"cells": [`), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := BuildSite(dir, Options{})
	var fe *notebook.FormatError
	if !errors.As(err, &fe) || fe.Path != bad || !IsFormatError(err) {
		t.Fatalf("BuildSite error = %v, want a FormatError naming %s", err, bad)
	}
	if strings.Contains(err.Error(), "\n") {
		t.Errorf("error is not one line: %q", err)
	}
	if _, err := BuildSite(filepath.Join(dir, "missing"), Options{}); !IsFormatError(err) {
		t.Errorf("missing directory: %v, want a FormatError", err)
	}
}

func TestExportFileBadInput(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]string{"corrupt.ipynb": "{not json", "v3.ipynb": `{"nbformat": 3}`} {
		path := filepath.Join(dir, name)
		_ = os.WriteFile(path, []byte(content), 0o644)
		_, err := ExportFile(path, filepath.Join(dir, name+".html"), Options{})
		if !IsFormatError(err) || !strings.HasPrefix(err.Error(), path+": ") {
			t.Errorf("%s: error %v", name, err)
		}
		if _, err := os.Stat(filepath.Join(dir, name+".html")); err == nil {
			t.Errorf("%s: a page was written for bad input", name)
		}
	}
}
