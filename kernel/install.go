package kernel

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"golang.org/x/mod/modfile"
)

// Tools are the packages Install builds into the kernel's bin directory, at
// the versions pinned by the checkout's go.mod (`tool` lines and requirements).
var Tools = []string{
	"./cmd/dl4go",
	"github.com/janpfeifer/gonb",
	"golang.org/x/tools/gopls",
	"golang.org/x/tools/cmd/goimports",
}

// InstallOptions configure Install.
type InstallOptions struct {
	// Root is the dl4go checkout (the directory of its go.mod).
	Root string
	// DataDir is the Jupyter data directory; the kernelspec goes to DataDir/kernels/dl4go.
	DataDir string
	// Logf reports progress; nil is silent.
	Logf func(format string, args ...any)
	// Tools are the packages to build, from [Tools] (nil: all of them).
	// `dl4go run` leaves out gopls, which only completion and inspection use.
	Tools []string
	// BuildLine, if set, receives each line of `go build -v` as it comes: a
	// package being compiled, or a "go: downloading" line. The build's
	// output is still part of Install's error when the build fails.
	BuildLine func(line string)
}

// FindRoot returns the dl4go checkout: $DL4GO_ROOT if set, else the first
// directory at or above dir whose go.mod declares module github.com/dl4go/dl4go.
func FindRoot(dir string) (string, error) {
	if r := os.Getenv(RootEnvVar); r != "" {
		if err := CheckRoot(r); err != nil {
			return "", fmt.Errorf("$%s: %w", RootEnvVar, err)
		}
		return r, nil
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for d := dir; ; d = filepath.Dir(d) {
		if CheckRoot(d) == nil {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("no dl4go checkout at or above %s: run dl4go from inside the repository or set $%s", dir, RootEnvVar)
		}
	}
}

// CheckRoot returns an error unless dir holds the dl4go module's go.mod.
func CheckRoot(dir string) error {
	data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		return fmt.Errorf("%s is not a dl4go checkout: %w", dir, err)
	}
	if p := modfile.ModulePath(data); p != ModulePath {
		return fmt.Errorf("%s is not a dl4go checkout: its go.mod declares module %q", dir, p)
	}
	return nil
}

// Install builds the kernel's binaries and writes the kernelspec. It is
// idempotent: binaries are rebuilt (Go's build cache makes that quick) and
// replaced atomically, kernel.json is rewritten.
func Install(opts InstallOptions) (Installed, error) {
	logf := opts.Logf
	if logf == nil {
		logf = func(string, ...any) {}
	}
	if err := CheckRoot(opts.Root); err != nil {
		return Installed{}, err
	}
	root, err := filepath.Abs(opts.Root)
	if err != nil {
		return Installed{}, err
	}
	dir := filepath.Join(opts.DataDir, "kernels", Name)
	bin := filepath.Join(dir, "bin")
	if err := os.MkdirAll(bin, 0o755); err != nil {
		return Installed{}, fmt.Errorf("create kernel directory: %w", err)
	}

	tools := opts.Tools
	if tools == nil {
		tools = Tools
	}
	names := make([]string, len(tools))
	for i, t := range tools {
		names[i] = filepath.Base(t)
	}
	logf("building %s (pinned by %s/go.mod) into %s", strings.Join(names, ", "), root, bin)
	staging, err := os.MkdirTemp(dir, ".build-")
	if err != nil {
		return Installed{}, fmt.Errorf("create build directory: %w", err)
	}
	defer os.RemoveAll(staging)
	args := []string{"build", "-o", staging + string(filepath.Separator)}
	if opts.BuildLine != nil {
		args = append(args, "-v")
	}
	cmd := exec.Command("go", append(args, tools...)...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOTOOLCHAIN=local")
	if out, err := runBuild(cmd, opts.BuildLine); err != nil {
		return Installed{}, fmt.Errorf("go build the kernel tools: %w\n%s", err, bytes.TrimSpace(out))
	}
	for _, t := range tools {
		name := exe(filepath.Base(t))
		if err := os.Rename(filepath.Join(staging, name), filepath.Join(bin, name)); err != nil {
			return Installed{}, fmt.Errorf("install %s: %w", name, err)
		}
	}

	if err := writeLogos(dir); err != nil {
		return Installed{}, err
	}
	spec := Spec{
		Argv:          []string{filepath.Join(bin, exe("dl4go")), "kernel", "-f", "{connection_file}"},
		DisplayName:   DisplayName,
		Language:      "go",
		InterruptMode: "message",
		Env:           map[string]string{RootEnvVar: root},
		Metadata:      map[string]any{"dl4go": map[string]any{"root": root}},
	}
	data, err := json.MarshalIndent(spec, "", "  ")
	if err != nil {
		return Installed{}, err
	}
	if err := writeFileAtomic(filepath.Join(dir, "kernel.json"), append(data, '\n'), 0o644); err != nil {
		return Installed{}, fmt.Errorf("write kernel.json: %w", err)
	}
	logf("installed kernelspec %q (%s) in %s", Name, DisplayName, dir)
	return Installed{Dir: dir, Spec: spec}, nil
}

// runBuild runs cmd and returns its combined output, passing each line to
// line (when not nil) as it is written.
func runBuild(cmd *exec.Cmd, line func(string)) ([]byte, error) {
	if line == nil {
		return cmd.CombinedOutput()
	}
	var out bytes.Buffer
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	done := make(chan struct{})
	go func() {
		defer close(done)
		tee := io.TeeReader(pr, &out)
		sc := bufio.NewScanner(tee)
		for sc.Scan() {
			line(sc.Text())
		}
		_, _ = io.Copy(io.Discard, tee) // after a line longer than the scanner's buffer
	}()
	err := cmd.Run()
	pw.Close()
	<-done
	return out.Bytes(), err
}

// Uninstall removes the dl4go kernelspec from a Jupyter data directory.
// It reports whether there was one.
func Uninstall(dataDir string) (bool, error) {
	dir := filepath.Join(dataDir, "kernels", Name)
	if _, err := os.Stat(dir); os.IsNotExist(err) {
		return false, nil
	}
	if err := os.RemoveAll(dir); err != nil {
		return true, fmt.Errorf("remove %s: %w", dir, err)
	}
	return true, nil
}

// writeFileAtomic writes data to a temporary file beside path and renames it over path.
func writeFileAtomic(path string, data []byte, perm os.FileMode) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Chmod(f.Name(), perm); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}

