package gpt

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/dl4go/dl4go/plotting"
)

// Tokens shows how the BPE cuts s: its tokens separated by "|" (a leading space shows as ␣).
func (c *Corpus) Tokens(s string) string {
	var parts []string
	for _, id := range c.BPE.Encode(s) {
		parts = append(parts, c.BPE.Token(id))
	}
	return strings.Join(parts, "|")
}

// LearningChart draws the GPT's held-out perplexity while it trains, against the baselines'.
func (o *Outcome) LearningChart() (*plotting.Chart, error) {
	h := o.GPT.History
	flat := func(v float64) []float64 {
		out := make([]float64, len(h.ProbeStep))
		for i := range out {
			out[i] = v
		}
		return out
	}
	return plotting.Line(fmt.Sprintf("held-out perplexity while training (first %d windows)", o.Config.ProbeWindows), h.ProbeStep, []plotting.Series{
		{Name: "GPT", Y: h.Probe}, {Name: "Kneser–Ney bigram", Y: flat(o.BigramPerplexity)}, {Name: "unigram", Y: flat(o.UnigramPerplexity)},
	}, plotting.WithAxisNames("step", "perplexity"), plotting.WithLogY())
}

// LossChart draws both models' training loss.
func (o *Outcome) LossChart() (*plotting.Chart, error) {
	return plotting.Line("training loss (cross-entropy per predicted token)", nil, []plotting.Series{
		{Name: "GPT on Opticks", X: o.GPT.History.Step, Y: o.GPT.History.Loss},
		{Name: "GPT on in-context tasks (value tokens)", X: o.ICL.History.Step, Y: o.ICL.History.Loss},
	}, plotting.WithAxisNames("step", "loss"), plotting.WithSmoothing(20))
}

// PerplexityChart compares the held-out perplexities: unigram, bigram, GPT.
func (o *Outcome) PerplexityChart() (*plotting.Chart, error) {
	return plotting.Bar(fmt.Sprintf("held-out perplexity on the end of Opticks (%d tokens)", len(o.Corpus.Test)-1),
		[]string{"unigram (add-one)", "bigram (Kneser–Ney)", "GPT"},
		[]plotting.Series{{Name: "perplexity", Y: []float64{o.UnigramPerplexity, o.BigramPerplexity, o.Perplexity}}},
		plotting.WithAxisNames("", "perplexity (lower is better)"))
}

// next returns the model's log-probabilities of the token after prompt.
func (o *Outcome) next(prompt string) ([]float64, error) {
	ids := o.Corpus.BPE.Encode(prompt)
	if len(ids) == 0 {
		return nil, fmt.Errorf("gpt: an empty prompt: give the model a few words to continue")
	}
	lp, err := o.GPT.NextLogProbs([][]int{ids})
	if err != nil {
		return nil, err
	}
	return lp[0], nil
}

// ranked returns the token ids by falling log-probability.
func ranked(lp []float64) []int {
	order := make([]int, len(lp))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return lp[order[a]] > lp[order[b]] })
	return order
}

// SamplerChart draws the GPT's next-token distribution after prompt (its 20 most probable tokens)
// and the distribution sampler s draws from, with how many tokens s keeps and how much of the
// model's probability they hold.
func (o *Outcome) SamplerChart(prompt string, s Sampler) (*plotting.Chart, error) {
	lp, err := o.next(prompt)
	if err != nil {
		return nil, err
	}
	p, kept, mass := s.Distribution(lp)
	order := ranked(lp)[:20]
	var cats []string
	model, sampled := make([]float64, len(order)), make([]float64, len(order))
	for i, id := range order {
		cats = append(cats, o.Corpus.BPE.Token(id))
		model[i], sampled[i] = math.Exp(lp[id]), p[id]
	}
	title := fmt.Sprintf("after %q: %s keeps %d tokens, %.0f%% of the model's probability", prompt, s, kept, 100*mass)
	return plotting.Bar(title, cats, []plotting.Series{{Name: "model (T=1)", Y: model}, {Name: s.String(), Y: sampled}},
		plotting.WithAxisNames("next token (most probable first)", "probability"))
}

