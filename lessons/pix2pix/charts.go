package pix2pix

import (
	"fmt"
	"math"

	"github.com/dl4go/dl4go/gomlxext"
	"github.com/dl4go/dl4go/plotting"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

func steps(n int) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = float64(i + 1)
	}
	return x
}

// L1Chart draws every model's training-batch L1 error per iteration (smoothed), beside the
// held-out mean-image baseline's.
func (o *Outcome) L1Chart() (*plotting.Chart, error) {
	var series []plotting.Series
	n := 0
	for _, t := range o.Models {
		series = append(series, plotting.Series{Name: t.Model.String(), Y: t.History.L1})
		n = max(n, len(t.History.L1))
	}
	base := make([]float64, n)
	for i := range base {
		base[i] = o.MeanImageL1
	}
	series = append(series, plotting.Series{Name: "mean-image baseline (held out)", Y: base})
	return plotting.Line("L1 error |G(x) − y| on the training batches", steps(n), series,
		plotting.WithAxisNames("iteration", "L1 error ([0, 1] scale)"), plotting.WithSmoothing(25))
}

// GameChart draws the game of model m (GANL1 by default in the notebook): D's loss, G's
// adversarial term and D's mean outputs on real and generated pairs per iteration (smoothed).
func (o *Outcome) GameChart(m Model) (*plotting.Chart, error) {
	t := o.Model(m)
	if t == nil || !m.Adversarial() {
		return nil, fmt.Errorf("pix2pix: no adversarial model %v in this outcome", m)
	}
	h := t.History
	return plotting.Line(fmt.Sprintf("%v: the game (per patch, averaged)", m), steps(len(h.L1)), []plotting.Series{
		{Name: "D loss ½[BCE(1, D(x, y)) + BCE(0, D(x, G(x)))]", Y: h.DLoss},
		{Name: "G: BCE(1, D(x, G(x)))", Y: h.GAN},
		{Name: "D(x, y), real", Y: h.DReal},
		{Name: "D(x, G(x)), generated", Y: h.DFake},
	}, plotting.WithAxisNames("iteration", "loss / probability"), plotting.WithSmoothing(25))
}

// ComparisonPicture shows the shown held-out pairs side by side, one per row: the input outline,
// every model's output (Config.Models order) and the target scene.
func (o *Outcome) ComparisonPicture() (*plotting.Picture, error) {
	s := o.Config.ImageSize
	per := s * s * 3
	var pix []float32
	var caps []string
	cols := len(o.Models) + 2
	for i := range o.Config.Show {
		pix = append(pix, gray3(o.ShowOutlines[i*s*s:(i+1)*s*s])...)
		for _, t := range o.Models {
			pix = append(pix, t.Shown[i*per:(i+1)*per]...)
		}
		pix = append(pix, o.ShowScenes[i*per:(i+1)*per]...)
		for c := range cols {
			switch {
			case i > 0:
				caps = append(caps, "")
			case c == 0:
				caps = append(caps, "input")
			case c == cols-1:
				caps = append(caps, "target")
			default:
				caps = append(caps, o.Models[c-1].Model.String())
			}
		}
	}
	return plotting.ImageGridFlat(pix, o.Config.Show*cols, s, s, 3, plotting.GridCols(cols), plotting.PicScale(4), plotting.PicCaptions(caps))
}

// framePicture is the live picture of one snapshot: the shown outlines, the model's outputs
// and the targets, one row each.
func (o *Outcome) framePicture(outputs []float32) (*plotting.Picture, error) {
	s, n := o.Config.ImageSize, o.Config.Show
	pix := append(append(gray3(o.ShowOutlines), outputs...), o.ShowScenes...)
	return plotting.ImageGridFlat(pix, 3*n, s, s, 3, plotting.GridCols(n), plotting.PicScale(3))
}

// EvolutionPicture shows model m's outputs on the first shown held-out outline at every snapshot,
// left to right, then the target.
func (o *Outcome) EvolutionPicture(m Model) (*plotting.Picture, error) {
	t := o.Model(m)
	if t == nil || len(t.History.Snapshots) == 0 {
		return nil, fmt.Errorf("pix2pix: no snapshots of %v in this outcome", m)
	}
	s := o.Config.ImageSize
	per := s * s * 3
	var pix []float32
	var caps []string
	for _, snap := range t.History.Snapshots {
		pix = append(pix, snap.Images()[:per]...)
		caps = append(caps, fmt.Sprint(snap.Step))
	}
	pix = append(pix, o.ShowScenes[:per]...)
	caps = append(caps, "target")
	return plotting.ImageGridFlat(pix, len(caps), s, s, 3, plotting.GridCols(len(caps)), plotting.PicScale(3), plotting.PicCaptions(caps))
}

