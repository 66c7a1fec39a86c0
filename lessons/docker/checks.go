package docker

import (
	"fmt"
	"path"
	"regexp"
	"strconv"
	"strings"

	"golang.org/x/mod/modfile"
)

// Check is one verified property of the container set-up.
type Check struct {
	Name   string // short name, e.g. "from-pinned"
	What   string // what is checked and why it matters, one sentence
	OK     bool
	Detail string // what was found
}

// Module paths whose versions the Dockerfile states and go.mod pins.
const (
	GoNBModule  = "github.com/janpfeifer/gonb"
	GoMLXModule = "github.com/gomlx/gomlx"
)

// The image layout the checks expect (the docker-stacks contract plus this repository).
const (
	NotebookPort = "8888"
	RepoDir      = "/home/jovyan/dl4go"
	NotebooksDir = RepoDir + "/notebooks"
	TitleLabel   = "org.opencontainers.image.title"
)

// ImageRef is a parsed image reference such as quay.io/jupyter/base-notebook:2026-08-24.
type ImageRef struct {
	Repository string // "quay.io/jupyter/base-notebook", "golang"
	Tag        string // "" if none
	Digest     string // "sha256:..." if pinned by digest
}

// ParseImageRef splits an image reference into repository, tag and digest.
func ParseImageRef(ref string) ImageRef {
	var r ImageRef
	if at := strings.Index(ref, "@"); at >= 0 {
		ref, r.Digest = ref[:at], ref[at+1:]
	}
	// A ':' after the last '/' starts the tag (a ':' before it is a registry port).
	if c := strings.LastIndex(ref, ":"); c > strings.LastIndex(ref, "/") {
		ref, r.Tag = ref[:c], ref[c+1:]
	}
	r.Repository = ref
	return r
}

// Pinned reports whether the reference names one image: a digest, or a tag other than "latest".
func (r ImageRef) Pinned() bool {
	return strings.HasPrefix(r.Digest, "sha256:") || (r.Tag != "" && r.Tag != "latest")
}

var (
	goVersionRE = regexp.MustCompile(`^(\d+)\.(\d+)(?:\.(\d+))?`)
	secretKeyRE = regexp.MustCompile(`(?i)(TOKEN|PASSWORD|PASSWD|SECRET|API_?KEY|PRIVATE_?KEY|CREDENTIAL)`)
	// authOffRE matches the usual ways of switching Jupyter's token or password authentication off.
	authOffRE = regexp.MustCompile(`(?i)(?:ServerApp|NotebookApp|IdentityProvider|PasswordIdentityProvider)\.(?:token|password)\s*=\s*(?:''|""|\\'\\'|\s|$)|--no-?auth|disable_check_xsrf\s*=\s*True`)
)

// goVersion parses "1.26.8" (or "1.26") into comparable numbers.
func goVersion(s string) (major, minor, patch int, ok bool) {
	m := goVersionRE.FindStringSubmatch(s)
	if m == nil {
		return 0, 0, 0, false
	}
	major, _ = strconv.Atoi(m[1])
	minor, _ = strconv.Atoi(m[2])
	if m[3] != "" {
		patch, _ = strconv.Atoi(m[3])
	}
	return major, minor, patch, true
}

// GoVersionSatisfies reports whether the Go toolchain version v (e.g. "1.26.8") can build a module
// whose go.mod has the given go line and toolchain line: the same language version (major.minor),
// not older than the go line, and equal to the toolchain line when there is one.
func GoVersionSatisfies(v string, mod *modfile.File) (bool, string) {
	if mod.Go == nil {
		return false, "go.mod has no go line"
	}
	want := mod.Go.Version
	if mod.Toolchain != nil {
		tc := strings.TrimPrefix(mod.Toolchain.Name, "go")
		if v != tc {
			return false, fmt.Sprintf("Go %s, but go.mod's toolchain line says %s", v, tc)
		}
	}
	maj, min, pat, ok := goVersion(v)
	wmaj, wmin, wpat, wok := goVersion(want)
	switch {
	case !ok || !wok:
		return false, fmt.Sprintf("cannot compare Go %q with go.mod's go %q", v, want)
	case maj != wmaj || min != wmin:
		return false, fmt.Sprintf("Go %s is not Go %d.%d, go.mod's language version (go %s)", v, wmaj, wmin, want)
	case pat < wpat:
		return false, fmt.Sprintf("Go %s is older than go.mod's go %s", v, want)
	}
	return true, fmt.Sprintf("Go %s satisfies go.mod's go %s", v, want)
}

