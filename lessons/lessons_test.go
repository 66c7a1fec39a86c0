package lessons

import (
	"math"
	"testing"
)

func TestResult(t *testing.T) {
	tests := []struct {
		r    Result
		want string
	}{
		{Result{Lesson: "01", Metric: "return", Value: 200, Threshold: 195},
			"RESULT lesson=01 metric=return value=200 threshold=195 ok=true"},
		{Result{Lesson: "01", Metric: "return", Value: 100.5, Threshold: 195},
			"RESULT lesson=01 metric=return value=100.5 threshold=195 ok=false"},
		{Result{Lesson: "20", Metric: "mse_ratio", Value: 0.3, Threshold: 0.5, LowerIsBetter: true},
			"RESULT lesson=20 metric=mse_ratio value=0.3 threshold=0.5 ok=true"},
		{Result{Lesson: "20", Metric: "mse_ratio", Value: math.NaN(), Threshold: 0.5, LowerIsBetter: true},
			"RESULT lesson=20 metric=mse_ratio value=NaN threshold=0.5 ok=false"},
	}
	for _, tt := range tests {
		if got := tt.r.String(); got != tt.want {
			t.Errorf("got %q, want %q", got, tt.want)
		}
	}
}

func TestQuick(t *testing.T) {
	for env, want := range map[string]bool{"1": true, "true": true, "0": false, "": false, "yes": false} {
		t.Setenv(QuickEnvVar, env)
		if Quick() != want {
			t.Errorf("%s=%q: Quick()=%v, want %v", QuickEnvVar, env, !want, want)
		}
	}
}

func TestConfigKey(t *testing.T) {
	type cfg struct{ Steps int }
	a, b := ConfigKey("quick", cfg{100}), ConfigKey("quick", cfg{200})
	if a == b || len(a) != len("quick-")+12 || a != ConfigKey("quick", cfg{100}) {
		t.Errorf("ConfigKey: %q and %q; want distinct, stable keys of 12 hex digits", a, b)
	}
}
