package plotting

import (
	"fmt"
	"html"
	"io"
	"math"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/janpfeifer/gonb/gonbui"
)

// Live is a training view: a progress bar with step/s and ETA plus a line
// chart of the tracked values, updated in place in a GoNB cell (at most two
// redraws per second). Outside a notebook it prints a compact progress line
// to stderr instead ("\r"-refreshed on a terminal, one line every few seconds
// otherwise). Lessons use it for every training loop:
//
//	live := plotting.NewLive("MLP on MNIST", steps, "loss", "accuracy")
//	for step := 1; step <= steps; step++ { live.Update(step, map[string]float64{"loss": l}) }
//	live.Done()
type Live struct {
	mu         sync.Mutex
	title      string
	total      int
	series     []string
	steps      []float64
	values     map[string][]float64
	last       map[string]float64
	lastStep   int
	startStep  int  // step before the first Update: a resumed run's rate counts from it
	updated    bool // Update was called
	start      time.Time
	lastDraw   time.Time
	lastText   time.Time
	drawn      bool
	done       bool
	stopWhy    string // why a run ended before total (StopEarly)
	displayID  string
	notebook   bool
	out        io.Writer
	tty        bool
	now        func() time.Time
	minDraw    time.Duration // between notebook redraws
	minText    time.Duration // between text lines when not a terminal
	maxPoints  int           // points per series sent to the browser
	textLineOn bool          // a "\r" line is pending a newline
}

// NewLive starts a live view for a run of total steps (0 if unknown) that
// tracks the named series (more names may appear later in Update).
func NewLive(title string, total int, series ...string) *Live {
	l := &Live{
		title:     title,
		total:     total,
		series:    append([]string(nil), series...),
		values:    map[string][]float64{},
		last:      map[string]float64{},
		now:       time.Now,
		minDraw:   500 * time.Millisecond,
		minText:   5 * time.Second,
		maxPoints: 1000,
		out:       os.Stderr,
		notebook:  isNotebook(),
	}
	if fi, err := os.Stderr.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
		l.tty = true
		l.minText = 500 * time.Millisecond
	}
	l.start = l.now()
	if l.notebook {
		l.displayID = "dl4go_live_" + gonbui.UniqueId()
	}
	return l
}

// SetOutput sends the text progress (outside a notebook) to w instead of
// stderr, as lines (no "\r"). It returns l.
func (l *Live) SetOutput(w io.Writer) *Live {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.out, l.tty = w, false
	return l
}

// Update records the values at step (NaN: no value at this step) and
// redraws if the last redraw is old enough or the run is complete.
func (l *Live) Update(step int, values map[string]float64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.done {
		return
	}
	for name := range values {
		if _, ok := l.values[name]; !ok && !contains(l.series, name) {
			l.series = append(l.series, name)
		}
	}
	if !l.updated {
		l.startStep, l.updated = step-1, true
	}
	l.steps = append(l.steps, float64(step))
	for _, name := range l.series {
		v, ok := values[name]
		if !ok || math.IsInf(v, 0) {
			v = math.NaN()
		}
		l.values[name] = append(padNaN(l.values[name], len(l.steps)-1), v)
		if !math.IsNaN(v) {
			l.last[name] = v
		}
	}
	l.lastStep = step
	now := l.now()
	final := l.total > 0 && step >= l.total
	if l.notebook {
		if !l.drawn || final || now.Sub(l.lastDraw) >= l.minDraw {
			l.drawNotebook(now)
		}
		return
	}
	if l.lastText.IsZero() || final || now.Sub(l.lastText) >= l.minText {
		l.printText(now, false)
	}
}

// Done draws the final chart (in a notebook: the live view's output becomes
// the final progress line and chart, in place; elsewhere: prints a summary
// line) and returns it. It
// returns nil if nothing was recorded.
func (l *Live) Done() *Chart {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.done {
		c, _ := l.chartLocked()
		return c
	}
	l.done = true
	if !l.updated {
		// No step ran (a finished run was restored): nothing to report, nothing to clear.
		return nil
	}
	now := l.now()
	c, err := l.chartLocked()
	if l.notebook {
		// The final view replaces the live one in place: one output per run, kept in
		// the saved notebook (a cell that trains 15 models shows 15 charts, not 15
		// erased blocks and 15 charts).
		h := l.progressHTML(now)
		if err == nil {
			if ch, herr := c.HTML(); herr == nil {
				ensureLibrary(displayHTML)
				h += ch
			}
		}
		updateHTML(l.displayID, h)
		syncOutput()
	} else {
		l.printText(now, true)
	}
	if err != nil {
		return nil
	}
	return c
}

// StopEarly is Done for a run that ends before its total number of steps
// because it has reached its goal: the progress reads "stopped early at
// 26/300 (why)" instead of an unfinished bar.
func (l *Live) StopEarly(why string) *Chart {
	l.mu.Lock()
	if !l.done {
		l.stopWhy = why
	}
	l.mu.Unlock()
	return l.Done()
}

// Chart returns the chart of everything recorded so far.
func (l *Live) Chart() (*Chart, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.chartLocked()
}

// Values returns a copy of the recorded steps and series (NaN where a step
// had no value).
func (l *Live) Values() (steps []float64, series map[string][]float64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	series = map[string][]float64{}
	for k, v := range l.values {
		series[k] = padNaN(append([]float64(nil), v...), len(l.steps))
	}
	return append([]float64(nil), l.steps...), series
}

