package lessons

import (
	"bytes"
	"crypto/sha256"
	"encoding/gob"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/dl4go/dl4go"
	"github.com/dl4go/dl4go/gomlxext"
	"github.com/dl4go/dl4go/internal/atomicfile"
)

// Options are the settings every lesson's Config embeds. None of them changes what is trained or
// measured, so none is part of a run's key.
type Options struct {
	// Quiet turns off the live views (progress, curves, pictures redrawn while training), e.g. in a
	// cell that only redraws the charts of a finished run.
	Quiet bool `json:"-"`
	// CacheDir overrides the folder a run is checkpointed in and its outcome saved to: "" means
	// <cache>/<lesson>/<key> (see [Lesson.Open]), "-" means no checkpoints and no saved outcome
	// (the run trains from scratch every time).
	CacheDir string `json:"-"`
}

func (o Options) kitOptions() Options { return o }

// Settings is a lesson's Config: any struct that embeds [Options]. Every other exported field is
// part of the run's key, so that a run with other settings never resumes or replays this one.
type Settings interface {
	kitOptions() Options
}

// Lesson describes one lesson package to the kit. Each lesson package declares it once:
//
//	var Lesson = lessons.Lesson{ID: "15", Name: "dcgan"}
type Lesson struct {
	// ID is the two-digit lesson number, the RESULT line's lesson=.
	ID string
	// Name is the package's folder below lessons/ ("dcgan"): the cache folder, and the source
	// folder hashed into the code revision.
	Name string
	// Uses names the other lessons whose code this one runs (lesson 16 trains lesson 15's
	// networks: Uses: []string{"dcgan"}); their code is part of this lesson's revision.
	Uses []string
}

// Sources is the code that [Lesson.Revision] hashes: the module's own engine, data and lesson
// sources, embedded when the program was built (see package dl4go). Tests may replace it.
var Sources fs.FS = dl4go.Sources

var (
	revMu    sync.Mutex
	revCache = map[string]string{}
)

// Revision returns the lesson's code revision: the first 16 hex digits of the SHA-256 of every
// non-test file (testdata excluded) in gomlxext/, data/, the kit itself (lessons/*.go),
// lessons/<Name>/ and the folders of the lessons in Uses, and of go.mod's GoMLX requirements.
// Any edit there — a training step, a data generator, the engine — gives a new revision, so
// checkpoints and outcomes of the old code are never reused (they stay on disk under their old
// key until deleted). Edits to notebooks, plotting or docs do not change it.
func (l Lesson) Revision() (string, error) {
	roots := []string{"gomlxext", "data", path.Join("lessons", l.Name)}
	for _, u := range l.Uses {
		roots = append(roots, path.Join("lessons", u))
	}
	slices.Sort(roots)
	roots = slices.Compact(roots)
	id := strings.Join(roots, ",")
	revMu.Lock()
	defer revMu.Unlock()
	if r, ok := revCache[id]; ok && Sources == dl4go.Sources {
		return r, nil
	}
	h := sha256.New()
	add := func(name string) error {
		data, err := fs.ReadFile(Sources, name)
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "%s %d\n", name, len(data))
		h.Write(data)
		return nil
	}
	mod, err := fs.ReadFile(Sources, "go.mod")
	if err != nil {
		return "", fmt.Errorf("lesson %s: code revision: %w", l.Name, err)
	}
	for _, line := range strings.Split(string(mod), "\n") {
		if strings.Contains(line, "github.com/gomlx/") {
			fmt.Fprintln(h, strings.TrimSpace(line))
		}
	}
	kit, err := fs.Glob(Sources, "lessons/*.go")
	if err != nil {
		return "", fmt.Errorf("lesson %s: code revision: %w", l.Name, err)
	}
	for _, name := range kit {
		if !strings.HasSuffix(name, "_test.go") {
			if err := add(name); err != nil {
				return "", fmt.Errorf("lesson %s: code revision: %w", l.Name, err)
			}
		}
	}
	for _, root := range roots {
		err := fs.WalkDir(Sources, root, func(name string, d fs.DirEntry, err error) error {
			switch {
			case err != nil:
				return err
			case d.IsDir() && d.Name() == "testdata":
				return fs.SkipDir
			case d.IsDir(), strings.HasSuffix(name, "_test.go"), strings.HasSuffix(name, ".md"):
				return nil
			}
			return add(name)
		})
		if err != nil {
			return "", fmt.Errorf("lesson %s: code revision: %w (is lessons/%s a lesson folder?)", l.Name, err, strings.TrimPrefix(root, "lessons/"))
		}
	}
	r := hex.EncodeToString(h.Sum(nil))[:16]
	if Sources == dl4go.Sources {
		revCache[id] = r
	}
	return r, nil
}

