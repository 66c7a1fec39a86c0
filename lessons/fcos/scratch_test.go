package fcos

import (
	"os"
	"strconv"
	"testing"
)

func TestScratch(t *testing.T) {
	steps, _ := strconv.Atoi(os.Getenv("STEPS"))
	if steps == 0 {
		t.Skip()
	}
	cfg := Full()
	cfg.Quiet, cfg.CacheDir = true, "-"
	cfg.Train.Steps, cfg.SSD.Steps, cfg.Ablation, cfg.RequireGains = steps, 0, false, false
	if v := os.Getenv("LR"); v != "" {
		cfg.Train.LearningRate, _ = strconv.ParseFloat(v, 64)
	}
	if v := os.Getenv("BATCH"); v != "" {
		cfg.Train.Batch, _ = strconv.Atoi(v)
	}
	out, err := Run(cfg)
	if err != nil {
		t.Fatal(err)
	}
	logOutcome(t, out)
	l := out.FCOS.Loss
	t.Log(l[0], l[len(l)/4], l[len(l)/2], l[len(l)-1], out.FCOS.AP50, out.FCOS.MAP50ClassOnly)
}
