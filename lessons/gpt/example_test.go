package gpt_test

import (
	"fmt"

	"github.com/janpfeifer/must"

	"github.com/dl4go/dl4go/lessons/gpt"
)

// A byte-level BPE learned from a little text: frequent words become single tokens, and anything
// else is still written with the 256 byte tokens.
func ExampleLearnBPE() {
	bpe := must.M1(gpt.LearnBPE("the light of the sun, the light of the fire; the light", 264))
	var parts []string
	for _, id := range bpe.Encode("the lightning") {
		parts = append(parts, bpe.Token(id))
	}
	fmt.Println(bpe.Size(), parts)
	// Output: 264 [the ␣light n i n g]
}

// A sampler's distribution: top-k keeps the k most probable tokens, renormalised.
func ExampleSampler_Distribution() {
	p, kept, mass := gpt.Sampler{TopK: 2}.Distribution([]float64{-0.5, -1.5, -2, -3})
	fmt.Printf("%.3f kept %d, %.3f of the mass\n", p, kept, mass)
	// Output: [0.731 0.269 0.000 0.000] kept 2, 0.830 of the mass
}

// The notebook's last cell: train the language model and the in-context learner (or restore
// them), measure, print the RESULT line.
func ExampleRun() {
	cfg := gpt.Quick()
	cfg.Quiet = true // no live view here; a notebook leaves it on
	out := must.M1(gpt.Run(cfg))
	fmt.Println(out.Result().Metric, out.Result().OK())
	// Output: gpt_heldout_perplexity_over_kneser_ney_bigram true
}
