package docker

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"strings"
)

// Instruction is one Dockerfile instruction, with its continuation lines joined and
// the comment lines inside it dropped (as Docker's own parser does).
type Instruction struct {
	Cmd   string   // upper-case keyword: "FROM", "RUN", "COPY", ...
	Flags []string // leading flags, e.g. "--from=build", "--chown=${NB_UID}:${NB_GID}"
	// Args holds the arguments: the elements of the JSON array in JSON ("exec") form, else the
	// whitespace-separated words (quotes kept as written).
	Args    []string
	JSON    bool     // the arguments were a JSON array (exec form)
	Raw     string   // the text after the keyword (flags included), continuations joined with a space
	Heredoc []string // bodies of here-documents (RUN <<EOF ... EOF), if any
	Line    int      // 1-based line of the keyword
}

// Rest returns the arguments without the flags, as written (shell form) or re-joined (JSON form).
func (in Instruction) Rest() string {
	if in.JSON {
		return strings.Join(in.Args, " ")
	}
	rest := strings.TrimSpace(in.Raw)
	for range in.Flags {
		_, after, _ := strings.Cut(rest, " ")
		rest = strings.TrimSpace(after)
	}
	return rest
}

// Flag returns the value of the flag --name (e.g. Flag("from") for COPY --from=build).
func (in Instruction) Flag(name string) (string, bool) {
	for _, f := range in.Flags {
		k, v, _ := strings.Cut(strings.TrimPrefix(f, "--"), "=")
		if k == name {
			return v, true
		}
	}
	return "", false
}

// Stage is one build stage: a FROM and the instructions up to the next FROM.
type Stage struct {
	Index        int
	Name         string        // the "AS name", lower-case; empty if unnamed
	From         Instruction   // the FROM instruction
	Instructions []Instruction // the instructions after FROM
}

// Dockerfile is a parsed Dockerfile: global ARGs (those before the first FROM) and the stages.
type Dockerfile struct {
	Directives map[string]string // parser directives such as "syntax" and "escape"
	GlobalArgs []Instruction     // ARG instructions before the first FROM
	Stages     []Stage
}

// Final returns the last stage, the one `docker build` produces by default; nil if there is none.
func (d *Dockerfile) Final() *Stage {
	if len(d.Stages) == 0 {
		return nil
	}
	return &d.Stages[len(d.Stages)-1]
}

// StageByName returns the stage named name (case-insensitive), or nil.
func (d *Dockerfile) StageByName(name string) *Stage {
	for i := range d.Stages {
		if d.Stages[i].Name != "" && d.Stages[i].Name == strings.ToLower(name) {
			return &d.Stages[i]
		}
	}
	return nil
}

var (
	directiveRE = regexp.MustCompile(`^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$`)
	heredocRE   = regexp.MustCompile(`<<(-?)(["']?)([A-Za-z_][A-Za-z0-9_]*)(["']?)`)
)