// runIdentity is what a run's key hashes, and what Open writes to run.json for a reader.
type runIdentity struct {
	Lesson   string
	Revision string
	Backend  string
	Config   json.RawMessage
}

func (l Lesson) identity(cfg Settings) (runIdentity, error) {
	js, err := json.Marshal(cfg)
	if err != nil {
		return runIdentity{}, fmt.Errorf("lesson %s: the configuration %T must encode as JSON (it keys the run): %w", l.Name, cfg, err)
	}
	rev, err := l.Revision()
	if err != nil {
		return runIdentity{}, err
	}
	if _, err := gomlxext.Backend(); err != nil {
		return runIdentity{}, fmt.Errorf("lesson %s: %w", l.Name, err)
	}
	return runIdentity{Lesson: l.ID + "-" + l.Name, Revision: rev, Backend: backendID(gomlxext.Chosen().Config), Config: js}, nil
}

// backendID names a GoMLX backend configuration in keys: "dl4go", "go", "xla:cpu", "xla:cuda";
// a plugin given by path is named by its file.
func backendID(config string) string {
	name, rest, ok := strings.Cut(config, ":")
	if ok && name == "xla" && strings.ContainsRune(rest, '/') {
		return name + ":" + path.Base(rest)
	}
	return config
}

// Key returns the key of cfg's run: 16 hex digits of the SHA-256 of every exported setting of
// cfg (as JSON; [Options] are left out), the lesson's code [Lesson.Revision] and the name of the
// GoMLX backend that trains it. Two runs share a key only when they train the same thing with the
// same code on the same engine.
func (l Lesson) Key(cfg Settings) (string, error) {
	id, err := l.identity(cfg)
	if err != nil {
		return "", err
	}
	js, _ := json.Marshal(id)
	sum := sha256.Sum256(js)
	return hex.EncodeToString(sum[:])[:16], nil
}

// Run is one run of a lesson's configuration, opened by [Lesson.Open]: where its checkpoints and
// outcome live.
type Run struct {
	Lesson Lesson
	// Key is the run's key ([Lesson.Key]).
	Key string
	// Dir is the run's folder, "" when Options.CacheDir is "-" (nothing is saved).
	Dir string
	// Quiet is the configuration's Options.Quiet.
	Quiet bool
}

// runFile is the file in a run's folder that says which run it holds.
const runFile = "run.json"

// Open resolves cfg's run at the moment it starts (never when a Config is made, so a cell that
// edits a field afterwards gets the run of the edited settings): its folder is
// Options.CacheDir when set, else <cache>/<Name>/<key> with <cache> as in
// gomlxext.CheckpointDir ($DL4GO_CACHE_DIR, else the user cache; a fresh folder in tests).
// Open creates the folder and writes run.json there (the lesson, revision, backend and settings,
// for a reader). A CacheDir that already holds another run is refused: its checkpoints must not
// be resumed by this one.
func (l Lesson) Open(cfg Settings) (*Run, error) {
	opts := cfg.kitOptions()
	id, err := l.identity(cfg)
	if err != nil {
		return nil, err
	}
	key, err := l.Key(cfg)
	if err != nil {
		return nil, err
	}
	r := &Run{Lesson: l, Key: key, Quiet: opts.Quiet}
	switch opts.CacheDir {
	case "-":
		return r, nil
	case "":
		if r.Dir, err = gomlxext.CheckpointDir(l.Name, key); err != nil {
			return nil, fmt.Errorf("lesson %s: %w", l.Name, err)
		}
	default:
		r.Dir = opts.CacheDir
		if err := os.MkdirAll(r.Dir, 0o755); err != nil {
			return nil, fmt.Errorf("lesson %s: cache folder: %w", l.Name, err)
		}
	}
	file := filepath.Join(r.Dir, runFile)
	if data, err := os.ReadFile(file); err == nil {
		var old struct{ Key string }
		if json.Unmarshal(data, &old) == nil && old.Key == key {
			return r, nil
		}
		return nil, fmt.Errorf("lesson %s: %s holds another run (%s says key %q, this configuration is %q): "+
			"set Options.CacheDir to an empty folder, or delete %s to start over", l.Name, r.Dir, runFile, old.Key, key, r.Dir)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("lesson %s: %w", l.Name, err)
	}
	js, err := json.MarshalIndent(struct {
		Key string
		runIdentity
	}{key, id}, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("lesson %s: %w", l.Name, err)
	}
	if err := atomicfile.Write(file, append(js, '\n'), 0o644); err != nil {
		return nil, fmt.Errorf("lesson %s: %w", l.Name, err)
	}
	return r, nil
}

