package docker

import "strings"

// dockerStacksEnv are the variables jupyter/docker-stacks images set (docker-stacks-foundation),
// so that USER ${NB_UID} or COPY --chown=${NB_UID}:${NB_GID} can be checked without pulling the image.
var dockerStacksEnv = map[string]string{
	"NB_USER":   "jovyan",
	"NB_UID":    "1000",
	"NB_GID":    "100",
	"CONDA_DIR": "/opt/conda",
	"HOME":      "/home/jovyan",
	"SHELL":     "/bin/bash",
}

// baseImageEnv returns the environment known for a base image (empty for unknown images).
func baseImageEnv(image string) map[string]string {
	env := map[string]string{}
	if strings.HasPrefix(image, "quay.io/jupyter/") || strings.HasPrefix(image, "jupyter/") ||
		strings.HasPrefix(image, "docker.io/jupyter/") {
		for k, v := range dockerStacksEnv {
			env[k] = v
		}
	}
	return env
}

// expandedCmds are the instructions whose arguments Docker itself expands (RUN, CMD, ENTRYPOINT
// and HEALTHCHECK are left to the shell at run time).
var expandedCmds = map[string]bool{
	"ADD": true, "COPY": true, "ENV": true, "EXPOSE": true, "FROM": true, "LABEL": true,
	"STOPSIGNAL": true, "USER": true, "VOLUME": true, "WORKDIR": true, "ARG": true, "ONBUILD": false,
}

// Step is an instruction with the build state it runs in.
type Step struct {
	Instruction
	Text       string   // Rest(), expanded when Docker expands this instruction's arguments
	Vars       []KeyVal // ENV/ARG/LABEL pairs with expanded values (for ENV, ARG, LABEL)
	User       string   // effective USER for this step (expanded); "" means the base image's user
	Workdir    string   // effective WORKDIR (expanded); "" means the base image's
	Unresolved []string // variables the expansion did not know
}

// KeyVal is a key with its expanded value.
type KeyVal struct {
	Key, Value string
	HasValue   bool
}

// ResolvedStage is a stage with variables expanded.
type ResolvedStage struct {
	*Stage
	Image  string         // expanded FROM image, e.g. "golang:1.26.8-bookworm"
	Parent *ResolvedStage // the earlier stage this one builds on (FROM build), or nil for an image
	Steps  []Step
	Env    map[string]string // variables in scope at the end of the stage (ENV and ARG)
	User   string            // USER at the end of the stage ("" = the base image's)
	Labels map[string]string
}

// Resolved is the whole Dockerfile with variables expanded for one set of build arguments.
type Resolved struct {
	Args   map[string]string // global ARGs (before the first FROM) with their values
	Stages []*ResolvedStage
}

// Final returns the last resolved stage.
func (r *Resolved) Final() *ResolvedStage { return r.Stages[len(r.Stages)-1] }

// Resolve expands variables stage by stage, the way `docker build --build-arg k=v` would
// (buildArgs may be nil). Base images' own variables are known only for jupyter/docker-stacks
// images (NB_USER, NB_UID, NB_GID, CONDA_DIR, ...).
func (d *Dockerfile) Resolve(buildArgs map[string]string) *Resolved {
	r := &Resolved{Args: map[string]string{}}
	for _, in := range d.GlobalArgs {
		for _, kv := range in.KeyValues() {
			v, given := buildArgs[kv.Key]
			if !given {
				v, _ = Expand(kv.Value, r.Args)
			}
			r.Args[kv.Key] = v
		}
	}
	for i := range d.Stages {
		st := &d.Stages[i]
		image, _ := Expand(st.From.Args[0], r.Args)
		rs := &ResolvedStage{Stage: st, Image: image, Labels: map[string]string{}}
		var env map[string]string
		if parent := d.StageByName(image); parent != nil && parent.Index < st.Index {
			rs.Parent = r.Stages[parent.Index]
			env = copyMap(rs.Parent.Env)
			rs.User = rs.Parent.User
			for k, v := range rs.Parent.Labels {
				rs.Labels[k] = v
			}
		} else {
			env = baseImageEnv(image)
		}
		workdir := ""
		for _, in := range st.Instructions {
			step := Step{Instruction: in, Text: in.Rest()}
			if expandedCmds[in.Cmd] {
				step.Text, step.Unresolved = Expand(in.Rest(), env)
			}
			switch in.Cmd {
			case "ARG":
				for _, kv := range in.KeyValues() {
					v, given := buildArgs[kv.Key]
					if !given {
						if kv.HasValue {
							v, _ = Expand(kv.Value, env)
						} else {
							v = r.Args[kv.Key]
						}
					}
					env[kv.Key] = v
					step.Vars = append(step.Vars, KeyVal{kv.Key, v, kv.HasValue})
				}
			case "ENV", "LABEL":
				for _, kv := range in.KeyValues() {
					v, u := Expand(kv.Value, env)
					step.Unresolved = append(step.Unresolved, u...)
					step.Vars = append(step.Vars, KeyVal{kv.Key, v, kv.HasValue})
					if in.Cmd == "ENV" {
						env[kv.Key] = v
					} else {
						rs.Labels[kv.Key] = v
					}
				}
			case "USER":
				rs.User = step.Text
			case "WORKDIR":
				if strings.HasPrefix(step.Text, "/") || workdir == "" {
					workdir = step.Text
				} else {
					workdir = strings.TrimSuffix(workdir, "/") + "/" + step.Text
				}
			}
			step.User, step.Workdir = rs.User, workdir
			rs.Steps = append(rs.Steps, step)
		}
		rs.Env = env
		r.Stages = append(r.Stages, rs)
	}
	return r
}

func copyMap(m map[string]string) map[string]string {
	c := make(map[string]string, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}

// IsRoot reports whether a USER value names root: "root", "0", "root:grp", "0:0".
func IsRoot(user string) bool {
	u, _, _ := strings.Cut(strings.TrimSpace(user), ":")
	return u == "root" || u == "0"
}
