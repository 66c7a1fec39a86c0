package efficiency

import (
	"fmt"
	"strings"
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
