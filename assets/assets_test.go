package assets

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha512"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

// fakeTarball builds an npm-style .tgz (entries under "package/").
func fakeTarball(t *testing.T, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for name, body := range files {
		if err := tw.WriteHeader(&tar.Header{Name: "package/" + name, Mode: 0o644, Size: int64(len(body)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func integrity(b []byte) string {
	s := sha512.Sum512(b)
	return "sha512-" + base64.StdEncoding.EncodeToString(s[:])
}

func TestEnsureDownloadsVerifiesAndCaches(t *testing.T) {
	t.Setenv(EnvDir, t.TempDir())
	tgz := fakeTarball(t, map[string]string{
		"dist/lib.min.js": "window.lib=1;",
		"dist/other.js":   "not pinned, not extracted",
		"README.md":       "hello",
	})
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		_, _ = w.Write(tgz)
	}))
	defer srv.Close()
	p := &Package{Name: "lib", Version: "1.0.0", Tarball: srv.URL + "/lib-1.0.0.tgz", Integrity: integrity(tgz),
		Files: map[string]string{"dist/lib.min.js": sha256hex([]byte("window.lib=1;")), "README.md": sha256hex([]byte("hello"))}}
	dir, err := ensure(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "dist", "lib.min.js")); string(got) != "window.lib=1;" {
		t.Errorf("extracted %q", got)
	}
	if _, err := os.Stat(filepath.Join(dir, "dist", "other.js")); err == nil {
		t.Errorf("an unpinned file was extracted")
	}
	if _, err := ensure(context.Background(), p); err != nil || hits.Load() != 1 {
		t.Errorf("second Ensure: err %v, %d downloads (want 1: cached)", err, hits.Load())
	}
	// A corrupted file in the cache is fetched again.
	if err := os.WriteFile(filepath.Join(dir, "README.md"), []byte("tampered"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ensure(context.Background(), p); err != nil || hits.Load() != 2 {
		t.Errorf("after tampering: err %v, %d downloads (want 2)", err, hits.Load())
	}
}

func TestEnsureRejectsBadDownloads(t *testing.T) {
	tgz := fakeTarball(t, map[string]string{"dist/lib.min.js": "window.lib=1;"})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "missing.tgz") {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write(tgz)
	}))
	defer srv.Close()
	good := sha256hex([]byte("window.lib=1;"))
	tests := []struct {
		name string
		p    Package
		want string
	}{
		{"integrity", Package{Tarball: srv.URL + "/x.tgz", Integrity: integrity([]byte("other")), Files: map[string]string{"dist/lib.min.js": good}}, "tarball sha512 mismatch"},
		{"file hash", Package{Tarball: srv.URL + "/x.tgz", Integrity: integrity(tgz), Files: map[string]string{"dist/lib.min.js": strings.Repeat("0", 64)}}, "dist/lib.min.js: sha256"},
		{"file absent", Package{Tarball: srv.URL + "/x.tgz", Integrity: integrity(tgz), Files: map[string]string{"dist/lib.min.js": good, "dist/gone.js": good}}, "tarball lacks dist/gone.js"},
		{"http 404", Package{Tarball: srv.URL + "/missing.tgz", Integrity: integrity(tgz), Files: map[string]string{"dist/lib.min.js": good}}, "404"},
		{"bad integrity format", Package{Tarball: srv.URL + "/x.tgz", Integrity: "md5-xyz", Files: map[string]string{"dist/lib.min.js": good}}, "unsupported integrity"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(EnvDir, t.TempDir())
			tc.p.Name, tc.p.Version = "lib", "1.0.0"
			_, err := ensure(context.Background(), &tc.p)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tc.want)
			}
			dir, _ := pkgDir(&tc.p)
			if _, err := os.Stat(dir); err == nil {
				t.Errorf("a failed download left %s behind", dir)
			}
		})
	}
}

func TestPathAndPrefetchedDir(t *testing.T) {
	root := t.TempDir()
	t.Setenv(EnvDir, root)
	if _, err := Path("echarts", "dist/echarts.min.js"); err == nil || !strings.Contains(err.Error(), "not installed") {
		t.Errorf("Path on an empty dir: %v", err)
	}
	if _, err := Path("echarts", "dist/nope.js"); err == nil || !strings.Contains(err.Error(), "no pinned file") {
		t.Errorf("Path of an unpinned file: %v", err)
	}
	if _, err := Path("leftpad", "x"); err == nil || !strings.Contains(err.Error(), "unknown package") {
		t.Errorf("unknown package: %v", err)
	}
	// A pre-fetched copy with a wrong file is refused.
	fp := filepath.Join(root, "echarts-5.6.0", "dist", "echarts.min.js")
	_ = os.MkdirAll(filepath.Dir(fp), 0o755)
	_ = os.WriteFile(fp, []byte("fake"), 0o644)
	if _, err := Path("echarts", "dist/echarts.min.js"); err == nil || !strings.Contains(err.Error(), "sha256") {
		t.Errorf("tampered file accepted: %v", err)
	}
}

// TestRealCache checks the pinned hashes against the user's real cache when
// it holds the packages (after `dl4go install`); it never downloads.
func TestRealCache(t *testing.T) {
	for name, p := range Packages {
		dir, err := Dir(name)
		if err != nil {
			t.Fatal(err)
		}
		if !complete(p, dir) {
			t.Logf("%s@%s not (fully) in %s: skipped", name, p.Version, dir)
			continue
		}
		for f := range p.Files {
			if _, err := Path(name, f); err != nil {
				t.Error(err)
			}
		}
	}
}
