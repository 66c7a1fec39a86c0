package scaling

import (
	"fmt"
	"math"
	"strings"

	"github.com/dl4go/dl4go/data/shapes"
	"github.com/dl4go/dl4go/plotting"
)

// Points returns every trained point: the baseline, the grid at φ = 1, then the larger budgets.
func (o *Outcome) Points() []Point {
	all := append([]Point{o.Baseline}, o.Grid...)
	for _, ps := range o.Larger {
		all = append(all, ps...)
	}
	return all
}

// Curves returns, for each rule of the chart (depth, width, resolution, then the compound rule),
// its points by budget: the baseline (φ = 0), its network at φ = 1 and at each larger budget.
func (o *Outcome) Curves() map[string][]Point {
	curves := map[string][]Point{}
	for _, r := range []Rule{DepthOnly, WidthOnly, ResolutionOnly, o.Compound} {
		ps := []Point{o.Baseline}
		for _, p := range o.Grid {
			if p.Rule == r {
				ps = append(ps, p)
			}
		}
		for _, b := range o.Larger {
			for _, p := range b {
				if p.Rule == r {
					ps = append(ps, p)
				}
			}
		}
		curves[r.Name()] = ps
	}
	return curves
}

// AccuracyChart is the lesson's chart: held-out accuracy against multiply-adds per image, one
// curve per rule, each point the mean over the seeds with a ± one standard deviation bar.
func (o *Outcome) AccuracyChart() (*plotting.Chart, error) {
	var series []plotting.ErrorSeries
	curves := o.Curves()
	for _, r := range []Rule{DepthOnly, WidthOnly, ResolutionOnly, o.Compound} {
		s := plotting.ErrorSeries{Name: r.Name()}
		for _, p := range curves[r.Name()] {
			s.X = append(s.X, float64(p.MACs)/1e3)
			s.Y = append(s.Y, p.Mean())
			s.Err = append(s.Err, p.Std())
		}
		series = append(series, s)
	}
	return plotting.ErrorBars(fmt.Sprintf("held-out accuracy vs FLOPs (mean ± std over %d seeds)", o.Config.Seeds), series,
		plotting.WithAxisNames("thousand multiply-adds per image", "held-out accuracy"))
}

// GridChart is the grid search at φ = 1: each rule's mean validation accuracy (what picks the
// compound rule) and test accuracy.
func (o *Outcome) GridChart() (*plotting.Chart, error) {
	names := []string{"baseline (φ=0)"}
	val, test := []float64{o.Baseline.ValMean()}, []float64{o.Baseline.Mean()}
	for _, p := range o.Grid {
		a, b, c := p.Rule.Coefficients()
		names = append(names, fmt.Sprintf("%s (%.2f, %.2f, %.2f)", short(p.Rule), a, b, c))
		val, test = append(val, p.ValMean()), append(test, p.Mean())
	}
	return plotting.Bar("grid search at φ = 1: rule (α, β, γ), α·β²·γ² = 2", names,
		[]plotting.Series{{Name: "validation accuracy", Y: val}, {Name: "test accuracy", Y: test}},
		plotting.WithAxisNames("", "mean accuracy"))
}

func short(r Rule) string {
	if r.Compound() {
		return "compound"
	}
	return r.Name()
}

// Table lists every point: its network, multiply-adds (and ÷ the baseline's), trainable
// parameters, median training step and inference time, and accuracies.
func (o *Outcome) Table() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%-4s %-32s %9s %6s %8s %9s %10s %14s %6s  %s\n", "φ", "rule", "MACs", "×base", "params",
		"ms/step", "µs/image", "test acc", "val", "network")
	untimed := false
	for _, p := range o.Points() {
		step := ms(p, true)
		untimed = untimed || math.IsNaN(step)
		fmt.Fprintf(&b, "%-4g %-32s %9d %6.2f %8d %9s %10s %6.3f ± %.3f %6.3f  %s\n", p.Phi, p.Name, p.MACs, p.Ratio,
			p.Params, timed("%.1f", step), timed("%.0f", ms(p, false)*1e3), p.Mean(), p.Std(), p.ValMean(), p.Net)
	}
	if untimed {
		fmt.Fprintf(&b, "(ms/step —: not timed, every seed's run restored from a checkpoint, e.g. a network met earlier in the table)\n")
	}
	c, s := o.Final()
	fmt.Fprintf(&b, "compound rule (best validation accuracy at φ = 1): %s\n", o.Compound.Name())
	fmt.Fprintf(&b, "at %.0f× the baseline's FLOPs: compound %.3f ± %.3f (%.2f×), best single rule %s %.3f ± %.3f (%.2f×); baseline %.3f\n",
		math.Exp2(c.Phi), c.Mean(), c.Std(), c.Ratio, s.Name, s.Mean(), s.Std(), s.Ratio, o.Baseline.Mean())
	return b.String()
}

