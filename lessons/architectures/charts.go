package architectures

import (
	"fmt"
	"strings"

	"github.com/dl4go/dl4go/plotting"
)

// CostTable is the formula check as text: one line per convolution of the standard CNN and
// MobileNet-mini, its shapes, the counted mult-adds and the formula's.
func CostTable(checks []CostCheck) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%-16s %-42s %-9s %3s %3s %2s %3s %3s %10s %10s\n", "model", "layer", "kind", "H", "W", "K", "C", "M", "counted", "formula")
	for _, c := range checks {
		mark := "="
		if c.Counted != c.Formula {
			mark = "≠"
		}
		fmt.Fprintf(&b, "%-16s %-42s %-9s %3d %3d %2d %3d %3d %10d %s %8d\n", c.Model, c.Layer, c.Kind, c.H, c.W, c.K, c.C, c.M, c.Counted, mark, c.Formula)
	}
	return b.String()
}

// ModelTable is the MNIST models side by side: held-out accuracy, parameters, counted
// mult-adds per image, training step and inference times.
func (o *Outcome) ModelTable() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%-20s %9s %8s %11s %8s %14s %15s\n", "model", "held-out", "params", "mult-adds", "std ÷", "train ms/step", "infer ms/batch")
	std := o.Models[Standard].MultAdds
	for _, a := range Archs {
		m := o.Models[a]
		fmt.Fprintf(&b, "%-20s %9.4f %8d %11d %7.2f× %14.1f %15.1f\n", a, m.Accuracy, m.Params, m.MultAdds,
			float64(std)/float64(m.MultAdds), m.StepMillis, m.InferMillis)
	}
	return b.String()
}

// CostChart compares the models' counted mult-adds per image and parameters (log scale).
func (o *Outcome) CostChart() (*plotting.Chart, error) {
	names := make([]string, len(Archs))
	madds, params := make([]float64, len(Archs)), make([]float64, len(Archs))
	for i, a := range Archs {
		names[i], madds[i], params[i] = string(a), float64(o.Models[a].MultAdds), float64(o.Models[a].Params)
	}
	return plotting.Bar("cost of one MNIST image", names, []plotting.Series{{Name: "mult-adds", Y: madds}, {Name: "parameters", Y: params}},
		plotting.WithLogY())
}

// AccuracyChart compares the models' held-out accuracy.
func (o *Outcome) AccuracyChart() (*plotting.Chart, error) {
	names := make([]string, len(Archs))
	acc := make([]float64, len(Archs))
	lo := 1.0
	for i, a := range Archs {
		names[i], acc[i] = string(a), o.Models[a].Accuracy
		lo = min(lo, acc[i])
	}
	return plotting.Bar(fmt.Sprintf("held-out accuracy (%d MNIST test images)", o.Config.Classifier.TestSize), names,
		[]plotting.Series{{Name: "accuracy", Y: acc}}, plotting.WithRange(max(0, lo-0.02), 1))
}

// TimeChart compares the models' measured training step and inference times (ms).
func (o *Outcome) TimeChart() (*plotting.Chart, error) {
	names := make([]string, len(Archs))
	step, infer := make([]float64, len(Archs)), make([]float64, len(Archs))
	for i, a := range Archs {
		names[i], step[i], infer[i] = string(a), o.Models[a].StepMillis, o.Models[a].InferMillis
	}
	return plotting.Bar(fmt.Sprintf("measured time, batch %d (ms)", o.Config.Classifier.Batch), names,
		[]plotting.Series{{Name: "training step", Y: step}, {Name: "inference", Y: infer}})
}

// LossChart is the training loss of the MNIST models this call trained.
func (o *Outcome) LossChart() (*plotting.Chart, error) {
	var series []plotting.Series
	for _, a := range Archs {
		if l := o.Models[a].Loss; len(l) > 0 {
			series = append(series, plotting.Series{Name: string(a), Y: l})
		}
	}
	if len(series) == 0 {
		return nil, fmt.Errorf("architectures: no training loss recorded (the models were restored, not trained, by this run)")
	}
	return plotting.Line("training loss", nil, series, plotting.WithAxisNames("step", "loss"), plotting.WithSmoothing(10))
}

// DenseNetChart is DenseNet-mini's channel count after each step: +k per dense layer, halved
// by the transition layer.
func (o *Outcome) DenseNetChart() (*plotting.Chart, error) {
	names, ch := DenseNetChannels(o.Config.Classifier)
	y := make([]float64, len(ch))
	for i, c := range ch {
		y[i] = float64(c)
	}
	return plotting.Bar(fmt.Sprintf("DenseNet-mini channels (growth rate k = %d)", o.Config.Classifier.Growth), names,
		[]plotting.Series{{Name: "channels", Y: y}})
}

