package shapes

import "fmt"

// Downsample returns the size×size×channels image img (row-major, channels last) shrunk to
// to×to by area averaging: each output pixel is the mean of the input it covers, input pixels
// cut by an output pixel's border counted by the fraction inside it. It is what a camera with
// to×to larger pixels would record of the same scene (a box filter: no aliasing of small
// objects into the wrong shape, only blur), so one scene drawn at a high Size gives the same
// scene at every lower resolution. to must be in [1, size].
func Downsample(img []float32, size, channels, to int) ([]float32, error) {
	switch {
	case size < 1 || channels < 1 || len(img) != size*size*channels:
		return nil, fmt.Errorf("shapes.Downsample: %d values are not a %d×%d×%d image", len(img), size, size, channels)
	case to < 1 || to > size:
		return nil, fmt.Errorf("shapes.Downsample: target size %d outside [1, %d] (it only shrinks)", to, size)
	}
	w := areaWeights(size, to)
	// Rows first: tmp [to, size, channels], then columns: out [to, to, channels].
	tmp := make([]float32, to*size*channels)
	for o, taps := range w {
		dst := tmp[o*size*channels : (o+1)*size*channels]
		for _, t := range taps {
			src := img[t.i*size*channels : (t.i+1)*size*channels]
			for k, v := range src {
				dst[k] += t.w * v
			}
		}
	}
	out := make([]float32, to*to*channels)
	for y := range to {
		row := tmp[y*size*channels : (y+1)*size*channels]
		for o, taps := range w {
			dst := out[(y*to+o)*channels : (y*to+o+1)*channels]
			for _, t := range taps {
				for c := range channels {
					dst[c] += t.w * row[t.i*channels+c]
				}
			}
		}
	}
	return out, nil
}

// tap is one input index and its weight in an output pixel.
type tap struct {
	i int
	w float32
}

// areaWeights returns, for each of the to output pixels along an axis of size input pixels, the
// input pixels it covers and their weights (overlap ÷ output pixel width, summing to 1).
func areaWeights(size, to int) [][]tap {
	scale := float64(size) / float64(to)
	w := make([][]tap, to)
	for o := range to {
		lo, hi := float64(o)*scale, float64(o+1)*scale
		for i := int(lo); i < size && float64(i) < hi; i++ {
			overlap := min(hi, float64(i+1)) - max(lo, float64(i))
			if overlap > 1e-9 {
				w[o] = append(w[o], tap{i, float32(overlap / scale)})
			}
		}
	}
	return w
}
