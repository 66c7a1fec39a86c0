package transformer

import (
	"fmt"
	"strings"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"

	xlayers "github.com/dl4go/dl4go/gomlxext/layers"
	"github.com/dl4go/dl4go/plotting"
)

// PositionalEncodingChart draws the sinusoidal positional encoding of length positions (rows)
// and dim dimensions (columns): fast sine/cosine clocks on the left, slow ones on the right.
func PositionalEncodingChart(length, dim int) (*plotting.Chart, error) {
	return plotting.Heatmap(fmt.Sprintf("positional encoding PE(pos, i), %d positions × %d dimensions", length, dim),
		xlayers.SinusoidalPositions(length, dim), nil, nil, plotting.WithAxisNames("dimension i", "position"),
		plotting.WithCellValues(false), plotting.WithSize("900px", "420px"))
}

// words returns the source tokens of e, for chart labels.
func words(ids []int) []string {
	v := SourceVocab()
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = v.Tokens[id]
	}
	return out
}

// kanjiLabels returns the target tokens of ids, for chart labels.
func kanjiLabels(ids []int) []string {
	v := TargetVocab()
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = v.Tokens[id]
	}
	return out
}

// MaskCharts draws the masks the model applies to the pair e in a padded batch: which key each
// query may attend to (1) in the encoder's self-attention (the source's padding mask:
// SourceLen × SourceLen) and in the decoder's self-attention (the causal mask combined with the
// target's padding: TargetLen × TargetLen).
func MaskCharts(e Example) (padding, causal *plotting.Chart, err error) {
	src := append(words(e.Source), repeat("[PAD]", SourceLen-len(e.Source))...)
	tgt := append(append([]string{"[BOS]"}, kanjiLabels(e.Target)...), repeat("[PAD]", TargetLen-1-len(e.Target))...)
	pm := make([][]float64, SourceLen)
	for q := range pm {
		pm[q] = make([]float64, SourceLen)
		for k := range pm[q] {
			if k < len(e.Source) {
				pm[q][k] = 1
			}
		}
	}
	cm := make([][]float64, TargetLen)
	for q := range cm {
		cm[q] = make([]float64, TargetLen)
		for k := range cm[q] {
			if k <= q && k <= len(e.Target) {
				cm[q][k] = 1
			}
		}
	}
	padding, err = plotting.Heatmap(fmt.Sprintf("encoder self-attention of %d: padding mask", e.N), pm, src, src,
		plotting.WithAxisNames("key", "query"), plotting.WithSize("640px", "460px"))
	if err != nil {
		return nil, nil, err
	}
	causal, err = plotting.Heatmap(fmt.Sprintf("decoder self-attention of %s: causal + padding mask", e.Japanese), cm, tgt, tgt,
		plotting.WithAxisNames("key", "query"), plotting.WithSize("640px", "460px"))
	return padding, causal, err
}

func repeat(s string, n int) []string {
	out := make([]string, max(n, 0))
	for i := range out {
		out[i] = s
	}
	return out
}

// LossChart draws both models' training loss against their training seconds.
func (o *Outcome) LossChart() (*plotting.Chart, error) {
	var series []plotting.Series
	for _, t := range []*Trained{o.Transformer, o.GRU} {
		series = append(series, plotting.Series{Name: t.Model.Name(), X: t.History.Seconds, Y: t.History.Loss})
	}
	return plotting.Line("training loss (cross-entropy per kanji, teacher forcing)", nil, series,
		plotting.WithAxisNames("training seconds", "loss"), plotting.WithSmoothing(20), plotting.WithLogY())
}

// LearningChart draws both models' held-out probe — the teacher-forced token accuracy on
// held-out pairs — against their training seconds: which learns more in the same time.
func (o *Outcome) LearningChart() (*plotting.Chart, error) {
	var series []plotting.Series
	for _, t := range []*Trained{o.Transformer, o.GRU} {
		series = append(series, plotting.Series{Name: t.Model.Name(), X: t.History.ProbeSeconds, Y: t.History.ProbeAcc})
	}
	return plotting.Line("held-out token accuracy while training", nil, series,
		plotting.WithAxisNames("training seconds", "token accuracy"))
}

// ComparisonChart draws both models' held-out exact match (greedy and beam search) and token
// accuracy side by side.
func (o *Outcome) ComparisonChart() (*plotting.Chart, error) {
	cats := []string{"exact match (greedy)", fmt.Sprintf("exact match (beam %d, first %d)", o.Config.BeamWidth, o.Config.BeamSize),
		"token accuracy (teacher forcing)"}
	var series []plotting.Series
	for _, m := range []struct {
		t *Trained
		e Eval
	}{{o.Transformer, o.TransformerEval}, {o.GRU, o.GRUEval}} {
		series = append(series, plotting.Series{Name: m.t.Model.Name(), Y: []float64{m.e.ExactMatch, m.e.BeamExactMatch, m.e.TokenAccuracy}})
	}
	return plotting.Bar(fmt.Sprintf("held-out numbers (%d never trained on)", len(o.Test)), cats, series,
		plotting.WithAxisNames("", "share right"))
}

