package cgan_test

import (
	"fmt"

	"github.com/janpfeifer/must"

	"github.com/dl4go/dl4go/lessons/cgan"
)

// A tiny run (small networks, 4 iterations of each GAN, a judge of 20 steps; nothing saved, no
// live views). The notebook runs cgan.Run(cgan.Size()) and ends with its RESULT line.
func ExampleRun() {
	cfg := cgan.Quick()
	cfg.GFeatures, cfg.DFeatures, cfg.Steps, cfg.EpochSteps, cfg.Samples = 8, 8, 4, 2, 20
	cfg.Judge.Steps, cfg.Judge.TestImages = 20, 100
	cfg.CacheDir, cfg.Quiet = "-", true
	out := must.M1(cgan.Run(cfg))
	for _, g := range out.GANs {
		fmt.Println(g.Condition, len(g.History.DLoss), "iterations,", len(g.Epochs), "epochs,", g.Score.N, "samples judged")
	}
	fmt.Println(out.Result().Metric)
	// Output:
	// projection 4 iterations, 2 epochs, 20 samples judged
	// labels as input 4 iterations, 2 epochs, 20 samples judged
	// unconditional 4 iterations, 2 epochs, 20 samples judged
	// judge_agrees_with_requested_digit
}

// The generator hears the digit through a dense layer over [z, onehot(y)]: the same as a dense
// layer over z plus a learned embedding of y, up to float32 rounding.
func ExampleOneHotIsEmbedding() {
	d := must.M1(cgan.OneHotIsEmbedding(cgan.Full(), 16))
	fmt.Println(d < 1e-5)
	// Output: true
}
