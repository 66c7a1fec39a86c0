package dcgan

import (
	"fmt"
	"math"
	"strconv"

	"github.com/dl4go/dl4go/plotting"
)

func steps(n int) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = float64(i + 1)
	}
	return x
}

// LossChart draws the discriminator's and the generator's losses per iteration (smoothed).
func (o *Outcome) LossChart() (*plotting.Chart, error) {
	h := o.History
	return plotting.Line("DCGAN losses", steps(len(h.DLoss)), []plotting.Series{
		{Name: "D loss: BCE(1, D(x)) + BCE(0, D(G(z)))", Y: h.DLoss},
		{Name: "G loss: BCE(1, D(G(z)))", Y: h.GLoss},
	}, plotting.WithAxisNames("iteration", "loss"), plotting.WithSmoothing(25))
}

// DChart draws the mean D(x) on real batches and D(G(z)) on fake batches per iteration (smoothed):
// at the game's equilibrium both would be 1/2.
func (o *Outcome) DChart() (*plotting.Chart, error) {
	h := o.History
	return plotting.Line("D(x) and D(G(z))", steps(len(h.DReal)), []plotting.Series{
		{Name: "D(x), real", Y: h.DReal},
		{Name: "D(G(z)), fake", Y: h.DFake},
	}, plotting.WithAxisNames("iteration", "mean probability 'real'"), plotting.WithSmoothing(25), plotting.WithRange(0, 1))
}

// GradientChart draws the gradient probes of the first iterations of the GAN run (see ProbeChart).
func (o *Outcome) GradientChart() (*plotting.Chart, error) {
	return ProbeChart("‖∇G‖ of the two generator losses during the first iterations", "iteration", o.History.Probes)
}

// SaturationChart draws the magnitude of both generator losses' gradients with respect to D's
// logit a, as functions of D(G(z)) = σ(a): σ(a) for log(1 − σ(a)) and 1 − σ(a) for −log σ(a).
// Where G is bad (D(G(z)) → 0) the first vanishes and the second is largest.
func SaturationChart() (*plotting.Chart, error) {
	const n = 99
	x, sat, ns := make([]float64, n), make([]float64, n), make([]float64, n)
	for i := range n {
		d := float64(i+1) / (n + 1)
		x[i], sat[i], ns[i] = d, d, 1-d
	}
	return plotting.Line("|∂loss/∂logit| as a function of D(G(z))", x, []plotting.Series{
		{Name: "saturating log(1 − D(G(z))): σ(a)", Y: sat},
		{Name: "non-saturating −log D(G(z)): 1 − σ(a)", Y: ns},
	}, plotting.WithAxisNames("D(G(z))", "|gradient| at the logit"))
}

// EvolutionPicture shows the first cols fixed-noise samples at every epoch snapshot, one row per
// snapshot (top: earliest).
func (o *Outcome) EvolutionPicture(cols int) (*plotting.Picture, error) {
	s := o.History.Snapshots
	if len(s) == 0 {
		return nil, fmt.Errorf("dcgan: no snapshots recorded")
	}
	var pix []float32
	var caps []string
	for _, snap := range s {
		img := snap.Images()
		pix = append(pix, img[:cols*784]...)
		for c := range cols {
			if c == 0 {
				caps = append(caps, "it "+strconv.Itoa(snap.Step))
			} else {
				caps = append(caps, "")
			}
		}
	}
	return plotting.ImageGridFlat(pix, len(s)*cols, 28, 28, 1, plotting.GridCols(cols), plotting.PicCaptions(caps))
}

// FinalGrid shows the last fixed-noise grid (Config.FixedGrid).
func (o *Outcome) FinalGrid() (*plotting.Picture, error) {
	s := o.History.Snapshots
	if len(s) == 0 {
		return nil, fmt.Errorf("dcgan: no snapshots recorded")
	}
	n, cols := o.Config.FixedGrid()
	return plotting.ImageGridFlat(s[len(s)-1].Images(), n, 28, 28, 1, plotting.GridCols(cols))
}

// InterpolationPicture shows G(z) along a straight line between two noise vectors: a smooth
// morph means G has learned a continuous map rather than memorised images.
func (o *Outcome) InterpolationPicture() (*plotting.Picture, error) {
	return plotting.ImageGridFlat(o.Interpolation, len(o.Interpolation)/784, 28, 28, 1, plotting.GridCols(InterpolationSteps))
}

// JudgedPicture shows the first n judged samples captioned with the judge's digit and probability
// (a "?" marks samples below MinProb).
func (o *Outcome) JudgedPicture(n int) (*plotting.Picture, error) {
	n = min(n, o.Score.N)
	caps := make([]string, n)
	for i := range n {
		mark := ""
		if o.Score.TopProb[i] < o.Score.MinProb {
			mark = "?"
		}
		caps[i] = fmt.Sprintf("%d %.2f%s", o.Score.Labels[i], o.Score.TopProb[i], mark)
	}
	return plotting.ImageGridFlat(o.Samples[:n*784], n, 28, 28, 1, plotting.GridCols(10), plotting.PicCaptions(caps))
}

// ShareChart draws the share of each digit among the confident samples, with the MinClassShare
// line's value in the title.
func (o *Outcome) ShareChart() (*plotting.Chart, error) {
	cats := make([]string, 10)
	share := make([]float64, 10)
	for k := range 10 {
		cats[k] = strconv.Itoa(k)
		share[k] = math.Round(o.Score.Share[k]*1000) / 10
	}
	return plotting.Bar(fmt.Sprintf("digits among confident samples (%.0f%% of %d are confident)", 100*o.Score.Confident, o.Score.N),
		cats, []plotting.Series{{Name: "share %", Y: share}}, plotting.WithAxisNames("digit", "% of confident samples"))
}
