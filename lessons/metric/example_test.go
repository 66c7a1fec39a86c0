package metric_test

import (
	"fmt"

	"github.com/janpfeifer/must"

	"github.com/dl4go/dl4go/lessons/metric"
)

// The report's three losses at a few points, through the engine and by hand.
func ExampleFormulas() {
	rows := must.M1(metric.Formulas(metric.Quick()))
	r := rows[1] // a same-class pair at D = 0.4: still pulled, ½·0.4² = 0.08
	fmt.Printf("contrastive %.3f (by hand %.3f), triplet %.3f (by hand %.3f)\n", r.Contrastive, r.ContrastiveByHand, r.Triplet, r.TripletByHand)
	// Output: contrastive 0.080 (by hand 0.080), triplet 0.300 (by hand 0.300)
}

// The whole lesson at quick size: its RESULT line.
func ExampleRun() {
	cfg := metric.Quick()
	cfg.Quiet = true
	out := must.M1(metric.Run(cfg))
	fmt.Println(out.Result().Metric, out.Result().OK())
	// Output: triplet_semihard_knn5_test_accuracy_digits_0_6 true
}