// writeLogos draws the kernel's logo (a Go-blue tile with a neuron-like pattern)
// at the sizes Jupyter looks for.
func writeLogos(dir string) error {
	for _, size := range []int{32, 64} {
		var buf bytes.Buffer
		if err := png.Encode(&buf, logo(size)); err != nil {
			return err
		}
		name := fmt.Sprintf("logo-%dx%d.png", size, size)
		if err := writeFileAtomic(filepath.Join(dir, name), buf.Bytes(), 0o644); err != nil {
			return fmt.Errorf("write %s: %w", name, err)
		}
	}
	svg := strings.TrimSpace(logoSVG) + "\n"
	return writeFileAtomic(filepath.Join(dir, "logo-svg.svg"), []byte(svg), 0o644)
}

const logoSVG = `
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64">
  <rect width="64" height="64" rx="12" fill="#00ADD8"/>
  <g stroke="#fff" stroke-width="2">
    <line x1="16" y1="20" x2="48" y2="32"/><line x1="16" y1="44" x2="48" y2="32"/>
    <line x1="16" y1="20" x2="32" y2="44"/><line x1="16" y1="44" x2="32" y2="20"/>
  </g>
  <g fill="#fff"><circle cx="16" cy="20" r="5"/><circle cx="16" cy="44" r="5"/>
    <circle cx="32" cy="20" r="4"/><circle cx="32" cy="44" r="4"/><circle cx="48" cy="32" r="6"/></g>
</svg>`

// logo draws a size×size version of logoSVG: a blue tile with white nodes.
func logo(size int) image.Image {
	img := image.NewRGBA(image.Rect(0, 0, size, size))
	blue := color.RGBA{0x00, 0xAD, 0xD8, 0xff}
	s := float64(size) / 64
	nodes := [][3]float64{{16, 20, 5}, {16, 44, 5}, {32, 20, 4}, {32, 44, 4}, {48, 32, 6}}
	for y := 0; y < size; y++ {
		for x := 0; x < size; x++ {
			img.Set(x, y, blue)
			for _, n := range nodes {
				dx, dy := float64(x)+0.5-n[0]*s, float64(y)+0.5-n[1]*s
				if dx*dx+dy*dy <= n[2]*n[2]*s*s {
					img.Set(x, y, color.White)
				}
			}
		}
	}
	return img
}
