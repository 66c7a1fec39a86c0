// Package notebook reads and writes Jupyter notebooks (nbformat 4) the way
// Jupyter itself does, so that dl4go's runner and exporter can work on the
// same files a learner opens in JupyterLab.
//
// Start with Read (or Parse), change the cells, and write the result back
// with WriteFile, which replaces the file atomically. Marshal produces
// Jupyter's own layout: keys sorted, one-space indent, multi-line strings
// stored as lists of lines, so a notebook read and written back is unchanged.
//
// Unknown metadata, at every level, is kept on a round trip. Older nbformat
// 4.x files (minor < 5) are upgraded to 4.5 by giving every cell an id.
// Anything that is not an nbformat 4 notebook gives a *FormatError.
package notebook

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"os"
	"regexp"
	"strings"

	"github.com/dl4go/dl4go/internal/atomicfile"
)

// Cell types.
const (
	Code     = "code"
	Markdown = "markdown"
	Raw      = "raw"
)

// Output types.
const (
	Stream        = "stream"
	DisplayData   = "display_data"
	ExecuteResult = "execute_result"
	Error         = "error"
)

// Notebook is an nbformat 4 notebook.
type Notebook struct {
	// Metadata is the top-level metadata (kernelspec, language_info, dl4go,
	// dl4go_run, and anything else, kept as read). Numbers are json.Number.
	Metadata      map[string]any
	NBFormat      int // always 4
	NBFormatMinor int // 5 after reading (older minors are upgraded)
	Cells         []*Cell
}

// Cell is one notebook cell.
type Cell struct {
	ID       string
	CellType string // Code, Markdown or Raw.
	Source   string
	Metadata map[string]any
	// Outputs and ExecutionCount are only meaningful (and only written) for code cells.
	Outputs        []Output
	ExecutionCount *int
	// Attachments (markdown and raw cells) maps a file name to a mime bundle.
	Attachments map[string]any
}

// Output is one output of a code cell.
type Output struct {
	OutputType string // Stream, DisplayData, ExecuteResult or Error.
	// Stream outputs.
	Name string // "stdout" or "stderr".
	Text string
	// Display data and execute results: mime type → value. Text-like values
	// (text/*, image/svg+xml, application/javascript) are strings; base64
	// images are strings; JSON mime types hold decoded JSON.
	Data           map[string]any
	Metadata       map[string]any
	ExecutionCount *int // execute_result only.
	// Errors.
	Ename     string
	Evalue    string
	Traceback []string
}

// LessonMeta is the top-level "dl4go" metadata of a lesson notebook.
type LessonMeta struct {
	ID        string `json:"id"`
	Title     string `json:"title"`
	TitleJa   string `json:"title_ja"`
	Package   string `json:"package"`
	TimeFull  string `json:"time_full"`
	TimeQuick string `json:"time_quick"`
}

// RunMeta is the top-level "dl4go_run" metadata that `dl4go run` writes
// into an executed notebook.
type RunMeta struct {
	Backend   string  `json:"backend"`
	Date      string  `json:"date"` // RFC 3339
	DurationS float64 `json:"duration_s"`
	Quick     bool    `json:"quick"`
}

// FormatError reports a file that is missing or is not an nbformat 4 notebook.
// Its message is one line naming the file and the reason.
type FormatError struct {
	Path   string // file name, or the name given to Parse
	Reason string
	Err    error // underlying error, if any
}

func (e *FormatError) Error() string {
	return fmt.Sprintf("%s: %s", e.Path, e.Reason)
}

func (e *FormatError) Unwrap() error { return e.Err }

// Read reads and parses the notebook at path. A missing or unreadable file,
// or one that is not an nbformat 4 notebook, gives a *FormatError.
func Read(path string) (*Notebook, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		reason := "cannot read file"
		switch {
		case errors.Is(err, fs.ErrNotExist):
			reason = "no such file"
		case errors.Is(err, fs.ErrPermission):
			reason = "permission denied"
		default:
			var pe *fs.PathError
			if errors.As(err, &pe) {
				reason = "cannot read file: " + pe.Err.Error()
			}
		}
		return nil, &FormatError{Path: path, Reason: reason, Err: err}
	}
	return Parse(data, path)
}