// ParseDockerfile reads a Dockerfile. It handles parser directives (# syntax=, # escape=),
// comments, empty lines, line continuations (also across comment lines), here-documents,
// flags, and the JSON (exec) and shell forms. It does not evaluate variables: see Expand.
func ParseDockerfile(r io.Reader) (*Dockerfile, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1024*1024), 16*1024*1024)
	var lines []string
	for sc.Scan() {
		lines = append(lines, strings.TrimRight(sc.Text(), "\r"))
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read Dockerfile: %w", err)
	}

	d := &Dockerfile{Directives: map[string]string{}}
	escape := byte('\\')
	i := 0
	// Parser directives: only at the very top, before any instruction, empty line or comment.
	for ; i < len(lines); i++ {
		m := directiveRE.FindStringSubmatch(lines[i])
		if m == nil {
			break
		}
		key := strings.ToLower(m[1])
		if _, dup := d.Directives[key]; dup {
			return nil, fmt.Errorf("line %d: parser directive %q given twice", i+1, key)
		}
		d.Directives[key] = m[2]
		if key == "escape" {
			if m[2] != "\\" && m[2] != "`" {
				return nil, fmt.Errorf("line %d: invalid escape character %q", i+1, m[2])
			}
			escape = m[2][0]
		}
	}

	var instructions []Instruction
	for i < len(lines) {
		line := strings.TrimSpace(lines[i])
		if line == "" || strings.HasPrefix(line, "#") {
			i++
			continue
		}
		start := i + 1
		// Join continuation lines; comment and empty lines inside a continuation are skipped.
		var b strings.Builder
		for {
			cur := strings.TrimRight(lines[i], " \t")
			i++
			if len(cur) > 0 && cur[len(cur)-1] == escape {
				b.WriteString(cur[:len(cur)-1])
				b.WriteByte(' ')
				for i < len(lines) {
					t := strings.TrimSpace(lines[i])
					if t == "" || strings.HasPrefix(t, "#") {
						i++
						continue
					}
					break
				}
				if i < len(lines) {
					continue
				}
				break
			}
			b.WriteString(cur)
			break
		}
		in, err := parseInstruction(strings.TrimSpace(b.String()), start)
		if err != nil {
			return nil, err
		}
		// Here-documents (RUN/COPY <<EOF): the following lines up to the terminator.
		if in.Cmd == "RUN" || in.Cmd == "COPY" || in.Cmd == "ADD" {
			for _, m := range heredocRE.FindAllStringSubmatch(in.Raw, -1) {
				word, stripTabs := m[3], m[1] == "-"
				var body []string
				closed := false
				for i < len(lines) {
					l := lines[i]
					i++
					if stripTabs {
						l = strings.TrimLeft(l, "\t")
					}
					if l == word {
						closed = true
						break
					}
					body = append(body, l)
				}
				if !closed {
					return nil, fmt.Errorf("line %d: here-document %q is not terminated", start, word)
				}
				in.Heredoc = append(in.Heredoc, strings.Join(body, "\n"))
			}
		}
		instructions = append(instructions, in)
	}

	for _, in := range instructions {
		switch {
		case in.Cmd == "FROM":
			st := Stage{Index: len(d.Stages), From: in}
			rest := in.Args
			if len(rest) == 3 && strings.EqualFold(rest[1], "AS") {
				st.Name = strings.ToLower(rest[2])
			} else if len(rest) != 1 {
				return nil, fmt.Errorf("line %d: FROM wants an image and an optional \"AS name\", got %q", in.Line, in.Rest())
			}
			d.Stages = append(d.Stages, st)
		case len(d.Stages) == 0:
			if in.Cmd != "ARG" {
				return nil, fmt.Errorf("line %d: %s before the first FROM (only ARG may come first)", in.Line, in.Cmd)
			}
			d.GlobalArgs = append(d.GlobalArgs, in)
		default:
			st := &d.Stages[len(d.Stages)-1]
			st.Instructions = append(st.Instructions, in)
		}
	}
	if len(d.Stages) == 0 {
		return nil, fmt.Errorf("no FROM instruction")
	}
	return d, nil
}

// knownInstructions are Dockerfile keywords (MAINTAINER and ONBUILD included).
var knownInstructions = map[string]bool{
	"ADD": true, "ARG": true, "CMD": true, "COPY": true, "ENTRYPOINT": true, "ENV": true, "EXPOSE": true,
	"FROM": true, "HEALTHCHECK": true, "LABEL": true, "MAINTAINER": true, "ONBUILD": true, "RUN": true,
	"SHELL": true, "STOPSIGNAL": true, "USER": true, "VOLUME": true, "WORKDIR": true,
}

// jsonForm are the instructions whose arguments may be a JSON array.
var jsonForm = map[string]bool{"RUN": true, "CMD": true, "ENTRYPOINT": true, "SHELL": true, "COPY": true, "ADD": true, "VOLUME": true}

func parseInstruction(text string, line int) (Instruction, error) {
	kw, raw, _ := strings.Cut(text, " ")
	if t := strings.IndexAny(kw, "\t"); t >= 0 { // keyword followed by a tab
		kw, raw = text[:t], text[t+1:]
	}
	in := Instruction{Cmd: strings.ToUpper(kw), Raw: strings.TrimSpace(raw), Line: line}
	if !knownInstructions[in.Cmd] {
		return in, fmt.Errorf("line %d: unknown instruction %q", line, kw)
	}
	rest := in.Raw
	// Leading --flags (FROM --platform, COPY --from/--chown, RUN --mount, HEALTHCHECK --interval, ...).
	for strings.HasPrefix(rest, "--") {
		f, after, _ := strings.Cut(rest, " ")
		in.Flags = append(in.Flags, f)
		rest = strings.TrimSpace(after)
	}
	if jsonForm[in.Cmd] && strings.HasPrefix(rest, "[") {
		var args []string
		if err := json.Unmarshal([]byte(rest), &args); err == nil {
			in.Args, in.JSON = args, true
			return in, nil
		}
		// Not valid JSON: Docker runs it in shell form, and so do we.
	}
	in.Args = splitWords(rest)
	return in, nil
}

