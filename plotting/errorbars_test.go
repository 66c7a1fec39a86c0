package plotting

import (
	"math"
	"strings"
	"testing"
)

func TestErrorBars(t *testing.T) {
	c, err := ErrorBars("accuracy vs FLOPs", []ErrorSeries{
		{Name: "width", X: []float64{1, 2, 4}, Y: []float64{0.5, 0.6, 0.65}, Err: []float64{0.01, 0, 0.02}},
		{Name: "compound", X: []float64{1, 2, 4}, Y: []float64{0.5, 0.62, 0.7}, Err: []float64{0.01, 0.03, 0.01}},
	}, WithAxisNames("FLOPs", "accuracy"))
	if err != nil {
		t.Fatal(err)
	}
	html, err := c.HTML()
	if err != nil {
		t.Fatal(err)
	}
	// Two curves and five bars (one error is 0: no bar), all named after their curve.
	if n := strings.Count(html, `"name":"width"`); n != 1+2 {
		t.Errorf("width: %d series, want the curve and 2 bars", n)
	}
	if n := strings.Count(html, `"name":"compound"`); n != 1+3 {
		t.Errorf("compound: %d series, want the curve and 3 bars", n)
	}
	if !strings.Contains(html, `[4,0.71]`) || !strings.Contains(html, `[4,0.69]`) {
		t.Errorf("the bar of compound at x=4 (0.7 ± 0.01) is missing:\n%s", html)
	}
	for name, bad := range map[string][]ErrorSeries{
		"empty":     {{Name: "a"}},
		"mismatch":  {{Name: "a", X: []float64{1, 2}, Y: []float64{1}, Err: []float64{0}}},
		"NaN":       {{Name: "a", X: []float64{1}, Y: []float64{math.NaN()}, Err: []float64{0}}},
		"negative":  {{Name: "a", X: []float64{1}, Y: []float64{1}, Err: []float64{-1}}},
		"no series": nil,
	} {
		if _, err := ErrorBars("bad", bad); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestMeanStd(t *testing.T) {
	m, s := MeanStd([]float64{1, 2, 3, 4})
	if m != 2.5 || math.Abs(s-math.Sqrt(5.0/3)) > 1e-12 {
		t.Errorf("MeanStd(1,2,3,4) = %g, %g; want 2.5, %g", m, s, math.Sqrt(5.0/3))
	}
	if m, s := MeanStd([]float64{7}); m != 7 || s != 0 {
		t.Errorf("one value: %g, %g; want 7, 0", m, s)
	}
	if m, _ := MeanStd(nil); !math.IsNaN(m) {
		t.Errorf("no values: mean %g, want NaN", m)
	}
}
