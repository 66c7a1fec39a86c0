package plotting_test

import (
	"fmt"
	"math"
	"os"
	"strings"

	"github.com/dl4go/dl4go/plotting"
)

// A line chart of noisy returns with a moving average; Show displays it in a
// GoNB cell and does nothing elsewhere.
func ExampleLine() {
	returns := make([]float64, 200)
	for i := range returns {
		returns[i] = -100 + 0.5*float64(i) + 30*math.Sin(float64(i))
	}
	c, err := plotting.Line("CartPole returns", nil, []plotting.Series{{Name: "REINFORCE", Y: returns}},
		plotting.WithSmoothing(20), plotting.WithAxisNames("episode", "return"))
	if err != nil {
		panic(err)
	}
	plotting.Show(c) // in a cell: the chart; here, only rendered (it would stop on an error)
	h, _ := c.HTML()
	fmt.Println(strings.Contains(h, `"name":"REINFORCE (avg 20)"`), strings.Contains(h, "<style"))
	// Output:
	// true false
}

// Bad input gives an error that says what is wrong.
func ExampleHeatmap() {
	_, err := plotting.Heatmap("Q-values", [][]float64{{1, 2}, {3}}, nil, nil)
	fmt.Println(err)
	// Output:
	// plotting.Heatmap "Q-values": row 1 has 1 values, row 0 has 2
}

// The live view prints a text progress line outside a notebook (here to
// stdout, throttled; in a notebook it updates a chart in place).
func ExampleNewLive() {
	live := plotting.NewLive("fit", 3, "loss").SetOutput(os.Stdout)
	for step := 1; step <= 3; step++ {
		live.Update(step, map[string]float64{"loss": 1 / float64(step)})
	}
	c := live.Done()
	fmt.Println(c != nil)
}

// Pictures are PNGs: an image grid of 28×28 digits with captions.
func ExampleImageGrid() {
	digits := make([][]float32, 10)
	for i := range digits {
		digits[i] = make([]float32, 28*28)
	}
	pic, err := plotting.ImageGrid(digits, 28, 28, plotting.GridCols(5), plotting.PicCaptions(strings.Split("0123456789", "")))
	if err != nil {
		panic(err)
	}
	fmt.Println(pic.Image.Bounds().Size())
	// Output:
	// (292,118)
}

// Sounds become WAV bytes and an inline <audio> player.
func ExampleAudio() {
	wave := make([]float32, 16000)
	for i := range wave {
		wave[i] = float32(0.5 * math.Sin(2*math.Pi*440*float64(i)/16000))
	}
	s, err := plotting.Audio(wave, 16000)
	if err != nil {
		panic(err)
	}
	fmt.Println(len(s.WAV()), string(s.WAV()[:4]))
	// Output:
	// 32044 RIFF
}