// ReceptiveFieldChart is |∂y_t/∂x_s| over the input steps s for one output step t, of the bare
// dilated stack and of the trained WaveNet, each scaled to its largest value.
func (o *Outcome) ReceptiveFieldChart() (*plotting.Chart, error) {
	w := o.WaveNet
	scale := func(v []float64) []float64 {
		m := 0.0
		for _, x := range v {
			m = max(m, x)
		}
		out := make([]float64, len(v))
		for i, x := range v {
			if m > 0 {
				out[i] = x / m
			}
		}
		return out
	}
	return plotting.Line(fmt.Sprintf("which inputs output step %d depends on: |∂y/∂x| (2^L = %d)", w.StackAt, 1<<o.Config.WaveNet.Layers), nil,
		[]plotting.Series{{Name: fmt.Sprintf("dilated stack (%d non-zero)", len(w.StackSeen)), Y: scale(w.StackGrad)},
			{Name: fmt.Sprintf("trained WaveNet (%d non-zero)", len(w.ModelSeen)), Y: scale(w.ModelGrad)}},
		plotting.WithAxisNames("input step s", "|∂y/∂x| (scaled)"))
}

// WaveformChart shows n held-out samples from start: the real melody, the model's next-sample
// prediction, and repeating the last sample.
func (o *Outcome) WaveformChart(start, n int) (*plotting.Chart, error) {
	w := o.WaveNet
	if start < 1 || start+n > len(w.Real) {
		return nil, fmt.Errorf("architectures: samples %d…%d are outside the held-out melody (1…%d)", start, start+n, len(w.Real)-1)
	}
	x := make([]float64, n)
	real, pred, rep := make([]float64, n), make([]float64, n), make([]float64, n)
	for i := range n {
		x[i] = float64(start + i)
		real[i], pred[i], rep[i] = float64(w.Real[start+i]), float64(w.Predicted[start+i]), float64(w.Real[start+i-1])
	}
	return plotting.Line("held-out melody: next-sample prediction", x,
		[]plotting.Series{{Name: "real", Y: real}, {Name: "WaveNet", Y: pred}, {Name: "repeat last sample", Y: rep}},
		plotting.WithAxisNames("sample", "amplitude"))
}

// RealSound is the held-out melody (μ-law quantised), GeneratedSound what the trained WaveNet
// generated after the priming.
func (o *Outcome) RealSound() (*plotting.Sound, error) {
	return plotting.Audio(o.WaveNet.Real, o.Config.WaveNet.SampleRate)
}

// GeneratedSound is the sound the trained WaveNet generated, sample by sample, after being primed
// with the held-out melody's first 2^L samples.
func (o *Outcome) GeneratedSound() (*plotting.Sound, error) {
	return plotting.Audio(o.WaveNet.Generated, o.Config.WaveNet.SampleRate)
}

// NormCurvesChart is the held-out accuracy of the normalisation experiment's CNNs against the
// training examples seen, for every normalisation and batch size.
func (o *Outcome) NormCurvesChart() (*plotting.Chart, error) {
	var series []plotting.Series
	for _, r := range o.NormRuns {
		x := make([]float64, len(r.Curve.Steps))
		for i, s := range r.Curve.Steps {
			x[i] = float64(s * r.Batch)
		}
		series = append(series, plotting.Series{Name: fmt.Sprintf("%s, batch %d", r.Norm, r.Batch), X: x, Y: r.Curve.Accuracy})
	}
	return plotting.Line("held-out accuracy: batch 2 vs batch 64", nil, series, plotting.WithAxisNames("training examples seen", "held-out accuracy"))
}

// BNModesChart is the held-out accuracy of each batch-norm model when the test images are
// normalised with the moving averages (inference mode) or with their own test batch's
// statistics (training mode), for test batches of 2 and 64.
func (o *Outcome) BNModesChart() (*plotting.Chart, error) {
	var names []string
	var inf, s2, s64 []float64
	for _, b := range o.Config.Norm.Batches {
		r := o.NormRun(BatchNorm, b)
		names = append(names, fmt.Sprintf("trained at batch %d", b))
		inf, s2, s64 = append(inf, r.Final), append(s2, r.BatchStats2), append(s64, r.BatchStats64)
	}
	return plotting.Bar("batch norm: moving averages vs batch statistics (held-out accuracy)", names, []plotting.Series{
		{Name: "moving averages (inference)", Y: inf}, {Name: "own test batch of 2", Y: s2}, {Name: "own test batch of 64", Y: s64}})
}

// MovingMeanChart is, per channel of the first layer of the batch-norm model trained at batch
// b, the moving mean inference uses beside the means of one test batch of 2 and of 64.
func (o *Outcome) MovingMeanChart(b int) (*plotting.Chart, error) {
	r := o.NormRun(BatchNorm, b)
	if r == nil || len(r.MovingMean) == 0 {
		return nil, fmt.Errorf("architectures: no batch-norm run at batch %d", b)
	}
	names := make([]string, len(r.MovingMean))
	for i := range names {
		names[i] = fmt.Sprintf("ch %d", i)
	}
	return plotting.Bar(fmt.Sprintf("first layer, BN trained at batch %d: per-channel mean", b), names, []plotting.Series{
		{Name: "moving average", Y: r.MovingMean}, {Name: "one test batch of 2", Y: r.BatchMean2}, {Name: "one test batch of 64", Y: r.BatchMean64}})
}
