package plotting

import (
	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
)

// Option tunes a chart helper ([Line], [Scatter], [Bar], ...). Options a
// helper does not use are ignored.
type Option func(*config)

type config struct {
	width, height string
	xName, yName  string
	smooth        int
	logY          bool
	cellValues    int // -1 never, 0 auto, 1 always
	zRange        *[2]float64
	cellText      [][]string
	cellTextOnly  bool // WithCellLabels: the text in place of the value
	echarts       []charts.GlobalOpts
}

func newConfig(options []Option) *config {
	c := &config{width: "900px", height: "420px"}
	for _, o := range options {
		if o != nil {
			o(c)
		}
	}
	return c
}

// WithSize sets the chart's CSS size, e.g. WithSize("600px", "300px").
// The default is 900px × 420px.
func WithSize(width, height string) Option {
	return func(c *config) { c.width, c.height = width, height }
}

// WithAxisNames names the x and y axes.
func WithAxisNames(x, y string) Option {
	return func(c *config) { c.xName, c.yName = x, y }
}

// WithSmoothing adds, for each series of a [Line], its trailing moving
// average over window points (NaN points skipped) and fades the raw curve:
// the usual way to read noisy RL returns. window ≤ 1 turns it off.
func WithSmoothing(window int) Option {
	return func(c *config) { c.smooth = window }
}

// WithLogY uses a logarithmic y axis (values must be > 0).
func WithLogY() Option { return func(c *config) { c.logY = true } }

// WithCellValues writes each value in its [Heatmap] cell (default: only when
// the grid has at most 20×20 cells).
func WithCellValues(show bool) Option {
	return func(c *config) {
		if show {
			c.cellValues = 1
		} else {
			c.cellValues = -1
		}
	}
}

// WithCellText writes text[row][col] in each [Heatmap] cell, before its value
// rounded to an integer (e.g. the greedy action's arrow over max_a Q(s,a)); a
// NaN cell shows its text only. text must have the matrix's shape, and its
// strings no quote or backslash.
func WithCellText(text [][]string) Option {
	return func(c *config) { c.cellText, c.cellTextOnly = text, false }
}

// WithCellLabels writes text[row][col] in each [Heatmap] cell in place of its
// value (an empty string leaves the cell blank): e.g. only the attention
// weights that matter, formatted, over a map whose colour shows them all.
// text must have the matrix's shape, and its strings no quote or backslash.
func WithCellLabels(text [][]string) Option {
	return func(c *config) { c.cellText, c.cellTextOnly = text, true }
}

// WithRange fixes the colour scale of a [Heatmap] to [lo, hi] (default: the
// data's min and max).
func WithRange(lo, hi float64) Option {
	return func(c *config) { c.zRange = &[2]float64{lo, hi} }
}

// WithEcharts applies go-echarts global options (charts.WithTitleOpts,
// charts.WithTooltipOpts, ...) after the helper's defaults.
// JavaScript functions given through opts.FuncOpts must not contain double
// quotes (use single quotes): go-echarts JSON-escapes them.
func WithEcharts(o ...charts.GlobalOpts) Option {
	return func(c *config) { c.echarts = append(c.echarts, o...) }
}

// base returns the global options every helper starts from.
func (c *config) base(title string) []charts.GlobalOpts {
	g := []charts.GlobalOpts{
		charts.WithInitializationOpts(opts.Initialization{Width: c.width, Height: c.height, ChartID: newID()}),
		charts.WithTitleOpts(opts.Title{Title: title}),
		charts.WithAnimation(false),
	}
	return g
}

// palette is echarts' default colour cycle, used where we assign colours.
var palette = []string{"#5470c6", "#91cc75", "#fac858", "#ee6666", "#73c0de", "#3ba272", "#fc8452", "#9a60b4", "#ea7ccc"}

// Color returns the i-th colour of the default chart palette (CSS hex).
func Color(i int) string { return palette[((i%len(palette))+len(palette))%len(palette)] }
