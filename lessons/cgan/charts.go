package cgan

import (
	"fmt"
	"math"
	"strconv"

	"github.com/dl4go/dl4go/lessons/dcgan"
	"github.com/dl4go/dl4go/plotting"
)

// name is a GAN's name in legends.
func name(cond dcgan.Conditioning) string {
	if cond.Conditional() {
		return "cGAN, " + cond.String()
	}
	return "DCGAN (unconditional)"
}

// gan returns GANs[i] or an error naming the GANs there are.
func (o *Outcome) gan(i int) (*GAN, error) {
	if i < 0 || i >= len(o.GANs) {
		return nil, fmt.Errorf("cgan: no GAN %d: the outcome has %d (Config.Conditions %v)", i, len(o.GANs), o.Config.Conditions)
	}
	return &o.GANs[i], nil
}

// digits returns "0" … "9".
func digits() []string {
	d := make([]string, dcgan.NumLabels)
	for k := range d {
		d[k] = strconv.Itoa(k)
	}
	return d
}

// GridPicture shows the final fixed grid of GANs[i] (dcgan.Config.FixedGrid): for a conditional
// GAN, row k asks for digit k (captioned in the first column) and each column keeps its noise z.
func (o *Outcome) GridPicture(i int) (*plotting.Picture, error) {
	g, err := o.gan(i)
	if err != nil {
		return nil, err
	}
	s := g.History.Snapshots
	if len(s) == 0 {
		return nil, fmt.Errorf("cgan: %v: no snapshots recorded", g.Condition)
	}
	n, cols := o.Config.gan(g.Condition).FixedGrid()
	var opts []plotting.PicOption
	if g.Condition.Conditional() {
		caps := make([]string, n)
		for r := range n / cols {
			caps[r*cols] = "asked " + strconv.Itoa(r)
		}
		opts = append(opts, plotting.PicCaptions(caps))
	}
	return plotting.ImageGridFlat(s[len(s)-1].Images(), n, 28, 28, 1, append(opts, plotting.GridCols(cols))...)
}

// SamplesPicture shows perDigit judged samples of GANs[i] for every requested digit, one row per
// digit, each captioned with the judge's digit and probability: "?" marks a verdict below
// Config.MinProb, "✗" a digit other than the requested one.
func (o *Outcome) SamplesPicture(i, perDigit int) (*plotting.Picture, error) {
	g, err := o.gan(i)
	if err != nil {
		return nil, err
	}
	perDigit = min(perDigit, len(g.Requested)/dcgan.NumLabels)
	var pix []float32
	var caps []string
	for d := range dcgan.NumLabels {
		for k := range perDigit {
			j := k*dcgan.NumLabels + d // sample j requested digit j mod 10
			pix = append(pix, g.Samples[j*784:(j+1)*784]...)
			c := fmt.Sprintf("%d %.2f", g.Score.Labels[j], g.Score.TopProb[j])
			if g.Score.TopProb[j] < g.Score.MinProb {
				c += "?"
			}
			if g.Score.Labels[j] != g.Requested[j] {
				c += "✗"
			}
			caps = append(caps, c)
		}
	}
	return plotting.ImageGridFlat(pix, len(caps), 28, 28, 1, plotting.GridCols(perDigit), plotting.PicCaptions(caps))
}

// ComparisonChart draws, for every GAN, the three fractions of its judged samples: judged as the
// requested digit, judged confidently as some digit, and both (the lesson's two bars). An
// unconditional GAN's agreement is chance: about 1 in 10.
func (o *Outcome) ComparisonChart() (*plotting.Chart, error) {
	var cats []string
	agree, conf, both := []float64{}, []float64{}, []float64{}
	for _, g := range o.GANs {
		cats = append(cats, name(g.Condition))
		agree, conf, both = append(agree, pct(g.Agreement)), append(conf, pct(g.Score.Confident)), append(both, pct(g.ConfidentAgreement))
	}
	return plotting.Bar(fmt.Sprintf("the judge's verdict on %d fresh samples each, after %d iterations", o.Config.Samples, o.Config.Steps), cats, []plotting.Series{
		{Name: "judged as the requested digit %", Y: agree},
		{Name: fmt.Sprintf("confident (p ≥ %g) of some digit %%", o.Config.MinProb), Y: conf},
		{Name: "confident of the requested digit %", Y: both},
	}, plotting.WithAxisNames("GAN", "% of samples"))
}

func pct(v float64) float64 { return math.Round(v*1000) / 10 }

// epochSteps returns the iterations of the GANs' epochs (the same for all: same Steps and
// EpochSteps) and an error if there are none.
func (o *Outcome) epochSteps() ([]float64, error) {
	if len(o.GANs) == 0 || len(o.GANs[0].Epochs) == 0 {
		return nil, fmt.Errorf("cgan: no epochs recorded")
	}
	x := make([]float64, len(o.GANs[0].Epochs))
	for i, e := range o.GANs[0].Epochs {
		x[i] = float64(e.Step)
	}
	return x, nil
}

