package ctc

import (
	"fmt"
	"math"
	"strings"

	"github.com/dl4go/dl4go/lessons/audio"
	"github.com/dl4go/dl4go/plotting"
)

// LabelString writes labels as vowels ("a i u"; "∅" for none).
func LabelString(labels []int) string {
	if len(labels) == 0 {
		return "∅"
	}
	parts := make([]string, len(labels))
	for i, l := range labels {
		parts[i] = vowelName(l)
	}
	return strings.Join(parts, " ")
}

func vowelName(l int) string {
	if l == Blank {
		return "-"
	}
	return strings.Fields(audio.Vowels[l-1])[0]
}

// TrellisChart draws the occupancy γ_t(s) of the check example: frames across, the extended
// labels (blank, 1, blank, 1, blank, 2, blank) down — the report's trellis, where every path that
// collapses to the labels runs from the top-left to the bottom-right.
func (c Check) TrellisChart() (*plotting.Chart, error) {
	gamma := Occupancy(c.LogProbs, c.Labels)
	ext := Extend(c.Labels)
	z := make([][]float64, len(ext))
	rows := make([]string, len(ext))
	for s, l := range ext {
		z[s] = make([]float64, len(gamma))
		for t := range gamma {
			z[s][t] = gamma[t][s]
		}
		rows[s] = fmt.Sprintf("s=%d (%s)", s, []string{"blank", "1", "2"}[l])
	}
	frames := make([]string, len(gamma))
	for t := range frames {
		frames[t] = fmt.Sprintf("t=%d", t)
	}
	return plotting.Heatmap("trellis: P(path at extended label s at frame t), from α·β", z, frames, rows,
		plotting.WithAxisNames("frame", "extended label"), plotting.WithCellValues(true))
}

// PosteriorChart draws, for held-out utterance i, each class's probability frame by frame: CTC's
// spiky outputs — a vowel is a short spike, the blank fills everything else.
func (o *Outcome) PosteriorChart(i int) (*plotting.Chart, error) {
	if i < 0 || i >= len(o.Trained.LogProbs) {
		return nil, fmt.Errorf("ctc: held-out utterance %d of %d", i, len(o.Trained.LogProbs))
	}
	lp := o.Trained.LogProbs[i]
	x := make([]float64, len(lp))
	series := make([]plotting.Series, NumClasses)
	for c := range NumClasses {
		series[c] = plotting.Series{Name: vowelName(c), Y: make([]float64, len(lp))}
		if c == Blank {
			series[c].Name = "blank"
		}
	}
	for t, row := range lp {
		x[t] = float64(t*o.Config.Data.Features.Hop) / o.Config.Data.SampleRate
		for c, v := range row {
			series[c].Y[t] = math.Exp(v)
		}
	}
	u := o.Data.Test[i]
	return plotting.Line(fmt.Sprintf("said %q; beam search heard %q", LabelString(u.Labels), LabelString(o.Trained.Beam[i])), x, series,
		plotting.WithAxisNames("seconds", "p(class)"), plotting.WithRange(0, 1))
}

// SpectrogramChart draws held-out utterance i's log-mel frames (the model's input).
func (o *Outcome) SpectrogramChart(i int) (*plotting.Chart, error) {
	u := o.Data.Test[i]
	bands := len(u.Frames[0])
	z := make([][]float64, bands)
	names := make([]string, bands)
	for m := range bands {
		row := bands - 1 - m
		z[row] = make([]float64, len(u.Frames))
		for t, fr := range u.Frames {
			z[row][t] = fr[m]
		}
		names[row] = fmt.Sprintf("mel %d", m)
	}
	times := make([]string, len(u.Frames))
	for t := range times {
		times[t] = fmt.Sprintf("%.2f s", float64(t*o.Config.Data.Features.Hop)/o.Config.Data.SampleRate)
	}
	return plotting.Heatmap(fmt.Sprintf("log-mel frames of %q", LabelString(u.Labels)), z, times, names,
		plotting.WithAxisNames("time", "mel band"))
}

// UtteranceSound is held-out utterance i, for the ear.
func (o *Outcome) UtteranceSound(i int) (*plotting.Sound, error) {
	return audio.Sound(o.Data.Test[i].Samples, o.Config.Data.SampleRate)
}

// LERChart compares the held-out label error rates.
func (o *Outcome) LERChart() (*plotting.Chart, error) {
	return plotting.Bar("label error rate on held-out speakers (lower is better)",
		[]string{"silence cut + templates (no CTC)", "CTC, greedy", "CTC, prefix beam search"},
		[]plotting.Series{{Name: "LER", Y: []float64{o.BaselineLER, o.Trained.GreedyLER, o.Trained.BeamLER}}},
		plotting.WithAxisNames("", "edit distance ÷ labels"))
}

// Transcripts returns, for the first n held-out utterances, what was said and what both decoders heard.
func (o *Outcome) Transcripts(n int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%-18s %-18s %-18s\n", "said", "greedy", "beam search")
	for i := range min(n, len(o.Data.Test)) {
		fmt.Fprintf(&b, "%-18s %-18s %-18s\n", LabelString(o.Data.Test[i].Labels), LabelString(o.Trained.Greedy[i]), LabelString(o.Trained.Beam[i]))
	}
	return b.String()
}
