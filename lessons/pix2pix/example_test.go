package pix2pix_test

import (
	"fmt"

	"github.com/janpfeifer/must"

	"github.com/dl4go/dl4go/lessons/pix2pix"
)

// A tiny run (narrow networks, 4 iterations of each model; nothing saved, no live views). The
// notebook runs pix2pix.Run(pix2pix.Size()) and ends with its RESULT line.
func ExampleRun() {
	cfg := pix2pix.Quick()
	cfg.GFeatures, cfg.DFeatures, cfg.Steps, cfg.SnapshotEvery = 4, 4, 4, 2
	cfg.TrainPairs, cfg.TestPairs, cfg.Show = 32, 16, 2
	cfg.CacheDir, cfg.Quiet = "-", true
	out := must.M1(pix2pix.Run(cfg))
	for _, m := range out.Models {
		fmt.Println(m.Model, len(m.History.L1), "iterations,", len(m.History.Snapshots), "snapshots")
	}
	fmt.Println(out.Result().Metric)
	// Output:
	// GAN + L1 4 iterations, 2 snapshots
	// L1 only 4 iterations, 2 snapshots
	// GAN only 4 iterations, 2 snapshots
	// GAN + L1, no skips 4 iterations, 2 snapshots
	// heldout_l1_gan_l1_over_mean_image_baseline
}

// The PatchGAN's receptive field by the formula N = 1 + Σᵢ (kᵢ − 1)·Πⱼ<ᵢ sⱼ, and measured: the
// input pixels where the gradient of its centre logit is not zero.
func ExampleMeasurePatch() {
	p := must.M1(pix2pix.MeasurePatch(pix2pix.Full()))
	fmt.Printf("formula %d×%d, gradient reaches %d×%d pixels; %d×%d patch logits\n", p.Formula, p.Formula, p.Rows, p.Cols, p.Logits, p.Logits)
	// Output: formula 16×16, gradient reaches 16×16 pixels; 14×14 patch logits
}

// One pair of the task: the outline map (the condition) and the scene it must become.
func ExamplePairs() {
	p := must.M1(pix2pix.Pairs(pix2pix.Full(), pix2pix.HeldOutStart, 1))[0]
	border := 0
	for _, v := range p.Outline {
		if v > 0 {
			border++
		}
	}
	fmt.Println(len(p.Outline), "outline values,", len(p.Scene), "scene values,", border > 0)
	// Output: 1024 outline values, 3072 scene values, true
}
