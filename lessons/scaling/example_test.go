package scaling_test

import (
	"fmt"

	"github.com/janpfeifer/must"

	"github.com/dl4go/dl4go/lessons/scaling"
)

// The notebook's last cell: run the lesson at its size (training, resuming or restoring) and
// print its RESULT line.
func ExampleRun() {
	cfg := scaling.Quick()
	cfg.Quiet = true // no live view here; a notebook leaves it on
	out := must.M1(scaling.Run(cfg))
	fmt.Println(out.Result().Metric)
	// Output: heldout_acc_compound_minus_baseline_at_2x_flops
}

// A rule is a split of the extra FLOPs between depth, width and resolution; its α, β, γ keep
// α·β²·γ² = 2, so each step of φ doubles the FLOPs.
func ExampleRule_Coefficients() {
	for _, r := range []scaling.Rule{scaling.DepthOnly, scaling.WidthOnly, scaling.ResolutionOnly, scaling.PaperRule()} {
		a, b, c := r.Coefficients()
		fmt.Printf("%-32s α·β²·γ² = %.3f\n", r.Name(), a*b*b*c*c)
	}
	// Output:
	// depth                            α·β²·γ² = 2.000
	// width                            α·β²·γ² = 2.000
	// resolution                       α·β²·γ² = 2.000
	// compound α=1.21 β=1.11 γ=1.16    α·β²·γ² = 2.000
}

// Base.Size picks, for a rule and a budget, the network closest to the rule whose multiply-adds
// are within Match of 2^φ × the baseline's.
func ExampleBase_Size() {
	cfg := scaling.Full()
	for _, r := range []scaling.Rule{scaling.DepthOnly, scaling.WidthOnly, scaling.ResolutionOnly} {
		s := must.M1(cfg.Base.Size(r, 2, cfg.Match))
		fmt.Printf("%-10s %.2f× FLOPs: %s\n", r.Name(), s.Ratio, s.Net)
	}
	// Output:
	// depth      3.90× FLOPs: 16 px, stem 8, 4×8, 8×12, 9×16, 4×24, head 48
	// width      3.91× FLOPs: 16 px, stem 17, 1×17, 2×26, 2×34, 1×51, head 102
	// resolution 3.95× FLOPs: 32 px, stem 8, 1×8, 2×12, 2×16, 1×24, head 48
}

func ExamplePaperTable() {
	fmt.Print(scaling.PaperTable())
	// Output:
	// THE PAPER'S NUMBERS (ImageNet, Tan & Le 2019), not measured by this lesson:
	// model             top-1 %   params M    FLOPs B
	// ResNet-50            76.3         26        4.1
	// EfficientNet-B4      82.6         19        4.2
	// difference: +6.3 points top-1 at 1.02× the FLOPs and 0.73× the parameters
}
