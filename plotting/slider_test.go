package plotting

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

func sineChart(k int) (*Chart, error) {
	xs, ys := []float64{0, 1, 2, 3}, []float64{0, float64(k), 0, -float64(k)}
	return Line(fmt.Sprintf("k = %d", k), xs, []Series{{Name: "y", Y: ys}})
}

func TestSliderOutsideNotebook(t *testing.T) {
	calls := 0
	got := Slider("k", 1, 8, 3, func(k int) (*Chart, error) { calls++; return sineChart(k) })
	if got != 3 || calls != 1 {
		t.Errorf("Slider outside a notebook returned %d after %d draws, want 3 after 1", got, calls)
	}
}

// TestSliderNoBrowser: in a cell with no browser to take the widgets (dl4go run), Slider
// shows the chart at its value and a line saying so, and returns.
func TestSliderNoBrowser(t *testing.T) {
	var shown []string
	defer fakeNotebook(t, &shown)()
	updates := map[string]string{}
	updateHTML = func(id, s string) { updates[id] = s }
	old := sliderConnect
	sliderConnect = 200 * time.Millisecond
	defer func() { sliderConnect = old }()
	start := time.Now()
	if got := Slider("k", 1, 8, 2, sineChart); got != 2 {
		t.Errorf("Slider returned %d, want 2", got)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Slider took %s without a browser", d)
	}
	var chart, status string
	for id, s := range updates {
		switch {
		case strings.HasPrefix(id, "dl4go_slider_chart_"):
			chart = s
		case strings.HasPrefix(id, "dl4go_slider_controls_"):
			status = s
		}
	}
	if !strings.Contains(chart, `class="dl4go-chart"`) || !strings.Contains(chart, "k = 2") {
		t.Errorf("the slider's chart output is %q", chart)
	}
	if !strings.Contains(status, "k = 2 (no browser took the slider") {
		t.Errorf("the slider's status line is %q", status)
	}
	if len(shown) == 0 || !strings.Contains(shown[0], LibraryAttr) {
		t.Errorf("the echarts library was not sent before the slider's chart")
	}
}

func TestSliderBadInput(t *testing.T) {
	for _, tc := range []struct {
		name            string
		min, max, value int
		draw            func(int) (*Chart, error)
		want            string
	}{
		{"empty range", 3, 3, 3, sineChart, "want min < max"},
		{"value outside", 1, 8, 9, sineChart, "want min < max and the value between them"},
		{"draw fails", 1, 8, 2, func(int) (*Chart, error) { return nil, errors.New("no data") }, "Slider k=2: no data"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				p := recover()
				if err, ok := p.(error); !ok || !strings.Contains(err.Error(), tc.want) {
					t.Errorf("panic %v, want an error containing %q", p, tc.want)
				}
			}()
			Slider("k", tc.min, tc.max, tc.value, tc.draw)
		})
	}
}
