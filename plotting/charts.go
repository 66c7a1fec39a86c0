package plotting

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
)

func checkFinite(what string, v []float64) error {
	for i, x := range v {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return fmt.Errorf("%s[%d] is %v", what, i, x)
		}
	}
	return nil
}

// Points are the data of a [Scatter]: X[i], Y[i], and optionally a label
// (shown beside the point and in its tooltip) and a class (its colour and
// legend entry, named by ClassNames[class] when given).
type Points struct {
	X, Y       []float64
	Labels     []string // optional, len(X)
	Classes    []int    // optional, len(X), values ≥ 0
	ClassNames []string // optional
}

// Scatter draws points, coloured by class and labelled per point
// (embeddings, clusters).
//
//	c, err := plotting.Scatter("word vectors (PCA)", plotting.Points{X: xs, Y: ys, Labels: words, Classes: kinds})
func Scatter(title string, p Points, options ...Option) (*Chart, error) {
	cfg := newConfig(options)
	n := len(p.X)
	switch {
	case n == 0:
		return nil, fmt.Errorf("plotting.Scatter %q: no points", title)
	case len(p.Y) != n:
		return nil, fmt.Errorf("plotting.Scatter %q: %d x values but %d y values", title, n, len(p.Y))
	case p.Labels != nil && len(p.Labels) != n:
		return nil, fmt.Errorf("plotting.Scatter %q: %d points but %d labels", title, n, len(p.Labels))
	case p.Classes != nil && len(p.Classes) != n:
		return nil, fmt.Errorf("plotting.Scatter %q: %d points but %d classes", title, n, len(p.Classes))
	}
	if err := checkFinite("x", p.X); err != nil {
		return nil, fmt.Errorf("plotting.Scatter %q: %w", title, err)
	}
	if err := checkFinite("y", p.Y); err != nil {
		return nil, fmt.Errorf("plotting.Scatter %q: %w", title, err)
	}
	groups := map[int][]opts.ScatterData{}
	for i := range p.X {
		c := 0
		if p.Classes != nil {
			c = p.Classes[i]
			if c < 0 {
				return nil, fmt.Errorf("plotting.Scatter %q: point %d has class %d < 0", title, i, c)
			}
		}
		d := opts.ScatterData{Value: []float64{p.X[i], p.Y[i]}, SymbolSize: 9}
		if p.Labels != nil {
			d.Name = p.Labels[i]
		}
		groups[c] = append(groups[c], d)
	}
	classes := make([]int, 0, len(groups))
	for c := range groups {
		classes = append(classes, c)
	}
	sort.Ints(classes)
	sc := charts.NewScatter()
	g := cfg.base(title)
	g = append(g,
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Formatter: opts.FuncOpts(
			`function(p){return (p.name?p.name+'<br>':'')+p.seriesName+': ('+p.value[0].toPrecision(4)+', '+p.value[1].toPrecision(4)+')'}`)}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(p.Classes != nil), Top: "30px"}),
		charts.WithGridOpts(opts.Grid{Top: "70px", Left: "60px", Right: "40px"}),
		charts.WithXAxisOpts(opts.XAxis{Type: "value", Name: cfg.xName, NameLocation: "middle", NameGap: 25, Scale: opts.Bool(true)}),
		charts.WithYAxisOpts(opts.YAxis{Type: "value", Name: cfg.yName, Scale: opts.Bool(true)}),
	)
	sc.SetGlobalOptions(append(g, cfg.echarts...)...)
	for _, c := range classes {
		name := "class " + strconv.Itoa(c)
		if c < len(p.ClassNames) {
			name = p.ClassNames[c]
		} else if p.Classes == nil {
			name = title
		}
		so := []charts.SeriesOpts{charts.WithItemStyleOpts(opts.ItemStyle{Color: Color(c)})}
		if p.Labels != nil {
			so = append(so, charts.WithLabelOpts(opts.Label{Show: opts.Bool(n <= 300), Position: "right", Formatter: "{b}", FontSize: 11}))
		}
		sc.AddSeries(name, groups[c], so...)
	}
	return FromEcharts(sc), nil
}

