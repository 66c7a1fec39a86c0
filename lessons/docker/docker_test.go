package docker

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/mod/modfile"

	"github.com/dl4go/dl4go/lessons"
)

// project loads the real files once per test.
func project(t *testing.T) *Project {
	t.Helper()
	root, err := FindRoot()
	if err != nil {
		t.Fatal(err)
	}
	p, err := Load(root)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func checkByName(t *testing.T, checks []Check, name string) Check {
	t.Helper()
	for _, c := range checks {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("no check %q among %d", name, len(checks))
	return Check{}
}

// TestQuickOutcome: every check passes on the real files (quick and full sizes are the same).
func TestQuickOutcome(t *testing.T) {
	r, err := Run(Quick())
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Checks) < 20 {
		t.Errorf("only %d checks ran", len(r.Checks))
	}
	if err := r.Verify(); err != nil {
		t.Errorf("%v\n%s", err, r.Table())
	}
	if res := r.Result(); !res.OK() || res.Value != 1 {
		t.Errorf("result %v", res)
	}
}

func TestFullOutcome(t *testing.T) {
	lessons.SkipUnlessFull(t)
	r, err := Run(Full())
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s\n%s", r.Result(), r.Table())
	if !r.Result().OK() {
		t.Errorf("full outcome not reached: %s\n%s", r.Result(), r.Table())
	}
}

// TestResult: the threshold comes from the Config the checks ran with; no checks is a fail.
func TestResult(t *testing.T) {
	checks := []Check{{Name: "a", OK: true}, {Name: "b", OK: true}, {Name: "c", OK: true}, {Name: "d"}}
	tests := []struct {
		checks    []Check
		threshold float64
		value     float64
		ok        bool
	}{
		{checks, 1, 0.75, false}, {checks, 0.75, 0.75, true}, {checks[:3], 1, 1, true}, {nil, 1, 0, false},
	}
	for _, tt := range tests {
		r := (&Outcome{Config: Config{Threshold: tt.threshold}, Checks: tt.checks}).Result()
		if r.Value != tt.value || r.OK() != tt.ok || r.Threshold != tt.threshold || r.Lesson != "23" {
			t.Errorf("%d checks, threshold %g: %v; want value %g ok=%v", len(tt.checks), tt.threshold, r, tt.value, tt.ok)
		}
	}
}

func TestFindRootFromEnv(t *testing.T) {
	root, err := FindRoot()
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv(RootEnvVar, root)
	if got, err := FindRoot(); err != nil || got != root {
		t.Errorf("FindRoot with $%s=%s: %q, %v", RootEnvVar, root, got, err)
	}
	t.Setenv(RootEnvVar, t.TempDir())
	if _, err := FindRoot(); err == nil {
		t.Errorf("FindRoot accepted a directory without dl4go's go.mod")
	}
}

// TestBadDockerfiles mutates the real Dockerfile and checks that the matching check fails,
// proving that each check can fail.
func TestBadDockerfiles(t *testing.T) {
	p := project(t)
	src := p.Sources[DockerfileName]
	tests := []struct {
		name      string
		old, new  string // replace old by new (old must occur)
		failCheck string
	}{
		{"unpinned FROM", "quay.io/jupyter/base-notebook:${BASE_TAG}", "quay.io/jupyter/base-notebook", "from-pinned"},
		{"FROM latest", "quay.io/jupyter/base-notebook:${BASE_TAG}", "quay.io/jupyter/base-notebook:latest", "from-pinned"},
		{"FROM unset variable", "ARG BASE_TAG=2026-08-24", "ARG BASE_TAG", "from-pinned"},
		{"Go too old", "ARG GO_VERSION=1.26.8", "ARG GO_VERSION=1.25.3", "go-version"},
		{"Go next minor", "ARG GO_VERSION=1.26.8", "ARG GO_VERSION=1.27.0", "go-version"},
		{"no golang stage", "FROM golang:${GO_VERSION}-bookworm AS build", "FROM debian:bookworm AS build", "go-version"},
		{"GoNB drift", "ARG GONB_VERSION=v0.11.1", "ARG GONB_VERSION=v0.10.0", "gonb-version"},
		{"GoMLX drift", "ARG GOMLX_VERSION=v0.26.0", "ARG GOMLX_VERSION=v0.25.0", "gomlx-version"},
		{"not docker-stacks", "FROM quay.io/jupyter/base-notebook:${BASE_TAG}", "FROM ubuntu:24.04", "docker-stacks-base"},
		{"root USER", "USER ${NB_UID}\n", "USER root\n", "user-not-root"},
		{"USER 0:0", "USER ${NB_UID}\n", "USER 0:0\n", "user-not-root"},
		{"USER unknown variable", "USER ${NB_UID}\n", "USER ${APP_UID}\n", "user-not-root"},
		{"kernel installed as root", "USER ${NB_UID}\n", "", "kernel-install"},
		{"no kernel install", "RUN dl4go install --user", "RUN dl4go list", "kernel-install"},
		{"other port", "EXPOSE 8888", "EXPOSE 9999", "expose-8888"},
		{"no healthcheck", "HEALTHCHECK --interval", "# HEALTHCHECK --interval", "healthcheck"},
		{"healthcheck NONE", "HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \\\n    CMD /etc/jupyter/docker_healthcheck.py || exit 1", "HEALTHCHECK NONE", "healthcheck"},
		{"no module cache", "RUN go mod download \\\n    && go build ./lessons", "RUN go build ./lessons", "module-cache"},
		{"no Go toolchain", "COPY --from=build /usr/local/go /usr/local/go\n", "", "go-toolchain"},
		{"no XLA plugin copied", "COPY --from=build /usr/local/lib/go-xla /usr/local/lib/go-xla\n", "", "xla-plugin"},
		{"baked token ENV", "ENV GOPATH=/opt/go", "ENV JUPYTER_TOKEN=0123456789abcdef\nENV GOPATH=/opt/go", "no-secrets"},
		{"baked secret global ARG", "ARG GO_VERSION=1.26.8", "ARG GO_VERSION=1.26.8\nARG GITHUB_TOKEN=ghp_example", "no-secrets"},
		{"baked password legacy ENV", "ENV GOPATH=/opt/go", "ENV DB_PASSWORD hunter2\nENV GOPATH=/opt/go", "no-secrets"},
		{"token off", `CMD ["start-notebook.py"]`, `CMD ["start-notebook.py", "--IdentityProvider.token=''"]`, "token-auth"},
		{"token off legacy", `CMD ["start-notebook.py"]`, `CMD start-notebook.py --NotebookApp.token=''`, "token-auth"},
		{"workdir home", "WORKDIR /home/${NB_USER}/dl4go/notebooks", "WORKDIR /home/${NB_USER}", "notebooks-workdir"},
		{"repo elsewhere", "COPY --chown=${NB_UID}:${NB_GID} . /home/${NB_USER}/dl4go", "COPY --chown=${NB_UID}:${NB_GID} . /srv/dl4go", "notebooks-workdir"},
		{"entrypoint replaced", `CMD ["start-notebook.py"]`, `ENTRYPOINT ["jupyter", "lab", "--ip=0.0.0.0"]`, "default-cmd"},
		{"cmd replaced", `CMD ["start-notebook.py"]`, `CMD ["jupyter", "lab"]`, "default-cmd"},
	}
	base := CheckDockerfile(p.Dockerfile, p.GoMod)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.Contains(src, tc.old) {
				t.Fatalf("the Dockerfile no longer contains %q: update the test", tc.old)
			}
			if !checkByName(t, base, tc.failCheck).OK {
				t.Fatalf("check %s already fails on the real Dockerfile", tc.failCheck)
			}
			d, err := ParseDockerfile(strings.NewReader(strings.Replace(src, tc.old, tc.new, 1)))
			if err != nil {
				t.Fatal(err)
			}
			c := checkByName(t, CheckDockerfile(d, p.GoMod), tc.failCheck)
			if c.OK {
				t.Errorf("check %s passed on a bad Dockerfile: %s", tc.failCheck, c.Detail)
			}
		})
	}
}