// L1Bar draws the held-out L1 error of the baselines and of every model.
func (o *Outcome) L1Bar() (*plotting.Chart, error) {
	cats := []string{"identity (outline)", "mean image", "median image"}
	vals := []float64{o.IdentityL1, o.MeanImageL1, o.MedianImageL1}
	for _, t := range o.Models {
		cats, vals = append(cats, t.Model.String()), append(vals, t.HeldOutL1)
	}
	for i := range vals {
		vals[i] = math.Round(vals[i]*10000) / 10000
	}
	return plotting.Bar("held-out L1 error (lower is better)", cats, []plotting.Series{{Name: "L1", Y: vals}},
		plotting.WithAxisNames("", "mean |G(x) − y|"))
}

// SharpnessBar draws every model's sharpness: the gradient energy of its held-out outputs ÷ the
// targets' (1 is as sharp as the targets).
func (o *Outcome) SharpnessBar() (*plotting.Chart, error) {
	cats := []string{"target"}
	vals := []float64{1}
	for _, t := range o.Models {
		cats, vals = append(cats, t.Model.String()), append(vals, math.Round(t.Sharpness*1000)/1000)
	}
	return plotting.Bar("sharpness: gradient energy ÷ the target's", cats, []plotting.Series{{Name: "E(G(x)) / E(y)", Y: vals}},
		plotting.WithAxisNames("", "relative gradient energy"))
}

// PairsPicture shows n training pairs of cfg's task: outlines on the first row, scenes below.
func PairsPicture(cfg Config, n int) (*plotting.Picture, error) {
	ps, err := Pairs(cfg, 0, n)
	if err != nil {
		return nil, err
	}
	outlines, scenes := flatten(ps)
	s := cfg.ImageSize
	return plotting.ImageGridFlat(append(gray3(outlines), scenes...), 2*n, s, s, 3, plotting.GridCols(n), plotting.PicScale(3))
}

// Patch is what one logit of a (freshly initialised) PatchGAN of a config depends on.
type Patch struct {
	// Formula is ReceptiveField(cfg); Rows and Cols the extent of the input pixels where the
	// gradient of the centre logit is non-zero (measured).
	Formula, Rows, Cols int
	// Gradient is |∂ logit / ∂ input| summed over the input's channels, [S][S].
	Gradient [][]float64
	// Logits is the side of D's logit map for an S×S input.
	Logits int
}

// MeasurePatch builds cfg's discriminator on held-out pair 0 and measures, by the gradient of its
// centre logit with respect to the input pair, which input pixels that logit sees.
func MeasurePatch(cfg Config) (*Patch, error) {
	backend, err := gomlxext.Backend()
	if err != nil {
		return nil, fmt.Errorf("pix2pix: %w", err)
	}
	ps, err := Pairs(cfg, HeldOutStart, 1)
	if err != nil {
		return nil, err
	}
	s := cfg.ImageSize
	ctx := context.New()
	ctx.SetParam(context.ParamInitialSeed, int64(cfg.Seed))
	exec, err := context.NewExec(backend, ctx, func(ctx *context.Context, x, y *Node) []*Node {
		logits := Discriminator(ctx, cfg, x, y)
		d := logits.Shape().Dimensions
		one := ReduceAllSum(Slice(logits, AxisRange(), AxisElem(d[1]/2), AxisElem(d[2]/2)))
		g := Gradient(one, x, y)
		return []*Node{logits, Add(ReduceSum(Abs(g[0]), -1), ReduceSum(Abs(g[1]), -1))}
	})
	if err != nil {
		return nil, fmt.Errorf("pix2pix: patch: %w", err)
	}
	res, err := exec.Exec(tensors.FromFlatDataAndDimensions(ps[0].Outline, 1, s, s, 1), tensors.FromFlatDataAndDimensions(ps[0].Scene, 1, s, s, 3))
	if err != nil {
		return nil, fmt.Errorf("pix2pix: patch: %w", err)
	}
	g := tensors.MustCopyFlatData[float32](res[1])
	p := &Patch{Formula: ReceptiveField(cfg), Logits: res[0].Shape().Dimensions[1], Gradient: make([][]float64, s)}
	rows, cols := map[int]bool{}, map[int]bool{}
	for y := range s {
		p.Gradient[y] = make([]float64, s)
		for x := range s {
			v := float64(g[y*s+x])
			p.Gradient[y][x] = v
			if v != 0 {
				rows[y], cols[x] = true, true
			}
		}
	}
	p.Rows, p.Cols = len(rows), len(cols)
	return p, nil
}

// Picture overlays the patch's gradient map on held-out pair 0's target scene.
func (p *Patch) Picture(cfg Config) (*plotting.Picture, error) {
	ps, err := Pairs(cfg, HeldOutStart, 1)
	if err != nil {
		return nil, err
	}
	img, err := plotting.RGBImage(ps[0].Scene, cfg.ImageSize, cfg.ImageSize)
	if err != nil {
		return nil, err
	}
	return plotting.HeatOverlay(img, p.Gradient, plotting.PicScale(8))
}
