package gcn_test

import (
	"fmt"
	"math"

	"github.com/janpfeifer/must"

	"github.com/dl4go/dl4go/lessons/gcn"
)

// The report's spectral convolution u' = QΘQᵀu on the karate club: a low-pass filter is the same
// as the polynomial (1 − λ/λmax)² applied to L directly.
func ExampleSpectrum_Filter() {
	a := gcn.Karate().Adjacency()
	l := gcn.Laplacian(a)
	s := must.M1(gcn.Eigen(l))
	u := make([]float64, len(a))
	u[gcn.KarateInstructor] = 1 // a spike on the instructor
	lmax := s.Values[len(s.Values)-1]
	spectral := s.Filter(u, func(l float64) float64 { return math.Pow(1-l/lmax, 2) })
	direct := gcn.PolyFilter(l, gcn.LowPassCoefficients(lmax, 2), u)
	fmt.Printf("λ0 = %.0f; the spike spreads to the instructor's friends: %.3f == %.3f\n", math.Abs(s.Values[0]), spectral[1], direct[1])
	// Output: λ0 = 0; the spike spreads to the instructor's friends: 0.056 == 0.056
}

// The whole lesson at quick size: its RESULT line.
func ExampleRun() {
	cfg := gcn.Quick()
	cfg.Quiet = true
	out := must.M1(gcn.Run(cfg))
	fmt.Println(out.Result().Metric, out.Result().OK())
	// Output: gcn_heldout_accuracy_planted_partition true
}