// Bar draws one or more series of bars over named categories; each series'
// Y must have one value per category.
//
//	c, err := plotting.Bar("arm pulls", []string{"arm 0", "arm 1"}, []plotting.Series{{Name: "ε=0.1", Y: counts}})
func Bar(title string, categories []string, series []Series, options ...Option) (*Chart, error) {
	cfg := newConfig(options)
	if len(categories) == 0 {
		return nil, fmt.Errorf("plotting.Bar %q: no categories", title)
	}
	if len(series) == 0 {
		return nil, fmt.Errorf("plotting.Bar %q: no series", title)
	}
	b := charts.NewBar()
	g := cfg.base(title)
	g = append(g,
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "axis"}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(len(series) > 1), Top: "30px"}),
		charts.WithGridOpts(opts.Grid{Top: "70px", Left: "60px", Right: "40px"}),
		charts.WithXAxisOpts(opts.XAxis{Type: "category", Name: cfg.xName, NameLocation: "middle", NameGap: 25}),
		charts.WithYAxisOpts(opts.YAxis{Type: "value", Name: cfg.yName}),
	)
	b.SetGlobalOptions(append(g, cfg.echarts...)...)
	b.SetXAxis(categories)
	for i, s := range series {
		if len(s.Y) != len(categories) {
			return nil, fmt.Errorf("plotting.Bar %q: series %q has %d values for %d categories", title, s.Name, len(s.Y), len(categories))
		}
		if err := checkFinite(s.Name, s.Y); err != nil {
			return nil, fmt.Errorf("plotting.Bar %q: %w", title, err)
		}
		d := make([]opts.BarData, len(s.Y))
		for j, v := range s.Y {
			d[j] = opts.BarData{Value: v}
		}
		b.AddSeries(s.Name, d, charts.WithItemStyleOpts(opts.ItemStyle{Color: Color(i)}))
	}
	return FromEcharts(b), nil
}

// Histogram counts values into bins equal-width bins over [min, max] and
// draws them as bars labelled by bin centre. NaN/Inf values are an error.
//
//	c, err := plotting.Histogram("weights of layer 1", weights, 40)
func Histogram(title string, values []float64, bins int, options ...Option) (*Chart, error) {
	if len(values) == 0 {
		return nil, fmt.Errorf("plotting.Histogram %q: no values", title)
	}
	if bins < 1 {
		return nil, fmt.Errorf("plotting.Histogram %q: %d bins", title, bins)
	}
	if err := checkFinite("values", values); err != nil {
		return nil, fmt.Errorf("plotting.Histogram %q: %w", title, err)
	}
	counts, edges := HistogramCounts(values, bins)
	cats := make([]string, bins)
	y := make([]float64, bins)
	for i := range counts {
		cats[i] = strconv.FormatFloat((edges[i]+edges[i+1])/2, 'g', 3, 64)
		y[i] = float64(counts[i])
	}
	cfg := newConfig(options)
	if cfg.yName == "" {
		options = append([]Option{WithAxisNames(cfg.xName, "count")}, options...)
	}
	c, err := Bar(title, cats, []Series{{Name: "count", Y: y}}, append(options,
		WithEcharts(charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "axis"})))...)
	if err != nil {
		return nil, err
	}
	c.r.(*charts.Bar).SetSeriesOptions(charts.WithBarChartOpts(opts.BarChart{BarCategoryGap: "0%"}))
	return c, nil
}

