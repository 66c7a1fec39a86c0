package efficiency

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/dl4go/dl4go/plotting"
)

// Summary is a short table of the lesson's numbers.
func (o *Outcome) Summary() string {
	var b strings.Builder
	fmt.Fprintf(&b, "teacher CNN: %d parameters, held-out accuracy %.4f\n", o.TeacherParams, o.TeacherAcc)
	fmt.Fprintf(&b, "quantization (weights only; size, accuracy, max |w − w_fp32|):\n")
	for _, q := range o.Quant {
		fmt.Fprintf(&b, "  %-4s %8d bytes  acc %.4f  max error %.2g\n", q.Format, q.Bytes, q.Accuracy, q.MaxError)
	}
	fmt.Fprintf(&b, "student MLP: %d parameters; alone %.4f", o.StudentParams, o.AloneAcc)
	for _, s := range o.Distilled {
		fmt.Fprintf(&b, "; T=%g %.4f (validation %.4f)", s.Temperature, s.Accuracy, s.ValAccuracy)
	}
	fmt.Fprintf(&b, "; T chosen on validation: %g", o.ChosenT)
	fmt.Fprintf(&b, "\npruning (zero share, accuracy before → after retraining; dense teacher %.4f, trained on as long %.4f):\n", o.TeacherAcc, o.DenseAcc)
	for _, p := range o.Pruned {
		fmt.Fprintf(&b, "  %3.0f%%  zeros %.4f  %.4f → %.4f\n", 100*p.Sparsity, p.ZeroShare, p.BeforeRetrain, p.Accuracy)
	}
	fmt.Fprintf(&b, "data parallel (accuracy, wall, CPU, max staleness):\n")
	for _, r := range o.DP {
		st := int64(0)
		for _, s := range r.Staleness {
			st = max(st, s)
		}
		fmt.Fprintf(&b, "  %-18s acc %.4f  wall %6.2fs  CPU %6.2fs  staleness ≤ %d\n", r.Label(), r.Accuracy, r.Wall.Seconds(), r.CPU.Seconds(), st)
	}
	if p := o.Pipeline; p != nil {
		fmt.Fprintf(&b, "pipeline: %d micro-batches of %d: pipelined %s, sequential %s, max logit difference %.1e\n",
			p.MicroBatches, p.MicroBatch, p.PipelinedWall.Round(1e6), p.SequentialWall.Round(1e6), p.MaxDiff)
	}
	for _, c := range o.RNN {
		fmt.Fprintf(&b, "%-4s cell: %d parameters (formula %d), training step %s\n", c.Name, c.Params, c.FormulaParams, c.Step.Round(1e5))
	}
	for k, v := range o.StepTimes {
		fmt.Fprintf(&b, "step time %s: %s\n", k, v.Round(1e5))
	}
	return b.String()
}

// DPLossChart draws the training loss of every data-parallel run against the examples seen
// (in batches of DPBatch: one synchronous step), or against wall seconds when byTime.
func (o *Outcome) DPLossChart(byTime bool) (*plotting.Chart, error) {
	var series []plotting.Series
	for _, r := range o.DP {
		x := make([]float64, len(r.Loss))
		for i := range x {
			if byTime {
				x[i] = r.Seconds[i]
			} else {
				x[i] = r.Examples[i] / float64(o.Config.DPBatch)
			}
		}
		series = append(series, plotting.Series{Name: r.Label(), X: x, Y: r.Loss})
	}
	xName, title := "examples seen ÷ batch", "data parallel: loss vs examples seen"
	if byTime {
		xName, title = "wall seconds", "data parallel: loss vs wall time"
	}
	return plotting.Line(title, nil, series, plotting.WithAxisNames(xName, "loss (worker's shard)"), plotting.WithSmoothing(15))
}

