package plotting

import (
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// deterministicIDs makes chart ids chart1, chart2, ... for golden files.
func deterministicIDs(t *testing.T) {
	t.Helper()
	old := newID
	n := 0
	newID = func() string { n++; return fmt.Sprintf("chart%d", n) }
	t.Cleanup(func() { newID = old })
}

// sampleCharts builds one chart of each kind from fixed data.
func sampleCharts() (map[string]*Chart, error) {
	out := map[string]*Chart{}
	var err error
	add := func(name string, c *Chart, e error) {
		if e != nil && err == nil {
			err = fmt.Errorf("%s: %w", name, e)
		}
		out[name] = c
	}
	ret := make([]float64, 60)
	for i := range ret {
		ret[i] = -100 + float64(i)*1.5 + 20*math.Sin(float64(i)*1.7)
	}
	ret[10] = math.NaN()
	c, e := Line("returns", nil, []Series{{Name: "Q-learning", Y: ret}, {Name: "SARSA", Y: MovingAverage(ret, 3)}},
		WithSmoothing(10), WithAxisNames("episode", "return"))
	add("line", c, e)
	c, e = Scatter("embedding", Points{X: []float64{0, 1, 2, 3}, Y: []float64{1, 3, 2, 0},
		Labels: []string{"cat", "dog", "car", "bus"}, Classes: []int{0, 0, 1, 1}, ClassNames: []string{"animal", "vehicle"}})
	add("scatter", c, e)
	c, e = Bar("pulls", []string{"arm 0", "arm 1", "arm 2"}, []Series{{Name: "greedy", Y: []float64{10, 80, 10}}, {Name: "ε=0.1", Y: []float64{30, 40, 30}}},
		WithAxisNames("", "pulls of the arm (higher is better)")) // a long y name: must not be cut off
	add("bar", c, e)
	c, e = Heatmap("confusion", [][]float64{{50, 2, 0}, {3, 40, 7}, {0, 5, 45}}, []string{"a", "b", "c"}, []string{"a", "b", "c"},
		WithAxisNames("predicted", "true"))
	add("heatmap", c, e)
	c, e = PRCurve("PR", []PR{{Name: "circle", Recall: []float64{0, 0.5, 0.8, 1}, Precision: []float64{1, 1, 0.8, 0.5}, AP: 0.85}})
	add("prcurve", c, e)
	c, e = Tree("MCTS", &TreeNode{Name: "root", Value: 100, Children: []*TreeNode{
		{Name: "a1", Value: 60, Children: []*TreeNode{{Name: "b2", Value: 40}}}, {Name: "c3", Value: 30}, {Name: "pass", Value: 10}}})
	add("tree", c, e)
	c, e = Graph("graph", []Node{{Name: "n0", Class: 0}, {Name: "n1", Class: 0}, {Name: "n2", Class: 1}, {Name: "n3", Class: 1}},
		[]Edge{{0, 1}, {1, 2}, {2, 3}, {3, 0}}, []string{"red team", "blue team"})
	add("graph", c, e)
	hv := make([]float64, 200)
	for i := range hv {
		hv[i] = math.Sin(float64(i)) * float64(i%17)
	}
	c, e = Histogram("weights", hv, 12)
	add("histogram", c, e)
	return out, err
}

func TestChartsGolden(t *testing.T) {
	deterministicIDs(t)
	cs, err := sampleCharts()
	if err != nil {
		t.Fatal(err)
	}
	for name, c := range cs {
		t.Run(name, func(t *testing.T) {
			h, err := c.HTML()
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(h, ".container") || strings.Contains(h, "<style") || strings.Contains(h, "go-echarts-assets") {
				t.Errorf("fragment carries page CSS or a CDN script")
			}
			if HasLibrary(h) {
				t.Errorf("a chart fragment must not carry the library")
			}
			golden := filepath.Join("testdata", name+".golden.html")
			if *update {
				if err := os.WriteFile(golden, []byte(h), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./plotting -run Golden -update)", err)
			}
			if string(want) != h {
				t.Errorf("%s differs from %s (rerun with -update and review the diff)", name, golden)
			}
		})
	}
}

// TestChartOptions checks the meaning of generated options, independent of
// the golden files.
func TestChartOptions(t *testing.T) {
	deterministicIDs(t)
	cs, err := sampleCharts()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		"line":      {`[10,"-"]`, `"name":"Q-learning (avg 10)"`, `"opacity":0.3`, `"type":"value","name":"episode"`},
		"scatter":   {`"name":"animal"`, `"name":"vehicle"`, `"name":"cat","value":[0,1]`, `"formatter":"{b}"`},
		"bar":       {`"data":["arm 0","arm 1","arm 2"]`, `"name":"ε=0.1"`},
		"heatmap":   {`"value":[2,1,7]`, `"inverse":true`, `"type":"continuous"`, `"max":50`, `"data":["a","b","c"]`, `"name":"predicted"`},
		"prcurve":   {`"name":"circle (AP 0.850)"`, `"step":"end"`, `[0.8,0.8]`},
		"tree":      {`"name":"root (100)"`, `"name":"b2 (40)"`, `"orient":"LR"`},
		"graph":     {`"layout":"force"`, `"name":"blue team"`, `"source":3,"target":0`, `"category":1`},
		"histogram": {`"barCategoryGap":"0%"`, `"name":"count"`},
	}
	for name, subs := range want {
		h, err := cs[name].HTML()
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range subs {
			if !strings.Contains(h, s) {
				t.Errorf("%s: option lacks %s", name, s)
			}
		}
	}
}

