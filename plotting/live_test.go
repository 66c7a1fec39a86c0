package plotting

import (
	"bytes"
	"io"
	"math"
	"strings"
	"testing"
	"time"
)

// fakeClock advances by step on each call.
type fakeClock struct {
	t    time.Time
	step time.Duration
}

func (c *fakeClock) now() time.Time { c.t = c.t.Add(c.step); return c.t }

func TestLiveText(t *testing.T) {
	var buf bytes.Buffer
	l := NewLive("train", 100, "loss", "acc").SetOutput(&buf)
	clk := &fakeClock{t: time.Unix(0, 0), step: 100 * time.Millisecond}
	l.now, l.start = clk.now, time.Unix(0, 0)
	for s := 1; s <= 100; s++ {
		v := map[string]float64{"loss": 1 / float64(s)}
		if s%10 == 0 {
			v["acc"] = float64(s) / 100
		}
		l.Update(s, v)
	}
	c := l.Done()
	if c == nil {
		t.Fatal("Done returned no chart")
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	// 100 updates 0.1 s apart, one line per 5 s → first, every 50th, final update, Done.
	if len(lines) < 3 || len(lines) > 6 {
		t.Fatalf("got %d lines, want 3..6 (throttled):\n%s", len(lines), buf.String())
	}
	first := lines[0]
	for _, want := range []string{"train [....................]   1% 1/100", "step/s", "ETA", "loss=1"} {
		if !strings.Contains(first, want) {
			t.Errorf("first line %q lacks %q", first, want)
		}
	}
	last := lines[len(lines)-1]
	for _, want := range []string{"[####################] 100% 100/100", "done in", "loss=0.01", "acc=1"} {
		if !strings.Contains(last, want) {
			t.Errorf("last line %q lacks %q", last, want)
		}
	}
	steps, series := l.Values()
	if len(steps) != 100 || len(series["acc"]) != 100 || !math.IsNaN(series["acc"][0]) || series["acc"][9] != 0.1 {
		t.Errorf("values: %d steps, acc=%v", len(steps), series["acc"][:10])
	}
	h, err := c.HTML()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"name":"loss"`, `"name":"acc"`, `[10,0.1]`, `[1,"-"]`, `[100,0.01]`} {
		if !strings.Contains(h, want) {
			t.Errorf("final chart lacks %s", want)
		}
	}
}

func TestLiveNotebookThrottle(t *testing.T) {
	var updates []string
	var shown []string
	restore := fakeNotebook(t, &shown)
	defer restore()
	updateHTML = func(id, s string) { updates = append(updates, s) }
	l := NewLive("nb", 50, "loss")
	clk := &fakeClock{t: time.Unix(0, 0), step: 100 * time.Millisecond}
	l.now, l.start = clk.now, time.Unix(0, 0)
	for s := 1; s <= 50; s++ {
		l.Update(s, map[string]float64{"loss": float64(50 - s)})
	}
	l.Done()
	// 5 s of updates at ≤ 2 redraws/s → at most 11 redraws plus the final view.
	if len(updates) < 5 || len(updates) > 12 {
		t.Errorf("%d in-place updates, want 5..12", len(updates))
	}
	if !strings.Contains(updates[0], "dl4go-live") || !strings.Contains(updates[0], "dl4go-chart") {
		t.Errorf("update lacks progress bar or chart: %.200s", updates[0])
	}
	// Done turns the live output into the final one in place: no new output but the
	// library, and the last update is the finished bar with the whole chart.
	final := updates[len(updates)-1]
	if !strings.Contains(final, "100%") || !strings.Contains(final, "done in") || !strings.Contains(final, "dl4go-chart") || !strings.Contains(final, "[50,0]") {
		t.Errorf("Done's in-place view is not the finished run: %.300s", final)
	}
	if len(shown) != 1 || !HasLibrary(shown[0]) {
		t.Errorf("want only the library shown as a new output, got %d outputs", len(shown))
	}
}

// TestLiveResumedRate: a run resumed at step 31 of 60 counts its rate from there.
func TestLiveResumedRate(t *testing.T) {
	l := NewLive("resumed", 60, "loss")
	l.SetOutput(io.Discard)
	l.start = time.Unix(0, 0)
	for s := 31; s <= 40; s++ {
		l.Update(s, map[string]float64{"loss": 1})
	}
	sps, eta := l.rate(time.Unix(10, 0))
	if sps != 1 || eta != 20*time.Second {
		t.Errorf("rate after 10 resumed steps in 10 s: %v step/s, ETA %v; want 1 step/s, ETA 20s", sps, eta)
	}
}

// TestLiveStopsEarly: a run that ends before its total says so, with why,
// instead of an unfinished bar that reads "9% 26/300 ... done".
func TestLiveStopsEarly(t *testing.T) {
	for _, tt := range []struct {
		why, want string
	}{
		{"solved", "stopped early at 26/300 (solved)"},
		{"", "stopped at 26/300"},
	} {
		var buf bytes.Buffer
		l := NewLive("cartpole", 300, "return").SetOutput(&buf)
		for s := 1; s <= 26; s++ {
			l.Update(s, map[string]float64{"return": float64(s)})
		}
		if tt.why != "" {
			l.StopEarly(tt.why)
		} else {
			l.Done()
		}
		lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
		last := lines[len(lines)-1]
		if !strings.Contains(last, tt.want) || strings.Contains(last, "done in") || strings.Contains(last, "9%") {
			t.Errorf("last line %q: want %q, no percentage, no \"done in\"", last, tt.want)
		}
	}
}

// TestLiveWithoutSteps: a view for a run that had nothing left to do (a finished run restored
// from its checkpoint) shows nothing at all, in a notebook or as text.
func TestLiveWithoutSteps(t *testing.T) {
	var buf bytes.Buffer
	if c := NewLive("train", 100, "loss").SetOutput(&buf).Done(); c != nil || buf.Len() != 0 {
		t.Errorf("Done without an Update: chart %v, text %q; want nothing", c, buf.String())
	}
	var shown []string
	restore := fakeNotebook(t, &shown)
	defer restore()
	NewLive("train", 100, "loss").Done()
	if len(shown) != 0 {
		t.Errorf("Done without an Update sent %d outputs to the notebook", len(shown))
	}
}