// requiredVersion returns the version go.mod requires for a module path.
func requiredVersion(mod *modfile.File, path string) string {
	for _, r := range mod.Require {
		if r.Mod.Path == path {
			return r.Mod.Version
		}
	}
	return ""
}

// GoImageVersion returns the Go version of the first stage built FROM the official golang image
// (the tag's leading version, e.g. "1.26.8" in golang:1.26.8-bookworm), and that stage.
func GoImageVersion(r *Resolved) (string, *ResolvedStage) {
	for _, st := range r.Stages {
		ref := ParseImageRef(st.Image)
		if ref.Repository == "golang" || ref.Repository == "docker.io/library/golang" || ref.Repository == "library/golang" {
			return goVersionRE.FindString(ref.Tag), st
		}
	}
	return "", nil
}

// argDefault returns the value of a global ARG, or of an ARG declared in any stage.
func argDefault(r *Resolved, name string) (string, bool) {
	if v, ok := r.Args[name]; ok {
		return v, true
	}
	for _, st := range r.Stages {
		for _, s := range st.Steps {
			for _, kv := range s.Vars {
				if s.Cmd == "ARG" && kv.Key == name {
					return kv.Value, true
				}
			}
		}
	}
	return "", false
}

// runs returns the RUN steps of a stage whose command line contains all the given words.
func runs(st *ResolvedStage, words ...string) []Step {
	var found []Step
	for _, s := range st.Steps {
		if s.Cmd != "RUN" {
			continue
		}
		text := s.Text + "\n" + strings.Join(s.Heredoc, "\n")
		all := true
		for _, w := range words {
			all = all && strings.Contains(text, w)
		}
		if all {
			found = append(found, s)
		}
	}
	return found
}

func cleanPath(p string) string { return path.Clean(strings.Trim(p, `"'`)) }