func TestHistogramCounts(t *testing.T) {
	counts, edges := HistogramCounts([]float64{0, 0.1, 0.5, 0.9, 1}, 2)
	if fmt.Sprint(counts) != "[2 3]" || fmt.Sprint(edges) != "[0 0.5 1]" {
		t.Errorf("counts %v edges %v", counts, edges)
	}
}

func TestMovingAverage(t *testing.T) {
	got := MovingAverage([]float64{1, 3, math.NaN(), 5, 7}, 2)
	want := []float64{1, 2, 3, 5, 6}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("MovingAverage[%d] = %v, want %v", i, got[i], want[i])
		}
	}
}

func TestBadInput(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	tests := []struct {
		name, want string
		f          func() error
	}{
		{"line no series", "no series", func() error { _, e := Line("t", nil, nil); return e }},
		{"line empty", "is empty", func() error { _, e := Line("t", nil, []Series{{Name: "a"}}); return e }},
		{"line inf", "is +Inf", func() error { _, e := Line("t", nil, []Series{{Name: "a", Y: []float64{1, inf}}}); return e }},
		{"line x mismatch", "has 2 points but x has 3", func() error {
			_, e := Line("t", []float64{1, 2, 3}, []Series{{Name: "a", Y: []float64{1, 2}}})
			return e
		}},
		{"line nan x", "x[1] is NaN", func() error {
			_, e := Line("t", []float64{1, nan}, []Series{{Name: "a", Y: []float64{1, 2}}})
			return e
		}},
		{"line own and shared x", "pass nil as x", func() error {
			_, e := Line("t", []float64{1, 2}, []Series{{Name: "a", Y: []float64{1, 2}, X: []float64{1, 2}}})
			return e
		}},
		{"line own x mismatch", "has 2 points but 3 X values", func() error {
			_, e := Line("t", nil, []Series{{Name: "a", Y: []float64{1, 2}, X: []float64{1, 2, 3}}})
			return e
		}},
		{"line own x inf", `series "a" X[0] is +Inf`, func() error {
			_, e := Line("t", nil, []Series{{Name: "a", Y: []float64{1, 2}, X: []float64{inf, 2}}})
			return e
		}},
		{"line log", "not > 0", func() error { _, e := Line("t", nil, []Series{{Name: "a", Y: []float64{1, 0}}}, WithLogY()); return e }},
		{"scatter lengths", "3 x values but 2 y values", func() error {
			_, e := Scatter("t", Points{X: []float64{1, 2, 3}, Y: []float64{1, 2}})
			return e
		}},
		{"scatter labels", "but 1 labels", func() error {
			_, e := Scatter("t", Points{X: []float64{1, 2}, Y: []float64{1, 2}, Labels: []string{"a"}})
			return e
		}},
		{"scatter nan", "y[0] is NaN", func() error { _, e := Scatter("t", Points{X: []float64{1}, Y: []float64{nan}}); return e }},
		{"bar mismatch", "has 1 values for 2 categories", func() error {
			_, e := Bar("t", []string{"a", "b"}, []Series{{Name: "s", Y: []float64{1}}})
			return e
		}},
		{"bar nan", "s[0] is NaN", func() error { _, e := Bar("t", []string{"a"}, []Series{{Name: "s", Y: []float64{nan}}}); return e }},
		{"hist empty", "no values", func() error { _, e := Histogram("t", nil, 3); return e }},
		{"hist inf", "is +Inf", func() error { _, e := Histogram("t", []float64{inf}, 3); return e }},
		{"heat ragged", "row 1 has 1 values", func() error { _, e := Heatmap("t", [][]float64{{1, 2}, {3}}, nil, nil); return e }},
		{"heat empty", "empty matrix", func() error { _, e := Heatmap("t", nil, nil, nil); return e }},
		{"heat labels", "2 x labels", func() error { _, e := Heatmap("t", [][]float64{{1}}, []string{"a", "b"}, nil); return e }},
		{"heat inf", "is -Inf", func() error { _, e := Heatmap("t", [][]float64{{math.Inf(-1)}}, nil, nil); return e }},
		{"heat all nan", "every value is NaN", func() error { _, e := Heatmap("t", [][]float64{{nan}}, nil, nil); return e }},
		{"pr range", "outside [0,1]", func() error {
			_, e := PRCurve("t", []PR{{Name: "a", Recall: []float64{1.5}, Precision: []float64{1}}})
			return e
		}},
		{"pr nan", "outside [0,1]", func() error {
			_, e := PRCurve("t", []PR{{Name: "a", Recall: []float64{nan}, Precision: []float64{1}}})
			return e
		}},
		{"tree nil", "nil root", func() error { _, e := Tree("t", nil); return e }},
		{"tree nan", "has value NaN", func() error {
			_, e := Tree("t", &TreeNode{Name: "r", Children: []*TreeNode{{Name: "x", Value: nan}}})
			return e
		}},
		{"graph edge", "outside the 1 nodes", func() error { _, e := Graph("t", []Node{{Name: "a"}}, []Edge{{0, 1}}, nil); return e }},
		{"graph empty", "no nodes", func() error { _, e := Graph("t", nil, nil, nil); return e }},
		{"grid nan", "is NaN", func() error { _, e := ImageGrid([][]float32{{float32(nan)}}, 1, 1); return e }},
		{"grid size", "has 3 values", func() error { _, e := ImageGrid([][]float32{{1, 2, 3}}, 2, 2); return e }},
		{"board stones", "24 stones", func() error { _, e := GoBoard(5, make([]int, 24), nil); return e }},
		{"board probs", "probability 0 is NaN", func() error { _, e := GoBoard(2, make([]int, 4), []float64{nan, 0, 0, 0}); return e }},
		{"heat overlay", "heat[0][0] is NaN", func() error {
			img, _ := GrayImage(make([]float32, 4), 2, 2)
			_, e := HeatOverlay(img, [][]float64{{nan}})
			return e
		}},
		{"audio nan", "sample 1 is NaN", func() error { _, e := Audio([]float32{0, float32(nan)}, 8000); return e }},
		{"audio rate", "sample rate 0", func() error { _, e := Audio([]float32{0}, 0); return e }},
		{"display nil", "Display(nil)", func() error { return Display(nil) }},
		{"display other", "cannot display int", func() error { return Display(3) }},
		{"show passes an error on", "boom", func() error { return showErr(errors.New("boom")) }},
		{"show stops on a render error", "cannot display int", func() error { return showErr(nil, 3) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.f()
			if err == nil {
				t.Fatalf("no error, want one containing %q", tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not contain %q", err, tc.want)
			}
		})
	}
}

// showErr calls Show and returns what it panicked with.
func showErr(items ...any) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err, _ = r.(error)
		}
	}()
	Show(items...)
	return nil
}

