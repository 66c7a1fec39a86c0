package bert

import (
	"testing"

	"github.com/dl4go/dl4go/lessons"
)

// TestFullOutcome runs the whole lesson at its full size (the notebook's default) and asserts every
// full-size outcome: DL4GO_FULL=1 go test -run TestFullOutcome ./lessons/bert (about 5½ minutes on 2
// idle cores). Like every test it trains in a fresh cache folder, unless $DL4GO_CACHE_DIR names
// one: then a notebook run with the same $DL4GO_CACHE_DIR (and code) is restored.
func TestFullOutcome(t *testing.T) {
	lessons.SkipUnlessFull(t)
	out, err := Run(Full())
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("pre-training %s, whole lesson %.1fs (restored: %v)\n%s", out.PretrainTime, out.Seconds, out.Restored, out.Summary())
	for _, r := range out.Checks() {
		if !r.OK() {
			t.Errorf("full outcome not reached: %s", r)
		}
	}
}