func TestBadCompose(t *testing.T) {
	p := project(t)
	src := p.Sources[ComposeName]
	tests := []struct {
		name, old, new, failCheck string
	}{
		{"no lab service", "\n  lab:\n", "\n  notebook:\n", "compose-lab"},
		{"other dockerfile", "dockerfile: Dockerfile\n      args:\n        GO_VERSION: \"1.26.8\"\n    ports", "dockerfile: Dockerfile.dev\n      args:\n        GO_VERSION: \"1.26.8\"\n    ports", "compose-lab"},
		{"other host port", `"127.0.0.1:8888:8888"`, `"127.0.0.1:9999:8888"`, "compose-port"},
		{"other container port", `"127.0.0.1:8888:8888"`, `"8888:9000"`, "compose-port"},
		{"other image name", "image: dl4go:latest", "image: jupyter/lab:latest", "compose-image"},
		{"bind mount only", "      - work:/home/jovyan/dl4go/notebooks/work\n      # Checkpoints", "      - ./work:/home/jovyan/dl4go/notebooks/work\n      # Checkpoints", "compose-volume"},
		{"no healthcheck", "    healthcheck:\n      test: [\"CMD-SHELL\", \"/etc/jupyter/docker_healthcheck.py || exit 1\"]\n      interval: 15s\n      timeout: 3s\n      start_period: 10s\n      retries: 3\n    restart", "    restart", "compose-healthcheck"},
		{"old Go", `GO_VERSION: "1.26.8"`, `GO_VERSION: "1.25.3"`, "compose-build-args"},
		{"unknown build arg", "XLA_CUDA: cuda13", "XLA_CUDA: cuda13\n        CUDA_ARCH: sm_90", "compose-build-args"},
		{"no gpu profile", `profiles: ["gpu"]`, `profiles: ["extra"]`, "compose-gpu"},
		{"gpu without CUDA build", "XLA_CUDA: cuda13", "XLA_CUDA: \"\"", "compose-gpu"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.Contains(src, tc.old) {
				t.Fatalf("the compose file no longer contains %q: update the test", tc.old)
			}
			if !checkByName(t, CheckCompose(p.Compose, p.Dockerfile, p.GoMod), tc.failCheck).OK {
				t.Fatalf("check %s already fails on the real compose file", tc.failCheck)
			}
			c, err := ParseCompose([]byte(strings.Replace(src, tc.old, tc.new, 1)))
			if err != nil {
				t.Fatal(err)
			}
			got := checkByName(t, CheckCompose(c, p.Dockerfile, p.GoMod), tc.failCheck)
			if got.OK {
				t.Errorf("check %s passed on a bad compose file: %s", tc.failCheck, got.Detail)
			}
		})
	}
	if _, err := ParseCompose([]byte("services: [unclosed")); err == nil {
		t.Error("ParseCompose accepted invalid YAML")
	}
}

