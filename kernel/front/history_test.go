package front

import (
	"fmt"
	"path/filepath"
	"reflect"
	"testing"
)

func inputs(reply map[string]any) []string {
	var out []string
	for _, h := range reply["history"].([]any) {
		out = append(out, h.([]any)[2].(string))
	}
	return out
}

func TestHistory(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "history.jsonl")
	logf := func(format string, args ...any) { t.Logf(format, args...) }
	h := OpenHistory(path, logf)
	if h.Session() != 1 {
		t.Fatalf("first session = %d", h.Session())
	}
	h.Add(1, "var x = 1", "")
	h.Add(2, "x*2", "2")
	h.Add(3, "fmt.Println(x)", "")

	// A restart sees the old session and starts a new one.
	h = OpenHistory(path, logf)
	if h.Session() != 2 {
		t.Fatalf("second session = %d", h.Session())
	}
	h.Add(1, "x*2", "2")
	h.Add(2, "x*3", "3")

	tests := []struct {
		name string
		req  HistoryRequest
		want []string
	}{
		{"tail 2", HistoryRequest{HistAccessType: "tail", N: 2}, []string{"x*2", "x*3"}},
		{"tail all", HistoryRequest{HistAccessType: "tail", N: 10}, []string{"var x = 1", "x*2", "fmt.Println(x)", "x*2", "x*3"}},
		{"tail unique", HistoryRequest{HistAccessType: "tail", N: 10, Unique: true}, []string{"var x = 1", "fmt.Println(x)", "x*2", "x*3"}},
		{"range old session", HistoryRequest{HistAccessType: "range", Session: 1, Start: 2, Stop: 4}, []string{"x*2", "fmt.Println(x)"}},
		{"range current (0)", HistoryRequest{HistAccessType: "range", Session: 0, Start: 1}, []string{"x*2", "x*3"}},
		{"range previous (-1)", HistoryRequest{HistAccessType: "range", Session: -1, Start: 1, Stop: 2}, []string{"var x = 1"}},
		{"search glob", HistoryRequest{HistAccessType: "search", Pattern: "x*"}, []string{"x*2", "x*2", "x*3"}},
		{"search unique", HistoryRequest{HistAccessType: "search", Pattern: "x?2", Unique: true}, []string{"x*2"}},
		{"search n", HistoryRequest{HistAccessType: "search", Pattern: "*x*", N: 2}, []string{"x*2", "x*3"}},
		{"search class", HistoryRequest{HistAccessType: "search", Pattern: "x*[3]"}, []string{"x*3"}},
		{"search none", HistoryRequest{HistAccessType: "search", Pattern: "nothing*"}, nil},
	}
	for _, tc := range tests {
		got := inputs(h.Answer(tc.req))
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
		}
	}
	out := h.Answer(HistoryRequest{HistAccessType: "tail", N: 1, Output: true})["history"].([]any)[0].([]any)
	if out[0] != 2 || out[1] != 2 || !reflect.DeepEqual(out[2], []any{"x*3", "3"}) {
		t.Errorf("tail with output: %v", out)
	}
	if r := h.Answer(HistoryRequest{HistAccessType: "bogus"}); r["status"] != "error" {
		t.Errorf("bogus access type: %v", r)
	}
}

func TestHistoryCompaction(t *testing.T) {
	path := filepath.Join(t.TempDir(), "history.jsonl")
	h := OpenHistory(path, t.Logf)
	for i := range maxHistory + 10 {
		h.Add(i+1, fmt.Sprintf("cell %d", i+1), "")
	}
	h = OpenHistory(path, t.Logf)
	got := inputs(h.Answer(HistoryRequest{HistAccessType: "tail", N: 1}))
	if len(h.entries) != maxHistory/2 || got[0] != fmt.Sprintf("cell %d", maxHistory+10) || h.Session() != 2 {
		t.Fatalf("after compaction: %d entries, last %q, session %d", len(h.entries), got, h.Session())
	}
	if h2 := OpenHistory(path, t.Logf); len(h2.entries) != maxHistory/2 {
		t.Fatalf("file not rewritten: %d entries", len(h2.entries))
	}
}
