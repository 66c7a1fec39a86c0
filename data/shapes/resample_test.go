package shapes

import (
	"math"
	"testing"
)

// TestDownsample checks area averaging: an integer factor averages whole blocks, a fractional one
// splits border pixels by their overlap, the mean brightness is kept, and bad sizes are refused.
func TestDownsample(t *testing.T) {
	// 4×4, one channel, values 0..15: a factor of 2 gives the means of the 2×2 blocks.
	img := make([]float32, 16)
	for i := range img {
		img[i] = float32(i)
	}
	got, err := Downsample(img, 4, 1, 2)
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []float32{2.5, 4.5, 10.5, 12.5} {
		if got[i] != want {
			t.Errorf("factor 2: pixel %d = %g, want %g", i, got[i], want)
		}
	}
	// 3 → 2 along each axis: output pixel 0 covers input 0 fully and half of input 1.
	img3 := []float32{0, 3, 6, 0, 3, 6, 0, 3, 6} // columns 0, 3, 6 in every row
	got, err = Downsample(img3, 3, 1, 2)
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []float32{1, 5, 1, 5} { // (0 + 3/2) / 1.5 = 1, (3/2 + 6) / 1.5 = 5
		if math.Abs(float64(got[i]-want)) > 1e-6 {
			t.Errorf("factor 1.5: pixel %d = %g, want %g", i, got[i], want)
		}
	}
	// A generated scene keeps its mean colour at every size.
	g, _ := New(Default())
	s := g.Sample(3)
	mean := func(v []float32, c int) float64 {
		sum := 0.0
		for i := c; i < len(v); i += 3 {
			sum += float64(v[i])
		}
		return sum / float64(len(v)/3)
	}
	for _, to := range []int{48, 31, 17, 5} {
		d, err := Downsample(s.Image, s.Size, 3, to)
		if err != nil {
			t.Fatal(err)
		}
		if len(d) != to*to*3 {
			t.Fatalf("size %d: %d values", to, len(d))
		}
		for c := range 3 {
			if math.Abs(mean(d, c)-mean(s.Image, c)) > 1e-4 {
				t.Errorf("size %d channel %d: mean %g, original %g", to, c, mean(d, c), mean(s.Image, c))
			}
		}
	}
	for _, bad := range []struct{ n, size, to int }{{16, 4, 5}, {16, 4, 0}, {15, 4, 2}} {
		if _, err := Downsample(make([]float32, bad.n), bad.size, 1, bad.to); err == nil {
			t.Errorf("%d values, size %d → %d: no error", bad.n, bad.size, bad.to)
		}
	}
}
