package docker

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"text/tabwriter"

	"github.com/dl4go/dl4go/lessons"
	"golang.org/x/mod/modfile"
)

// ModulePath is the module whose checkout holds the files this lesson reads.
const ModulePath = "github.com/dl4go/dl4go"

// RootEnvVar names the checkout explicitly (the dl4go kernel sets it).
const RootEnvVar = "DL4GO_ROOT"

// The files the lesson reads, relative to the repository root.
const (
	DockerfileName = "Dockerfile"
	ComposeName    = "docker-compose.yaml"
	CondaEnvName   = "environment.yml"
)

// FindRoot locates the dl4go checkout: $DL4GO_ROOT if set; else the directory of this package's
// source file (runtime.Caller) and its parents; else the working directory and its parents.
// A directory counts only if its go.mod declares module github.com/dl4go/dl4go.
func FindRoot() (string, error) {
	if r := os.Getenv(RootEnvVar); r != "" {
		if !isRoot(r) {
			return "", fmt.Errorf("$%s=%s holds no go.mod of module %s", RootEnvVar, r, ModulePath)
		}
		return r, nil
	}
	var starts []string
	if _, file, _, ok := runtime.Caller(0); ok && filepath.IsAbs(file) {
		starts = append(starts, filepath.Dir(file))
	}
	if wd, err := os.Getwd(); err == nil {
		starts = append(starts, wd)
	}
	for _, dir := range starts {
		for d := dir; ; d = filepath.Dir(d) {
			if isRoot(d) {
				return d, nil
			}
			if filepath.Dir(d) == d {
				break
			}
		}
	}
	return "", fmt.Errorf("no dl4go checkout found above %v: set $%s", starts, RootEnvVar)
}

func isRoot(dir string) bool {
	data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	return err == nil && modfile.ModulePath(data) == ModulePath
}

// Project holds the parsed container files of a checkout.
type Project struct {
	Root       string
	GoMod      *modfile.File
	Dockerfile *Dockerfile
	Compose    *Compose
	CondaEnv   *CondaEnv
	Sources    map[string]string // file name -> text, for display
}

// Load reads and parses go.mod, the Dockerfile, the compose file and environment.yml under root.
// A file that fails to parse is an error: the lesson cannot explain what it cannot read.
func Load(root string) (*Project, error) {
	p := &Project{Root: root, Sources: map[string]string{}}
	read := func(name string) ([]byte, error) {
		data, err := os.ReadFile(filepath.Join(root, name))
		if err != nil {
			return nil, fmt.Errorf("load %s: %w", name, err)
		}
		p.Sources[name] = string(data)
		return data, nil
	}
	data, err := read("go.mod")
	if err != nil {
		return nil, err
	}
	if p.GoMod, err = modfile.Parse("go.mod", data, nil); err != nil {
		return nil, fmt.Errorf("load go.mod: %w", err)
	}
	if data, err = read(DockerfileName); err != nil {
		return nil, err
	}
	if p.Dockerfile, err = ParseDockerfile(bytes.NewReader(data)); err != nil {
		return nil, fmt.Errorf("load %s: %w", DockerfileName, err)
	}
	if data, err = read(ComposeName); err != nil {
		return nil, err
	}
	if p.Compose, err = ParseCompose(data); err != nil {
		return nil, fmt.Errorf("load %s: %w", ComposeName, err)
	}
	if data, err = read(CondaEnvName); err != nil {
		return nil, err
	}
	if p.CondaEnv, err = ParseCondaEnv(data); err != nil {
		return nil, fmt.Errorf("load %s: %w", CondaEnvName, err)
	}
	return p, nil
}

// Lesson describes lesson 23 to the lesson kit: its RESULT id and its source folder. It trains
// nothing, so it keeps no cache folder.
var Lesson = lessons.Lesson{ID: "23", Name: "docker"}

// Config selects the checkout to inspect and the bar the checks must clear.
type Config struct {
	lessons.Options `json:"-"`

	// Root is the checkout; empty means FindRoot.
	Root string
	// Threshold is the fraction of checks that must pass (1: every one).
	Threshold float64
}

// Full inspects the checkout FindRoot finds, and every check must pass.
func Full() Config { return Config{Threshold: 1} }

// Quick is Full: the checks are static (no Docker engine is needed) and take milliseconds, so
// the quick and full sizes are the same.
func Quick() Config { return Full() }

// Size returns Quick when lessons.Quick() (DL4GO_QUICK=1), else Full (they are equal).
func Size() Config {
	if lessons.Quick() {
		return Quick()
	}
	return Full()
}

// Outcome is what Run found: the parsed project and every check.
type Outcome struct {
	Config  Config
	Project *Project
	Checks  []Check
}