// Parse parses notebook JSON; name is used in error messages.
func Parse(data []byte, name string) (*Notebook, error) {
	bad := func(format string, args ...any) error {
		return &FormatError{Path: name, Reason: fmt.Sprintf(format, args...)}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var raw map[string]any
	if err := dec.Decode(&raw); err != nil {
		return nil, &FormatError{Path: name, Reason: "not JSON: " + oneLine(err.Error()), Err: err}
	}
	if raw == nil {
		return nil, bad("not a notebook: top level is not a JSON object")
	}
	major, ok := intOf(raw["nbformat"])
	if !ok {
		return nil, bad("not a notebook: no \"nbformat\" version")
	}
	if major != 4 {
		return nil, bad("nbformat %d is not supported (want 4)", major)
	}
	minor, _ := intOf(raw["nbformat_minor"])
	nb := &Notebook{NBFormat: 4, NBFormatMinor: minor}
	if md, ok := raw["metadata"].(map[string]any); ok {
		nb.Metadata = md
	} else if raw["metadata"] != nil {
		return nil, bad("metadata is not an object")
	} else {
		nb.Metadata = map[string]any{}
	}
	rawCells, ok := raw["cells"].([]any)
	if !ok {
		return nil, bad("not a notebook: no \"cells\" list")
	}
	for i, rc := range rawCells {
		m, ok := rc.(map[string]any)
		if !ok {
			return nil, bad("cell %d is not an object", i)
		}
		c, err := parseCell(m)
		if err != nil {
			return nil, bad("cell %d: %v", i, err)
		}
		nb.Cells = append(nb.Cells, c)
	}
	nb.upgrade()
	return nb, nil
}

func parseCell(m map[string]any) (*Cell, error) {
	c := &Cell{}
	c.CellType, _ = m["cell_type"].(string)
	switch c.CellType {
	case Code, Markdown, Raw:
	default:
		return nil, fmt.Errorf("unknown cell_type %q", c.CellType)
	}
	c.ID, _ = m["id"].(string)
	src, err := multiline(m["source"])
	if err != nil {
		return nil, fmt.Errorf("source: %w", err)
	}
	c.Source = src
	c.Metadata, _ = m["metadata"].(map[string]any)
	if c.Metadata == nil {
		c.Metadata = map[string]any{}
	}
	c.Attachments, _ = m["attachments"].(map[string]any)
	if c.CellType != Code {
		return c, nil
	}
	if n, ok := intOf(m["execution_count"]); ok {
		c.ExecutionCount = &n
	}
	outs, _ := m["outputs"].([]any)
	for j, ro := range outs {
		om, ok := ro.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("output %d is not an object", j)
		}
		o, err := parseOutput(om)
		if err != nil {
			return nil, fmt.Errorf("output %d: %w", j, err)
		}
		c.Outputs = append(c.Outputs, o)
	}
	return c, nil
}

func parseOutput(m map[string]any) (Output, error) {
	o := Output{}
	o.OutputType, _ = m["output_type"].(string)
	switch o.OutputType {
	case Stream:
		o.Name, _ = m["name"].(string)
		t, err := multiline(m["text"])
		if err != nil {
			return o, fmt.Errorf("text: %w", err)
		}
		o.Text = t
	case DisplayData, ExecuteResult:
		data, _ := m["data"].(map[string]any)
		o.Data = map[string]any{}
		for k, v := range data {
			if isJSONMime(k) {
				o.Data[k] = v
				continue
			}
			s, err := multiline(v)
			if err != nil {
				return o, fmt.Errorf("data %s: %w", k, err)
			}
			o.Data[k] = s
		}
		o.Metadata, _ = m["metadata"].(map[string]any)
		if o.OutputType == ExecuteResult {
			if n, ok := intOf(m["execution_count"]); ok {
				o.ExecutionCount = &n
			}
		}
	case Error:
		o.Ename, _ = m["ename"].(string)
		o.Evalue, _ = m["evalue"].(string)
		tb, _ := m["traceback"].([]any)
		for _, l := range tb {
			s, _ := l.(string)
			o.Traceback = append(o.Traceback, s)
		}
	default:
		return o, fmt.Errorf("unknown output_type %q", o.OutputType)
	}
	return o, nil
}

