package detection

import (
	"math"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/ml/context"

	"github.com/dl4go/dl4go/data/shapes"
	"github.com/dl4go/dl4go/gomlxext"
	"github.com/dl4go/dl4go/plotting"
)

// TestQuickOutcome runs the lesson at its quick size and asserts the quick outcome: SSD-lite
// mAP@0.5 ≥ 0.5 and FCN mIoU ≥ 0.5 on held-out images; every chart renders.
func TestQuickOutcome(t *testing.T) {
	if testing.Short() {
		t.Skip("trains two models")
	}
	cfg := Quick()
	cfg.CheckpointDir, cfg.Quiet = t.TempDir(), true
	cpu0, wall0 := cpuTime(), time.Now()
	ssd, err := RunSSD(cfg)
	if err != nil {
		t.Fatal(err)
	}
	seg, err := RunSegmentation(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("SSD: %d steps in %.1fs (median step %v): mAP@0.5 %.3f (VOC07 %.3f) AP %.3f COCO %.3f; %.1f FPS (batch 1), %.2f ms/image (batch %d)",
		cfg.SSDSteps, ssd.TrainSeconds, ssd.MedianStep, ssd.MAP50, ssd.MAP50VOC7, ssd.AP50, ssd.COCO, ssd.Timing.FPS, ssd.Timing.BatchMs, ssd.Timing.BatchSize)
	t.Logf("FCN: %d steps ×2 in %.1fs: mIoU %.3f %.3f, without skips %.3f", cfg.SegSteps, seg.TrainSeconds, seg.MIoU, seg.PerClass, seg.NoSkipMIoU)
	t.Logf("quick size: wall %.1fs, CPU %.1fs", time.Since(wall0).Seconds(), (cpuTime() - cpu0).Seconds())
	r := Result(ssd, seg)
	t.Log(r)
	if ssd.MAP50 < cfg.MAPThreshold || seg.MIoU < cfg.MIoUThreshold || !r.OK() {
		t.Errorf("quick outcome not reached: %v", r)
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
	// A second call resumes from the finished checkpoints: no training step is run again.
	again, err := RunSSD(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if again.Resumed != cfg.SSDSteps || again.MAP50 != ssd.MAP50 {
		t.Errorf("rerun resumed at %d (want %d), mAP %v (want %v)", again.Resumed, cfg.SSDSteps, again.MAP50, ssd.MAP50)
	}
}

// cpuTime is the CPU time (user + system) of this process so far: on a shared machine it tells
// the work done better than wall time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// TestFullOutcome runs the full size (minutes) when DL4GO_FULL_TEST=1 and asserts the lesson's
// real outcome: mAP@0.5 ≥ 0.8 and mIoU ≥ 0.75.
func TestFullOutcome(t *testing.T) {
	if os.Getenv("DL4GO_FULL_TEST") != "1" {
		t.Skip("set DL4GO_FULL_TEST=1 to train at the full size")
	}
	cfg := Full()
	cfg.CheckpointDir, cfg.Quiet = t.TempDir(), true
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
	if r := Result(ssd, seg); !r.OK() {
		t.Errorf("full outcome not reached: %v", r)
	}
}

// TestFitResumes trains 2 steps, then asks for 4 in the same checkpoint folder: the second run
// starts at step 2 and the loss curve keeps the first run's values.
func TestFitResumes(t *testing.T) {
	cfg := Quick()
	cfg.CheckpointDir, cfg.Quiet, cfg.Batch = t.TempDir(), true, 4
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
	first, err := fit(backend, cfg, "ssd", "test", 2, ssdStream(gen, cfg.Batch, m), model, Loss)
	if err != nil {
		t.Fatal(err)
	}
	second, err := fit(backend, cfg, "ssd", "test", 4, ssdStream(gen, cfg.Batch, m), model, Loss)
	if err != nil {
		t.Fatal(err)
	}
	if second.resumed != 2 || len(second.loss) != 4 || second.loss[0] != first.loss[0] || second.loss[1] != first.loss[1] {
		t.Fatalf("resumed at %d with losses %v; first run %v", second.resumed, second.loss, first.loss)
	}
	for _, l := range second.loss {
		if math.IsNaN(l) || l <= 0 {
			t.Fatalf("loss curve %v has a missing value", second.loss)
		}
	}
}