func (l *Live) chartLocked() (*Chart, error) {
	if len(l.steps) == 0 {
		return nil, fmt.Errorf("plotting.Live %q: no values recorded", l.title)
	}
	idx := sampleIndices(len(l.steps), l.maxPoints)
	x := make([]float64, len(idx))
	for i, j := range idx {
		x[i] = l.steps[j]
	}
	var ss []Series
	for _, name := range l.series {
		v := padNaN(l.values[name], len(l.steps))
		y := make([]float64, len(idx))
		for i, j := range idx {
			y[i] = v[j]
		}
		ss = append(ss, Series{Name: name, Y: y})
	}
	if len(ss) == 0 {
		return nil, fmt.Errorf("plotting.Live %q: no series", l.title)
	}
	return Line(l.title, x, ss, WithAxisNames("step", ""), WithSize("900px", "360px"))
}

// sampleIndices picks at most max indices of [0, n), always keeping the last.
func sampleIndices(n, max int) []int {
	if n <= max {
		idx := make([]int, n)
		for i := range idx {
			idx[i] = i
		}
		return idx
	}
	idx := make([]int, 0, max)
	for i := 0; i < max; i++ {
		idx = append(idx, i*(n-1)/(max-1))
	}
	return idx
}

func (l *Live) rate(now time.Time) (stepsPerSec float64, eta time.Duration) {
	el := now.Sub(l.start).Seconds()
	if el <= 0 || l.lastStep <= l.startStep {
		return 0, -1
	}
	stepsPerSec = float64(l.lastStep-l.startStep) / el
	if l.total > 0 && stepsPerSec > 0 {
		eta = time.Duration(float64(l.total-l.lastStep) / stepsPerSec * float64(time.Second))
		if eta < 0 {
			eta = 0
		}
	} else {
		eta = -1
	}
	return
}

// statusText is the compact one-line progress, shared by both sinks.
func (l *Live) statusText(now time.Time, final bool) string {
	var b strings.Builder
	b.WriteString(l.title)
	short := final && l.total > 0 && l.lastStep < l.total
	switch {
	case short && l.stopWhy != "":
		fmt.Fprintf(&b, " stopped early at %d/%d (%s)", l.lastStep, l.total, l.stopWhy)
	case short:
		fmt.Fprintf(&b, " stopped at %d/%d", l.lastStep, l.total)
	case l.total > 0:
		frac := math.Min(1, float64(l.lastStep)/float64(l.total))
		const w = 20
		k := int(frac * w)
		fmt.Fprintf(&b, " [%s%s] %3.0f%% %d/%d", strings.Repeat("#", k), strings.Repeat(".", w-k), frac*100, l.lastStep, l.total)
	default:
		fmt.Fprintf(&b, " step %d", l.lastStep)
	}
	sps, eta := l.rate(now)
	fmt.Fprintf(&b, " %s step/s", fmtRate(sps))
	if final && !short {
		fmt.Fprintf(&b, " done in %s", fmtDur(now.Sub(l.start)))
	} else if final {
		fmt.Fprintf(&b, " after %s", fmtDur(now.Sub(l.start)))
	} else if eta >= 0 {
		fmt.Fprintf(&b, " ETA %s", fmtDur(eta))
	}
	names := append([]string(nil), l.series...)
	for _, n := range names {
		if v, ok := l.last[n]; ok {
			fmt.Fprintf(&b, " %s=%.4g", n, v)
		}
	}
	return b.String()
}

func (l *Live) printText(now time.Time, final bool) {
	l.lastText = now
	s := l.statusText(now, final)
	if l.tty {
		fmt.Fprintf(l.out, "\r\033[K%s", s)
		l.textLineOn = true
		if final {
			fmt.Fprintln(l.out)
			l.textLineOn = false
		}
		return
	}
	fmt.Fprintln(l.out, s)
}

func (l *Live) progressHTML(now time.Time) string {
	frac := 0.0
	if l.total > 0 {
		frac = math.Min(1, float64(l.lastStep)/float64(l.total))
	}
	if l.done && l.stopWhy != "" {
		frac = 1 // the goal is reached: a full bar
	}
	return fmt.Sprintf(`<div class="dl4go-live" style="font-family:monospace;font-size:13px;margin:4px 0">`+
		`<div style="width:400px;height:10px;background:#e6e6e6;border-radius:5px;overflow:hidden;display:inline-block;vertical-align:middle">`+
		`<div style="width:%.1f%%;height:100%%;background:#5470c6"></div></div> <span>%s</span></div>`+"\n",
		frac*100, html.EscapeString(l.statusText(now, l.done)))
}

func (l *Live) drawNotebook(now time.Time) {
	l.lastDraw, l.drawn = now, true
	ensureLibrary(displayHTML)
	h := l.progressHTML(now)
	if c, err := l.chartLocked(); err == nil {
		if ch, err := c.HTML(); err == nil {
			h += ch
		}
	}
	updateHTML(l.displayID, h)
}

func fmtRate(r float64) string {
	switch {
	case r >= 100:
		return fmt.Sprintf("%.0f", r)
	case r >= 10:
		return fmt.Sprintf("%.1f", r)
	default:
		return fmt.Sprintf("%.2f", r)
	}
}

func fmtDur(d time.Duration) string {
	if d < time.Minute {
		return fmt.Sprintf("%.1fs", d.Seconds())
	}
	d = d.Round(time.Second)
	h, m, s := int(d.Hours()), int(d.Minutes())%60, int(d.Seconds())%60
	if h > 0 {
		return fmt.Sprintf("%dh%02dm%02ds", h, m, s)
	}
	return fmt.Sprintf("%dm%02ds", m, s)
}

func padNaN(v []float64, n int) []float64 {
	for len(v) < n {
		v = append(v, math.NaN())
	}
	return v
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}