func TestShowPairs(t *testing.T) {
	var shown []string
	restore := fakeNotebook(t, &shown)
	defer restore()
	cs, err := sampleCharts()
	if err != nil {
		t.Fatal(err)
	}
	Show(cs["line"], nil) // a chart's (value, nil error) pair
	Show(cs["bar"], cs["tree"])
	if n := len(shown); n != 4 { // the library once, then three charts
		t.Errorf("Show sent %d outputs, want 4", n)
	}
}

func TestShowOutsideNotebook(t *testing.T) {
	old := isNotebook
	isNotebook = func() bool { return false }
	defer func() { isNotebook = old }()
	var shown []string
	oldD := displayHTML
	displayHTML = func(s string) { shown = append(shown, s) }
	defer func() { displayHTML = oldD }()
	cs, err := sampleCharts()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cs {
		if err := Display(c); err != nil {
			t.Error(err)
		}
		if err := Display(c.Echarts()); err != nil {
			t.Error(err)
		}
	}
	if len(shown) != 0 {
		t.Errorf("Show displayed %d outputs outside a notebook", len(shown))
	}
}

func TestShowNotebookSendsLibraryOnce(t *testing.T) {
	var shown []string
	restore := fakeNotebook(t, &shown)
	defer restore()
	cs, err := sampleCharts()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"line", "bar", "tree"} {
		if err := Display(cs[name]); err != nil {
			t.Fatal(err)
		}
	}
	libSent = "" // a new cell is a new process: only the marker file remains
	if err := Display(cs["graph"]); err != nil {
		t.Fatal(err)
	}
	if len(shown) != 5 {
		t.Fatalf("got %d outputs, want library + 4 charts", len(shown))
	}
	if !HasLibrary(shown[0]) {
		t.Errorf("first output is not the library")
	}
	for _, s := range shown[1:] {
		if HasLibrary(s) {
			t.Errorf("library sent twice")
		}
	}
	if got := StripLibrary(strings.Join(shown, "\n")); HasLibrary(got) || !strings.Contains(got, "dl4go-chart") {
		t.Errorf("StripLibrary did not remove only the library")
	}
	ResendLibrary()
	if len(shown) != 6 || !HasLibrary(shown[5]) {
		t.Errorf("ResendLibrary did not send the library")
	}
}

