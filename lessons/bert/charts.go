package bert

import (
	"fmt"

	"github.com/dl4go/dl4go/plotting"
)

// LossChart draws the pre-training losses per step (smoothed): masked LM and next-sentence.
func (h *History) LossChart() (*plotting.Chart, error) {
	return plotting.Line("BERT-mini pre-training loss", h.Step, []plotting.Series{
		{Name: "MLM loss", Y: h.MLMLoss}, {Name: "NSP loss", Y: h.NSPLoss},
	}, plotting.WithAxisNames("step", "cross entropy"), plotting.WithSmoothing(25))
}

// AccuracyChart draws the pre-training accuracies on the training batches per step (smoothed):
// MLM top-1 at the chosen positions (80/10/10-corrupted) and NSP, with the held-out values of the
// evaluation as flat reference lines: MLM top-1 with every chosen position [MASK]ed, its two
// baselines, and NSP with A and B held out.
func (o *Outcome) AccuracyChart() (*plotting.Chart, error) {
	h, ev := o.History, o.Eval
	flat := func(v float64) []float64 { return constant(len(h.Step), v) }
	return plotting.Line("BERT-mini pre-training accuracy (training batches; flat: held-out)", h.Step, []plotting.Series{
		{Name: "MLM top-1 (training, 80/10/10)", Y: h.MLMAcc}, {Name: "NSP (training)", Y: h.NSPAcc},
		{Name: "held-out MLM top-1, all [MASK]", Y: flat(ev.MLM.Top1)},
		{Name: fmt.Sprintf("unigram baseline (%q)", ev.UnigramTok), Y: flat(ev.Unigram.Top1)},
		{Name: "bigram-context baseline", Y: flat(ev.Bigram.Top1)},
		{Name: "held-out NSP (A and B held out)", Y: flat(ev.NSPHeldOut())},
	}, plotting.WithAxisNames("step", "accuracy"), plotting.WithSmoothing(25), plotting.WithRange(0, 1))
}

// HeldOutChart draws the held-out curve (Config.CurveEvery): NSP with A and B held out and
// [MASK]-only MLM top-1 every CurveEvery pre-training steps, on the pairs of the final evaluation,
// with the NSP bar (when the size asserts one), NSP's chance level and the unigram baseline's MLM
// top-1 as flat lines. It shows where each number was heading when pre-training stopped.
func (o *Outcome) HeldOutChart() (*plotting.Chart, error) {
	h, ev := o.History, o.Eval
	if len(h.HeldOutStep) == 0 {
		return nil, fmt.Errorf("bert: no held-out curve in this run (Config.CurveEvery is %d)", o.Config.CurveEvery)
	}
	flat := func(v float64) []float64 { return constant(len(h.HeldOutStep), v) }
	series := []plotting.Series{{Name: "held-out NSP (A and B held out)", Y: h.HeldOutNSP}}
	if t := o.Config.NSPThreshold; t > 0 {
		series = append(series, plotting.Series{Name: fmt.Sprintf("NSP bar (%.2f)", t), Y: flat(t)})
	}
	series = append(series, plotting.Series{Name: "NSP chance (0.5)", Y: flat(0.5)},
		plotting.Series{Name: "held-out MLM top-1, all [MASK]", Y: h.HeldOutMLM},
		plotting.Series{Name: fmt.Sprintf("unigram baseline (%q)", ev.UnigramTok), Y: flat(ev.Unigram.Top1)})
	return plotting.Line("BERT-mini on held-out text during pre-training", h.HeldOutStep, series,
		plotting.WithAxisNames("step", "accuracy"), plotting.WithRange(0, 1))
}

// Chart draws, for each source of random B's, NSP's accuracy on held-out pairs, the share of random
// B's it rejects and the share of real B's it accepts.
func (ss NSPSources) Chart() (*plotting.Chart, error) {
	var names []string
	var acc, rejected, accepted []float64
	for _, s := range ss {
		names = append(names, s.From)
		acc, rejected, accepted = append(acc, s.Accuracy), append(rejected, s.RandomRejected), append(accepted, s.RealAccepted)
	}
	return plotting.Bar("Held-out NSP by where the random B comes from", names, []plotting.Series{
		{Name: "accuracy", Y: acc}, {Name: "random B rejected", Y: rejected}, {Name: "real B accepted", Y: accepted},
	}, plotting.WithAxisNames("random B from", "share of pairs"), plotting.WithRange(0, 1))
}

// AttentionChart draws the attention weights of one head of one layer for the probed sentence:
// row = the token attending (query), column = the token attended to (key). Rows look both left
// and right: BERT's attention is bidirectional.
func (pr *Probe) AttentionChart(layer, head int) (*plotting.Chart, error) {
	if layer < 0 || layer >= len(pr.Attention) || head < 0 || head >= len(pr.Attention[layer]) {
		return nil, fmt.Errorf("bert: no attention for layer %d head %d", layer, head)
	}
	return plotting.Heatmap(fmt.Sprintf("Attention, layer %d head %d: %s", layer+1, head+1, pr.Sentence),
		pr.Attention[layer][head], pr.Tokens, pr.Tokens, plotting.WithAxisNames("attended token (key)", "token (query)"),
		plotting.WithSize("720px", "640px"))
}

// TopKChart draws the most probable tokens for the masked word.
func (pr *Probe) TopKChart() (*plotting.Chart, error) {
	var names []string
	var probs []float64
	for _, t := range pr.Top {
		names = append(names, t.Token)
		probs = append(probs, t.Prob)
	}
	return plotting.Bar(fmt.Sprintf("[MASK] in %q (answer: %q)", pr.Sentence, pr.Answer), names,
		[]plotting.Series{{Name: "probability", Y: probs}}, plotting.WithAxisNames("token", "probability"))
}

// Chart draws each method's test accuracy on the downstream task along training.
func (o *TaskOutcome) Chart() (*plotting.Chart, error) {
	var series []plotting.Series
	for _, r := range o.Methods {
		series = append(series, plotting.Series{Name: r.Method.String(), Y: r.TestAcc})
	}
	return plotting.Line(fmt.Sprintf("Intruder-word detection: test accuracy (%d training examples)", o.Train),
		o.Methods[0].Steps, series, plotting.WithAxisNames("training step", "test accuracy"), plotting.WithRange(0.4, 1))
}

// Chart draws the next-token model's held-out accuracy where the next token is visible to the
// bidirectional encoder (inside a window) and where it is not (at the end: generation), next to
// the unigram baseline.
func (o *NextTokenOutcome) Chart() (*plotting.Chart, error) {
	title := "Next-token head on frozen BERT"
	if !o.Config.Frozen {
		title = "Next-token head on BERT, fine-tuned"
	}
	return plotting.Bar(title, []string{"inside a window (next token in the input)", "at the end (generation)", "unigram baseline"},
		[]plotting.Series{{Name: "held-out accuracy", Y: []float64{o.InnerAcc, o.LastAcc, o.Unigram}}},
		plotting.WithAxisNames("", "next-token accuracy"), plotting.WithRange(0, 1))
}

// constant returns n copies of v: a flat reference line of a chart.
func constant(n int, v float64) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = v
	}
	return out
}