// HistogramCounts returns the counts of values in bins equal-width bins and
// the bins+1 edges; the last bin includes the maximum.
func HistogramCounts(values []float64, bins int) (counts []int, edges []float64) {
	lo, hi := values[0], values[0]
	for _, v := range values {
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	if hi == lo {
		lo, hi = lo-0.5, hi+0.5
	}
	edges = make([]float64, bins+1)
	for i := range edges {
		edges[i] = lo + (hi-lo)*float64(i)/float64(bins)
	}
	counts = make([]int, bins)
	for _, v := range values {
		k := int((v - lo) / (hi - lo) * float64(bins))
		if k >= bins {
			k = bins - 1
		}
		if k < 0 {
			k = 0
		}
		counts[k]++
	}
	return counts, edges
}

// Heatmap draws z[row][col] as coloured cells with a colour bar: row 0 at the
// top, like a matrix (Q-values, attention weights, a confusion matrix).
// xLabels names the columns and yLabels the rows (nil: 0, 1, 2, ...).
// Values are written in the cells of grids up to 20×20 ([WithCellValues]).
// NaN leaves a cell empty; Inf and ragged rows are errors.
//
//	c, err := plotting.Heatmap("confusion matrix", m, classNames, classNames, plotting.WithAxisNames("predicted", "true"))
func Heatmap(title string, z [][]float64, xLabels, yLabels []string, options ...Option) (*Chart, error) {
	cfg := newConfig(options)
	rows := len(z)
	if rows == 0 || len(z[0]) == 0 {
		return nil, fmt.Errorf("plotting.Heatmap %q: empty matrix", title)
	}
	cols := len(z[0])
	if xLabels == nil {
		xLabels = indexLabels(cols)
	}
	if yLabels == nil {
		yLabels = indexLabels(rows)
	}
	if len(xLabels) != cols || len(yLabels) != rows {
		return nil, fmt.Errorf("plotting.Heatmap %q: %d×%d matrix but %d x labels and %d y labels", title, rows, cols, len(xLabels), len(yLabels))
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	var data []opts.HeatMapData
	for r, row := range z {
		if len(row) != cols {
			return nil, fmt.Errorf("plotting.Heatmap %q: row %d has %d values, row 0 has %d", title, r, len(row), cols)
		}
		for c, v := range row {
			if math.IsInf(v, 0) {
				return nil, fmt.Errorf("plotting.Heatmap %q: z[%d][%d] is %v", title, r, c, v)
			}
			if math.IsNaN(v) {
				data = append(data, opts.HeatMapData{Value: []any{c, r, "-"}})
				continue
			}
			lo, hi = math.Min(lo, v), math.Max(hi, v)
			data = append(data, opts.HeatMapData{Value: []any{c, r, v}})
		}
	}
	if math.IsInf(lo, 1) {
		return nil, fmt.Errorf("plotting.Heatmap %q: every value is NaN", title)
	}
	if cfg.zRange != nil {
		lo, hi = cfg.zRange[0], cfg.zRange[1]
	}
	if hi == lo {
		hi = lo + 1
	}
	showVals := cfg.cellValues == 1 || (cfg.cellValues == 0 && rows <= 20 && cols <= 20)
	h := charts.NewHeatMap()
	g := cfg.base(title)
	g = append(g,
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Formatter: opts.FuncOpts(
			`function(p){return p.marker+p.value[2]}`)}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(false)}),
		charts.WithGridOpts(opts.Grid{Top: "60px", Left: "80px", Right: "90px", Bottom: "60px"}),
		charts.WithXAxisOpts(opts.XAxis{Type: "category", Data: xLabels, Name: cfg.xName, NameLocation: "middle", NameGap: 30, SplitArea: &opts.SplitArea{Show: opts.Bool(true)}}),
		charts.WithYAxisOpts(opts.YAxis{Type: "category", Data: yLabels, Name: cfg.yName, NameLocation: "middle", NameGap: 55, Inverse: opts.Bool(true), SplitArea: &opts.SplitArea{Show: opts.Bool(true)}}),
		charts.WithVisualMapOpts(opts.VisualMap{
			Type: "continuous", Calculable: opts.Bool(true), Min: nonzero32(lo), Max: nonzero32(hi),
			Orient: "vertical", Right: "10px", Top: "center",
			InRange: &opts.VisualMapInRange{Color: []string{"#313695", "#4575b4", "#74add1", "#abd9e9", "#e0f3f8", "#ffffbf", "#fee090", "#fdae61", "#f46d43", "#d73027", "#a50026"}},
		}),
	)
	h.SetGlobalOptions(append(g, cfg.echarts...)...)
	h.SetXAxis(xLabels)
	so := []charts.SeriesOpts{}
	if cfg.cellText != nil {
		formatter, err := cellTextFormatter(cfg.cellText, rows, cols, !cfg.cellTextOnly)
		if err != nil {
			return nil, fmt.Errorf("plotting.Heatmap %q: %w", title, err)
		}
		so = append(so, charts.WithLabelOpts(opts.Label{Show: opts.Bool(true), FontSize: 13, Formatter: formatter}))
	} else if showVals {
		so = append(so, charts.WithLabelOpts(opts.Label{Show: opts.Bool(true), FontSize: 10, Formatter: string(opts.FuncOpts(
			`function(p){var v=p.value[2];return typeof v==='number'?(Math.abs(v)>=100||Number.isInteger(v)?String(Math.round(v*100)/100):v.toPrecision(2)):''}`))}))
	}
	h.AddSeries(title, data, so...)
	return FromEcharts(h), nil
}

