package efficiency_test

import (
	"fmt"

	"github.com/janpfeifer/must"

	"github.com/dl4go/dl4go/lessons/efficiency"
)

// The report's GRU/LSTM remark in numbers: for 28 input features (one image row) and 64 units,
// the GRU's three gates need 3/4 of the LSTM's four.
func ExampleGRUParams() {
	fmt.Println(efficiency.GRUParams(28, 64), efficiency.LSTMParams(28, 64))
	// Output: 18048 24064
}

// A 3×2 kernel and its bias stored in each format: int8 keeps one byte a weight plus a float32
// scale for each of the 2 output channels; the bias stays float32.
func ExampleQuantize() {
	ws := []efficiency.Weight{
		{Name: "/m/dense/weights", Dims: []int{3, 2}, Values: []float32{0.5, -0.2, -1.27, 0.1, 0.01, 0.3}},
		{Name: "/m/dense/biases", Dims: []int{2}, Values: []float32{0.1, -0.1}},
	}
	for _, f := range efficiency.Formats {
		q := must.M1(efficiency.Quantize(ws, f))
		fmt.Printf("%s %d bytes, first weight back as %.4f\n", f, q.Bytes(), q.Weights()[0].Values[0])
	}
	// Output:
	// fp64 64 bytes, first weight back as 0.5000
	// fp32 32 bytes, first weight back as 0.5000
	// fp16 16 bytes, first weight back as 0.5000
	// int8 22 bytes, first weight back as 0.5000
}
