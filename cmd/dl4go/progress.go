package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"
)

// A meter shows one long phase (building the kernel tools, a running cell) on
// stderr while it lasts: what is being done, a count when there is one, and
// the elapsed time. On a terminal it redraws one line in place with a
// spinner; elsewhere (CI logs, a pipe) it writes a line every interval.
type meter struct {
	w        io.Writer
	tty      bool
	what     string
	total    int // 0: no count
	interval time.Duration

	mu     sync.Mutex
	done   int
	detail string
	start  time.Time
	stop   chan struct{}
	wg     sync.WaitGroup
}

// stderrIsTerminal reports whether stderr is a terminal (a character device).
func stderrIsTerminal() bool {
	st, err := os.Stderr.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// startMeter starts showing what on stderr; total > 0 adds an "n/total" count.
// Non-terminal output gets a line every interval.
func startMeter(what string, total int, interval time.Duration) *meter {
	m := &meter{w: os.Stderr, tty: stderrIsTerminal(), what: what, total: total, interval: interval,
		start: time.Now(), stop: make(chan struct{})}
	m.wg.Add(1)
	go m.loop()
	return m
}

// step counts one more item done (a package compiled) and shows detail beside the count.
func (m *meter) step(detail string) {
	m.mu.Lock()
	m.done++
	m.detail = detail
	m.mu.Unlock()
}

// setTotal sets the count's total once it is known.
func (m *meter) setTotal(total int) {
	m.mu.Lock()
	m.total = total
	m.mu.Unlock()
}

// printf writes a message line while the meter runs (on a terminal the
// meter's line is cleared first and redrawn at the next tick).
func (m *meter) printf(format string, args ...any) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.tty {
		fmt.Fprint(m.w, "\r\033[K")
	}
	fmt.Fprintf(m.w, format+"\n", args...)
}

// note replaces the detail without counting (a "go: downloading" line).
func (m *meter) note(detail string) {
	m.mu.Lock()
	m.detail = detail
	m.mu.Unlock()
}

// elapsed is the time since the meter started.
func (m *meter) elapsed() time.Duration { return time.Since(m.start) }

// finish stops the meter and clears its line on a terminal.
func (m *meter) finish() {
	close(m.stop)
	m.wg.Wait()
	if m.tty {
		fmt.Fprint(m.w, "\r\033[K")
	}
}

func (m *meter) loop() {
	defer m.wg.Done()
	tick := m.interval
	if m.tty {
		tick = 250 * time.Millisecond
	}
	t := time.NewTicker(tick)
	defer t.Stop()
	spin := 0
	for {
		select {
		case <-m.stop:
			return
		case <-t.C:
		}
		if m.tty && time.Since(m.start) < time.Second {
			continue // a quick step shows no meter
		}
		m.mu.Lock()
		line := m.line()
		if m.tty {
			spin++
			fmt.Fprintf(m.w, "\r\033[K%c %s", `|/-\`[spin%4], line)
		} else {
			fmt.Fprintln(m.w, line)
		}
		m.mu.Unlock()
	}
}

// line is the meter's current state: "what  12/281  1m05s  detail"; m.mu is held.
func (m *meter) line() string {
	var b strings.Builder
	b.WriteString(m.what)
	if m.total > 0 {
		fmt.Fprintf(&b, "  %d/%d", min(m.done, m.total), m.total)
	}
	fmt.Fprintf(&b, "  %s", roundDuration(time.Since(m.start)))
	if m.detail != "" {
		b.WriteString("  " + m.detail)
	}
	s := b.String()
	if m.tty && len(s) > 110 {
		s = s[:107] + "..." // one terminal line, so that \r redraws it
	}
	return s
}

// roundDuration shows d to the second (to 0.1 s under 10 s).
func roundDuration(d time.Duration) time.Duration {
	if d < 10*time.Second {
		return d.Round(100 * time.Millisecond)
	}
	return d.Round(time.Second)
}
