package main

import (
	"archive/zip"
	"bufio"
	"crypto/sha256"
	"debug/elf"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/dl4go/dl4go/gomlxext"
)

// inspectPlugin loads a plugin to check it; tests replace it.
var inspectPlugin = gomlxext.InspectXLAPlugin

// wheelMeta is what a wheel's *.dist-info/METADATA says about its package.
type wheelMeta struct{ name, version string }

// installWheel unpacks the PJRT plugin of a Python wheel (PyPI's xla-cpu-pjrt; a jax-cuda*-pjrt
// plugin wheel is unpacked the same way, without its Nvidia libraries) into dir as
// pjrt_c_api_<name>_plugin.so, where go-xla finds it by name. A CPU plugin is loaded first, so that
// a plugin go-xla cannot use is never installed. It records the wheel and the plugin's versions
// next to the plugin (for `dl4go doctor` and the kernel banner). name "" is read from the package
// name ("cpu" or "cuda").
func installWheel(wheel, dir, name string) (gomlxext.XLAPlugin, error) {
	var none gomlxext.XLAPlugin
	zr, err := zip.OpenReader(wheel)
	if err != nil {
		return none, fmt.Errorf("%s is not a wheel (a zip file): %w; get one with `pip download --no-deps xla-cpu-pjrt==0.0.1`", wheel, err)
	}
	defer zr.Close()
	meta, err := readWheelMeta(&zr.Reader)
	if err != nil {
		return none, fmt.Errorf("%s: %w", wheel, err)
	}
	var libs []*zip.File
	for _, f := range zr.File {
		base := path.Base(f.Name)
		if ext := path.Ext(base); (ext == ".so" || ext == ".dylib" || ext == ".dll") && !strings.Contains(f.Name, ".libs/") {
			libs = append(libs, f)
		}
	}
	if len(libs) != 1 {
		names := make([]string, len(libs))
		for i, f := range libs {
			names[i] = f.Name
		}
		return none, fmt.Errorf("%s (%s %s) holds %d shared libraries %q, want exactly one PJRT plugin: is it a PJRT plugin wheel such as xla-cpu-pjrt?",
			wheel, meta.name, meta.version, len(libs), names)
	}
	if name == "" {
		switch n := strings.ToLower(meta.name); {
		case strings.Contains(n, "cpu"):
			name = "cpu"
		case strings.Contains(n, "cuda"):
			name = "cuda"
		default:
			return none, fmt.Errorf("cannot tell the plugin's name from the package name %q: pass --name (e.g. cpu)", meta.name)
		}
	}
	if strings.ContainsAny(name, `/\ `) || name == "" {
		return none, fmt.Errorf("bad plugin name %q: want a word such as cpu or cuda", name)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return none, fmt.Errorf("create %s: %w", dir, err)
	}
	dest := filepath.Join(dir, "pjrt_c_api_"+name+"_plugin"+path.Ext(libs[0].Name))
	tmp := filepath.Join(dir, fmt.Sprintf(".%s.%d.tmp", filepath.Base(dest), os.Getpid()))
	defer os.Remove(tmp)
	if err := extract(libs[0], tmp); err != nil {
		return none, fmt.Errorf("unpack %s from %s: %w", libs[0].Name, wheel, err)
	}
	if err := checkPJRTExport(tmp); err != nil {
		return none, fmt.Errorf("%s in %s: %w", libs[0].Name, wheel, err)
	}
	info := gomlxext.XLAPlugin{Name: name}
	if name == "cpu" {
		loaded, err := inspectPlugin(tmp)
		if err != nil {
			return none, fmt.Errorf("%s (%s %s) does not load in go-xla (built for PJRT C API %s): %w",
				libs[0].Name, meta.name, meta.version, gomlxext.GoXLAPJRTVersion, err)
		}
		info.PJRTVersion, info.StableHLO = loaded.PJRTVersion, loaded.StableHLO
	}
	// Rename over the old file or go-xla's link (the link is replaced, not its target).
	if err := os.Rename(tmp, dest); err != nil {
		return none, fmt.Errorf("install %s: %w", dest, err)
	}
	info.Path = dest
	info.Source = fmt.Sprintf("%s %s (wheel)", meta.name, meta.version)
	if info.WheelSHA256, err = fileSHA256(wheel); err != nil {
		return none, err
	}
	if err := gomlxext.RecordXLAPlugin(info); err != nil {
		return none, err
	}
	return gomlxext.DescribeXLAPlugin(dest), nil
}

// readWheelMeta reads Name and Version from the wheel's *.dist-info/METADATA.
func readWheelMeta(zr *zip.Reader) (wheelMeta, error) {
	for _, f := range zr.File {
		if path.Base(f.Name) != "METADATA" || !strings.HasSuffix(path.Dir(f.Name), ".dist-info") {
			continue
		}
		r, err := f.Open()
		if err != nil {
			return wheelMeta{}, fmt.Errorf("read %s: %w", f.Name, err)
		}
		defer r.Close()
		var m wheelMeta
		sc := bufio.NewScanner(r)
		for sc.Scan() && sc.Text() != "" { // headers end at the first blank line
			if v, ok := strings.CutPrefix(sc.Text(), "Name: "); ok {
				m.name = strings.TrimSpace(v)
			} else if v, ok := strings.CutPrefix(sc.Text(), "Version: "); ok {
				m.version = strings.TrimSpace(v)
			}
		}
		if m.name == "" || m.version == "" {
			return m, fmt.Errorf("%s has no Name or Version", f.Name)
		}
		return m, nil
	}
	return wheelMeta{}, errors.New("no *.dist-info/METADATA: not a wheel")
}

func extract(f *zip.File, to string) error {
	r, err := f.Open()
	if err != nil {
		return err
	}
	defer r.Close()
	w, err := os.OpenFile(to, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o755)
	if err != nil {
		return err
	}
	if _, err := io.Copy(w, r); err != nil {
		w.Close()
		return err
	}
	return w.Close()
}

// checkPJRTExport checks that an ELF shared library exports GetPjrtApi, the entry point go-xla
// calls. Other formats (macOS, Windows) are left to the loader.
func checkPJRTExport(file string) error {
	f, err := elf.Open(file)
	if err != nil {
		var fe *elf.FormatError
		if errors.As(err, &fe) {
			return nil
		}
		return err
	}
	defer f.Close()
	syms, err := f.DynamicSymbols()
	if err != nil {
		return fmt.Errorf("read its symbols: %w", err)
	}
	for _, s := range syms {
		if s.Name == "GetPjrtApi" && s.Section != elf.SHN_UNDEF {
			return nil
		}
	}
	return errors.New("exports no GetPjrtApi: it is not a PJRT plugin")
}

func fileSHA256(file string) (string, error) {
	f, err := os.Open(file)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("hash %s: %w", file, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