// DigitsChart draws both models' held-out exact match by the number of digits (of the lengths the
// test has: with one number in ten held out, there may be no held-out number of one digit).
func (o *Outcome) DigitsChart() (*plotting.Chart, error) {
	count := make([]int, 6)
	for _, e := range o.Test {
		count[len(fmt.Sprint(e.N))-1]++
	}
	var cats []string
	series := []plotting.Series{{Name: o.Transformer.Model.Name()}, {Name: o.GRU.Model.Name()}}
	for d, n := range count {
		if n == 0 {
			continue
		}
		unit := "numbers"
		if n == 1 {
			unit = "number"
		}
		cats = append(cats, fmt.Sprintf("%d (%d %s)", d+1, n, unit))
		series[0].Y = append(series[0].Y, o.TransformerEval.ByDigits[d])
		series[1].Y = append(series[1].Y, o.GRUEval.ByDigits[d])
	}
	return plotting.Bar("held-out exact match by number of digits", cats, series, plotting.WithAxisNames("digits", "exact match"))
}

// Translations is a table of the first n test numbers: the English, the right kanji and both
// models' greedy translations (✗ marks a wrong one).
func (o *Outcome) Translations(n int) string {
	var b strings.Builder
	mark := func(got, want string) string {
		if got == want {
			return got
		}
		return got + " ✗"
	}
	for i, e := range o.Test[:min(n, len(o.Test))] {
		fmt.Fprintf(&b, "%d  %s → %s\n        Transformer %s   GRU %s\n", e.N, e.English, e.Japanese,
			mark(o.TransformerEval.Greedy[i], e.Japanese), mark(o.GRUEval.Greedy[i], e.Japanese))
	}
	return b.String()
}

// AttentionChart draws the source–target attention of the Transformer's decoder block `block`
// and head `head` while it translates n: a row per kanji it writes (and [EOS]), a column per
// English word; each row sums to 1. The title says whether n was held out.
func (o *Outcome) AttentionChart(n, block, head int) (*plotting.Chart, error) {
	e, err := NewExample(n)
	if err != nil {
		return nil, err
	}
	m := o.Config.Transformer
	if block < 0 || block >= m.Layers || head < 0 || head >= m.Heads {
		return nil, fmt.Errorf("transformer: the Transformer has blocks 0 … %d and heads 0 … %d, not block %d head %d", m.Layers-1, m.Heads-1, block, head)
	}
	out, err := o.Transformer.Greedy([]Example{e})
	if err != nil {
		return nil, err
	}
	w, err := o.Transformer.CrossAttention(e.Source, out[0])
	if err != nil {
		return nil, err
	}
	rows := append(kanjiLabels(out[0]), "[EOS]")
	seen := "held out"
	if !o.Config.Split.IsHeldOut(n) {
		seen = "a training number"
	}
	title := fmt.Sprintf("%d (%s) → %s: block %d, head %d", n, seen, TargetVocab().Decode(out[0], ""), block, head)
	m0 := w[block][head]
	cells := make([][]string, len(m0))
	for r, row := range m0 {
		cells[r] = make([]string, len(row))
		for c, v := range row {
			if v >= 0.1 { // the weights that matter; the rest is colour
				cells[r][c] = fmt.Sprintf("%.2f", v)
			}
		}
	}
	src := words(e.Source)
	// Every English word labelled (echarts would skip every other one), slanted to fit.
	xAxis := opts.XAxis{Type: "category", Data: src, Name: "English word (key)", NameLocation: "middle", NameGap: 45,
		AxisLabel: &opts.AxisLabel{Interval: "0", Rotate: 30}, SplitArea: &opts.SplitArea{Show: opts.Bool(true)}}
	return plotting.Heatmap(title, m0, src, rows, plotting.WithAxisNames("English word (key)", "kanji written (query)"),
		plotting.WithCellLabels(cells), plotting.WithRange(0, 1), plotting.WithSize("720px", "440px"),
		plotting.WithEcharts(charts.WithXAxisOpts(xAxis)))
}

// ReorderExamples returns the first k held-out test numbers of six digits: those whose English
// "… thousand" group is split across 万 in Japanese (312,005: "three hundred and twelve
// thousand and five" → 三十一万二千五).
func (o *Outcome) ReorderExamples(k int) []int {
	var out []int
	for _, e := range o.Test {
		if e.N >= 100_000 && len(out) < k {
			out = append(out, e.N)
		}
	}
	return out
}
