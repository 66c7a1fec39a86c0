package bert

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/dl4go/dl4go/lessons"
)

// Outcome is everything the lesson measured.
type Outcome struct {
	Config  Config
	History *History // pre-training, step by step.
	Eval    PretrainEval
	Task    *TaskOutcome
	Next    *NextTokenOutcome // the report's setting: frozen encoder.
	// NextTune is the next-token experiment with the encoder trained too.
	NextTune *NextTokenOutcome
	// PretrainTime is the pre-training wall time of the call that measured the outcome (0 when
	// pre-training was restored from its checkpoint).
	PretrainTime time.Duration
	// Seconds is the wall time of the call that measured the outcome, all experiments included.
	Seconds float64
	// Restored is true when Run returned the outcome its run had saved (see Run).
	Restored bool
	// Dir is the run's folder ("" when nothing is saved).
	Dir string
}

// Run runs the whole lesson at cfg's size: pre-training (or resuming it, or restoring it), the
// held-out MLM/NSP evaluation, the downstream task with its three methods and the next-token
// experiment, frozen and not. The downstream experiments train for a minute or two, so the
// outcome is saved with the run's key (lessons.Run.SaveOutcome): a later Run of the same
// configuration and code returns it at once, so that every notebook cell can call Run.
func Run(cfg Config) (*Outcome, error) {
	start := time.Now()
	run, err := Lesson.Open(cfg)
	if err != nil {
		return nil, err
	}
	var saved Outcome
	if ok, err := run.LoadOutcome(&saved); err != nil {
		return nil, err
	} else if ok {
		saved.Config, saved.Restored, saved.Dir = cfg, true, run.Dir
		return &saved, nil
	}
	p, err := RunPretrain(cfg)
	if err != nil {
		return nil, err
	}
	out := &Outcome{Config: cfg, History: p.History, PretrainTime: p.TrainTime, Dir: run.Dir}
	if out.Eval, err = p.Evaluate(); err != nil {
		return nil, err
	}
	if out.Task, err = p.RunTask(cfg.Task); err != nil {
		return nil, err
	}
	if out.Next, err = p.RunNextToken(cfg.Next); err != nil {
		return nil, err
	}
	tune := cfg.Next
	tune.Frozen = false
	if out.NextTune, err = p.RunNextToken(tune); err != nil {
		return nil, err
	}
	out.Seconds = time.Since(start).Seconds()
	if err := run.SaveOutcome(out); err != nil {
		return nil, err
	}
	return out, nil
}

// Checks lists the lesson's outcomes with the value each must reach: held-out MLM top-1 at [MASK]
// positions over the unigram baseline's (always); held-out NSP with A and B both from held-out
// text (when Config.NSPThreshold > 0: the full size); fine-tuning beating training from scratch on
// the downstream task (when Config.AssertTask: the full size).
func (o *Outcome) Checks() []lessons.Result {
	c := o.Config
	rs := []lessons.Result{{Lesson: Lesson.ID, Metric: "heldout_mask_top1_over_unigram", Value: o.Eval.Ratio(), Threshold: c.MLMRatio}}
	if c.NSPThreshold > 0 {
		rs = append(rs, lessons.Result{Lesson: Lesson.ID, Metric: "nsp_heldout_accuracy", Value: o.Eval.NSPHeldOut(), Threshold: c.NSPThreshold})
	}
	if c.AssertTask {
		ft, sc := o.Task.Result(FineTuned).Final, o.Task.Result(Scratch).Final
		rs = append(rs, lessons.Result{Lesson: Lesson.ID, Metric: "finetuned_minus_scratch_accuracy", Value: ft - sc, Threshold: 0.0001})
	}
	return rs
}

// Result is the lesson's RESULT line. It reports the held-out [MASK]-only MLM ratio
// (heldout_mask_top1_over_unigram) when every check passes; when one fails, it reports the first
// failing check instead (e.g. nsp_heldout_accuracy), so that ok=true means every asserted outcome
// was reached and ok=false names the one that was not. The thresholds are those of o.Config, the
// configuration that ran.
func (o *Outcome) Result() lessons.Result {
	rs := o.Checks()
	for _, r := range rs {
		if !r.OK() || math.IsNaN(r.Value) {
			return r
		}
	}
	return rs[0]
}

// Summary returns a readable table of what was measured.
func (o *Outcome) Summary() string {
	var b strings.Builder
	e := o.Eval
	b.WriteString(e.String())
	fmt.Fprintf(&b, "held-out NSP by where the random B comes from (%d pairs each, about half real):\n", e.Pairs)
	b.WriteString("  " + strings.ReplaceAll(strings.TrimSuffix(e.NSP.String(), "\n"), "\n", "\n  ") + "\n")
	if h := o.History; h != nil && len(h.HeldOutStep) > 0 {
		b.WriteString("held-out curve (step: NSP with A and B held out, [MASK]-only MLM top-1):")
		for i, st := range h.HeldOutStep {
			fmt.Fprintf(&b, " %d: %.3f, %.3f;", int(st), h.HeldOutNSP[i], h.HeldOutMLM[i])
		}
		b.WriteString("\n")
	}
	if o.Task != nil {
		fmt.Fprintf(&b, "intruder-word task (%d train / %d test examples), test accuracy after %d steps:\n", o.Task.Train, o.Task.Test, o.Task.Config.Steps)
		for _, r := range o.Task.Methods {
			fmt.Fprintf(&b, "  %-20s %.3f\n", r.Method, r.Final)
		}
	}
	for _, n := range []*NextTokenOutcome{o.Next, o.NextTune} {
		if n == nil {
			continue
		}
		kind := "frozen"
		if !n.Config.Frozen {
			kind = "trained"
		}
		fmt.Fprintf(&b, "next-token head, encoder %s: accuracy inside windows %.3f, at the end %.3f (unigram %.3f)\n  generated: %s\n",
			kind, n.InnerAcc, n.LastAcc, n.Unigram, n.Generated)
	}
	for _, r := range o.Checks() { // not RESULT lines: the notebook prints exactly one, Result.
		need := ">="
		if r.LowerIsBetter {
			need = "<="
		}
		fmt.Fprintf(&b, "check %s = %.4g (need %s %.4g): ok=%t\n", r.Metric, r.Value, need, r.Threshold, r.OK())
	}
	return b.String()
}
