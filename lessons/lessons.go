// Package lessons holds what every dl4go lesson shares: the quick/full size
// switch (DL4GO_QUICK=1) and the RESULT line that proves a lesson worked.
//
// Each lesson is its own package below this one (lessons/rl, lessons/maml, ...);
// a notebook imports its lesson, runs it at Size(), and ends by printing the
// lesson's Result.
package lessons

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"strconv"
)

// QuickEnvVar is the environment variable that selects the quick size when set to "1".
const QuickEnvVar = "DL4GO_QUICK"

// Quick reports whether lessons should run at their quick size (CI, tests):
// the same code path as the full size, with fewer steps.
func Quick() bool {
	q, err := strconv.ParseBool(os.Getenv(QuickEnvVar))
	return err == nil && q
}

// SizeName returns "quick" or "full", as selected by Quick.
func SizeName() string {
	if Quick() {
		return "quick"
	}
	return "full"
}

// Result is a lesson's asserted outcome: a measured metric compared with a threshold.
type Result struct {
	Lesson    string  // two-digit lesson id, e.g. "01".
	Metric    string  // metric name without spaces, e.g. "cartpole_mean_return".
	Value     float64 // measured value.
	Threshold float64 // value the metric must reach.
	// LowerIsBetter makes OK require Value <= Threshold (e.g. a loss or an MSE ratio);
	// otherwise OK requires Value >= Threshold.
	LowerIsBetter bool
}

// OK reports whether the metric reached its threshold. NaN is never OK.
func (r Result) OK() bool {
	if math.IsNaN(r.Value) {
		return false
	}
	if r.LowerIsBetter {
		return r.Value <= r.Threshold
	}
	return r.Value >= r.Threshold
}

// String returns the single RESULT line that `dl4go run` checks:
//
//	RESULT lesson=01 metric=cartpole_mean_return value=200 threshold=195 ok=true
func (r Result) String() string {
	return fmt.Sprintf("RESULT lesson=%s metric=%s value=%s threshold=%s ok=%t",
		r.Lesson, r.Metric, strconv.FormatFloat(r.Value, 'g', 6, 64),
		strconv.FormatFloat(r.Threshold, 'g', 6, 64), r.OK())
}

// ConfigKey names a lesson's configuration in checkpoint and cache paths: name,
// then the first 12 hex digits of the SHA-256 of settings as JSON, so that runs
// with different settings never resume (or reload) each other.
func ConfigKey(name string, settings any) string {
	js, err := json.Marshal(settings)
	if err != nil {
		panic(fmt.Sprintf("lessons.ConfigKey(%q): settings must marshal to JSON: %v", name, err))
	}
	return fmt.Sprintf("%s-%x", name, sha256.Sum256(js))[:len(name)+13]
}