// StalenessChart draws, for each asynchronous run, the share of its updates by staleness (how
// many other updates were applied between the worker's pull and its push).
func (o *Outcome) StalenessChart() (*plotting.Chart, error) {
	maxS := int64(0)
	for _, r := range o.DP {
		if r.Mode == Async {
			for _, s := range r.Staleness {
				maxS = max(maxS, s)
			}
		}
	}
	cats := make([]string, maxS+1)
	for i := range cats {
		cats[i] = fmt.Sprint(i)
	}
	var series []plotting.Series
	for _, r := range o.DP {
		if r.Mode != Async || r.Workers == 1 {
			continue
		}
		y := make([]float64, maxS+1)
		for _, s := range r.Staleness {
			y[s] += 1 / float64(len(r.Staleness))
		}
		series = append(series, plotting.Series{Name: r.Label(), Y: y})
	}
	if len(series) == 0 {
		return nil, fmt.Errorf("efficiency: no asynchronous run to chart")
	}
	return plotting.Bar("asynchronous updates by staleness", cats, series, plotting.WithAxisNames("staleness (updates missed)", "share of updates"))
}

// DPTimeChart draws each data-parallel run's wall and CPU seconds and its held-out accuracy (%).
func (o *Outcome) DPTimeChart() (*plotting.Chart, error) {
	var cats []string
	var wall, cpu []float64
	for _, r := range o.DP {
		cats = append(cats, r.Label())
		wall, cpu = append(wall, r.Wall.Seconds()), append(cpu, r.CPU.Seconds())
	}
	return plotting.Bar("data parallel: training time (same examples, same gradient computations)", cats,
		[]plotting.Series{{Name: "wall s", Y: wall}, {Name: "CPU s (all cores)", Y: cpu}}, plotting.WithAxisNames("run", "seconds"))
}

// PipelineChart is the model-parallel timeline: which stage (worker) computes which micro-batch
// when (cells numbered by micro-batch), for the pipelined run, or the sequential one.
func (o *Outcome) PipelineChart(sequential bool) (*plotting.Chart, error) {
	p := o.Pipeline
	if p == nil {
		return nil, fmt.Errorf("efficiency: no pipeline run")
	}
	spans, title := p.Pipelined, fmt.Sprintf("pipeline: 2 workers, %d micro-batches (%s)", p.MicroBatches, p.PipelinedWall.Round(time.Millisecond))
	if sequential {
		spans, title = p.Sequential, fmt.Sprintf("no pipeline: 1 worker, stage 1 then stage 2 (%s)", p.SequentialWall.Round(time.Millisecond))
	}
	end := math.Max(p.PipelinedWall.Seconds(), p.SequentialWall.Seconds())
	const bins = 60
	z := [][]float64{make([]float64, bins), make([]float64, bins)}
	text := [][]string{make([]string, bins), make([]string, bins)}
	cover := [][]float64{make([]float64, bins), make([]float64, bins)}
	for r := range z {
		for c := range z[r] {
			z[r][c] = math.NaN()
		}
	}
	for _, s := range spans {
		for c := range bins {
			lo, hi := end*float64(c)/bins, end*float64(c+1)/bins
			if ov := math.Min(hi, s.End) - math.Max(lo, s.Start); ov > cover[s.Stage-1][c] {
				cover[s.Stage-1][c], z[s.Stage-1][c] = ov, float64(s.MicroBatch)
				text[s.Stage-1][c] = fmt.Sprint(s.MicroBatch)
			}
		}
	}
	x := make([]string, bins)
	for c := range x {
		x[c] = fmt.Sprintf("%.0f", 1000*end*float64(c)/bins)
	}
	return plotting.Heatmap(title, z, x, []string{"stage 1: convolutions", "stage 2: dense layers"},
		plotting.WithAxisNames("milliseconds", "worker"), plotting.WithCellLabels(text), plotting.WithSize("900px", "220px"))
}

// QuantChart draws each format's size (KiB) and held-out accuracy (%).
func (o *Outcome) QuantChart() (*plotting.Chart, error) {
	var cats []string
	var kib, acc []float64
	for _, q := range o.Quant {
		cats = append(cats, string(q.Format))
		kib, acc = append(kib, float64(q.Bytes)/1024), append(acc, 100*q.Accuracy)
	}
	return plotting.Bar("teacher weights: size and held-out accuracy by format", cats,
		[]plotting.Series{{Name: "size KiB", Y: kib}, {Name: "accuracy %", Y: acc}}, plotting.WithAxisNames("format", ""))
}