// splitWords splits s on unquoted white space; quotes are kept in the words.
func splitWords(s string) []string {
	var words []string
	var cur strings.Builder
	var quote rune
	inWord := false
	for _, r := range s {
		switch {
		case quote != 0:
			cur.WriteRune(r)
			if r == quote {
				quote = 0
			}
		case r == '"' || r == '\'':
			quote = r
			cur.WriteRune(r)
			inWord = true
		case r == ' ' || r == '\t':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words
}

// KeyValue is one key=value pair of an ARG, ENV or LABEL instruction.
type KeyValue struct {
	Key, Value string
	HasValue   bool // false for "ARG NAME" without a default
}

// KeyValues parses the pairs of an ARG, ENV or LABEL instruction: "k=v k2="v 2"" or the
// legacy "ENV key value with spaces". Quotes around values are removed.
func (in Instruction) KeyValues() []KeyValue {
	words := splitWords(in.Rest())
	if len(words) == 0 {
		return nil
	}
	if in.Cmd == "ENV" && !strings.Contains(words[0], "=") {
		return []KeyValue{{Key: words[0], Value: unquote(strings.Join(words[1:], " ")), HasValue: true}}
	}
	kvs := make([]KeyValue, 0, len(words))
	for _, w := range words {
		k, v, ok := strings.Cut(w, "=")
		kvs = append(kvs, KeyValue{Key: unquote(k), Value: unquote(v), HasValue: ok})
	}
	return kvs
}

func unquote(s string) string {
	if len(s) >= 2 && (s[0] == '"' || s[0] == '\'') && s[len(s)-1] == s[0] {
		inner := s[1 : len(s)-1]
		if s[0] == '"' {
			inner = strings.NewReplacer(`\"`, `"`, `\\`, `\`).Replace(inner)
		}
		return inner
	}
	return s
}

// Expand substitutes $NAME, ${NAME}, ${NAME:-default} and ${NAME:+alternative} in s the way
// Docker does for FROM, ENV, ARG, LABEL, USER, WORKDIR, EXPOSE, COPY and ADD. `\$` is a literal
// dollar. Unknown variables expand to "" (as in Docker); they are also returned, so a caller can
// tell an empty value from an unresolved one.
func Expand(s string, vars map[string]string) (string, []string) {
	var b strings.Builder
	var unknown []string
	lookup := func(name string) (string, bool) {
		v, ok := vars[name]
		return v, ok
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\\' && i+1 < len(s) && s[i+1] == '$' {
			b.WriteByte('$')
			i++
			continue
		}
		if c != '$' || i+1 >= len(s) {
			b.WriteByte(c)
			continue
		}
		if s[i+1] == '{' {
			end := strings.IndexByte(s[i+2:], '}')
			if end < 0 {
				b.WriteString(s[i:])
				break
			}
			expr := s[i+2 : i+2+end]
			i += 2 + end
			name, op, word := expr, "", ""
			if k := strings.Index(expr, ":"); k >= 0 && k+1 < len(expr) && (expr[k+1] == '-' || expr[k+1] == '+') {
				name, op, word = expr[:k], expr[k:k+2], expr[k+2:]
			}
			v, ok := lookup(name)
			switch {
			case op == ":-" && v == "":
				w, u := Expand(word, vars)
				b.WriteString(w)
				unknown = append(unknown, u...)
			case op == ":+":
				if v != "" {
					w, u := Expand(word, vars)
					b.WriteString(w)
					unknown = append(unknown, u...)
				}
			default:
				if !ok {
					unknown = append(unknown, name)
				}
				b.WriteString(v)
			}
			continue
		}
		j := i + 1
		for j < len(s) && (s[j] == '_' || s[j] >= 'a' && s[j] <= 'z' || s[j] >= 'A' && s[j] <= 'Z' || j > i+1 && s[j] >= '0' && s[j] <= '9') {
			j++
		}
		if j == i+1 {
			b.WriteByte('$')
			continue
		}
		name := s[i+1 : j]
		v, ok := lookup(name)
		if !ok {
			unknown = append(unknown, name)
		}
		b.WriteString(v)
		i = j - 1
	}
	return b.String(), unknown
}