// Part returns the folder for one part of the run (a method's checkpoints, the judge's, ...),
// dir/<name>, created; "" when the run saves nothing.
func (r *Run) Part(name string) (string, error) {
	if r.Dir == "" {
		return "", nil
	}
	dir := filepath.Join(r.Dir, name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("lesson %s: %w", r.Lesson.Name, err)
	}
	return dir, nil
}

// outcomeFile holds a run's saved outcome.
const outcomeFile = "outcome.gob"

// savedOutcome is outcome.gob: the outcome with the key it was made under.
type savedOutcome struct {
	Key     string
	Outcome []byte
}

// SaveOutcome saves out (gob-encoded: NaN and ±Inf survive, unlike JSON) with the run's key, so
// that LoadOutcome can return it instead of measuring again. Save only what is expensive to
// measure again (games played, samples judged): where evaluation is cheap, a lesson re-evaluates
// its restored model instead. Nothing is saved when the run saves nothing.
func (r *Run) SaveOutcome(out any) error {
	if r.Dir == "" {
		return nil
	}
	var body bytes.Buffer
	if err := gob.NewEncoder(&body).Encode(out); err != nil {
		return fmt.Errorf("lesson %s: encode the outcome: %w", r.Lesson.Name, err)
	}
	var file bytes.Buffer
	if err := gob.NewEncoder(&file).Encode(savedOutcome{Key: r.Key, Outcome: body.Bytes()}); err != nil {
		return fmt.Errorf("lesson %s: encode the outcome: %w", r.Lesson.Name, err)
	}
	if err := atomicfile.Write(filepath.Join(r.Dir, outcomeFile), file.Bytes(), 0o644); err != nil {
		return fmt.Errorf("lesson %s: save the outcome: %w", r.Lesson.Name, err)
	}
	return nil
}

// LoadOutcome fills out with the outcome SaveOutcome saved for this run and reports whether there
// was one. An outcome saved under another key, or one that no longer decodes, is ignored (with a
// warning on stderr for the latter) and the caller measures again.
func (r *Run) LoadOutcome(out any) (bool, error) {
	if r.Dir == "" {
		return false, nil
	}
	name := filepath.Join(r.Dir, outcomeFile)
	data, err := os.ReadFile(name)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	} else if err != nil {
		return false, fmt.Errorf("lesson %s: read the saved outcome: %w", r.Lesson.Name, err)
	}
	var saved savedOutcome
	if err := gob.NewDecoder(bytes.NewReader(data)).Decode(&saved); err == nil && saved.Key == r.Key {
		if err = gob.NewDecoder(bytes.NewReader(saved.Outcome)).Decode(out); err == nil {
			return true, nil
		}
		fmt.Fprintf(os.Stderr, "dl4go: the saved outcome %s does not decode (%v): measuring again\n", name, err)
	} else if err != nil {
		fmt.Fprintf(os.Stderr, "dl4go: the saved outcome %s is damaged (%v): measuring again\n", name, err)
	}
	return false, nil
}

// FullEnvVar is the environment variable that enables the full-size tests ("1").
const FullEnvVar = "DL4GO_FULL"

// SkipUnlessFull skips a test unless DL4GO_FULL=1: every lesson has a full-size test
// (TestFullOutcome) that runs the notebook's experiment and asserts its outcome, too slow for CI.
func SkipUnlessFull(t testing.TB) {
	t.Helper()
	if os.Getenv(FullEnvVar) != "1" {
		t.Skipf("full-size lesson test: set %s=1 to run it (minutes on 2 cores)", FullEnvVar)
	}
}

// ApplyProbe applies the JSON variant in the environment variable envVar over cfg (a pointer to
// a lesson's Config, already set to the size the variant starts from), for the probe tests that
// choose a lesson's settings on validation data, and returns the variant (for the log). It skips
// the test when envVar is unset and fails it when the JSON does not fit cfg.
func ApplyProbe(t testing.TB, envVar string, cfg any) (variant string) {
	t.Helper()
	spec := os.Getenv(envVar)
	if spec == "" {
		t.Skipf("probe test: set %s to a JSON variant of the configuration to run it", envVar)
	}
	if err := json.Unmarshal([]byte(spec), cfg); err != nil {
		t.Fatalf("%s: %v", envVar, err)
	}
	return spec
}

// ProbeDir returns the folder a probe run of variant is saved in: when $envVar names a folder
// (root), a folder of its own under it, named by the variant's hash, so that probing a variant again
// restores its outcome and a part shared by every probe (lesson 15's judge) can be kept in root;
// else a throw-away folder of t, and root "".
func ProbeDir(t testing.TB, envVar, variant string) (dir, root string) {
	t.Helper()
	root = os.Getenv(envVar)
	if root == "" {
		return t.TempDir(), ""
	}
	return filepath.Join(root, fmt.Sprintf("%x", sha256.Sum256([]byte(variant)))[:16]), root
}
