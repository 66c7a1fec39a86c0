package bert

import (
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/dl4go/dl4go/lessons"
)

// cached returns the result saved as name in p's checkpoint folder by an earlier run, or else runs
// compute and saves its result there. Without a checkpoint folder it just runs compute.
func cached[T any](p *Pretrained, name string, compute func() (T, error)) (T, error) {
	var v T
	if p.Checkpoint == "" {
		return compute()
	}
	path := filepath.Join(p.Checkpoint, name)
	b, err := os.ReadFile(path)
	if err == nil && json.Unmarshal(b, &v) == nil {
		return v, nil
	}
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return v, fmt.Errorf("bert: read %s: %w", path, err)
	}
	if v, err = compute(); err != nil {
		return v, err
	}
	if b, err = json.Marshal(v); err != nil {
		return v, fmt.Errorf("bert: save %s: %w", name, err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		return v, fmt.Errorf("bert: save %s: %w", path, err)
	}
	return v, nil
}

func hashOf(v any) string {
	js, _ := json.Marshal(v)
	return fmt.Sprintf("%x", sha256.Sum256(js))[:10]
}

// Outcome is everything the lesson measured.
type Outcome struct {
	Config   Config
	Eval     PretrainEval
	Task     *TaskOutcome
	Next     *NextTokenOutcome // the report's setting: frozen encoder.
	NextTune *NextTokenOutcome // the same with the encoder trained too.
	// PretrainTime is the pre-training wall time of this call (0 when restored from a checkpoint).
	PretrainTime time.Duration
	// Seconds is the wall time of this call, all experiments included.
	Seconds float64
}

// Run runs the whole lesson at cfg's size: pre-training (or restoring it), the held-out MLM/NSP
// evaluation, the downstream task with its three methods and the next-token experiment, frozen
// and not. Results are cached next to the checkpoint, so every notebook cell can call Run cheaply
// once it has run.
func Run(cfg Config) (*Outcome, error) {
	start := time.Now()
	p, err := RunPretrain(cfg)
	if err != nil {
		return nil, err
	}
	out := &Outcome{Config: p.Config, PretrainTime: p.TrainTime}
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
	return out, nil
}

// Checks lists the lesson's outcomes with the value each must reach (the full size asserts all
// three; the quick size only the MLM ratio).
func (o *Outcome) Checks() []lessons.Result {
	c := o.Config
	rs := []lessons.Result{{Lesson: "11", Metric: "mlm_top1_over_unigram", Value: o.Eval.Ratio(), Threshold: c.MLMRatio}}
	if c.NSPThreshold > 0 {
		rs = append(rs, lessons.Result{Lesson: "11", Metric: "nsp_accuracy", Value: o.Eval.NSPAcc(), Threshold: c.NSPThreshold})
	}
	if c.AssertTask {
		ft, sc := o.Task.Result(FineTuned).Final, o.Task.Result(Scratch).Final
		rs = append(rs, lessons.Result{Lesson: "11", Metric: "finetuned_minus_scratch_accuracy", Value: ft - sc, Threshold: 0.0001})
	}
	return rs
}

// Result is the lesson's RESULT line: the MLM ratio, with ok=false (and the value of the first
// failing check) when any other check fails.
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
	fmt.Fprintf(&b, "held-out MLM top-1 %.3f vs unigram baseline %.3f (always %q): %.2f× (%d masked tokens)\n",
		e.MLMAcc, e.Unigram, e.UnigramTok, e.Ratio(), e.Masked)
	fmt.Fprintf(&b, "held-out NSP by where the random B comes from (%d pairs each, about half real):\n", e.Pairs)
	b.WriteString("  " + strings.ReplaceAll(strings.TrimSuffix(e.NSP.String(), "\n"), "\n", "\n  ") + "\n")
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