// ms is the mean over the seeds' runs of their median training step (train) or of their inference
// time per image, in milliseconds (NaN when no run measured it, e.g. all restored).
func ms(p Point, train bool) float64 {
	var v []float64
	for _, r := range p.Runs {
		d := r.InferPerImage
		if train {
			d = r.TrainStep
		}
		if d > 0 {
			v = append(v, d.Seconds()*1e3)
		}
	}
	if len(v) == 0 {
		return math.NaN()
	}
	m, _ := plotting.MeanStd(v)
	return m
}

// timed formats a time with format, or "—" when it was not measured (NaN).
func timed(format string, v float64) string {
	if math.IsNaN(v) {
		return "—"
	}
	return fmt.Sprintf(format, v)
}

// Table lists the network's layers with weights and their multiply-adds per image.
func (n Net) Table() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%-22s %-9s %7s %5s %5s %3s %9s\n", "layer", "kind", "output", "in", "out", "k", "MACs")
	for _, l := range n.Layers() {
		fmt.Fprintf(&b, "%-22s %-9s %3d×%-3d %5d %5d %3d %9d\n", l.Name, l.Kind, l.OutH, l.OutW, l.In, l.Out, l.Kernel, l.MACs())
	}
	fmt.Fprintf(&b, "%-22s %56d\n", "total", n.MACs())
	return b.String()
}

// ScenesPicture shows n scenes of the task at each of the resolutions, one row per resolution
// (enlarged to the Master size for display, pixel for pixel), captioned with the answer.
func (t Task) ScenesPicture(n int, resolutions []int) (*plotting.Picture, error) {
	s, err := t.draw(t.Seed+2, n) // held-out scenes
	if err != nil {
		return nil, err
	}
	var imgs [][]float32
	var caps []string
	for _, res := range resolutions {
		for i := range n {
			img, err := s.image(i, res)
			if err != nil {
				return nil, err
			}
			imgs = append(imgs, enlarge(img, res, t.Master))
			caps = append(caps, fmt.Sprintf("%d px: %s", res, shapes.ClassNames[s.labels[i]]))
		}
	}
	return plotting.ImageGrid(imgs, t.Master, t.Master, plotting.GridCols(n), plotting.PicCaptions(caps), plotting.PicScale(2))
}

// enlarge repeats the pixels of a res×res×3 image to size×size×3 (nearest neighbour).
func enlarge(img []float32, res, size int) []float32 {
	out := make([]float32, size*size*3)
	for y := range size {
		for x := range size {
			sy, sx := y*res/size, x*res/size
			copy(out[(y*size+x)*3:(y*size+x)*3+3], img[(sy*res+sx)*3:(sy*res+sx)*3+3])
		}
	}
	return out
}

// PaperModel is one row of the paper's ImageNet results (not measured here).
type PaperModel struct {
	Name   string
	Top1   float64 // ImageNet top-1 accuracy, %.
	Params float64 // millions.
	FLOPs  float64 // billions of multiply-adds per 224×224 (or the model's own) image.
}

// Paper is the report's claim in the paper's own numbers (Tan & Le, "EfficientNet: Rethinking
// Model Scaling for Convolutional Neural Networks", ICML 2019, and Google's announcement of it):
// at a similar cost, EfficientNet-B4 improves ResNet-50's top-1 accuracy from 76.3% to 82.6%
// (+6.3 points) with fewer parameters. These are ImageNet results of the paper, not results of
// this lesson.
var Paper = []PaperModel{
	{Name: "ResNet-50", Top1: 76.3, Params: 26, FLOPs: 4.1},
	{Name: "EfficientNet-B4", Top1: 82.6, Params: 19, FLOPs: 4.2},
}

// PaperTable prints Paper, marked as the paper's numbers.
func PaperTable() string {
	var b strings.Builder
	b.WriteString("THE PAPER'S NUMBERS (ImageNet, Tan & Le 2019), not measured by this lesson:\n")
	fmt.Fprintf(&b, "%-16s %8s %10s %10s\n", "model", "top-1 %", "params M", "FLOPs B")
	for _, m := range Paper {
		fmt.Fprintf(&b, "%-16s %8.1f %10.0f %10.1f\n", m.Name, m.Top1, m.Params, m.FLOPs)
	}
	fmt.Fprintf(&b, "difference: %+.1f points top-1 at %.2f× the FLOPs and %.2f× the parameters\n",
		Paper[1].Top1-Paper[0].Top1, Paper[1].FLOPs/Paper[0].FLOPs, Paper[1].Params/Paper[0].Params)
	return b.String()
}
