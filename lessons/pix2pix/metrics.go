package pix2pix

import (
	"math"
	"slices"
)

// MeanAbs is the L1 error of the images a against b (same length, values in [0, 1]): the mean
// over every pixel and channel of |a − b|.
func MeanAbs(a, b []float32) float64 {
	var s float64
	for i := range a {
		s += math.Abs(float64(a[i]) - float64(b[i]))
	}
	return s / float64(len(a))
}

// GradientEnergy is the sharpness measure of images [n, size, size, channels] (flat): the mean,
// over every pixel, channel and image, of the squared finite differences to the right and
// downwards,
//
//	E = mean (I[y, x+1] − I[y, x])² + (I[y+1, x] − I[y, x])²,
//
// the energy of the image's high frequencies: edges make it large, blur and washed-out colours
// make it small. The lesson compares a model's E with the targets' (Sharpness).
func GradientEnergy(images []float32, size, channels int) float64 {
	per := size * size * channels
	var s float64
	var count int
	for start := 0; start+per <= len(images); start += per {
		img := images[start : start+per]
		for y := range size {
			for x := range size {
				for c := range channels {
					v := float64(img[(y*size+x)*channels+c])
					if x+1 < size {
						d := float64(img[(y*size+x+1)*channels+c]) - v
						s += d * d
					}
					if y+1 < size {
						d := float64(img[((y+1)*size+x)*channels+c]) - v
						s += d * d
					}
					count++
				}
			}
		}
	}
	return s / float64(count)
}

// SharpnessGap is how far a sharpness ratio (a model's gradient energy ÷ the targets') is from
// the targets' own, |log ratio|: 0 is as sharp as the targets, log 2 is twice or half as sharp.
func SharpnessGap(ratio float64) float64 { return math.Abs(math.Log(ratio)) }

// meanImage is the per-pixel, per-channel mean of the images [n, per] (flat): the best constant
// prediction under the squared error.
func meanImage(images []float32, per int) []float32 {
	n := len(images) / per
	out := make([]float32, per)
	for j := range per {
		var s float64
		for i := range n {
			s += float64(images[i*per+j])
		}
		out[j] = float32(s / float64(n))
	}
	return out
}

// medianImage is the per-pixel, per-channel median of the images [n, per] (flat): the best
// constant prediction under the L1 error.
func medianImage(images []float32, per int) []float32 {
	n := len(images) / per
	out := make([]float32, per)
	col := make([]float32, n)
	for j := range per {
		for i := range n {
			col[i] = images[i*per+j]
		}
		slices.Sort(col)
		out[j] = col[n/2]
	}
	return out
}

// repeat returns n copies of img, flat.
func repeat(img []float32, n int) []float32 {
	out := make([]float32, 0, n*len(img))
	for range n {
		out = append(out, img...)
	}
	return out
}

// gray3 turns one-channel images into three-channel ones (the identity baseline: the outline
// map taken as the scene).
func gray3(pix []float32) []float32 {
	out := make([]float32, 0, 3*len(pix))
	for _, v := range pix {
		out = append(out, v, v, v)
	}
	return out
}
