package bert

import (
	"fmt"
	"math"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/dl4go/dl4go/lessons"
)

// TestValidationProbe pre-trains a variant of the quick configuration and measures it on a
// validation split carved from the training text — the last tenth of every document's training sections
// (the held-out test text is not touched) — with the lesson's own evaluation: [MASK]-only MLM
// top-1 over the unigram baseline and NSP. It is how the lesson's settings were chosen
// (docs/experiments/bert.md). It runs only when $DL4GO_BERT_PROBE holds the variant as JSON
// applied over Quick(), e.g. DL4GO_BERT_PROBE='{"Steps":300,"Model":{"RelPos":8}}'.
func TestValidationProbe(t *testing.T) {
	cfg := Quick()
	spec := lessons.ApplyProbe(t, "DL4GO_BERT_PROBE", &cfg)
	cfg.Quiet, cfg.CacheDir = true, t.TempDir()
	corpus, err := cfg.Corpus()
	if err != nil {
		t.Fatal(err)
	}
	train, _ := cfg.Split(corpus)
	fit, val := validationSplit(train, cfg.HeldOut)
	p := &Pretrained{Config: cfg, Corpus: corpus, Train: fit, Test: val, Dir: t.TempDir()}
	if p.Vocab, err = LearnWordPiece(Sentences(fit), cfg.Model.Vocab); err != nil {
		t.Fatal(err)
	}
	p.Config.Model.Vocab = p.Vocab.Size()
	p.train, p.test = encodeCorpus(fit, p.Vocab), encodeCorpus(val, p.Vocab)
	p.ctx = newContext(cfg.Seed)
	start, cpu0 := time.Now(), cpuSeconds()
	if err := p.pretrain(); err != nil {
		t.Fatal(err)
	}
	wall, cpu := time.Since(start), cpuSeconds()-cpu0
	ev, err := p.Evaluate()
	if err != nil {
		t.Fatal(err)
	}
	h := p.History
	var curve string
	for _, s := range []int{10, 50, 100, 200, 300, 400, 600, 800, 1000, 1500, 2000} {
		if s <= len(h.Step) {
			curve += fmt.Sprintf(" %d:%.2f/%.2f", s, mean(h.MLMLoss[max(0, s-10):s]), mean(h.MLMAcc[max(0, s-10):s]))
		}
	}
	for i, s := range h.HeldOutStep { // the validation curve (Config.CurveEvery).
		curve += fmt.Sprintf("\n  validation at step %d: NSP %.3f, [MASK] top-1 %.3f", int(s), h.HeldOutNSP[i], h.HeldOutMLM[i])
	}
	load, _ := os.ReadFile("/proc/loadavg")
	t.Logf("PROBE %s\n  %d fit / %d validation sections; pre-training %.1f s wall, %.1f CPU-s (loadavg %s)\n  MLM loss/acc by step:%s\n%s%s%s",
		spec, len(fit), len(val), wall.Seconds(), cpu, string(load[:14]), curve, ev, ev.KindTable(), ev.NSP)
	t.Logf("PROBE-RESULT %s val_ratio=%.3f val_top1=%.3f uni=%.3f nsp=%.3f wall=%.0fs cpu=%.0fs", spec, ev.Ratio(), ev.MLM.Top1, ev.Unigram.Top1, ev.NSPHeldOut(), wall.Seconds(), cpu)
}

// validationSplit carves validation text out of the training sections the way Config.Split
// carves the test text out of each document: the last heldOut share of every document's training
// sections (at least its last one when it has two or more), so that validation, like the test text,
// has several sections of the long documents and NSP's random B's are as often from A's own
// document as they are at test time.
func validationSplit(train []Section, heldOut float64) (fit, val []Section) {
	for start := 0; start < len(train); {
		end := start
		for end < len(train) && train[end].Doc == train[start].Doc {
			end++
		}
		n := end - start
		k := int(math.Round(heldOut * float64(n)))
		if k == 0 && n >= 2 {
			k = 1
		}
		fit = append(fit, train[start:end-k]...)
		val = append(val, train[end-k:end]...)
		start = end
	}
	return fit, val
}

// cpuSeconds returns the user+system CPU time of this process so far.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}