// MassChart draws the cumulative probability of the GPT's next tokens after prompt, most probable
// first: where top-k cuts (a fixed number of tokens) and where top-p cuts (a fixed mass) — a
// confident prediction keeps few tokens under top-p, an unsure one many.
func (o *Outcome) MassChart(prompt string, k int, p float64) (*plotting.Chart, error) {
	lp, err := o.next(prompt)
	if err != nil {
		return nil, err
	}
	order := ranked(lp)
	n := min(100, len(order))
	x, cum, kLine, pLine := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	acc := 0.0
	_, keptP, _ := Sampler{TopP: p}.Distribution(lp)
	for i := range n {
		acc += math.Exp(lp[order[i]])
		x[i], cum[i] = float64(i+1), acc
		kLine[i], pLine[i] = math.NaN(), math.NaN()
		if i+1 <= k {
			kLine[i] = acc
		}
		if i+1 <= keptP {
			pLine[i] = acc
		}
	}
	title := fmt.Sprintf("after %q: the first 100 of %d tokens", prompt, len(order))
	return plotting.Line(title, x, []plotting.Series{
		{Name: "cumulative probability", Y: cum}, {Name: fmt.Sprintf("kept by top-k %d", k), Y: kLine},
		{Name: fmt.Sprintf("kept by top-p %g (%d tokens)", p, keptP), Y: pLine},
	}, plotting.WithAxisNames("tokens, most probable first", "probability mass"))
}

// TemperatureChart draws the GPT's next-token distribution after prompt at temperature t (its
// 20 most probable tokens at T=1): the notebook's slider redraws it.
func (o *Outcome) TemperatureChart(prompt string, t float64) (*plotting.Chart, error) {
	lp, err := o.next(prompt)
	if err != nil {
		return nil, err
	}
	p, _, _ := Sampler{Temperature: t}.Distribution(lp)
	order := ranked(lp)[:20]
	var cats []string
	y := make([]float64, len(order))
	for i, id := range order {
		cats = append(cats, o.Corpus.BPE.Token(id))
		y[i] = p[id]
	}
	top := 0.0
	for _, v := range p {
		top = math.Max(top, v)
	}
	return plotting.Bar(fmt.Sprintf("after %q at temperature %.1f: the most probable token has %.0f%%", prompt, t, 100*top), cats,
		[]plotting.Series{{Name: fmt.Sprintf("T=%.1f", t), Y: y}}, plotting.WithAxisNames("next token", "probability"), plotting.WithRange(0, 1))
}

// ShotsChart draws the in-context learner's accuracy on held-out mappings against the number of
// examples in the prompt, beside chance and what perfect copying from the examples would give.
func (o *Outcome) ShotsChart() (*plotting.Chart, error) {
	ic := o.Config.ICL
	x := make([]float64, len(o.Shots))
	acc, shown, chance, ideal := make([]float64, len(x)), make([]float64, len(x)), make([]float64, len(x)), make([]float64, len(x))
	for i, s := range o.Shots {
		x[i], acc[i], shown[i] = float64(s.Shots), s.Accuracy, s.ShownAccuracy
		chance[i] = 1 / float64(ic.Values)
		f := float64(s.Shots) / float64(ic.TaskKeys) // the share of queries whose key is in the prompt
		ideal[i] = f + (1-f)/float64(ic.Values)
	}
	series := []plotting.Series{
		{Name: "GPT, all queries", Y: acc}, {Name: "GPT, queries whose key is in the prompt", Y: shown},
		{Name: "copying perfectly, guessing otherwise", Y: ideal}, {Name: "chance", Y: chance},
	}
	if len(o.PlainShots) == len(o.Shots) {
		plain := make([]float64, len(x))
		for i, s := range o.PlainShots {
			plain[i] = s.Accuracy
		}
		series = append(series, plotting.Series{Name: "plain GPT (no smeared keys), all queries", Y: plain})
	}
	return plotting.Line(fmt.Sprintf("held-out mappings: accuracy with k examples in the prompt (%d prompts each)", ic.TestTasks), x, series,
		plotting.WithAxisNames("examples in the prompt (shots)", "accuracy"), plotting.WithRange(0, 1))
}

// ICLLearningChart draws the in-context learner's held-out accuracy with a full prompt while it
// trains: the ability to learn from examples appears during training.
func (o *Outcome) ICLLearningChart() (*plotting.Chart, error) {
	h := o.ICL.History
	series := []plotting.Series{{Name: "GPT with smeared keys", Y: h.Probe}}
	if o.Plain != nil {
		series = append(series, plotting.Series{Name: "plain GPT", Y: o.Plain.History.Probe})
	}
	return plotting.Line(fmt.Sprintf("held-out %d-shot accuracy while training (validation prompts)", o.Config.ICL.TaskKeys), h.ProbeStep,
		series, plotting.WithAxisNames("step", "accuracy"))
}

// Prompts returns a few held-out k-shot prompts with the in-context learner's answers, as text.
func (o *Outcome) Prompts(k, n int) (string, error) {
	ic := o.Config.ICL
	ps := ic.TestPrompts(k, n, ic.Seed)
	ans, err := o.ICL.Answer(ic, ps)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for i, p := range ps {
		mark := "✓"
		if ans[i] != p.Task.Values[p.Query] {
			mark = fmt.Sprintf("✗ (%d)", p.Task.Values[p.Query])
		}
		fmt.Fprintf(&b, "%-60s %d %s\n", p.String(), ans[i], mark)
	}
	return b.String(), nil
}