func TestBadCondaEnv(t *testing.T) {
	p := project(t)
	src := p.Sources[CondaEnvName]
	tests := []struct {
		name, old, new, failCheck string
	}{
		{"defaults channel", "  - conda-forge\n", "  - defaults\n", "conda-env"},
		{"no jupyterlab", "  - jupyterlab=4.6\n", "", "conda-env"},
		{"old go", "go=1.26.8", "go=1.25.3", "conda-go"},
		{"go not the Dockerfile's", "go=1.26.8", "go=1.26.7", "conda-go"},
		{"go unpinned", "go=1.26.8", "go", "conda-go"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.Contains(src, tc.old) {
				t.Fatalf("environment.yml no longer contains %q: update the test", tc.old)
			}
			e, err := ParseCondaEnv([]byte(strings.Replace(src, tc.old, tc.new, 1)))
			if err != nil {
				t.Fatal(err)
			}
			if c := checkByName(t, CheckCondaEnv(e, p.Dockerfile, p.GoMod), tc.failCheck); c.OK {
				t.Errorf("check %s passed on a bad environment.yml: %s", tc.failCheck, c.Detail)
			}
		})
	}
}

func TestParseDockerfile(t *testing.T) {
	src := "# syntax=docker/dockerfile:1\n" +
		"ARG BASE=alpine:3.20\n" +
		"FROM --platform=linux/amd64 ${BASE} AS one\n" +
		"# a comment\n" +
		"RUN echo a \\\n" +
		"  # a comment inside a continuation\n" +
		"\n" +
		"  && echo b\n" +
		"CMD [\"sh\", \"-c\", \"echo hi\"]\n" +
		"ENTRYPOINT [not json\n" +
		"COPY --from=one --chown=1:1 /a /b\n" +
		"RUN <<EOF\n" +
		"echo in heredoc\n" +
		"EOF\n" +
		"ENV A=1 B=\"two words\"\n" +
		"ENV LEGACY value with spaces\n" +
		"from one\n" +
		"USER nobody\n"
	d, err := ParseDockerfile(strings.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	if d.Directives["syntax"] != "docker/dockerfile:1" {
		t.Errorf("directives %v", d.Directives)
	}
	if len(d.GlobalArgs) != 1 || len(d.Stages) != 2 || d.Stages[0].Name != "one" {
		t.Fatalf("global args %d, stages %d", len(d.GlobalArgs), len(d.Stages))
	}
	ins := d.Stages[0].Instructions
	want := []string{"RUN", "CMD", "ENTRYPOINT", "COPY", "RUN", "ENV", "ENV"}
	var got []string
	for _, in := range ins {
		got = append(got, in.Cmd)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("instructions %v, want %v", got, want)
	}
	if r := ins[0].Rest(); r != "echo a    && echo b" {
		t.Errorf("continuation joined as %q", r)
	}
	if ins[0].Line != 5 {
		t.Errorf("RUN at line %d, want 5", ins[0].Line)
	}
	if !ins[1].JSON || !reflect.DeepEqual(ins[1].Args, []string{"sh", "-c", "echo hi"}) {
		t.Errorf("CMD JSON form: %v %q", ins[1].JSON, ins[1].Args)
	}
	if ins[2].JSON {
		t.Errorf("invalid JSON taken as exec form")
	}
	if f, _ := ins[3].Flag("from"); f != "one" || ins[3].Rest() != "/a /b" {
		t.Errorf("COPY flags %v rest %q", ins[3].Flags, ins[3].Rest())
	}
	if len(ins[4].Heredoc) != 1 || ins[4].Heredoc[0] != "echo in heredoc" {
		t.Errorf("heredoc %q", ins[4].Heredoc)
	}
	if kv := ins[5].KeyValues(); len(kv) != 2 || kv[1].Value != "two words" {
		t.Errorf("ENV pairs %+v", kv)
	}
	if kv := ins[6].KeyValues(); len(kv) != 1 || kv[0].Key != "LEGACY" || kv[0].Value != "value with spaces" {
		t.Errorf("legacy ENV %+v", kv)
	}
	r := d.Resolve(map[string]string{"BASE": "alpine:3.21"})
	if r.Stages[0].Image != "alpine:3.21" || r.Stages[1].Parent != r.Stages[0] {
		t.Errorf("resolved %q, parent %v", r.Stages[0].Image, r.Stages[1].Parent)
	}
	if r.Stages[1].Env["B"] != "two words" || r.Stages[1].User != "nobody" {
		t.Errorf("stage 2 inherits env %v, user %q", r.Stages[1].Env, r.Stages[1].User)
	}

	for _, bad := range []string{
		"RUN echo no FROM\n",
		"FROM a b c d\n",
		"FROM a\nFROBNICATE x\n",
		"FROM a\nRUN <<EOF\necho\n",
		"",
	} {
		if _, err := ParseDockerfile(strings.NewReader(bad)); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
}

func TestEscapeDirective(t *testing.T) {
	d, err := ParseDockerfile(strings.NewReader("# escape=`\nFROM a:1\nRUN dir `\n  c:\\\\\n"))
	if err != nil {
		t.Fatal(err)
	}
	if r := d.Stages[0].Instructions[0].Rest(); r != `dir    c:\\` {
		t.Errorf("backtick continuation: %q", r)
	}
}

func TestExpand(t *testing.T) {
	vars := map[string]string{"A": "x", "EMPTY": "", "N1": "one"}
	tests := []struct {
		in, want string
		unknown  []string
	}{
		{"$A/${A}", "x/x", nil},
		{"${MISSING:-dflt}", "dflt", nil},
		{"${EMPTY:-dflt}", "dflt", nil},
		{"${A:-dflt}", "x", nil},
		{"${A:+alt}", "alt", nil},
		{"${MISSING:+alt}", "", nil},
		{`\$A`, "$A", nil},
		{"$MISSING-", "-", []string{"MISSING"}},
		{"${N1}2 $N1.", "one2 one.", nil},
		{"cost $5", "cost $5", nil},
	}
	for _, tc := range tests {
		got, unknown := Expand(tc.in, vars)
		if got != tc.want || !reflect.DeepEqual(unknown, tc.unknown) {
			t.Errorf("Expand(%q) = %q %v, want %q %v", tc.in, got, unknown, tc.want, tc.unknown)
		}
	}
}

func TestParseImageRef(t *testing.T) {
	tests := []struct {
		ref    string
		want   ImageRef
		pinned bool
	}{
		{"golang:1.26.8-bookworm", ImageRef{"golang", "1.26.8-bookworm", ""}, true},
		{"ubuntu", ImageRef{"ubuntu", "", ""}, false},
		{"ubuntu:latest", ImageRef{"ubuntu", "latest", ""}, false},
		{"localhost:5000/team/img", ImageRef{"localhost:5000/team/img", "", ""}, false},
		{"localhost:5000/img:v1", ImageRef{"localhost:5000/img", "v1", ""}, true},
		{"quay.io/jupyter/base-notebook@sha256:abc", ImageRef{"quay.io/jupyter/base-notebook", "", "sha256:abc"}, true},
	}
	for _, tc := range tests {
		got := ParseImageRef(tc.ref)
		if got != tc.want || got.Pinned() != tc.pinned {
			t.Errorf("ParseImageRef(%q) = %+v pinned %t, want %+v %t", tc.ref, got, got.Pinned(), tc.want, tc.pinned)
		}
	}
}

func TestGoVersionSatisfies(t *testing.T) {
	mod := func(text string) *modfile.File {
		f, err := modfile.Parse("go.mod", []byte("module m\n"+text), nil)
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	tests := []struct {
		v, gomod string
		ok       bool
	}{
		{"1.26.8", "go 1.26.0\n", true},
		{"1.26.0", "go 1.26.0\n", true},
		{"1.26.8", "go 1.26.9\n", false},
		{"1.27.1", "go 1.26.0\n", false},
		{"1.25.9", "go 1.26.0\n", false},
		{"1.26.8", "go 1.26.0\ntoolchain go1.26.8\n", true},
		{"1.26.7", "go 1.26.0\ntoolchain go1.26.8\n", false},
		{"", "go 1.26.0\n", false},
		{"1.26.8", "", false},
	}
	for _, tc := range tests {
		if ok, why := GoVersionSatisfies(tc.v, mod(tc.gomod)); ok != tc.ok {
			t.Errorf("GoVersionSatisfies(%q, %q) = %t (%s)", tc.v, tc.gomod, ok, why)
		}
	}
}

func TestLoadErrors(t *testing.T) {
	p := project(t)
	dir := t.TempDir()
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("go.mod", p.Sources["go.mod"])
	if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), DockerfileName) {
		t.Errorf("missing Dockerfile: %v", err)
	}
	write(DockerfileName, p.Sources[DockerfileName])
	write(ComposeName, "services: {lab: [")
	if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), ComposeName) {
		t.Errorf("broken compose: %v", err)
	}
	write(ComposeName, p.Sources[ComposeName])
	write(CondaEnvName, p.Sources[CondaEnvName])
	r, err := Run(Config{Root: dir, Threshold: 1})
	if err != nil || r.Verify() != nil {
		t.Errorf("copied files: %v %v", err, r.Verify())
	}
}

// Example shows the lesson's last cell: every check of the container files, then the RESULT line.
func Example() {
	out, err := Run(Size())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(len(out.Failed()), "failed checks")
	fmt.Println(out.Result())
	// Output:
	// 0 failed checks
	// RESULT lesson=23 metric=checks_passed value=1 threshold=1 ok=true
}
