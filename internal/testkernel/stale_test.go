package testkernel

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

func TestRemoveStale(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	dead := filepath.Join(tmp, dirPrefix+"2147483646-abc") // no such pid
	alive := filepath.Join(tmp, fmt.Sprintf("%s%d-abc", dirPrefix, os.Getpid()))
	other := filepath.Join(tmp, dirPrefix+"notapid")
	for _, d := range []string{dead, alive, other} {
		if err := os.MkdirAll(filepath.Join(d, "kernels"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	removeStale()
	if _, err := os.Stat(dead); !os.IsNotExist(err) {
		t.Errorf("%s (its test binary is gone) was kept", dead)
	}
	for _, d := range []string{alive, other} {
		if _, err := os.Stat(d); err != nil {
			t.Errorf("%s was removed: %v", d, err)
		}
	}
}
