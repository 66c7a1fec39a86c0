package plotting

import (
	"fmt"
	"io"
	"os"
	"testing"
)

// fakeNotebook makes the package believe it runs in a GoNB cell, collecting
// displayed HTML in *shown, with a library stub so no download happens.
func fakeNotebook(t *testing.T, shown *[]string) (restore func()) {
	t.Helper()
	oldNB, oldDisp, oldUpd, oldID := isNotebook, displayHTML, updateHTML, newID
	t.Setenv("GONB_TMP_DIR", t.TempDir())
	isNotebook = func() bool { return true }
	oldSync, oldLib := syncOutput, notebookLibrary
	notebookLibrary = func() string { return libraryHTML("window.echarts={};", nil, io.Discard) }
	syncOutput = func() {}
	displayHTML = func(s string) { *shown = append(*shown, s) }
	n := 0
	newID = func() string { n++; return fmt.Sprintf("chart%d", n) }
	libSent = ""
	return func() {
		isNotebook, displayHTML, updateHTML, newID, syncOutput, notebookLibrary = oldNB, oldDisp, oldUpd, oldID, oldSync, oldLib
	}
}

// requireAssetsOrSkip skips loudly when an offline asset cannot be had, or
// fails when DL4GO_REQUIRE_JUPYTER=1 (CI, which reaches the npm registry).
func requireAssetsOrSkip(t *testing.T, why string) {
	t.Helper()
	if os.Getenv("DL4GO_REQUIRE_JUPYTER") == "1" {
		t.Fatalf("required (DL4GO_REQUIRE_JUPYTER=1): %s", why)
	}
	t.Skipf("SKIPPED: %s", why)
}
