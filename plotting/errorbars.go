package plotting

import (
	"fmt"
	"math"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
)

// ErrorSeries is one curve of an [ErrorBars] chart: the mean Y[i] at X[i], with a vertical bar
// from Y[i]−Err[i] to Y[i]+Err[i] (e.g. the standard deviation over seeds).
type ErrorSeries struct {
	Name      string
	X, Y, Err []float64
}

// ErrorBars draws curves of means with their error bars: accuracy against FLOPs over several
// seeds, one curve per method. Each curve is a line through its means with a vertical bar at
// every point, in the curve's colour (the legend toggles both). Empty series, length mismatches,
// non-finite values and negative errors are errors.
//
//	c, err := plotting.ErrorBars("accuracy vs FLOPs", []plotting.ErrorSeries{
//		{Name: "width", X: flops, Y: means, Err: stds}}, plotting.WithAxisNames("FLOPs", "accuracy"))
func ErrorBars(title string, curves []ErrorSeries, options ...Option) (*Chart, error) {
	cfg := newConfig(options)
	if len(curves) == 0 {
		return nil, fmt.Errorf("plotting.ErrorBars %q: no series", title)
	}
	for _, s := range curves {
		n := len(s.X)
		if n == 0 || len(s.Y) != n || len(s.Err) != n {
			return nil, fmt.Errorf("plotting.ErrorBars %q: series %q has %d x, %d y and %d error values (want the same, > 0)",
				title, s.Name, len(s.X), len(s.Y), len(s.Err))
		}
		for _, v := range [][]float64{s.X, s.Y, s.Err} {
			if err := checkFinite(s.Name, v); err != nil {
				return nil, fmt.Errorf("plotting.ErrorBars %q: %w", title, err)
			}
		}
		for i, e := range s.Err {
			if e < 0 {
				return nil, fmt.Errorf("plotting.ErrorBars %q: series %q error %d is %g < 0", title, s.Name, i, e)
			}
		}
	}
	line := charts.NewLine()
	g := cfg.base(title)
	g = append(g,
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "item", Formatter: opts.FuncOpts(
			`function(p){return p.seriesName+': ('+p.value[0].toPrecision(4)+', '+p.value[1].toPrecision(4)+')'}`)}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(len(curves) > 1), Top: "30px"}),
		charts.WithGridOpts(opts.Grid{Top: "70px", Left: "60px", Right: "40px"}),
		charts.WithXAxisOpts(opts.XAxis{Type: "value", Name: cfg.xName, NameLocation: "middle", NameGap: 25, Scale: opts.Bool(true)}),
		charts.WithYAxisOpts(opts.YAxis{Type: "value", Name: cfg.yName, Scale: opts.Bool(true)}),
	)
	line.SetGlobalOptions(append(g, cfg.echarts...)...)
	for i, s := range curves {
		col := Color(i)
		line.AddSeries(s.Name, lineData(s.X, s.Y), charts.WithLineStyleOpts(opts.LineStyle{Color: col, Width: 2}),
			charts.WithItemStyleOpts(opts.ItemStyle{Color: col}),
			charts.WithLineChartOpts(opts.LineChart{ShowSymbol: opts.Bool(true), Symbol: "circle", SymbolSize: 7}))
		for k := range s.X {
			if s.Err[k] == 0 {
				continue
			}
			// The bar: a two-point line under the curve's name, so the legend hides it with the curve.
			bar := []opts.LineData{{Value: []any{s.X[k], s.Y[k] - s.Err[k]}}, {Value: []any{s.X[k], s.Y[k] + s.Err[k]}}}
			line.AddSeries(s.Name, bar, charts.WithLineStyleOpts(opts.LineStyle{Color: col, Width: 1.5}),
				charts.WithItemStyleOpts(opts.ItemStyle{Color: col}),
				charts.WithLineChartOpts(opts.LineChart{ShowSymbol: opts.Bool(true), Symbol: "rect", SymbolSize: []float64{10, 2}}))
		}
	}
	return FromEcharts(line), nil
}

// MeanStd returns the mean and the sample standard deviation (n−1; 0 for one value) of v: the
// usual error bar over seeds. It returns NaN, NaN for no values.
func MeanStd(v []float64) (mean, std float64) {
	if len(v) == 0 {
		return math.NaN(), math.NaN()
	}
	for _, x := range v {
		mean += x
	}
	mean /= float64(len(v))
	if len(v) > 1 {
		for _, x := range v {
			std += (x - mean) * (x - mean)
		}
		std = math.Sqrt(std / float64(len(v)-1))
	}
	return mean, std
}
