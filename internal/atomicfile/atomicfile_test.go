package atomicfile

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWrite(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "f")
	if err := Write(name, []byte("one"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Write(name, []byte("two"), 0o644); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(name)
	entries, _ := os.ReadDir(dir)
	if string(data) != "two" || len(entries) != 1 {
		t.Errorf("file holds %q, folder has %d entries; want \"two\" and no temporary left", data, len(entries))
	}
	if err := Write(filepath.Join(dir, "no", "such", "f"), nil, 0o644); err == nil || !strings.Contains(err.Error(), "no/such") {
		t.Errorf("write into a missing folder: %v", err)
	}
}