// StabilityChart draws, after every epoch, how the fixed grid is judged: the fraction judged as
// the requested digit (conditional GANs) and the fraction judged confidently (all GANs).
func (o *Outcome) StabilityChart() (*plotting.Chart, error) {
	x, err := o.epochSteps()
	if err != nil {
		return nil, err
	}
	var series []plotting.Series
	for _, g := range o.GANs {
		agree, conf := make([]float64, len(g.Epochs)), make([]float64, len(g.Epochs))
		for i, e := range g.Epochs {
			agree[i], conf[i] = e.Agreement, e.Confident
		}
		if g.Condition.Conditional() {
			series = append(series, plotting.Series{Name: name(g.Condition) + ": requested digit", Y: agree})
		}
		series = append(series, plotting.Series{Name: name(g.Condition) + ": confident", Y: conf})
	}
	return plotting.Line("the fixed grid judged after every epoch", x, series,
		plotting.WithAxisNames("iteration", "fraction of the grid"), plotting.WithRange(0, 1))
}

// ChangedChart draws, after every epoch, the fraction of the fixed grid whose judged digit changed
// since the epoch before: the same noise drawing another digit.
func (o *Outcome) ChangedChart() (*plotting.Chart, error) {
	x, err := o.epochSteps()
	if err != nil {
		return nil, err
	}
	x = x[1:]
	var series []plotting.Series
	for _, g := range o.GANs {
		y := make([]float64, 0, len(g.Epochs))
		for _, e := range g.Epochs[1:] {
			y = append(y, e.Changed)
		}
		series = append(series, plotting.Series{Name: name(g.Condition), Y: y})
	}
	return plotting.Line("fixed grid: fraction whose judged digit changed since the previous epoch", x, series,
		plotting.WithAxisNames("iteration", "fraction changed"), plotting.WithRange(0, 1))
}

// ShareChart draws, for every GAN, the share of each digit among its confidently judged samples:
// a conditional GAN asked for every digit equally often should give 10% each; the unconditional
// DCGAN draws whatever digits its game favoured.
func (o *Outcome) ShareChart() (*plotting.Chart, error) {
	var series []plotting.Series
	for _, g := range o.GANs {
		y := make([]float64, dcgan.NumLabels)
		for k := range y {
			y[k] = pct(g.Score.Share[k])
		}
		series = append(series, plotting.Series{Name: name(g.Condition), Y: y})
	}
	return plotting.Bar("digits among the confidently judged samples", digits(), series,
		plotting.WithAxisNames("judged digit", "% of confident samples"))
}

// PerDigitChart draws, for every conditional GAN, the fraction of samples judged as the requested
// digit, per requested digit.
func (o *Outcome) PerDigitChart() (*plotting.Chart, error) {
	var series []plotting.Series
	for _, g := range o.GANs {
		if !g.Condition.Conditional() {
			continue
		}
		hit, n := make([]float64, dcgan.NumLabels), make([]float64, dcgan.NumLabels)
		for i, r := range g.Requested {
			n[r]++
			if g.Score.Labels[i] == r {
				hit[r]++
			}
		}
		for k := range hit {
			hit[k] = pct(hit[k] / max(n[k], 1))
		}
		series = append(series, plotting.Series{Name: name(g.Condition), Y: hit})
	}
	if len(series) == 0 {
		return nil, fmt.Errorf("cgan: no conditional GAN in the outcome")
	}
	return plotting.Bar("judged as the requested digit, per digit", digits(), series,
		plotting.WithAxisNames("requested digit", "% of its samples"))
}

// ConfusionChart draws GANs[i]'s requested digits (rows) against the judge's digits (columns):
// the count of samples in each cell.
func (o *Outcome) ConfusionChart(i int) (*plotting.Chart, error) {
	g, err := o.gan(i)
	if err != nil {
		return nil, err
	}
	z := make([][]float64, dcgan.NumLabels)
	for r := range z {
		z[r] = make([]float64, dcgan.NumLabels)
	}
	for j, r := range g.Requested {
		z[r][g.Score.Labels[j]]++
	}
	return plotting.Heatmap(fmt.Sprintf("%s: requested vs judged digit", name(g.Condition)), z, digits(), digits(),
		plotting.WithAxisNames("judged digit", "requested digit"))
}

// LossChart draws every GAN's discriminator loss per iteration (smoothed): the game's balance.
func (o *Outcome) LossChart() (*plotting.Chart, error) {
	if len(o.GANs) == 0 || len(o.GANs[0].History.DLoss) == 0 {
		return nil, fmt.Errorf("cgan: no losses recorded")
	}
	x := make([]float64, len(o.GANs[0].History.DLoss))
	for i := range x {
		x[i] = float64(i + 1)
	}
	var series []plotting.Series
	for _, g := range o.GANs {
		series = append(series, plotting.Series{Name: name(g.Condition) + ": D loss", Y: g.History.DLoss})
	}
	return plotting.Line("discriminator loss BCE(1, D(x|y)) + BCE(0, D(G(z|y)|y))", x, series,
		plotting.WithAxisNames("iteration", "loss"), plotting.WithSmoothing(50))
}