// CheckDockerfile runs the Dockerfile checks against go.mod. Every check explains itself in
// What; Detail says what was found.
func CheckDockerfile(d *Dockerfile, mod *modfile.File) []Check {
	r := d.Resolve(nil)
	final := r.Final()
	var checks []Check
	add := func(name, what string, ok bool, format string, args ...any) {
		checks = append(checks, Check{Name: name, What: what, OK: ok, Detail: fmt.Sprintf(format, args...)})
	}

	// 1. Every FROM pinned.
	{
		var bad, good []string
		for _, st := range r.Stages {
			if st.Parent != nil || st.Image == "scratch" {
				continue
			}
			ref := ParseImageRef(st.Image)
			_, unresolved := Expand(st.From.Args[0], r.Args)
			if len(unresolved) > 0 || !ref.Pinned() {
				bad = append(bad, fmt.Sprintf("line %d: %s", st.From.Line, st.Image))
			} else {
				good = append(good, st.Image)
			}
		}
		if len(bad) > 0 {
			add("from-pinned", "Every FROM names one image, by tag or digest, so a rebuild gets the same base.", false,
				"unpinned (no tag, \"latest\", or an unset variable): %s", strings.Join(bad, "; "))
		} else {
			add("from-pinned", "Every FROM names one image, by tag or digest, so a rebuild gets the same base.", len(good) > 0,
				"%s", strings.Join(good, ", "))
		}
	}

	// 2. Go version of the golang image satisfies go.mod.
	{
		what := "The Go build stage uses the official golang image at a version that satisfies go.mod."
		v, st := GoImageVersion(r)
		if st == nil {
			add("go-version", what, false, "no stage is built FROM the official golang image")
		} else {
			ok, why := GoVersionSatisfies(v, mod)
			add("go-version", what, ok, "%s (FROM %s)", why, st.Image)
		}
	}

	// 3-4. GoNB and GoMLX versions stated in the Dockerfile equal go.mod's.
	for _, m := range []struct{ name, arg, module, what string }{
		{"gonb-version", "GONB_VERSION", GoNBModule, "The GoNB version the Dockerfile states (ARG GONB_VERSION) is the one go.mod pins."},
		{"gomlx-version", "GOMLX_VERSION", GoMLXModule, "The GoMLX version the Dockerfile states (ARG GOMLX_VERSION) is the one go.mod pins."},
	} {
		got, ok := argDefault(r, m.arg)
		want := requiredVersion(mod, m.module)
		switch {
		case !ok:
			add(m.name, m.what, false, "no ARG %s in the Dockerfile", m.arg)
		case want == "":
			add(m.name, m.what, false, "go.mod does not require %s", m.module)
		default:
			add(m.name, m.what, got == want, "Dockerfile %s=%s, go.mod %s %s", m.arg, got, m.module, want)
		}
	}

	// 5. Final stage on a docker-stacks image.
	{
		ok := strings.HasPrefix(final.Image, "quay.io/jupyter/") || strings.HasPrefix(final.Image, "jupyter/")
		add("docker-stacks-base", "The final stage builds on a jupyter/docker-stacks image, so start-notebook.py, start-singleuser.py (JupyterHub) and user jovyan work as everywhere else.",
			ok, "final stage FROM %s", final.Image)
	}

	// 6. Last USER of the final stage is not root.
	{
		what := "The final stage ends as an unprivileged user, so the notebook server does not run as root."
		var last *Step
		for i := range final.Steps {
			if final.Steps[i].Cmd == "USER" {
				last = &final.Steps[i]
			}
		}
		switch {
		case last == nil:
			add("user-not-root", what, false, "no USER in the final stage: the user is whatever the base image left")
		case len(last.Unresolved) > 0:
			add("user-not-root", what, false, "line %d: USER %s uses unknown variables %v", last.Line, last.Rest(), last.Unresolved)
		default:
			add("user-not-root", what, !IsRoot(last.Text), "line %d: USER %s (= %s)", last.Line, last.Rest(), last.Text)
		}
	}

	// 7. EXPOSE 8888.
	{
		var ports []string
		for _, s := range final.Steps {
			if s.Cmd == "EXPOSE" {
				for _, p := range strings.Fields(s.Text) {
					ports = append(ports, strings.TrimSuffix(p, "/tcp"))
				}
			}
		}
		found := false
		for _, p := range ports {
			found = found || p == NotebookPort
		}
		add("expose-8888", "The image declares Jupyter's port 8888 (EXPOSE), the port compose publishes.", found, "EXPOSE %v", ports)
	}

	// 8. HEALTHCHECK.
	{
		var hc *Step
		for i := range final.Steps {
			if final.Steps[i].Cmd == "HEALTHCHECK" {
				hc = &final.Steps[i]
			}
		}
		ok := hc != nil && len(hc.Args) > 0 && strings.EqualFold(hc.Args[0], "CMD")
		detail := "no HEALTHCHECK in the final stage"
		if hc != nil {
			detail = fmt.Sprintf("line %d: HEALTHCHECK %s", hc.Line, hc.Rest())
		}
		add("healthcheck", "A HEALTHCHECK lets Docker (and compose) tell a running server from a hung one.", ok, "%s", detail)
	}

	// 9. The kernel is installed, as the notebook user.
	{
		what := "The image installs the dl4go kernel (dl4go install) as the notebook user, so JupyterLab offers it."
		steps := runs(final, "dl4go", "install")
		switch {
		case len(steps) == 0:
			add("kernel-install", what, false, "no RUN ... dl4go install in the final stage")
		case steps[0].User == "" || IsRoot(expandOr(steps[0].User, final)):
			add("kernel-install", what, false, "line %d: dl4go install runs as %q, not as the notebook user", steps[0].Line, steps[0].User)
		default:
			add("kernel-install", what, true, "line %d: %s (as USER %s)", steps[0].Line, steps[0].Text, steps[0].User)
		}
	}

	// 10. Module cache pre-filled.
	{
		steps := runs(final, "go mod download")
		detail := "no RUN go mod download in the final stage"
		if len(steps) > 0 {
			detail = fmt.Sprintf("line %d, in %s", steps[0].Line, steps[0].Workdir)
		}
		add("module-cache", "The final stage pre-fills the Go module cache (go mod download), so notebook cells compile offline.", len(steps) > 0, "%s", detail)
	}

	// 11. The Go toolchain is in the final image.
	{
		ok, detail := false, "no Go toolchain copied or installed in the final stage"
		for _, s := range final.Steps {
			if s.Cmd != "COPY" {
				continue
			}
			from, _ := s.Flag("from")
			if src := d.StageByName(from); src != nil && strings.Contains(s.Text, "/usr/local/go") {
				ok, detail = true, fmt.Sprintf("line %d: COPY --from=%s %s", s.Line, from, s.Text)
			}
		}
		add("go-toolchain", "The Go toolchain is in the final image: GoNB compiles every cell at run time.", ok, "%s", detail)
	}

	// 12. XLA PJRT plugin installed at build time.
	{
		ok, detail := false, "no `dl4go xla` step"
		for _, st := range r.Stages {
			if s := runs(st, "dl4go xla"); len(s) > 0 {
				detail = fmt.Sprintf("stage %q line %d runs dl4go xla", st.Name, s[0].Line)
				if st == final {
					ok = true
				}
				for _, c := range final.Steps {
					from, _ := c.Flag("from")
					if c.Cmd == "COPY" && from == st.Name && strings.Contains(c.Text, "go-xla") {
						ok, detail = true, detail+fmt.Sprintf("; line %d copies %s", c.Line, c.Text)
					}
				}
			}
		}
		add("xla-plugin", "XLA's PJRT CPU plugin is installed at build time (go-xla's installer), so lessons run on XLA with no download.", ok, "%s", detail)
	}

	// 13. No secrets baked in.
	{
		var bad []string
		for _, st := range r.Stages {
			for _, s := range st.Steps {
				if s.Cmd != "ENV" && s.Cmd != "ARG" {
					continue
				}
				for _, kv := range s.Vars {
					if secretKeyRE.MatchString(kv.Key) && kv.HasValue && kv.Value != "" {
						bad = append(bad, fmt.Sprintf("line %d: %s %s=…", s.Line, s.Cmd, kv.Key))
					}
				}
			}
		}
		for _, in := range d.GlobalArgs {
			for _, kv := range in.KeyValues() {
				if secretKeyRE.MatchString(kv.Key) && kv.HasValue && kv.Value != "" {
					bad = append(bad, fmt.Sprintf("line %d: ARG %s=…", in.Line, kv.Key))
				}
			}
		}
		detail := "no ENV or ARG named like a token, password, secret or key has a value"
		if len(bad) > 0 {
			detail = strings.Join(bad, "; ")
		}
		add("no-secrets", "No token, password or secret is baked into the image (ENV/ARG values stay in every layer and in `docker history`).", len(bad) == 0, "%s", detail)
	}

	// 14. Token authentication left on.
	{
		var bad []string
		for _, st := range r.Stages {
			for _, s := range st.Steps {
				text := s.Raw + "\n" + strings.Join(s.Heredoc, "\n")
				if authOffRE.MatchString(text) {
					bad = append(bad, fmt.Sprintf("line %d: %s %s", s.Line, s.Cmd, s.Raw))
				}
			}
		}
		detail := "nothing switches Jupyter's token authentication off"
		if len(bad) > 0 {
			detail = strings.Join(bad, "; ")
		}
		add("token-auth", "Jupyter's token authentication stays on: a notebook server runs arbitrary code for whoever reaches it.", len(bad) == 0, "%s", detail)
	}

	// 15. Repository at RepoDir, WORKDIR on the notebooks.
	{
		copied := false
		for _, s := range final.Steps {
			if s.Cmd == "COPY" && len(s.Args) > 0 {
				if _, hasFrom := s.Flag("from"); hasFrom {
					continue
				}
				words := strings.Fields(s.Text)
				if len(words) >= 2 && words[0] == "." && cleanPath(words[len(words)-1]) == RepoDir {
					copied = true
				}
			}
		}
		wd := ""
		for _, s := range final.Steps {
			if s.Cmd == "WORKDIR" {
				wd = s.Workdir
			}
		}
		add("notebooks-workdir", "The repository is copied to "+RepoDir+" and the last WORKDIR is its notebooks, where JupyterLab opens.",
			copied && cleanPath(wd) == NotebooksDir, "COPY . %s: %t; last WORKDIR %s", RepoDir, copied, wd)
	}

	// 16. docker-stacks start-up kept.
	{
		ok, detail := true, "CMD and ENTRYPOINT inherited from docker-stacks (tini, start.sh, start-notebook.py)"
		for _, s := range final.Steps {
			switch s.Cmd {
			case "ENTRYPOINT":
				ok, detail = false, fmt.Sprintf("line %d: ENTRYPOINT %s replaces docker-stacks' tini/start.sh", s.Line, s.Raw)
			case "CMD":
				if len(s.Args) == 0 || !strings.HasPrefix(path.Base(s.Args[0]), "start-notebook") {
					ok, detail = false, fmt.Sprintf("line %d: CMD %s is not docker-stacks' start-notebook.py", s.Line, s.Raw)
				} else if ok {
					detail = fmt.Sprintf("line %d: CMD %s (docker-stacks' default)", s.Line, s.Raw)
				}
			}
		}
		add("default-cmd", "The image keeps docker-stacks' start-up, so `docker run -p 8888:8888 IMAGE` opens JupyterLab and JupyterHub can run start-singleuser.py.", ok, "%s", detail)
	}
	return checks
}

// expandOr expands a value with the stage's final variables (used for USER values already expanded
// once; harmless when there is nothing left to expand).
func expandOr(v string, st *ResolvedStage) string {
	e, _ := Expand(v, st.Env)
	return e
}
