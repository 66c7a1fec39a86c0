package detection

import (
	"math"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/ml/context"

	"github.com/dl4go/dl4go/data/shapes"
	"github.com/dl4go/dl4go/gomlxext"
	"github.com/dl4go/dl4go/lessons"
	"github.com/dl4go/dl4go/plotting"
)

// TestQuickOutcome runs the lesson at its quick size and asserts the quick outcome: SSD-lite
// mAP@0.5 ≥ 0.5 and FCN mIoU ≥ 0.5 on held-out images; every chart renders; a second run
// restores both experiments from their checkpoints and evaluates them again, to the same numbers.
func TestQuickOutcome(t *testing.T) {
	if testing.Short() {
		t.Skip("trains two models")
	}
	cfg := Quick()
	cfg.Quiet = true
	cpu0, wall0 := cpuTime(), time.Now()
	out, err := Run(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ssd, seg := out.SSD, out.Seg
	t.Logf("SSD: %d steps in %.1fs (median step %v): mAP@0.5 %.3f (VOC07 %.3f) AP %.3f COCO %.3f; %.1f FPS (batch 1), %.2f ms/image (batch %d)",
		cfg.SSD.Steps, ssd.TrainSeconds, ssd.MedianStep, ssd.MAP50, ssd.MAP50VOC7, ssd.AP50, ssd.COCO, ssd.Timing.FPS, ssd.Timing.BatchMs, ssd.Timing.BatchSize)
	t.Logf("FCN: %d steps ×2 in %.1fs: mIoU %.3f %.3f, without skips %.3f", cfg.Seg.Steps, seg.TrainSeconds, seg.MIoU, seg.PerClass, seg.NoSkipMIoU)
	t.Logf("quick size: wall %.1fs, CPU %.1fs", time.Since(wall0).Seconds(), (cpuTime() - cpu0).Seconds())
	r := out.Result()
	t.Log(r)
	if ssd.MAP50 < cfg.SSD.MAPThreshold || seg.MIoU < cfg.Seg.MIoUThreshold || !r.OK() {
		t.Errorf("quick outcome not reached: %v", r)
	}
	if len(ssd.Loss) != cfg.SSD.Steps || len(seg.Loss) != cfg.Seg.Steps || len(seg.NoSkipLoss) != cfg.Seg.Steps {
		t.Errorf("loss curves of %d, %d and %d steps; want %d, %d and %d", len(ssd.Loss), len(seg.Loss), len(seg.NoSkipLoss),
			cfg.SSD.Steps, cfg.Seg.Steps, cfg.Seg.Steps)
	}
	for name, f := range map[string]func() (plotting.Fragment, error){
		"zoo":        func() (plotting.Fragment, error) { return TaskZoo(ssd.Test[0]) },
		"defaults":   func() (plotting.Fragment, error) { return ssd.Model.DefaultBoxesPicture(ssd.Test[0]) },
		"detections": func() (plotting.Fragment, error) { return ssd.DetectionsPicture(4, 0.5) },
		"pr":         func() (plotting.Fragment, error) { return ssd.PRChart() },
		"threshold":  func() (plotting.Fragment, error) { return ssd.ThresholdChart() },
		"confusion":  func() (plotting.Fragment, error) { return ssd.ConfusionChart() },
		"ssd loss":   func() (plotting.Fragment, error) { return ssd.LossChart() },
		"seg loss":   func() (plotting.Fragment, error) { return seg.LossChart() },
		"masks":      func() (plotting.Fragment, error) { return seg.MasksPicture(4) },
	} {
		v, err := f()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if err := plotting.Display(v); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	// A second call restores the finished checkpoints (no training step runs again) and measures
	// the restored models again: the same numbers, the same loss curves.
	again, err := Run(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if again.SSD.StartStep != cfg.SSD.Steps || again.Seg.StartStep != cfg.Seg.Steps || again.SSD.TrainSeconds != 0 || again.Seg.TrainSeconds != 0 {
		t.Errorf("rerun started at steps %d and %d (want %d and %d) and trained %.1f s and %.1f s (want 0)",
			again.SSD.StartStep, again.Seg.StartStep, cfg.SSD.Steps, cfg.Seg.Steps, again.SSD.TrainSeconds, again.Seg.TrainSeconds)
	}
	if again.SSD.MAP50 != ssd.MAP50 || again.Seg.MIoU != seg.MIoU || again.Seg.NoSkipMIoU != seg.NoSkipMIoU {
		t.Errorf("restored: mAP %v, mIoU %v and %v; first run %v, %v and %v",
			again.SSD.MAP50, again.Seg.MIoU, again.Seg.NoSkipMIoU, ssd.MAP50, seg.MIoU, seg.NoSkipMIoU)
	}
	if !slices.Equal(again.SSD.Loss, ssd.Loss) || !slices.Equal(again.Seg.Loss, seg.Loss) || !slices.Equal(again.Seg.NoSkipLoss, seg.NoSkipLoss) {
		t.Errorf("restored loss curves differ from the first run's")
	}
}

// cpuTime is the CPU time (user + system) of this process so far: on a shared machine it tells
// the work done better than wall time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// TestFullOutcome runs the notebook's experiment (DL4GO_FULL=1; a few minutes) and asserts the
// lesson's real outcome: mAP@0.5 ≥ 0.8 and mIoU ≥ 0.75.
func TestFullOutcome(t *testing.T) {
	lessons.SkipUnlessFull(t)
	cfg := Full()
	cfg.Quiet = true
	cpu0, wall0 := cpuTime(), time.Now()
	ssd, err := RunSSD(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("SSD: wall %.1fs CPU %.1fs, median step %v: mAP@0.5 %.3f (VOC07 %.3f) AP %.3f COCO %.3f; %.0f FPS",
		time.Since(wall0).Seconds(), (cpuTime() - cpu0).Seconds(), ssd.MedianStep, ssd.MAP50, ssd.MAP50VOC7, ssd.AP50, ssd.COCO, ssd.Timing.FPS)
	cpu1, wall1 := cpuTime(), time.Now()
	seg, err := RunSegmentation(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("FCN: wall %.1fs CPU %.1fs, median step %v: mIoU %.3f %.3f, without skips %.3f",
		time.Since(wall1).Seconds(), (cpuTime() - cpu1).Seconds(), seg.MedianStep, seg.MIoU, seg.PerClass, seg.NoSkipMIoU)
	out := &Outcome{Config: cfg, SSD: ssd, Seg: seg}
	t.Log(out.Result())
	if r := out.Result(); !r.OK() {
		t.Errorf("full outcome not reached: %v", r)
	}
}

// TestFitResumes trains 2 steps, then asks for 4 in the same checkpoint folder: the second run
// starts at step 2 and the loss curve keeps the first run's values; a third call restores all 4.
func TestFitResumes(t *testing.T) {
	cfg := Quick()
	cfg.SSD.Batch = 4
	gen, err := shapes.New(cfg.Data)
	if err != nil {
		t.Fatal(err)
	}
	m, _ := NewSSD(cfg.Data.Size)
	model := func(ctx *context.Context, _ any, in []*graph.Node) []*graph.Node {
		l, o := m.Model(ctx, in[0])
		return []*graph.Node{l, o}
	}
	backend := gomlxext.MustBackend()
	dir := t.TempDir()
	c := cfg.SSD
	fitTo := func(steps int) *fitted {
		f, err := fit(backend, dir, "test", steps, c.LearningRate, c.Seed, true, ssdStream(gen, c.Batch, m), model, Loss)
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	first := fitTo(2)
	second := fitTo(4)
	if second.startStep != 2 || len(second.loss) != 4 || second.loss[0] != first.loss[0] || second.loss[1] != first.loss[1] {
		t.Fatalf("resumed at %d with losses %v; first run %v", second.startStep, second.loss, first.loss)
	}
	for _, l := range second.loss {
		if math.IsNaN(l) || l <= 0 {
			t.Fatalf("loss curve %v has a missing value", second.loss)
		}
	}
	if third := fitTo(4); third.startStep != 4 || !slices.Equal(third.loss, second.loss) {
		t.Fatalf("restored at %d with losses %v; want 4 and %v", third.startStep, third.loss, second.loss)
	}
}
