package plotting

import (
	"fmt"
	"math"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
)

// Series is one named curve (or bar series): Y[i] is drawn at x[i].
type Series struct {
	Name string
	Y    []float64
	// X, if set, is this curve's own x (Line only; Line's shared x must then be nil): curves
	// sampled at different points, such as two models' accuracy against their training seconds.
	X []float64
}

// Line draws one or more curves over a shared x (nil x means 0, 1, 2, ...), or each over its
// own Series.X. A NaN in Y leaves a visible gap; ±Inf, empty input or a length mismatch is an
// error.
//
//	c, err := plotting.Line("loss", nil, []plotting.Series{{Name: "train", Y: losses}},
//		plotting.WithAxisNames("step", "loss"), plotting.WithSmoothing(20))
func Line(title string, x []float64, series []Series, options ...Option) (*Chart, error) {
	cfg := newConfig(options)
	if len(series) == 0 {
		return nil, fmt.Errorf("plotting.Line %q: no series", title)
	}
	n := len(series[0].Y)
	for _, s := range series {
		if len(s.Y) == 0 {
			return nil, fmt.Errorf("plotting.Line %q: series %q is empty", title, s.Name)
		}
		if x != nil && len(s.Y) != len(x) {
			return nil, fmt.Errorf("plotting.Line %q: series %q has %d points but x has %d", title, s.Name, len(s.Y), len(x))
		}
		if s.X != nil && x != nil {
			return nil, fmt.Errorf("plotting.Line %q: series %q has its own X and the chart a shared x: pass nil as x", title, s.Name)
		}
		if s.X != nil && len(s.X) != len(s.Y) {
			return nil, fmt.Errorf("plotting.Line %q: series %q has %d points but %d X values", title, s.Name, len(s.Y), len(s.X))
		}
		if len(s.Y) > n {
			n = len(s.Y)
		}
		for i, v := range s.Y {
			if math.IsInf(v, 0) {
				return nil, fmt.Errorf("plotting.Line %q: series %q point %d is %v", title, s.Name, i, v)
			}
			if cfg.logY && v <= 0 {
				return nil, fmt.Errorf("plotting.Line %q: series %q point %d is %v, not > 0 for a log axis", title, s.Name, i, v)
			}
		}
	}
	if x == nil {
		x = make([]float64, n)
		for i := range x {
			x[i] = float64(i)
		}
	}
	xOf := func(s Series) []float64 {
		if s.X != nil {
			return s.X
		}
		return x
	}
	// Whole-number x (steps, episodes): ticks at whole numbers only.
	minInterval := 1.0
	for _, s := range series {
		for i, v := range xOf(s) {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				if s.X != nil {
					return nil, fmt.Errorf("plotting.Line %q: series %q X[%d] is %v", title, s.Name, i, v)
				}
				return nil, fmt.Errorf("plotting.Line %q: x[%d] is %v", title, i, v)
			}
			if v != math.Trunc(v) {
				minInterval = 0
			}
		}
	}
	line := charts.NewLine()
	g := cfg.base(title)
	g = append(g,
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "axis"}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(len(series) > 1 || cfg.smooth > 1), Top: "30px"}),
		charts.WithGridOpts(opts.Grid{Top: "70px", Left: "60px", Right: "40px"}),
		charts.WithXAxisOpts(opts.XAxis{Type: "value", Name: cfg.xName, NameLocation: "middle", NameGap: 25, Min: "dataMin", Max: "dataMax",
			MinInterval: minInterval}),
	)
	yType := "value"
	if cfg.logY {
		yType = "log"
	}
	g = append(g, charts.WithYAxisOpts(opts.YAxis{Type: yType, Name: cfg.yName, Scale: opts.Bool(true)}))
	line.SetGlobalOptions(append(g, cfg.echarts...)...)
	for i, s := range series {
		col := Color(i)
		raw := lineData(xOf(s), s.Y)
		if cfg.smooth > 1 {
			line.AddSeries(s.Name, raw, charts.WithLineStyleOpts(opts.LineStyle{Color: col, Opacity: opts.Float(0.3)}),
				charts.WithItemStyleOpts(opts.ItemStyle{Color: col, Opacity: opts.Float(0.3)}),
				charts.WithLineChartOpts(opts.LineChart{ShowSymbol: opts.Bool(false)}))
			name := fmt.Sprintf("%s (avg %d)", s.Name, cfg.smooth)
			line.AddSeries(name, lineData(xOf(s), MovingAverage(s.Y, cfg.smooth)),
				charts.WithLineStyleOpts(opts.LineStyle{Color: col, Width: 2}),
				charts.WithItemStyleOpts(opts.ItemStyle{Color: col}),
				charts.WithLineChartOpts(opts.LineChart{ShowSymbol: opts.Bool(false)}))
			continue
		}
		line.AddSeries(s.Name, raw, charts.WithLineStyleOpts(opts.LineStyle{Color: col}),
			charts.WithItemStyleOpts(opts.ItemStyle{Color: col}),
			charts.WithLineChartOpts(opts.LineChart{ShowSymbol: opts.Bool(len(s.Y) <= 50)}))
	}
	return FromEcharts(line), nil
}

// lineData pairs x and y as echarts [x, y] points; NaN becomes "-" (a gap).
func lineData(x, y []float64) []opts.LineData {
	d := make([]opts.LineData, len(y))
	for i, v := range y {
		if math.IsNaN(v) {
			d[i] = opts.LineData{Value: []any{x[i], "-"}}
		} else {
			d[i] = opts.LineData{Value: []any{x[i], v}}
		}
	}
	return d
}

// MovingAverage returns the trailing mean of y over window points, skipping
// NaN (NaN where a window holds none).
func MovingAverage(y []float64, window int) []float64 {
	out := make([]float64, len(y))
	sum, cnt := 0.0, 0
	for i, v := range y {
		if !math.IsNaN(v) {
			sum += v
			cnt++
		}
		if j := i - window; j >= 0 && !math.IsNaN(y[j]) {
			sum -= y[j]
			cnt--
		}
		if cnt > 0 {
			out[i] = sum / float64(cnt)
		} else {
			out[i] = math.NaN()
		}
	}
	return out
}
