package front

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sync"
	"time"
)

// DefaultHistoryPath is os.UserConfigDir()/dl4go/history.jsonl.
func DefaultHistoryPath() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("history path: %w", err)
	}
	return filepath.Join(dir, "dl4go", "history.jsonl"), nil
}

// HistoryEntry is one executed cell, one JSON line in the history file.
type HistoryEntry struct {
	Session int       `json:"session"`
	Line    int       `json:"line"`
	Input   string    `json:"input"`
	Output  string    `json:"output,omitempty"`
	Time    time.Time `json:"time"`
}

// HistoryRequest is the content of a history_request.
type HistoryRequest struct {
	Output         bool   `json:"output"`
	Raw            bool   `json:"raw"`
	HistAccessType string `json:"hist_access_type"`
	Session        int    `json:"session"`
	Start          int    `json:"start"`
	Stop           int    `json:"stop"`
	N              int    `json:"n"`
	Pattern        string `json:"pattern"`
	Unique         bool   `json:"unique"`
}

// History is the executed cells of every kernel run of a user, persisted as JSON
// lines; each run is a new session number, as in IPython's history database.
type History struct {
	mu      sync.Mutex
	path    string
	logf    func(string, ...any)
	session int
	entries []HistoryEntry
}

// OpenHistory loads the history file at path ("" keeps history in memory only)
// and starts a new session. Unreadable lines are skipped.
func OpenHistory(path string, logf func(string, ...any)) *History {
	h := &History{path: path, logf: logf}
	if path != "" {
		if f, err := os.Open(path); err == nil {
			sc := bufio.NewScanner(f)
			sc.Buffer(make([]byte, 1<<20), 16<<20)
			for sc.Scan() {
				var e HistoryEntry
				if json.Unmarshal(sc.Bytes(), &e) == nil {
					h.entries = append(h.entries, e)
				}
			}
			f.Close()
		}
	}
	for _, e := range h.entries {
		if e.Session > h.session {
			h.session = e.Session
		}
	}
	h.session++
	if len(h.entries) > maxHistory {
		h.compact()
	}
	return h
}

// maxHistory bounds the history file: past it, the oldest half is dropped at open.
const maxHistory = 20000

// compact keeps the newest maxHistory/2 entries and rewrites the file atomically.
func (h *History) compact() {
	h.entries = append([]HistoryEntry(nil), h.entries[len(h.entries)-maxHistory/2:]...)
	if h.path == "" {
		return
	}
	tmp := h.path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		h.logf("history: compact: %v", err)
		return
	}
	w := bufio.NewWriter(f)
	for _, e := range h.entries {
		data, _ := json.Marshal(e)
		w.Write(append(data, '\n'))
	}
	if err := w.Flush(); err != nil {
		f.Close()
		h.logf("history: compact: %v", err)
		return
	}
	if err := f.Close(); err != nil {
		h.logf("history: compact: %v", err)
		return
	}
	if err := os.Rename(tmp, h.path); err != nil {
		h.logf("history: compact: %v", err)
	}
}

// Session is the number of the current session.
func (h *History) Session() int { return h.session }

// Add records an executed cell of the current session and appends it to the file.
func (h *History) Add(line int, input, output string) {
	e := HistoryEntry{Session: h.session, Line: line, Input: input, Output: output, Time: time.Now().UTC()}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.entries = append(h.entries, e)
	if h.path == "" {
		return
	}
	data, _ := json.Marshal(e)
	if err := os.MkdirAll(filepath.Dir(h.path), 0o700); err != nil {
		h.logf("history: %v", err)
		return
	}
	f, err := os.OpenFile(h.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		h.logf("history: %v", err)
		return
	}
	if _, err := f.Write(append(data, '\n')); err != nil {
		h.logf("history: %v", err)
	}
	f.Close()
}

// Answer serves a history_request: "tail" (last n), "range" (session, lines
// start..stop-1; session <= 0 counts back from the current one) and "search"
// (glob pattern over the input, last n matches, unique inputs on request).
func (h *History) Answer(req HistoryRequest) map[string]any {
	h.mu.Lock()
	all := append([]HistoryEntry(nil), h.entries...)
	h.mu.Unlock()
	var sel []HistoryEntry
	switch req.HistAccessType {
	case "tail":
		sel = all
		if req.Unique {
			sel = uniqueInputs(sel)
		}
		sel = lastN(sel, req.N)
	case "range":
		session := req.Session
		if session <= 0 {
			session += h.session
		}
		for _, e := range all {
			if e.Session != session || e.Line < req.Start || (req.Stop > 0 && e.Line >= req.Stop) {
				continue
			}
			sel = append(sel, e)
		}
	case "search":
		pattern := req.Pattern
		if pattern == "" {
			pattern = "*"
		}
		for _, e := range all {
			if ok, err := path.Match(pattern, e.Input); err == nil && ok {
				sel = append(sel, e)
			} else if globMatch(pattern, e.Input) {
				sel = append(sel, e)
			}
		}
		if req.Unique {
			sel = uniqueInputs(sel)
		}
		sel = lastN(sel, req.N)
	default:
		return map[string]any{"status": "error", "ename": "ValueError",
			"evalue": fmt.Sprintf("unknown hist_access_type %q", req.HistAccessType), "traceback": []string{}, "history": []any{}}
	}
	out := make([]any, 0, len(sel))
	for _, e := range sel {
		if req.Output {
			var o any
			if e.Output != "" {
				o = e.Output
			}
			out = append(out, []any{e.Session, e.Line, []any{e.Input, o}})
		} else {
			out = append(out, []any{e.Session, e.Line, e.Input})
		}
	}
	return map[string]any{"status": "ok", "history": out}
}

func lastN(es []HistoryEntry, n int) []HistoryEntry {
	if n > 0 && len(es) > n {
		return es[len(es)-n:]
	}
	return es
}

// uniqueInputs keeps the last occurrence of each input, in order.
func uniqueInputs(es []HistoryEntry) []HistoryEntry {
	last := map[string]int{}
	for i, e := range es {
		last[e.Input] = i
	}
	var out []HistoryEntry
	for i, e := range es {
		if last[e.Input] == i {
			out = append(out, e)
		}
	}
	return out
}

// globMatch matches like SQLite's GLOB: * any run (newlines included), ? one
// character, [...] a class; path.Match stops * at '/', this does not.
func globMatch(pattern, s string) bool {
	p, t := []rune(pattern), []rune(s)
	var match func(i, j int) bool
	match = func(i, j int) bool {
		for i < len(p) {
			switch p[i] {
			case '*':
				for k := j; k <= len(t); k++ {
					if match(i+1, k) {
						return true
					}
				}
				return false
			case '?':
				if j >= len(t) {
					return false
				}
			case '[':
				end := i + 1
				for end < len(p) && p[end] != ']' {
					end++
				}
				if end >= len(p) || j >= len(t) {
					return false
				}
				if ok, _ := path.Match(string(p[i:end+1]), string(t[j])); !ok {
					return false
				}
				i = end
			default:
				if j >= len(t) || p[i] != t[j] {
					return false
				}
			}
			i++
			j++
		}
		return j == len(t)
	}
	return match(0, 0)
}