// multiline accepts a string, a list of strings (joined), or null.
func multiline(v any) (string, error) {
	switch v := v.(type) {
	case nil:
		return "", nil
	case string:
		return v, nil
	case []any:
		var b strings.Builder
		for _, p := range v {
			s, ok := p.(string)
			if !ok {
				return "", fmt.Errorf("list holds a %T, want strings", p)
			}
			b.WriteString(s)
		}
		return b.String(), nil
	}
	return "", fmt.Errorf("got %T, want a string or a list of strings", v)
}

func intOf(v any) (int, bool) {
	switch v := v.(type) {
	case json.Number:
		n, err := v.Int64()
		return int(n), err == nil
	case float64:
		return int(v), v == float64(int(v))
	case int:
		return v, true
	}
	return 0, false
}

func isJSONMime(mime string) bool {
	return mime == "application/json" ||
		(strings.HasPrefix(mime, "application/") && strings.HasSuffix(mime, "+json"))
}

// splitMime reports whether a mime bundle value is stored as a list of lines.
func splitMime(mime string) bool {
	return strings.HasPrefix(mime, "text/") || mime == "application/javascript" || mime == "image/svg+xml"
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

var validID = regexp.MustCompile(`^[a-zA-Z0-9_-]{1,64}$`)

// upgrade brings the notebook to nbformat 4.5: every cell gets a valid,
// unique id. Generated ids are derived from the cell's position and source,
// so reading the same old file twice gives the same ids.
func (nb *Notebook) upgrade() {
	if nb.NBFormatMinor < 5 {
		nb.NBFormatMinor = 5
	}
	nb.EnsureIDs()
}

// EnsureIDs gives every cell without a valid, unique id a new one.
func (nb *Notebook) EnsureIDs() {
	seen := map[string]bool{}
	for _, c := range nb.Cells {
		if validID.MatchString(c.ID) && !seen[c.ID] {
			seen[c.ID] = true
		}
	}
	used := map[string]bool{}
	for i, c := range nb.Cells {
		if validID.MatchString(c.ID) && !used[c.ID] {
			used[c.ID] = true
			continue
		}
		for salt := 0; ; salt++ {
			h := fnv.New32a()
			fmt.Fprintf(h, "%d\x00%d\x00%s", i, salt, c.Source)
			id := fmt.Sprintf("%08x", h.Sum32())
			if !seen[id] && !used[id] {
				c.ID = id
				used[id] = true
				break
			}
		}
	}
}

// Lesson returns the top-level "dl4go" metadata; missing fields are empty.
func (nb *Notebook) Lesson() LessonMeta {
	var m LessonMeta
	nb.metaInto("dl4go", &m)
	return m
}

// Run returns the top-level "dl4go_run" metadata written by `dl4go run`,
// and whether it is present.
func (nb *Notebook) Run() (RunMeta, bool) {
	var m RunMeta
	ok := nb.metaInto("dl4go_run", &m)
	return m, ok
}

// SetRun records how the notebook was run in its "dl4go_run" metadata.
func (nb *Notebook) SetRun(r RunMeta) {
	if nb.Metadata == nil {
		nb.Metadata = map[string]any{}
	}
	nb.Metadata["dl4go_run"] = map[string]any{
		"backend":    r.Backend,
		"date":       r.Date,
		"duration_s": r.DurationS,
		"quick":      r.Quick,
	}
}

func (nb *Notebook) metaInto(key string, dst any) bool {
	v, ok := nb.Metadata[key]
	if !ok || v == nil {
		return false
	}
	b, err := json.Marshal(v)
	if err != nil {
		return false
	}
	// Decode field by field so one mistyped field does not lose the others.
	var fields map[string]json.RawMessage
	if json.Unmarshal(b, &fields) != nil {
		return false
	}
	for k, raw := range fields {
		one, _ := json.Marshal(map[string]json.RawMessage{k: raw})
		_ = json.Unmarshal(one, dst)
	}
	return true
}

// StripOutputs removes every output and execution count, and the run metadata,
// leaving the notebook as it is kept in git.
func (nb *Notebook) StripOutputs() {
	for _, c := range nb.Cells {
		c.Outputs = nil
		c.ExecutionCount = nil
	}
	delete(nb.Metadata, "dl4go_run")
}

// Executed reports whether any code cell has an output or an execution count.
func (nb *Notebook) Executed() bool {
	for _, c := range nb.Cells {
		if c.CellType == Code && (len(c.Outputs) > 0 || c.ExecutionCount != nil) {
			return true
		}
	}
	return false
}

// Marshal encodes the notebook as Jupyter writes it: keys sorted, one-space
// indent, non-ASCII kept, multi-line strings as lists of lines, and a final newline.
func (nb *Notebook) Marshal() ([]byte, error) {
	nb.EnsureIDs()
	minor := nb.NBFormatMinor
	if minor < 5 {
		minor = 5
	}
	md := nb.Metadata
	if md == nil {
		md = map[string]any{}
	}
	cells := make([]any, 0, len(nb.Cells))
	for _, c := range nb.Cells {
		cells = append(cells, c.toJSON())
	}
	doc := map[string]any{
		"cells":          cells,
		"metadata":       md,
		"nbformat":       4,
		"nbformat_minor": minor,
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", " ")
	if err := enc.Encode(doc); err != nil {
		return nil, fmt.Errorf("encode notebook: %w", err)
	}
	return buf.Bytes(), nil
}

func (c *Cell) toJSON() map[string]any {
	md := c.Metadata
	if md == nil {
		md = map[string]any{}
	}
	m := map[string]any{
		"id":        c.ID,
		"cell_type": c.CellType,
		"metadata":  md,
		"source":    splitLines(c.Source),
	}
	if c.CellType == Code {
		outs := make([]any, 0, len(c.Outputs))
		for _, o := range c.Outputs {
			outs = append(outs, o.toJSON())
		}
		m["outputs"] = outs
		m["execution_count"] = c.ExecutionCount // nil → null
	} else if c.Attachments != nil {
		m["attachments"] = c.Attachments
	}
	return m
}

func (o Output) toJSON() map[string]any {
	m := map[string]any{"output_type": o.OutputType}
	switch o.OutputType {
	case Stream:
		m["name"] = o.Name
		m["text"] = splitLines(o.Text)
	case DisplayData, ExecuteResult:
		data := map[string]any{}
		for k, v := range o.Data {
			if s, ok := v.(string); ok && splitMime(k) {
				data[k] = splitLines(s)
			} else {
				data[k] = v
			}
		}
		m["data"] = data
		md := o.Metadata
		if md == nil {
			md = map[string]any{}
		}
		m["metadata"] = md
		if o.OutputType == ExecuteResult {
			m["execution_count"] = o.ExecutionCount
		}
	case Error:
		m["ename"] = o.Ename
		m["evalue"] = o.Evalue
		tb := o.Traceback
		if tb == nil {
			tb = []string{}
		}
		m["traceback"] = tb
	}
	return m
}

// splitLines splits s after each "\n", as Python's str.splitlines(True)
// does for Jupyter (the empty string gives an empty list).
func splitLines(s string) []string {
	lines := []string{}
	for s != "" {
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			lines = append(lines, s)
			break
		}
		lines = append(lines, s[:i+1])
		s = s[i+1:]
	}
	return lines
}

// WriteFile writes the notebook to path atomically: it writes a temporary
// file in the same directory and renames it over path, so path never holds
// a partly written notebook.
func (nb *Notebook) WriteFile(path string) error {
	data, err := nb.Marshal()
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return atomicfile.Write(path, data, 0o644)
}
