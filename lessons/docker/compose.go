package docker

import (
	"fmt"
	"path"
	"regexp"
	"sort"
	"strings"

	"golang.org/x/mod/modfile"
	"gopkg.in/yaml.v3"
)

// Compose is the part of a compose file (compose specification) the checks read.
type Compose struct {
	Name     string             `yaml:"name"`
	Services map[string]Service `yaml:"services"`
	Volumes  map[string]any     `yaml:"volumes"`
}

// Service is one compose service. Fields with two syntaxes (short strings or long maps) are
// decoded as they are written and read through the methods below.
type Service struct {
	Image       string         `yaml:"image"`
	Build       any            `yaml:"build"` // "context" string, or a map with context, dockerfile, args
	Ports       []any          `yaml:"ports"` // "[ip:]host:container[/proto]" strings or {target, published} maps
	Volumes     []any          `yaml:"volumes"`
	Environment any            `yaml:"environment"`
	Healthcheck map[string]any `yaml:"healthcheck"`
	Profiles    []string       `yaml:"profiles"`
	Deploy      struct {
		Resources struct {
			Reservations struct {
				Devices []struct {
					Driver       string   `yaml:"driver"`
					Count        any      `yaml:"count"`
					Capabilities []string `yaml:"capabilities"`
				} `yaml:"devices"`
			} `yaml:"reservations"`
		} `yaml:"resources"`
	} `yaml:"deploy"`
}

// ParseCompose parses a compose file.
func ParseCompose(data []byte) (*Compose, error) {
	var c Compose
	if err := yaml.Unmarshal(data, &c); err != nil {
		return nil, fmt.Errorf("parse compose file: %w", err)
	}
	if len(c.Services) == 0 {
		return nil, fmt.Errorf("parse compose file: no services")
	}
	return &c, nil
}

// BuildSpec is a service's build section.
type BuildSpec struct {
	Context, Dockerfile string
	Args                map[string]string
}

// BuildSpec returns the service's build section; ok is false if the service does not build.
func (s Service) BuildSpec() (b BuildSpec, ok bool) {
	switch v := s.Build.(type) {
	case string:
		return BuildSpec{Context: v, Dockerfile: "Dockerfile"}, true
	case map[string]any:
		b = BuildSpec{Context: ".", Dockerfile: "Dockerfile", Args: map[string]string{}}
		if c, ok := v["context"].(string); ok {
			b.Context = c
		}
		if d, ok := v["dockerfile"].(string); ok {
			b.Dockerfile = d
		}
		switch args := v["args"].(type) {
		case map[string]any:
			for k, a := range args {
				b.Args[k] = fmt.Sprint(a)
			}
		case []any: // ["K=v", ...]
			for _, a := range args {
				k, val, _ := strings.Cut(fmt.Sprint(a), "=")
				b.Args[k] = val
			}
		}
		return b, true
	}
	return BuildSpec{}, false
}

// PortMapping is one published port.
type PortMapping struct{ HostIP, Published, Target string }

// PortMappings returns the service's ports in both syntaxes.
func (s Service) PortMappings() []PortMapping {
	var ms []PortMapping
	for _, p := range s.Ports {
		switch v := p.(type) {
		case map[string]any:
			ms = append(ms, PortMapping{HostIP: fmt.Sprint(v["host_ip"]), Published: fmt.Sprint(v["published"]), Target: fmt.Sprint(v["target"])})
		default:
			spec, _, _ := strings.Cut(fmt.Sprint(v), "/")
			parts := strings.Split(spec, ":")
			m := PortMapping{Target: parts[len(parts)-1]}
			if len(parts) >= 2 {
				m.Published = parts[len(parts)-2]
			}
			if len(parts) == 3 {
				m.HostIP = parts[0]
			}
			ms = append(ms, m)
		}
	}
	return ms
}

// Mount is one volume mount of a service.
type Mount struct{ Source, Target string }

// Mounts returns the service's volume mounts in both syntaxes.
func (s Service) Mounts() []Mount {
	var ms []Mount
	for _, v := range s.Volumes {
		switch v := v.(type) {
		case map[string]any:
			ms = append(ms, Mount{Source: fmt.Sprint(v["source"]), Target: fmt.Sprint(v["target"])})
		default:
			parts := strings.Split(fmt.Sprint(v), ":")
			if len(parts) == 1 {
				ms = append(ms, Mount{Target: parts[0]})
			} else {
				ms = append(ms, Mount{Source: parts[0], Target: parts[1]})
			}
		}
	}
	return ms
}