// QuantErrorChart is the histogram of w_format − w_fp32 over the teacher's kernel weights.
func (o *Outcome) QuantErrorChart(f Format) (*plotting.Chart, error) {
	q := o.QuantFor(f)
	if q.Format == "" {
		return nil, fmt.Errorf("efficiency: no measurement of format %q", f)
	}
	v := make([]float64, len(q.Errors))
	for i, e := range q.Errors {
		v[i] = float64(e)
	}
	return plotting.Histogram(fmt.Sprintf("%s: weight error w_%s − w_fp32 (max %.2g)", f, f, q.MaxError), v, 41,
		plotting.WithAxisNames("error", "weights"))
}

// DistillChart draws the distilled student's held-out (and validation) accuracy against the
// temperature, beside the student alone and the teacher.
func (o *Outcome) DistillChart() (*plotting.Chart, error) {
	var t, test, val, alone, teacher []float64
	for _, s := range o.Distilled {
		t = append(t, s.Temperature)
		test, val = append(test, 100*s.Accuracy), append(val, 100*s.ValAccuracy)
		alone, teacher = append(alone, 100*o.AloneAcc), append(teacher, 100*o.TeacherAcc)
	}
	return plotting.Line(fmt.Sprintf("distilled student vs temperature (α = %g; T chosen on validation: %g)", o.Config.Alpha, o.ChosenT), t,
		[]plotting.Series{{Name: "distilled, held-out", Y: test}, {Name: "distilled, validation", Y: val},
			{Name: "student alone, held-out", Y: alone}, {Name: "teacher, held-out", Y: teacher}},
		plotting.WithAxisNames("temperature T", "accuracy %"))
}

// PruneChart draws held-out accuracy against sparsity, just after pruning and after retraining,
// beside the dense baseline trained as long.
func (o *Outcome) PruneChart() (*plotting.Chart, error) {
	s := []float64{0}
	after, before, dense := []float64{100 * o.TeacherAcc}, []float64{100 * o.TeacherAcc}, []float64{100 * o.DenseAcc}
	for _, p := range o.Pruned {
		s = append(s, 100*p.Sparsity)
		after, before, dense = append(after, 100*p.Accuracy), append(before, 100*p.BeforeRetrain), append(dense, 100*o.DenseAcc)
	}
	return plotting.Line("magnitude pruning: held-out accuracy vs sparsity", s,
		[]plotting.Series{{Name: "after retraining", Y: after}, {Name: "just pruned", Y: before}, {Name: "dense, trained as long", Y: dense}},
		plotting.WithAxisNames("sparsity %", "accuracy %"))
}

// RNNChart draws the GRU's and the LSTM's parameters (thousands) and training-step time (ms).
func (o *Outcome) RNNChart() (*plotting.Chart, error) {
	var cats []string
	var params, ms []float64
	for _, c := range o.RNN {
		cats = append(cats, c.Name)
		params, ms = append(params, float64(c.Params)/1000), append(ms, float64(c.Step.Microseconds())/1000)
	}
	return plotting.Bar(fmt.Sprintf("GRU vs LSTM, %d units", o.Config.RNNUnits), cats,
		[]plotting.Series{{Name: "parameters (thousands)", Y: params}, {Name: "training step ms", Y: ms}}, plotting.WithAxisNames("cell", ""))
}

// StepTimeChart draws the measured training-step times of the lesson's models (ms).
func (o *Outcome) StepTimeChart() (*plotting.Chart, error) {
	names := make([]string, 0, len(o.StepTimes))
	for k := range o.StepTimes {
		names = append(names, k)
	}
	slices.Sort(names)
	ms := make([]float64, len(names))
	for i, k := range names {
		ms[i] = float64(o.StepTimes[k].Microseconds()) / 1000
	}
	return plotting.Bar(fmt.Sprintf("training step time on %s", o.Backend), names, []plotting.Series{{Name: "ms per step", Y: ms}},
		plotting.WithAxisNames("model", "ms"))
}
