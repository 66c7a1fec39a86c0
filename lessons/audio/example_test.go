package audio_test

import (
	"fmt"
	"math/cmplx"

	"github.com/janpfeifer/must"

	"github.com/dl4go/dl4go/lessons/audio"
)

// The FFT computes the DFT's numbers: a 1 Hz cosine over 8 samples has its energy in bins 1 and 7.
func ExampleFFT() {
	x := make([]complex128, 8)
	for i := range x {
		x[i] = complex(audio.Tone(1, 1, 1.5707963267948966, 8, 8)[i], 0) // cos(2π·i/8)
	}
	for k, v := range must.M1(audio.FFT(x)) {
		fmt.Printf("%d:%.0f ", k, cmplx.Abs(v))
	}
	fmt.Println()
	// Output: 0:0 1:4 2:0 3:0 4:0 5:0 6:0 7:4
}

// The whole lesson at quick size: its RESULT line.
func ExampleRun() {
	cfg := audio.Quick()
	cfg.Quiet = true
	out := must.M1(audio.Run(cfg))
	fmt.Println(out.Result().Metric, out.Result().OK())
	// Output: vowel_accuracy_heldout_speakers true
}
