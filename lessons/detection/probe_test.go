package detection

import (
	"os"
	"strconv"
	"syscall"
	"testing"
	"time"
)

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func TestProbeSSD(t *testing.T) {
	steps, _ := strconv.Atoi(os.Getenv("PROBE_STEPS"))
	if steps == 0 {
		t.Skip("PROBE_STEPS not set")
	}
	cfg := Quick()
	cfg.SSDSteps, cfg.CheckpointDir, cfg.Quiet = steps, "-", true
	c0, w0 := cpuTime(), time.Now()
	out, err := RunSSD(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("wall %v cpu %v median step %v; loss %.3f→%.3f; mAP50 %.3f AP %v voc07 %.3f coco %.3f; timing %+v",
		time.Since(w0), cpuTime()-c0, out.MedianStep, out.Loss[0], out.Loss[len(out.Loss)-1], out.MAP50, out.AP50, out.MAP50VOC7, out.COCO, out.Timing)
}

func TestProbeSeg(t *testing.T) {
	steps, _ := strconv.Atoi(os.Getenv("PROBE_SEG"))
	if steps == 0 {
		t.Skip("PROBE_SEG not set")
	}
	cfg := Quick()
	cfg.SegSteps, cfg.CheckpointDir, cfg.Quiet = steps, "-", true
	if lr, _ := strconv.ParseFloat(os.Getenv("PROBE_LR"), 64); lr > 0 {
		cfg.LearningRate = lr
	}
	c0, w0 := cpuTime(), time.Now()
	out, err := RunSegmentation(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("wall %v cpu %v median step %v; loss %.3f→%.3f; mIoU %.3f %v; noskip %.3f",
		time.Since(w0), cpuTime()-c0, out.MedianStep, out.Loss[0], out.Loss[len(out.Loss)-1], out.MIoU, out.PerClass, out.NoSkipMIoU)
}
