package bert

import (
	"os"
	"testing"
)

// TestFullOutcome runs the whole lesson at its full size (the notebook's default) and asserts every
// full-size outcome. It takes about 6 minutes on 2 idle cores: set DL4GO_FULL=1 to run it. Like
// every test it trains in a fresh cache directory, unless $DL4GO_CACHE_DIR names one: then it
// resumes there, and a notebook run with the same $DL4GO_CACHE_DIR restores its result.
func TestFullOutcome(t *testing.T) {
	if os.Getenv("DL4GO_FULL") != "1" {
		t.Skip("set DL4GO_FULL=1 to run the full-size experiment")
	}
	out, err := Run(Full())
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("pre-training %s, whole lesson %.1fs\n%s", out.PretrainTime, out.Seconds, out.Summary())
	for _, r := range out.Checks() {
		if !r.OK() {
			t.Errorf("full outcome not reached: %s", r)
		}
	}
}
