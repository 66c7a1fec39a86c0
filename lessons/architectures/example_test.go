package architectures_test

import (
	"fmt"

	"github.com/dl4go/dl4go/lessons/architectures"
)

// The report's cost formulas against the mult-adds counted from MobileNet-mini's built graph,
// for its first depthwise-separable block (14×14 output, 3×3 kernel, 16 → 32 channels).
func ExampleCheckCosts() {
	checks, err := architectures.CheckCosts(architectures.Full().Classifier)
	if err != nil {
		panic(err)
	}
	for _, c := range checks[5:7] {
		fmt.Println(c.Kind, c.Counted, c.Formula)
	}
	// Output:
	// depthwise 28224 28224
	// pointwise 100352 100352
}

// DenseNet-mini's channels: a stem of 2k, +k per dense layer, halved by the transition.
func ExampleDenseNetChannels() {
	names, channels := architectures.DenseNetChannels(architectures.Full().Classifier)
	fmt.Println(names)
	fmt.Println(channels)
	// Output:
	// [stem dense1.1 dense1.2 dense1.3 transition dense2.1 dense2.2 dense2.3]
	// [16 24 32 40 20 28 36 44]
}

// μ-law companding: finer classes near zero, where most of a sound's samples are.
func ExampleMuLawEncode() {
	for _, x := range []float64{-1, -0.1, 0, 0.01, 0.1, 1} {
		fmt.Print(architectures.MuLawEncode(x), " ")
	}
	fmt.Println()
	// Output:
	// 0 52 128 157 203 255
}