// RequestsGPU reports whether the service reserves an Nvidia GPU (deploy.resources.reservations.devices).
func (s Service) RequestsGPU() bool {
	for _, d := range s.Deploy.Resources.Reservations.Devices {
		for _, c := range d.Capabilities {
			if c == "gpu" {
				return true
			}
		}
	}
	return false
}

// CheckCompose checks a compose file against the Dockerfile (port, image name, build args) and
// go.mod (the Go version passed as a build argument). The main service is "lab".
func CheckCompose(c *Compose, d *Dockerfile, mod *modfile.File) []Check {
	r := d.Resolve(nil)
	var checks []Check
	add := func(name, what string, ok bool, format string, args ...any) {
		checks = append(checks, Check{Name: name, What: what, OK: ok, Detail: fmt.Sprintf(format, args...)})
	}
	lab, hasLab := c.Services["lab"]
	if !hasLab {
		add("compose-lab", "compose has a \"lab\" service that builds this Dockerfile.", false, "no service \"lab\" (services: %v)", serviceNames(c))
		return checks
	}
	b, builds := lab.BuildSpec()
	add("compose-lab", "compose has a \"lab\" service that builds this Dockerfile.",
		builds && path.Clean(b.Context) == "." && path.Clean(b.Dockerfile) == "Dockerfile",
		"build context %q, dockerfile %q", b.Context, b.Dockerfile)

	// Port: the container port is the one the image exposes, published on the same host port.
	{
		var exposed []string
		for _, s := range r.Final().Steps {
			if s.Cmd == "EXPOSE" {
				for _, p := range strings.Fields(s.Text) {
					exposed = append(exposed, strings.TrimSuffix(p, "/tcp"))
				}
			}
		}
		ok := false
		var got []string
		for _, m := range lab.PortMappings() {
			got = append(got, fmt.Sprintf("%s->%s", m.Published, m.Target))
			for _, e := range exposed {
				if m.Target == e && m.Target == NotebookPort && m.Published == NotebookPort {
					ok = true
				}
			}
		}
		add("compose-port", "compose publishes the port the Dockerfile EXPOSEs (8888 -> 8888).", ok, "ports %v, EXPOSE %v", got, exposed)
	}

	// Image name: compose tags what it builds with the name the Dockerfile's title label gives.
	{
		title := r.Final().Labels[TitleLabel]
		repo := ParseImageRef(lab.Image).Repository
		add("compose-image", "compose names the image it builds like the Dockerfile's "+TitleLabel+" label, the name the docs use in `docker run`.",
			title != "" && path.Base(repo) == title, "compose image %q, Dockerfile label %q", lab.Image, title)
	}

	// Named volume for the user's work, inside the notebooks folder so JupyterLab shows it.
	{
		var named []string
		ok := false
		for _, m := range lab.Mounts() {
			if _, declared := c.Volumes[m.Source]; declared && m.Source != "" {
				named = append(named, m.Source+":"+m.Target)
				ok = ok || strings.HasPrefix(path.Clean(m.Target)+"/", NotebooksDir+"/")
			}
		}
		add("compose-volume", "The lab service keeps the learner's work in a named volume under "+NotebooksDir+" (visible in JupyterLab), which outlives the container.", ok, "named volumes %v", named)
	}

	// Healthcheck.
	{
		test, ok := lab.Healthcheck["test"]
		add("compose-healthcheck", "The lab service has a healthcheck, so `docker compose ps` shows whether Jupyter answers.", ok && test != nil, "test %v", test)
	}

	// Build args: declared in the Dockerfile; GO_VERSION the Dockerfile's and go.mod-compatible.
	{
		ok := true
		var notes []string
		for _, name := range serviceNames(c) {
			bs, builds := c.Services[name].BuildSpec()
			if !builds {
				continue
			}
			for _, k := range sortedKeys(bs.Args) {
				v := bs.Args[k]
				def, declared := argDefault(r, k)
				switch {
				case !declared:
					ok = false
					notes = append(notes, fmt.Sprintf("%s: %s is not an ARG of the Dockerfile", name, k))
				case k == "GO_VERSION":
					sat, why := GoVersionSatisfies(v, mod)
					if v != def || !sat {
						ok = false
					}
					notes = append(notes, fmt.Sprintf("%s: GO_VERSION=%s (Dockerfile %s; %s)", name, v, def, why))
				default:
					notes = append(notes, fmt.Sprintf("%s: %s=%s", name, k, v))
				}
			}
		}
		add("compose-build-args", "compose's build args are ARGs of the Dockerfile, and GO_VERSION equals the Dockerfile's and satisfies go.mod.", ok, "%s", strings.Join(notes, "; "))
	}

	// Optional GPU profile.
	{
		ok, detail := false, "no service with profile \"gpu\" reserving a GPU"
		for _, name := range serviceNames(c) {
			s := c.Services[name]
			inGPU := false
			for _, p := range s.Profiles {
				inGPU = inGPU || p == "gpu"
			}
			if !inGPU || !s.RequestsGPU() {
				continue
			}
			bs, _ := s.BuildSpec()
			_, declared := argDefault(r, "XLA_CUDA")
			ok = bs.Args["XLA_CUDA"] != "" && declared
			detail = fmt.Sprintf("service %q (profile gpu) reserves a GPU and builds with XLA_CUDA=%q", name, bs.Args["XLA_CUDA"])
		}
		add("compose-gpu", "An optional compose profile \"gpu\" builds the CUDA variant and reserves the GPU.", ok, "%s", detail)
	}
	return checks
}

