package transformer_test

import (
	"fmt"

	"github.com/janpfeifer/must"

	"github.com/dl4go/dl4go/lessons/transformer"
)

// The task's pairs: English groups by thousand, Japanese by 万, so the "twelve" of "three hundred
// and twelve thousand" is split across 万.
func ExampleNewExample() {
	e := must.M1(transformer.NewExample(312005))
	fmt.Println(e.English, "→", e.Japanese)
	fmt.Println(len(e.Source), "words,", len(e.Target), "kanji")
	// Output:
	// three hundred and twelve thousand and five → 三十一万二千五
	// 7 words, 7 kanji
}

// The notebook's last cell: train both models (or restore them), translate the held-out numbers,
// print the RESULT line.
func ExampleRun() {
	cfg := transformer.Quick()
	cfg.Quiet = true // no live view here; a notebook leaves it on
	out := must.M1(transformer.Run(cfg))
	fmt.Println(out.Result().Metric, out.Result().OK())
	// Output: transformer_heldout_exact_match true
}