// TestShowNotebookResendsLibraryToNewClient: the kernel remembers it sent the library, but a
// page loaded anew on the same kernel (a reload, another tab, Notebook 7 after JupyterLab) has
// no window.echarts: its first chart must bring the library again.
func TestShowNotebookResendsLibraryToNewClient(t *testing.T) {
	var shown []string
	restore := fakeNotebook(t, &shown)
	defer restore()
	client := filepath.Join(t.TempDir(), "client-session")
	t.Setenv(ClientFileEnvVar, client)
	c, err := Line("l", []float64{0, 1}, []Series{{Name: "y", Y: []float64{1, 2}}})
	if err != nil {
		t.Fatal(err)
	}
	libraries := func() (n int) {
		for _, s := range shown {
			if HasLibrary(s) {
				n++
			}
		}
		return n
	}
	for i, step := range []struct {
		session string
		want    int // libraries sent so far
	}{{"page-1", 1}, {"page-1", 1}, {"page-2", 2}, {"page-2", 2}, {"page-1", 3}} {
		if err := os.WriteFile(client, []byte(step.session+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		libSent = "" // each cell is a new process: only the marker file remains
		if err := Display(c); err != nil {
			t.Fatal(err)
		}
		if got := libraries(); got != step.want {
			t.Errorf("chart %d, for client %s: %d libraries sent in all, want %d", i+1, step.session, got, step.want)
		}
	}
}

func TestLibraryHTML(t *testing.T) {
	warnOnce = sync.Once{}
	var warn strings.Builder
	h := libraryHTML("window.echarts={version:'x'};", nil, &warn)
	for _, want := range []string{LibraryAttr, "window.define=undefined", "(function(define,exports,module){", "window.echarts={version:'x'};", "finally{window.define=__d;}", "__dl4go_drain()"} {
		if !strings.Contains(h, want) {
			t.Errorf("library script lacks %q", want)
		}
	}
	if !HasLibrary(h) || StripLibrary("a"+h+"b") != "ab" {
		t.Errorf("library script not recognised / stripped")
	}
	if warn.Len() != 0 {
		t.Errorf("unexpected warning %q", warn.String())
	}
	// Not in the cache: load from the CDN, and say so once.
	h = libraryHTML("", fmt.Errorf("offline"), &warn)
	h2 := libraryHTML("", fmt.Errorf("offline"), &warn)
	if !strings.Contains(h, `s.src="`+CDNURL+`"`) || !strings.Contains(h, "window.define=undefined") || !HasLibrary(h) || h != h2 {
		t.Errorf("CDN fallback script: %s", h)
	}
	if n := strings.Count(warn.String(), "charts load it from "+CDNURL); n != 1 {
		t.Errorf("warned %d times, want once: %q", n, warn.String())
	}
}

func TestHeatmapCellText(t *testing.T) {
	z := [][]float64{{1, math.NaN()}, {3, 4}}
	c, err := Heatmap("q", z, nil, nil, WithCellText([][]string{{"→", "G"}, {"↑", "←"}}))
	if err != nil {
		t.Fatal(err)
	}
	html, err := c.HTML()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(html, `[['→','G'],['↑','←']]`) {
		t.Errorf("cell texts missing from the label formatter:\n%s", html)
	}
	for _, bad := range [][][]string{{{"a", "b"}}, {{"a"}, {"b", "c"}}, {{"'", "b"}, {"c", "d"}}} {
		if _, err := Heatmap("q", z, nil, nil, WithCellText(bad)); err == nil {
			t.Errorf("WithCellText(%q) gave no error", bad)
		}
		if _, err := Heatmap("q", z, nil, nil, WithCellLabels(bad)); err == nil {
			t.Errorf("WithCellLabels(%q) gave no error", bad)
		}
	}
	if !strings.Contains(html, `+' '+Math.round(v)`) {
		t.Errorf("WithCellText's formatter does not write the value after the text:\n%s", html)
	}
	// WithCellLabels: the text alone, no value after it.
	c, err = Heatmap("q", z, nil, nil, WithCellLabels([][]string{{"0.91", ""}, {"", "0.12"}}))
	if err != nil {
		t.Fatal(err)
	}
	if html, err = c.HTML(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(html, `[['0.91',''],['','0.12']]`) || strings.Contains(html, "Math.round(v)") {
		t.Errorf("WithCellLabels' formatter should write the texts alone:\n%s", html)
	}
}

// TestLineIntegerAxis: episodes and steps get whole-number ticks; fractional
// x keeps echarts' own.
func TestLineIntegerAxis(t *testing.T) {
	for _, tt := range []struct {
		x    []float64
		want bool
	}{{[]float64{10, 20, 30}, true}, {nil, true}, {[]float64{5.5, 15.5, 25.5}, false}} {
		c, err := Line("returns", tt.x, []Series{{Name: "r", Y: []float64{1, 2, 3}}}, WithAxisNames("episode", "return"))
		if err != nil {
			t.Fatal(err)
		}
		h, err := c.HTML()
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Contains(h, `"minInterval":1`); got != tt.want {
			t.Errorf("x %v: minInterval 1 in the option = %v, want %v", tt.x, got, tt.want)
		}
	}
}

// TestLineOwnX checks curves with their own x: each series is drawn at its own points, and the
// axis keeps whole-number ticks only when every series' x is whole.
func TestLineOwnX(t *testing.T) {
	c, err := Line("held-out accuracy", nil, []Series{
		{Name: "Transformer", X: []float64{1.5, 3, 4.5}, Y: []float64{0.5, 0.8, 0.9}},
		{Name: "GRU", X: []float64{2, 4}, Y: []float64{0.4, 0.6}},
	}, WithAxisNames("seconds", "accuracy"))
	if err != nil {
		t.Fatal(err)
	}
	h, err := c.HTML()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`[1.5,0.5]`, `[4.5,0.9]`, `[2,0.4]`, `[4,0.6]`} {
		if !strings.Contains(h, want) {
			t.Errorf("the chart lacks the point %s", want)
		}
	}
	if strings.Contains(h, `"minInterval":1`) {
		t.Error("whole-number ticks on an axis with x = 1.5")
	}
}
