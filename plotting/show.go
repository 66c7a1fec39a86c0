package plotting

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"image"
	"image/png"
	"regexp"
	"strings"
	"time"

	"github.com/go-echarts/go-echarts/v2/render"
	"github.com/janpfeifer/gonb/gonbui"
)

// Fragment is anything that renders to an HTML fragment for a notebook
// output or a page: the element(s) and script only, no page-level CSS.
type Fragment interface {
	HTML() (string, error)
}

// Chart is an echarts chart ready to show in a cell ([Show]) or to write into
// a page ([Chart.HTML]). Build one with the helpers ([Line], [Bar], ...) or
// wrap any go-echarts chart with [FromEcharts].
type Chart struct {
	r render.Renderer
}

// FromEcharts wraps a go-echarts chart (e.g. *charts.Line) as a [*Chart].
func FromEcharts(c render.Renderer) *Chart { return &Chart{r: c} }

// Echarts returns the underlying go-echarts chart, for further options.
func (c *Chart) Echarts() render.Renderer { return c.r }

// HTML returns the chart's <div> and <script>. The script draws as soon as
// window.echarts exists (see the package doc); it does not carry the library.
func (c *Chart) HTML() (string, error) {
	if c == nil || c.r == nil {
		return "", fmt.Errorf("plotting: nil chart")
	}
	return snippetHTML(c.r)
}

// newID returns a fresh DOM id for a chart; tests replace it for golden files.
var newID = func() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return "dl4go_" + hex.EncodeToString(b[:])
}

var (
	idRE     = regexp.MustCompile(`id="([^"]+)"`)
	styleRE  = regexp.MustCompile(`style="([^"]*)"`)
	themeRE  = regexp.MustCompile(`echarts\.init\([^,]+,\s*"([^"]*)",\s*\{\s*renderer:\s*"([^"]*)"`)
	safeIDRE = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)
)

// snippetHTML renders a go-echarts chart as element + our loader script.
func snippetHTML(r render.Renderer) (out string, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("plotting: render chart: %v", p)
		}
	}()
	s := r.RenderSnippet()
	m := idRE.FindStringSubmatch(s.Element)
	if m == nil || !safeIDRE.MatchString(m[1]) {
		return "", fmt.Errorf("plotting: chart element has no usable id: %q", s.Element)
	}
	id := m[1]
	style := "width:900px;height:500px;"
	if sm := styleRE.FindStringSubmatch(s.Element); sm != nil {
		style = sm[1]
	}
	theme, renderer := "white", "canvas"
	if tm := themeRE.FindStringSubmatch(s.Script); tm != nil {
		theme, renderer = tm[1], tm[2]
	}
	// Take the option from the script, where go-echarts inlines JS functions
	// (its Option field keeps them as quoted strings).
	a := strings.Index(s.Script, "let option_"+id+" = ")
	z := strings.Index(s.Script, "goecharts_"+id+".setOption(")
	if a < 0 || z < a {
		return "", fmt.Errorf("plotting: cannot find the option of chart %s in its script", id)
	}
	option := strings.TrimSpace(s.Script[a+len("let option_"+id+" = ") : z])
	option = strings.TrimSuffix(option, ";")
	option = strings.ReplaceAll(option, "</", `<\/`)
	var b strings.Builder
	fmt.Fprintf(&b, `<div class="dl4go-chart" id="%s" style="%s"></div>`+"\n", id, style)
	fmt.Fprintf(&b, `<script type="text/javascript" data-dl4go-chart="%s">`+"\n(function(){\n", id)
	b.WriteString(chartLoaderJS)
	fmt.Fprintf(&b, "var id=%q;\n", id)
	fmt.Fprintf(&b, `function draw(){var el=document.getElementById(id);if(!el)return;var old=echarts.getInstanceByDom(el);if(old)old.dispose();`+
		`var c=echarts.init(el,%q,{renderer:%q}),o=%s;`+
		// echarts centres a y-axis name at the end of the axis, which cuts a long name off at the
		// chart's left edge: start it at the axis instead, over the plot.
		`[].concat(o.yAxis||[]).forEach(function(a){if(a&&a.name&&(!a.nameLocation||a.nameLocation==="end")){var s=a.nameTextStyle||(a.nameTextStyle={});if(!s.align)s.align="left"}});`+
		`c.setOption(o);el.setAttribute("data-dl4go-drawn","1");`+
		`if(window.ResizeObserver){new ResizeObserver(function(){c.resize()}).observe(el)}}`+"\n", theme, renderer, option)
	b.WriteString(`if(window.echarts){draw();return}` +
		`(window.__dl4go_q=window.__dl4go_q||[]).push([id,draw]);` +
		`setTimeout(function(){if(!window.echarts&&(window.__dl4go_q||[]).length)__dl4go_fb()},4000);` + "\n")
	b.WriteString("})();\n</script>")
	return b.String(), nil
}