// Run loads the project and runs every check: the Dockerfile against go.mod, the compose file
// and environment.yml against the Dockerfile and go.mod. Nothing is saved: it reads the files
// as they are now.
func Run(cfg Config) (*Outcome, error) {
	root := cfg.Root
	if root == "" {
		var err error
		if root, err = FindRoot(); err != nil {
			return nil, err
		}
	}
	p, err := Load(root)
	if err != nil {
		return nil, err
	}
	r := &Outcome{Config: cfg, Project: p}
	r.Checks = append(r.Checks, CheckDockerfile(p.Dockerfile, p.GoMod)...)
	r.Checks = append(r.Checks, CheckCompose(p.Compose, p.Dockerfile, p.GoMod)...)
	r.Checks = append(r.Checks, CheckCondaEnv(p.CondaEnv, p.Dockerfile, p.GoMod)...)
	return r, nil
}

// Passed returns the number of checks that passed.
func (r *Outcome) Passed() int {
	n := 0
	for _, c := range r.Checks {
		if c.OK {
			n++
		}
	}
	return n
}

// Failed returns the checks that failed.
func (r *Outcome) Failed() []Check {
	var failed []Check
	for _, c := range r.Checks {
		if !c.OK {
			failed = append(failed, c)
		}
	}
	return failed
}

// Table returns the checks as an aligned text table: status, name, what was found.
func (r *Outcome) Table() string {
	var b strings.Builder
	w := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ok\tcheck\tfound")
	for _, c := range r.Checks {
		mark := "PASS"
		if !c.OK {
			mark = "FAIL"
		}
		fmt.Fprintf(w, "%s\t%s\t%s\n", mark, c.Name, c.Detail)
	}
	w.Flush()
	fmt.Fprintf(&b, "%d/%d checks passed\n", r.Passed(), len(r.Checks))
	return b.String()
}

// Explain returns each check's purpose, one line per check.
func (r *Outcome) Explain() string {
	var b strings.Builder
	for _, c := range r.Checks {
		fmt.Fprintf(&b, "%-20s %s\n", c.Name, c.What)
	}
	return b.String()
}

// Result is the lesson's RESULT line: the fraction of checks passed, against the Config's
// Threshold (1: every check must pass). No checks at all is 0.
func (r *Outcome) Result() lessons.Result {
	v := 0.0
	if len(r.Checks) > 0 {
		v = float64(r.Passed()) / float64(len(r.Checks))
	}
	return lessons.Result{Lesson: Lesson.ID, Metric: "checks_passed", Value: v, Threshold: r.Config.Threshold}
}

// Outline describes the Dockerfile stage by stage: the base image, then each instruction with its
// line number, variables expanded where Docker expands them.
func (p *Project) Outline() string {
	r := p.Dockerfile.Resolve(nil)
	var b strings.Builder
	fmt.Fprintf(&b, "%d global ARGs:", len(p.Dockerfile.GlobalArgs))
	for _, in := range p.Dockerfile.GlobalArgs {
		for _, kv := range in.KeyValues() {
			fmt.Fprintf(&b, " %s=%s", kv.Key, r.Args[kv.Key])
		}
	}
	b.WriteString("\n")
	for _, st := range r.Stages {
		name := st.Name
		if name == "" {
			name = "(final)"
		}
		if st.Index < len(r.Stages)-1 && st.Name != "" {
			name += " (build only: not in the image)"
		}
		fmt.Fprintf(&b, "\nstage %d %s — FROM %s (line %d)\n", st.Index, name, st.Image, st.From.Line)
		for _, s := range st.Steps {
			text := strings.Join(strings.Fields(s.Text), " ")
			if len(s.Flags) > 0 {
				flags, _ := Expand(strings.Join(s.Flags, " "), st.Env)
				text = flags + " " + text
			}
			if len(text) > 100 {
				text = text[:97] + "..."
			}
			fmt.Fprintf(&b, "  %4d  %-11s %s\n", s.Line, s.Cmd, text)
		}
	}
	return b.String()
}

// ErrNoChecks is returned by Verify when the outcome holds no checks.
var ErrNoChecks = errors.New("no checks ran")

// Verify returns an error listing the failed checks, or nil when all passed.
func (r *Outcome) Verify() error {
	if len(r.Checks) == 0 {
		return ErrNoChecks
	}
	failed := r.Failed()
	if len(failed) == 0 {
		return nil
	}
	var msgs []string
	for _, c := range failed {
		msgs = append(msgs, c.Name+": "+c.Detail)
	}
	return fmt.Errorf("%d of %d container checks failed: %s", len(failed), len(r.Checks), strings.Join(msgs, "; "))
}