// cellTextFormatter returns the label formatter of WithCellText (withValue:
// the text, then the value rounded) or WithCellLabels (the text alone). go-echarts
// JSON-escapes a function's body, so the script holds no double quote or
// backslash: strings are single-quoted, and texts may not contain quotes.
func cellTextFormatter(text [][]string, rows, cols int, withValue bool) (string, error) {
	if len(text) != rows {
		return "", fmt.Errorf("%d rows of cell text for %d rows", len(text), rows)
	}
	jsRows := make([]string, rows)
	for r, row := range text {
		if len(row) != cols {
			return "", fmt.Errorf("cell text row %d has %d entries for %d columns", r, len(row), cols)
		}
		cells := make([]string, cols)
		for c, t := range row {
			if strings.ContainsAny(t, `'"\`) {
				return "", fmt.Errorf("cell text %q has a quote or backslash", t)
			}
			cells[c] = "'" + t + "'"
		}
		jsRows[r] = "[" + strings.Join(cells, ",") + "]"
	}
	body := `function(p){var t=[%s][p.value[1]][p.value[0]],v=p.value[2];return typeof v===typeof 0?t+' '+Math.round(v):t}`
	if !withValue {
		body = `function(p){return [%s][p.value[1]][p.value[0]]}`
	}
	return string(opts.FuncOpts(fmt.Sprintf(body, strings.Join(jsRows, ",")))), nil
}

// nonzero32 avoids go-echarts dropping a 0 min/max (omitempty): echarts
// would then use its default of 0..200.
func nonzero32(v float64) float32 {
	if float32(v) == 0 {
		return math.SmallestNonzeroFloat32
	}
	return float32(v)
}

func indexLabels(n int) []string {
	l := make([]string, n)
	for i := range l {
		l[i] = strconv.Itoa(i)
	}
	return l
}

// PR is one precision–recall curve, e.g. for one class; AP (if > 0) is shown
// in the legend.
type PR struct {
	Name              string
	Recall, Precision []float64
	AP                float64
}

// PRCurve draws precision against recall (both in [0, 1]) for each curve as
// a step line (precision holds until the next recall point).
//
//	c, err := plotting.PRCurve("SSD-lite", []plotting.PR{{Name: "circle", Recall: r, Precision: p, AP: ap}})
func PRCurve(title string, curves []PR, options ...Option) (*Chart, error) {
	cfg := newConfig(options)
	if len(curves) == 0 {
		return nil, fmt.Errorf("plotting.PRCurve %q: no curves", title)
	}
	l := charts.NewLine()
	g := cfg.base(title)
	g = append(g,
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "item"}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(true), Top: "30px"}),
		charts.WithGridOpts(opts.Grid{Top: "70px", Left: "60px", Right: "40px"}),
		charts.WithXAxisOpts(opts.XAxis{Type: "value", Name: "recall", NameLocation: "middle", NameGap: 25, Min: 0, Max: 1}),
		charts.WithYAxisOpts(opts.YAxis{Type: "value", Name: "precision", Min: 0, Max: 1.05}),
	)
	l.SetGlobalOptions(append(g, cfg.echarts...)...)
	for i, c := range curves {
		if len(c.Recall) == 0 || len(c.Recall) != len(c.Precision) {
			return nil, fmt.Errorf("plotting.PRCurve %q: curve %q has %d recall and %d precision values", title, c.Name, len(c.Recall), len(c.Precision))
		}
		for j := range c.Recall {
			r, p := c.Recall[j], c.Precision[j]
			if !(r >= 0 && r <= 1) || !(p >= 0 && p <= 1) {
				return nil, fmt.Errorf("plotting.PRCurve %q: curve %q point %d (recall %v, precision %v) outside [0,1]", title, c.Name, j, r, p)
			}
		}
		name := c.Name
		if c.AP > 0 {
			name = fmt.Sprintf("%s (AP %.3f)", c.Name, c.AP)
		}
		l.AddSeries(name, lineData(c.Recall, c.Precision),
			charts.WithLineChartOpts(opts.LineChart{Step: "end", ShowSymbol: opts.Bool(len(c.Recall) <= 50)}),
			charts.WithLineStyleOpts(opts.LineStyle{Color: Color(i), Width: 2}),
			charts.WithItemStyleOpts(opts.ItemStyle{Color: Color(i)}))
	}
	return FromEcharts(l), nil
}

// TreeNode is one node of a [Tree]: a name (e.g. a move), a value (e.g. an
// MCTS visit count, shown and used for the symbol size) and children.
type TreeNode struct {
	Name     string
	Value    float64
	Children []*TreeNode
}

// Tree draws a rooted tree left to right; node symbols grow with Value
// (relative to the root's largest child), labels read "name (value)".
//
//	c, err := plotting.Tree("MCTS after 200 simulations", root)
func Tree(title string, root *TreeNode, options ...Option) (*Chart, error) {
	cfg := newConfig(options)
	if root == nil {
		return nil, fmt.Errorf("plotting.Tree %q: nil root", title)
	}
	maxV := 0.0
	count := 0
	var walk func(n *TreeNode, depth int) error
	walk = func(n *TreeNode, depth int) error {
		if n == nil {
			return fmt.Errorf("nil child at depth %d", depth)
		}
		if math.IsNaN(n.Value) || math.IsInf(n.Value, 0) {
			return fmt.Errorf("node %q has value %v", n.Name, n.Value)
		}
		if depth > 0 {
			maxV = math.Max(maxV, math.Abs(n.Value))
		}
		count++
		for _, c := range n.Children {
			if err := walk(c, depth+1); err != nil {
				return err
			}
		}
		return nil
	}
	if err := walk(root, 0); err != nil {
		return nil, fmt.Errorf("plotting.Tree %q: %w", title, err)
	}
	if maxV == 0 {
		maxV = 1
	}
	var conv func(n *TreeNode) *opts.TreeData
	conv = func(n *TreeNode) *opts.TreeData {
		d := &opts.TreeData{Name: fmt.Sprintf("%s (%s)", n.Name, strconv.FormatFloat(n.Value, 'g', 4, 64)), Value: n.Value,
			SymbolSize: 6 + int(14*math.Min(1, math.Abs(n.Value)/maxV))}
		for _, c := range n.Children {
			d.Children = append(d.Children, conv(c))
		}
		return d
	}
	t := charts.NewTree()
	g := cfg.base(title)
	g = append(g, charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "item"}))
	t.SetGlobalOptions(append(g, cfg.echarts...)...)
	t.AddSeries(title, []opts.TreeData{*conv(root)},
		charts.WithTreeOpts(opts.TreeChart{Layout: "orthogonal", Orient: "LR", InitialTreeDepth: -1, Roam: opts.Bool(true),
			Left: "8%", Right: "20%", Top: "60px", Bottom: "20px",
			Label:  &opts.Label{Show: opts.Bool(true), Position: "left", FontSize: 11},
			Leaves: &opts.TreeLeaves{Label: &opts.Label{Show: opts.Bool(true), Position: "right", FontSize: 11}}}),
		charts.WithItemStyleOpts(opts.ItemStyle{Color: Color(0)}))
	_ = count
	return FromEcharts(t), nil
}

// Node is a vertex of a [Graph]: a name, a class (its colour and legend entry)
// and an optional size (≤ 0: default).
type Node struct {
	Name  string
	Class int
	Size  float64
}

// Edge joins two nodes by index.
type Edge struct{ Source, Target int }

// Graph draws a graph with a force layout, nodes coloured by class
// (classNames[c] names class c in the legend; nil: "class c").
//
//	c, err := plotting.Graph("karate club", nodes, edges, []string{"Mr. Hi", "Officer"})
func Graph(title string, nodes []Node, edges []Edge, classNames []string, options ...Option) (*Chart, error) {
	cfg := newConfig(options)
	if len(nodes) == 0 {
		return nil, fmt.Errorf("plotting.Graph %q: no nodes", title)
	}
	nClass := len(classNames)
	for i, n := range nodes {
		if n.Class < 0 {
			return nil, fmt.Errorf("plotting.Graph %q: node %d has class %d < 0", title, i, n.Class)
		}
		if n.Class >= nClass {
			nClass = n.Class + 1
		}
		if math.IsNaN(n.Size) || math.IsInf(n.Size, 0) {
			return nil, fmt.Errorf("plotting.Graph %q: node %d has size %v", title, i, n.Size)
		}
	}
	cats := make([]*opts.GraphCategory, nClass)
	for c := range cats {
		name := "class " + strconv.Itoa(c)
		if c < len(classNames) {
			name = classNames[c]
		}
		cats[c] = &opts.GraphCategory{Name: name, ItemStyle: &opts.ItemStyle{Color: Color(c)}}
	}
	gn := make([]opts.GraphNode, len(nodes))
	seen := map[string]bool{}
	for i, n := range nodes {
		name := n.Name
		if name == "" || seen[name] {
			name = fmt.Sprintf("%s#%d", n.Name, i)
		}
		seen[name] = true
		size := n.Size
		if size <= 0 {
			size = 18
		}
		gn[i] = opts.GraphNode{Name: name, Category: n.Class, SymbolSize: size}
	}
	gl := make([]opts.GraphLink, len(edges))
	for i, e := range edges {
		if e.Source < 0 || e.Source >= len(nodes) || e.Target < 0 || e.Target >= len(nodes) {
			return nil, fmt.Errorf("plotting.Graph %q: edge %d (%d→%d) outside the %d nodes", title, i, e.Source, e.Target, len(nodes))
		}
		gl[i] = opts.GraphLink{Source: e.Source, Target: e.Target}
	}
	gr := charts.NewGraph()
	g := cfg.base(title)
	g = append(g,
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true)}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(true), Top: "30px"}),
	)
	gr.SetGlobalOptions(append(g, cfg.echarts...)...)
	gr.AddSeries(title, gn, gl,
		charts.WithGraphChartOpts(opts.GraphChart{Layout: "force", Roam: opts.Bool(true), Draggable: opts.Bool(true),
			Force: &opts.GraphForce{Repulsion: 300, EdgeLength: 90, Gravity: 0.08}, Categories: cats}),
		charts.WithLabelOpts(opts.Label{Show: opts.Bool(len(nodes) <= 60), Position: "right", FontSize: 10}),
		charts.WithLineStyleOpts(opts.LineStyle{Color: "source", Opacity: opts.Float(0.6), Curveness: 0}))
	return FromEcharts(gr), nil
}