func serviceNames(c *Compose) []string {
	names := make([]string, 0, len(c.Services))
	for n := range c.Services {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// CondaEnv is a conda environment.yml.
type CondaEnv struct {
	Name         string   `yaml:"name"`
	Channels     []string `yaml:"channels"`
	Dependencies []any    `yaml:"dependencies"` // "pkg=version" strings, or {pip: [...]}
}

// ParseCondaEnv parses an environment.yml.
func ParseCondaEnv(data []byte) (*CondaEnv, error) {
	var e CondaEnv
	if err := yaml.Unmarshal(data, &e); err != nil {
		return nil, fmt.Errorf("parse environment.yml: %w", err)
	}
	if len(e.Dependencies) == 0 {
		return nil, fmt.Errorf("parse environment.yml: no dependencies")
	}
	return &e, nil
}

var condaSpecRE = regexp.MustCompile(`^\s*([A-Za-z0-9_.\-]+)\s*(?:(==?|>=|<=|>|<|~=)\s*(\S+))?`)

// Packages returns the conda packages with the version spec they are pinned to ("" if none).
func (e *CondaEnv) Packages() map[string]string {
	pkgs := map[string]string{}
	for _, d := range e.Dependencies {
		s, ok := d.(string)
		if !ok {
			continue
		}
		if m := condaSpecRE.FindStringSubmatch(s); m != nil {
			pkgs[m[1]] = m[3]
		}
	}
	return pkgs
}

// CheckCondaEnv checks environment.yml: conda-forge, the Jupyter packages, and a go pinned to the
// Dockerfile's Go version, which satisfies go.mod.
func CheckCondaEnv(e *CondaEnv, d *Dockerfile, mod *modfile.File) []Check {
	var checks []Check
	pkgs := e.Packages()
	forge := false
	for _, c := range e.Channels {
		forge = forge || c == "conda-forge"
	}
	var missing []string
	for _, p := range []string{"python", "jupyterlab", "nbconvert", "go"} {
		if _, ok := pkgs[p]; !ok {
			missing = append(missing, p)
		}
	}
	checks = append(checks, Check{Name: "conda-env", What: "environment.yml uses conda-forge and lists python, jupyterlab, nbconvert and go.",
		OK: forge && len(missing) == 0, Detail: fmt.Sprintf("channels %v, missing %v", e.Channels, missing)})

	goPin := strings.TrimSuffix(pkgs["go"], ".*")
	dockerGo, _ := GoImageVersion(d.Resolve(nil))
	sat, why := GoVersionSatisfies(goPin, mod)
	checks = append(checks, Check{Name: "conda-go", What: "environment.yml pins go to the Dockerfile's Go version, which satisfies go.mod.",
		OK: goPin != "" && goPin == dockerGo && sat, Detail: fmt.Sprintf("go=%s, Dockerfile Go %s; %s", goPin, dockerGo, why)})
	return checks
}
