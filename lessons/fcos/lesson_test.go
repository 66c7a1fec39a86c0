package fcos

import (
	"testing"

	"github.com/dl4go/dl4go/lessons"
)

func logOutcome(t *testing.T, out *Outcome) {
	t.Log(out.Ambiguity)
	t.Log("\n" + out.Table())
	t.Log(out.Result())
}

// TestQuickOutcome runs Quick and asserts its bar: FCOS's held-out mAP@0.5 ≥ 0.5.
func TestQuickOutcome(t *testing.T) {
	cfg := Quick()
	cfg.Quiet = true
	out, err := Run(cfg)
	if err != nil {
		t.Fatal(err)
	}
	logOutcome(t, out)
	if r := out.Result(); !r.OK() {
		t.Errorf("quick outcome missed: %s", r)
	}
}

// TestFullOutcome runs Full (DL4GO_FULL=1) and asserts every full outcome: mAP@0.5 ≥ 0.8, FPN
// lowers the share of ambiguous samples, center-ness raises mAP@0.5.
func TestFullOutcome(t *testing.T) {
	lessons.SkipUnlessFull(t)
	cfg := Full()
	cfg.Quiet = true
	out, err := Run(cfg)
	if err != nil {
		t.Fatal(err)
	}
	logOutcome(t, out)
	if !(out.Ambiguity.FPNFraction() < out.Ambiguity.Fraction()) {
		t.Errorf("FPN did not lower the ambiguous share: %s", out.Ambiguity)
	}
	if !(out.FCOS.MAP50 > out.NoCenter.MAP50) {
		t.Errorf("center-ness did not raise mAP@0.5: %.3f with, %.3f without", out.FCOS.MAP50, out.NoCenter.MAP50)
	}
	if r := out.Result(); !r.OK() {
		t.Errorf("full outcome missed: %s", r)
	}
}
