// Package assets fetches the pinned JavaScript libraries and fonts dl4go
// embeds in notebooks and offline pages (echarts for charts, KaTeX for
// exported formulas, Noto Sans JP for Japanese text) into the user cache, so
// that nothing is loaded from a CDN.
//
// Start with [Ensure]: it returns the directory holding a package's files,
// downloading the npm registry tarball with net/http the first time
// (no npm binary is needed), checking the tarball's sha512 integrity and the
// sha256 of every extracted file against the values pinned in this package.
// [Path] returns one file of a package that is already present.
//
// Files live under [Root]: os.UserCacheDir()/dl4go/assets/<name>-<version>,
// or under the directory named by the environment variable DL4GO_ASSETS_DIR
// (tests and CI point it at a pre-fetched copy; `dl4go install` fills the
// default one).
package assets

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"
)

// EnvDir names the environment variable that overrides the cache root.
const EnvDir = "DL4GO_ASSETS_DIR"

// Package describes one pinned npm package.
type Package struct {
	Name      string
	Version   string
	Tarball   string            // registry URL of the .tgz
	Integrity string            // npm "dist.integrity" (sha512-<base64>)
	Files     map[string]string // path inside the package (without "package/") → sha256 hex
}

// Packages lists the pinned packages by name ("echarts", "katex", "noto-sans-jp").
var Packages = map[string]*Package{
	"echarts":      echartsPkg,
	"katex":        katexPkg,
	"noto-sans-jp": notoSansJPPkg,
}

// Root returns the directory holding all packages: $DL4GO_ASSETS_DIR if set,
// otherwise os.UserCacheDir()/dl4go/assets.
func Root() (string, error) {
	if d := os.Getenv(EnvDir); d != "" {
		return d, nil
	}
	c, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("assets: user cache dir: %w", err)
	}
	return filepath.Join(c, "dl4go", "assets"), nil
}

func lookup(name string) (*Package, error) {
	p, ok := Packages[name]
	if !ok {
		names := make([]string, 0, len(Packages))
		for n := range Packages {
			names = append(names, n)
		}
		sort.Strings(names)
		return nil, fmt.Errorf("assets: unknown package %q (known: %s)", name, strings.Join(names, ", "))
	}
	return p, nil
}

// Dir returns where package name lives (present or not).
func Dir(name string) (string, error) {
	p, err := lookup(name)
	if err != nil {
		return "", err
	}
	return pkgDir(p)
}

// Path returns the path of file (e.g. "dist/echarts.min.js") of package
// name if it is present and matches its pinned sha256; it never downloads.
func Path(name, file string) (string, error) {
	p, err := lookup(name)
	if err != nil {
		return "", err
	}
	want, ok := p.Files[file]
	if !ok {
		return "", fmt.Errorf("assets: %s@%s has no pinned file %q", p.Name, p.Version, file)
	}
	dir, err := Dir(name)
	if err != nil {
		return "", err
	}
	fp := filepath.Join(dir, filepath.FromSlash(file))
	data, err := os.ReadFile(fp)
	if err != nil {
		return "", fmt.Errorf("assets: %s@%s not installed (run `dl4go install`): %w", p.Name, p.Version, err)
	}
	if got := sha256hex(data); got != want {
		return "", fmt.Errorf("assets: %s: sha256 %s, want %s", fp, got, want)
	}
	return fp, nil
}

// Read returns the content of a file of package name, as [Path] finds it.
func Read(name, file string) ([]byte, error) {
	fp, err := Path(name, file)
	if err != nil {
		return nil, err
	}
	return os.ReadFile(fp)
}

var ensureMu sync.Mutex

// HTTPClient is used for downloads; replace it in tests.
var HTTPClient = http.DefaultClient

// Ensure makes sure every pinned file of package name is present and intact,
// downloading the npm tarball if needed, and returns the package directory.
func Ensure(ctx context.Context, name string) (dir string, err error) {
	p, err := lookup(name)
	if err != nil {
		return "", err
	}
	return ensure(ctx, p)
}

