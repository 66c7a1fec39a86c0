package plotting

import (
	"fmt"
	"html"
	"time"

	"github.com/janpfeifer/gonb/gonbui"
	"github.com/janpfeifer/gonb/gonbui/widgets"
)

// Times of [Slider]; tests shorten them.
var (
	// sliderConnect is how long Slider waits for a browser to take its widgets.
	sliderConnect = 8 * time.Second
	// sliderIdle ends a Slider that was not moved for that long.
	sliderIdle = 60 * time.Second
)

// Slider shows the chart draw(value) with a slider from min to max and a Done button under
// it; moving the slider draws the chart again, in place, for the new value:
//
//	plotting.Slider("k", 1, 8, 1, func(k int) (*plotting.Chart, error) { return plotting.Line(...) })
//
// The slider is one of GoNB's widgets (gonbui/widgets): the browser opens a comm to the
// kernel and the cell's program hears each move, so the cell keeps running while the slider
// is live. It ends when Done is clicked, after a minute without a move, or at once when no
// browser takes the widgets within a few seconds (dl4go run, nbconvert): the chart then stays
// at value. Slider returns the last value; the saved notebook keeps the last chart and a
// line saying where the slider ended (the slider itself is not saved). Like [Show], it panics
// on an error (draw's included), which stops the cell. Outside a notebook it only calls
// draw(value) and renders the chart.
func Slider(label string, min, max, value int, draw func(v int) (*Chart, error)) int {
	if min >= max || value < min || value > max {
		panic(fmt.Errorf("plotting: Slider(%q, %d, %d, %d): want min < max and the value between them", label, min, max, value))
	}
	render := func(v int) string {
		c, err := draw(v)
		if err != nil {
			panic(fmt.Errorf("plotting: Slider %s=%d: %w", label, v, err))
		}
		h, err := c.HTML()
		if err != nil {
			panic(fmt.Errorf("plotting: Slider %s=%d: %w", label, v, err))
		}
		return h
	}
	first := render(value)
	if !isNotebook() {
		return value
	}
	uid := gonbui.UniqueId()
	chartID, controlsID, boxID := "dl4go_slider_chart_"+uid, "dl4go_slider_controls_"+uid, "dl4go_slider_box_"+uid
	ensureLibrary(displayHTML)
	updateHTML(chartID, first)
	status := func(s string) {
		updateHTML(controlsID, fmt.Sprintf(`<div class="dl4go-slider" style="font-family:monospace;font-size:13px">%s</div>`, s))
	}
	status(fmt.Sprintf(`%s: <span id="%s"></span>`, html.EscapeString(label), boxID))
	syncOutput()

	type built struct {
		slider *widgets.SliderBuilder
		done   *widgets.ButtonBuilder
	}
	ready := make(chan built, 1)
	go func() { // the widgets' Done blocks until a browser answers, maybe never
		s := widgets.Slider(min, max, value).AppendTo(boxID).Done()
		b := widgets.Button("Done").AppendTo(boxID).Done()
		ready <- built{s, b}
	}()
	var w built
	select {
	case w = <-ready:
	case <-time.After(sliderConnect):
		status(fmt.Sprintf("%s = %d (no browser took the slider: it moves in JupyterLab or Notebook)", html.EscapeString(label), value))
		syncOutput()
		return value
	}
	moves := w.slider.Listen().LatestOnly()
	clicks := w.done.Listen()
	defer moves.Close()
	defer clicks.Close()
	idle := time.NewTimer(sliderIdle)
	defer idle.Stop()
	why := ""
	for why == "" {
		select {
		case v := <-moves.C:
			if v != value && v >= min && v <= max {
				value = v
				updateHTML(chartID, render(value))
			}
			idle.Reset(sliderIdle)
		case <-clicks.C:
			why = "Done"
		case <-idle.C:
			why = fmt.Sprintf("not moved for %s", sliderIdle)
		}
	}
	status(fmt.Sprintf("%s = %d (the slider closed: %s)", html.EscapeString(label), value, why))
	syncOutput()
	return value
}
