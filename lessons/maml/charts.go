package maml

import (
	"fmt"
	"math"

	"github.com/dl4go/dl4go/plotting"
	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
)

// logY makes a chart's y axis logarithmic (for quantities spanning decades).
var logY = plotting.WithEcharts(charts.WithYAxisOpts(opts.YAxis{Type: "log"}))

// DatasetChart draws, on a log scale, how many images the data sets of the report hold, next to
// the K examples a few-shot learner gets for a new task.
func DatasetChart(k int) (*plotting.Chart, error) {
	var names []string
	var sizes []float64
	for _, d := range DatasetSizes() {
		names = append(names, d.Name)
		sizes = append(sizes, d.Images)
	}
	names = append(names, fmt.Sprintf("one few-shot task (K=%d)", k))
	sizes = append(sizes, float64(k))
	return plotting.Bar("Training examples: classic data sets vs one few-shot task (log scale)", names,
		[]plotting.Series{{Name: "examples", Y: sizes}}, plotting.WithAxisNames("", "examples"), logY,
		plotting.WithEcharts(
			charts.WithGridOpts(opts.Grid{Top: "70px", Left: "90px", Right: "40px"}),
			charts.WithXAxisOpts(opts.XAxis{Type: "category", AxisLabel: &opts.AxisLabel{Interval: "0"}})))
}

// TaskChart draws, for the demo task (a new task none of the methods saw), the true curve, its K
// support points and method m's predictions after Config.PlotSteps adaptation steps on them.
func (o *Outcome) TaskChart(m Method) (*plotting.Chart, error) {
	mo := o.Method(m)
	if mo == nil {
		return nil, fmt.Errorf("maml: no outcome for %s", m)
	}
	truth := make([]float64, len(o.Grid))
	for i, x := range o.Grid {
		truth[i] = o.DemoTask.F(x)
	}
	series := []plotting.Series{{Name: "true curve", Y: truth}}
	for i, s := range o.Config.PlotSteps {
		series = append(series, plotting.Series{Name: fmt.Sprintf("after %d steps", s), Y: finite(mo.Predictions[i])})
	}
	title := fmt.Sprintf("%s on a new task (A=%.2f, φ=%.2f), fine-tuned on K=%d points", m,
		o.DemoTask.Amplitude, o.DemoTask.Phase, o.Config.K)
	// A fixed y range (the amplitudes go up to 5) keeps the charts comparable, and readable when a
	// fine-tuning diverges.
	c, err := plotting.Line(title, o.Grid, series, plotting.WithAxisNames("x", "y"),
		plotting.WithEcharts(charts.WithYAxisOpts(opts.YAxis{Type: "value", Name: "y", Min: -6, Max: 6})))
	if err != nil {
		return nil, err
	}
	// The K support points, as dots.
	line, ok := c.Echarts().(*charts.Line)
	if !ok {
		return nil, fmt.Errorf("maml: plotting.Line returned %T, not a line chart", c.Echarts())
	}
	pts := make([]opts.LineData, len(o.DemoXS))
	for i := range o.DemoXS {
		pts[i] = opts.LineData{Value: []any{o.DemoXS[i], o.DemoYS[i]}}
	}
	line.AddSeries(fmt.Sprintf("K=%d support points", o.Config.K), pts,
		charts.WithLineStyleOpts(opts.LineStyle{Width: 0, Opacity: opts.Float(0)}),
		charts.WithItemStyleOpts(opts.ItemStyle{Color: "#000000"}),
		charts.WithLineChartOpts(opts.LineChart{ShowSymbol: opts.Bool(true), Symbol: "circle", SymbolSize: 10}))
	return c, nil
}

// MSEChart draws each method's mean query MSE over the evaluation tasks against the number of
// fine-tuning steps on the K support points (log scale).
func (o *Outcome) MSEChart() (*plotting.Chart, error) {
	x := make([]float64, o.Config.EvalSteps+1)
	for i := range x {
		x[i] = float64(i)
	}
	var series []plotting.Series
	for _, mo := range o.Methods {
		series = append(series, plotting.Series{Name: mo.Method.String(), Y: finite(mo.MSE)})
	}
	return plotting.Line(fmt.Sprintf("Query MSE on %d new tasks vs adaptation steps (K=%d)", o.Config.EvalTasks, o.Config.K),
		x, series, plotting.WithAxisNames("SGD steps on the K points", "mean query MSE"), plotting.WithLogY())
}

// LossChart draws the meta-training loss of each method, averaged over blocks of steps: for the
// meta-learners the query loss after adaptation, for the joint baseline its loss without adaptation.
func (o *Outcome) LossChart() (*plotting.Chart, error) {
	block := max(1, o.Config.MetaSteps/100)
	var x []float64
	var series []plotting.Series
	for i, mo := range o.Methods {
		var y []float64
		for start := 0; start < len(mo.Loss); start += block {
			end := min(start+block, len(mo.Loss))
			sum, n := 0.0, 0
			for _, v := range mo.Loss[start:end] {
				if v == v { // skip NaN (a diverged step): the mean of the rest
					sum += v
					n++
				}
			}
			if i == 0 {
				x = append(x, float64(end))
			}
			y = append(y, sum/float64(max(n, 1)))
			if n == 0 {
				y[len(y)-1] = nan
			}
		}
		name := mo.Method.String()
		if mo.Method == Joint {
			name += " (no adaptation)"
		}
		series = append(series, plotting.Series{Name: name, Y: y})
	}
	return plotting.Line(fmt.Sprintf("Meta-training loss (mean of every %d steps)", block), x, series,
		plotting.WithAxisNames("meta-step", "loss"), plotting.WithLogY())
}

// CostChart draws the measured wall time of one meta-step of each method (the median over its
// meta-training): the compute cost the report names as MAML's problem, and what FOMAML and
// Reptile save.
func (o *Outcome) CostChart() (*plotting.Chart, error) {
	var names []string
	var ms []float64
	for _, mo := range o.Methods {
		names = append(names, mo.Method.String())
		ms = append(ms, 1e3*mo.SecondsPerStep)
	}
	return plotting.Bar(fmt.Sprintf("Compute cost: ms per meta-step (%d tasks, %d MAML inner step(s), %d Reptile steps)",
		o.Config.MetaBatch, o.Config.InnerSteps, o.Config.ReptileSteps), names,
		[]plotting.Series{{Name: "ms per meta-step", Y: ms}}, plotting.WithAxisNames("", "ms"))
}

// finite returns v with ±Inf replaced by NaN (a gap in a chart): what a diverged fine-tuning gives.
func finite(v []float64) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = x
		if math.IsInf(x, 0) {
			out[i] = nan
		}
	}
	return out
}