// EnsureAll runs [Ensure] for every pinned package (what `dl4go install`
// does) and returns the first error.
func EnsureAll(ctx context.Context) error {
	names := make([]string, 0, len(Packages))
	for n := range Packages {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if _, err := Ensure(ctx, n); err != nil {
			return err
		}
	}
	return nil
}

func pkgDir(p *Package) (string, error) {
	root, err := Root()
	if err != nil {
		return "", err
	}
	return filepath.Join(root, p.Name+"-"+p.Version), nil
}

func ensure(ctx context.Context, p *Package) (dir string, err error) {
	ensureMu.Lock()
	defer ensureMu.Unlock()
	dir, err = pkgDir(p)
	if err != nil {
		return "", err
	}
	if complete(p, dir) {
		return dir, nil
	}
	tgz, err := download(ctx, p.Tarball)
	if err != nil {
		return "", fmt.Errorf("assets: fetch %s@%s: %w", p.Name, p.Version, err)
	}
	if err := checkIntegrity(tgz, p.Integrity); err != nil {
		return "", fmt.Errorf("assets: %s@%s: %w", p.Name, p.Version, err)
	}
	files, err := extract(tgz, p.Files)
	if err != nil {
		return "", fmt.Errorf("assets: %s@%s: %w", p.Name, p.Version, err)
	}
	tmp := dir + ".tmp"
	_ = os.RemoveAll(tmp)
	for f, data := range files {
		fp := filepath.Join(tmp, filepath.FromSlash(f))
		if err := os.MkdirAll(filepath.Dir(fp), 0o755); err != nil {
			return "", fmt.Errorf("assets: %w", err)
		}
		if err := os.WriteFile(fp, data, 0o644); err != nil {
			return "", fmt.Errorf("assets: %w", err)
		}
	}
	_ = os.RemoveAll(dir)
	if err := os.Rename(tmp, dir); err != nil {
		return "", fmt.Errorf("assets: install %s: %w", dir, err)
	}
	return dir, nil
}

// complete reports whether every pinned file is in dir with its sha256.
func complete(p *Package, dir string) bool {
	for f, want := range p.Files {
		data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(f)))
		if err != nil || sha256hex(data) != want {
			return false
		}
	}
	return true
}

func download(ctx context.Context, url string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := HTTPClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	// The largest pinned tarball is Noto Sans JP's, 79 MB (every weight and subset).
	const limit = 128 << 20
	data, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err == nil && len(data) > limit {
		return nil, fmt.Errorf("GET %s: larger than %d MiB", url, limit>>20)
	}
	return data, err
}

// checkIntegrity verifies an npm "sha512-<base64>" integrity string.
func checkIntegrity(data []byte, integrity string) error {
	b64, ok := strings.CutPrefix(integrity, "sha512-")
	if !ok {
		return fmt.Errorf("unsupported integrity %q", integrity)
	}
	want, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return fmt.Errorf("integrity %q: %w", integrity, err)
	}
	got := sha512.Sum512(data)
	if !bytes.Equal(got[:], want) {
		return fmt.Errorf("tarball sha512 mismatch: got %s, want %s",
			base64.StdEncoding.EncodeToString(got[:]), b64)
	}
	return nil
}

// extract returns the pinned files of an npm tarball (entries "package/<file>"),
// each checked against its sha256. A file missing or wrong is an error.
func extract(tgz []byte, pinned map[string]string) (map[string][]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(tgz))
	if err != nil {
		return nil, fmt.Errorf("gunzip: %w", err)
	}
	tr := tar.NewReader(zr)
	out := map[string][]byte{}
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("untar: %w", err)
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		name := path.Clean(h.Name)
		_, rel, ok := strings.Cut(name, "/") // drop "package/"
		if !ok {
			continue
		}
		want, ok := pinned[rel]
		if !ok {
			continue
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			return nil, fmt.Errorf("untar %s: %w", rel, err)
		}
		if got := sha256hex(data); got != want {
			return nil, fmt.Errorf("%s: sha256 %s, want %s", rel, got, want)
		}
		out[rel] = data
	}
	for f := range pinned {
		if _, ok := out[f]; !ok {
			return nil, fmt.Errorf("tarball lacks %s", f)
		}
	}
	return out, nil
}

func sha256hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}
