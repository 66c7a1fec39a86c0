package rl

// This file holds a chart helper that package plotting lacks; it is self-contained so that it can
// move to plotting as is (plotting.Heatmap with a WithCellText option).

import (
	"fmt"
	"strings"

	"github.com/dl4go/dl4go/plotting"
	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
)

// heatmapWithCellText is plotting.Heatmap whose cells read text[row][col] before the value
// (rounded), e.g. the greedy action's arrow over max_a Q(s,a). A NaN cell shows its text only.
func heatmapWithCellText(title string, z [][]float64, text [][]string, xLabels, yLabels []string,
	options ...plotting.Option) (*plotting.Chart, error) {
	if len(text) != len(z) {
		return nil, fmt.Errorf("heatmap %q: %d text rows for %d rows", title, len(text), len(z))
	}
	for r := range z {
		if len(text[r]) != len(z[r]) {
			return nil, fmt.Errorf("heatmap %q: row %d has %d texts for %d values", title, r, len(text[r]), len(z[r]))
		}
	}
	c, err := plotting.Heatmap(title, z, xLabels, yLabels, append(options, plotting.WithCellValues(false))...)
	if err != nil {
		return nil, err
	}
	h, ok := c.Echarts().(*charts.HeatMap)
	if !ok {
		return nil, fmt.Errorf("heatmap %q: plotting.Heatmap returned a %T", title, c.Echarts())
	}
	// go-echarts JSON-escapes a function's body, so the JS below must contain no double quote and
	// no backslash: strings are single-quoted.
	rows := make([]string, len(text))
	for r, row := range text {
		cells := make([]string, len(row))
		for c, t := range row {
			if strings.ContainsAny(t, `'"\`) {
				return nil, fmt.Errorf("heatmap %q: cell text %q has a quote or backslash", title, t)
			}
			cells[c] = "'" + t + "'"
		}
		rows[r] = "[" + strings.Join(cells, ",") + "]"
	}
	h.SetSeriesOptions(charts.WithLabelOpts(opts.Label{Show: opts.Bool(true), FontSize: 13,
		Formatter: string(opts.FuncOpts(fmt.Sprintf(
			`function(p){var t=[%s][p.value[1]][p.value[0]],v=p.value[2];return typeof v===typeof 0?t+' '+Math.round(v):t}`,
			strings.Join(rows, ","))))}))
	return c, nil
}