// isNotebook reports whether we run inside a GoNB cell; tests may override.
var isNotebook = func() bool { return gonbui.IsNotebook }

// displayHTML and displayPNG send to the notebook; tests may override.
var (
	displayHTML = func(s string) { gonbui.DisplayHTML(s) }
	displayPNG  = func(b []byte) { gonbui.DisplayPNG(b) }
	updateHTML  = func(id, s string) { gonbui.UpdateHTML(id, s) }
	syncOutput  = func() {
		// Wait (bounded) until GoNB has taken every output: a cell's program
		// may exit right after Show, and a 1 MB library output is still in
		// the pipe then.
		done := make(chan struct{})
		go func() { gonbui.Sync(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
		}
	}
)

// Show displays each item in the current GoNB cell, and is how every notebook shows things:
//
//	plotting.Show(out.LossChart())   // LossChart returns (*plotting.Chart, error)
//	plotting.Show(pic, chart)
//
// An item may be a [*Chart], any go-echarts chart (render.Renderer), a [*Picture], an
// image.Image, a [*Sound] or any [Fragment]; an item of type error — so a chart's
// (value, error) pair can be passed straight in — stops the cell with that error when it is not
// nil. Show cannot be ignored by mistake: like must.M, it panics on any error (the one passed in,
// or one met while rendering), which stops the cell and shows the error. Code that handles
// errors itself calls [Display].
//
// Outside a notebook Show displays nothing but still renders each item, so tests and scripts
// see the same errors.
func Show(items ...any) {
	for _, it := range items {
		if err, ok := it.(error); ok {
			panic(err)
		}
	}
	for _, it := range items {
		if it == nil {
			continue // the nil error of a (value, error) pair
		}
		if err := Display(it); err != nil {
			panic(err)
		}
	}
}

// Display displays v in the current GoNB cell, as [Show] does, and returns the error instead of
// stopping the cell. The first chart of a kernel session also sends the echarts library (see the
// package doc). Outside a notebook it renders v and returns the error, if any.
func Display(v any) error {
	switch x := v.(type) {
	case nil:
		return fmt.Errorf("plotting: Display(nil)")
	case *Chart:
		return showChart(x)
	case render.Renderer:
		return showChart(FromEcharts(x))
	case *Picture:
		if x == nil {
			return fmt.Errorf("plotting: display of a nil *Picture")
		}
		b, err := x.PNG()
		if err != nil {
			return err
		}
		if isNotebook() {
			displayPNG(b)
			syncOutput()
		}
		return nil
	case image.Image:
		var buf bytes.Buffer
		if err := png.Encode(&buf, x); err != nil {
			return fmt.Errorf("plotting: encode png: %w", err)
		}
		if isNotebook() {
			displayPNG(buf.Bytes())
			syncOutput()
		}
		return nil
	case Fragment:
		h, err := x.HTML()
		if err != nil {
			return err
		}
		if isNotebook() {
			displayHTML(h)
			syncOutput()
		}
		return nil
	}
	return fmt.Errorf("plotting: cannot display %T", v)
}

func showChart(c *Chart) error {
	h, err := c.HTML()
	if err != nil {
		return err
	}
	if isNotebook() {
		ensureLibrary(displayHTML)
		displayHTML(h)
		syncOutput()
	}
	return nil
}
