package plotting

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"math"
)

// PicOption tunes a picture helper ([ImageGrid], [Detections], [GoBoard],
// [HeatOverlay]). Options a helper does not use are ignored.
type PicOption func(*picConfig)

type picConfig struct {
	cols     int
	scale    int
	captions []string
	alpha    float64
	perImage bool
	cell     int
}

func newPicConfig(o []PicOption) *picConfig {
	c := &picConfig{alpha: -1}
	for _, f := range o {
		if f != nil {
			f(c)
		}
	}
	return c
}

// GridCols sets the number of columns of an [ImageGrid] (default: about
// √n, at most 16).
func GridCols(n int) PicOption { return func(c *picConfig) { c.cols = n } }

// PicScale enlarges each source pixel to n×n output pixels (nearest
// neighbour); the default makes small images (MNIST's 28×28) readable.
func PicScale(n int) PicOption { return func(c *picConfig) { c.scale = n } }

// PicCaptions writes a caption on each image of an [ImageGrid] (e.g. the
// predicted digit), in order.
func PicCaptions(captions []string) PicOption {
	return func(c *picConfig) { c.captions = captions }
}

// PicAlpha sets the opacity of overlays (masks in [Detections], the heat map
// in [HeatOverlay]), in [0, 1].
func PicAlpha(a float64) PicOption { return func(c *picConfig) { c.alpha = a } }

// PerImageRange rescales each image of an [ImageGrid] from its own
// min..max to black..white (the default does so only for images with values
// outside [0, 1], e.g. feature maps).
func PerImageRange() PicOption { return func(c *picConfig) { c.perImage = true } }

// ImageGrid lays out images in a grid, one tile each. Every image is a flat
// row-major slice of height×width (gray) or height×width×3 (RGB, channels
// last) values in [0, 1]; an image with values outside [0, 1] is rescaled
// from its own min..max. NaN/Inf or a wrong length is an error.
//
//	pic, err := plotting.ImageGrid(digits, 28, 28, plotting.PicCaptions(predicted))
//	plotting.Show(pic)
func ImageGrid(images [][]float32, height, width int, options ...PicOption) (*Picture, error) {
	cfg := newPicConfig(options)
	n := len(images)
	if n == 0 {
		return nil, fmt.Errorf("plotting.ImageGrid: no images")
	}
	if height <= 0 || width <= 0 {
		return nil, fmt.Errorf("plotting.ImageGrid: bad size %d×%d", height, width)
	}
	if cfg.captions != nil && len(cfg.captions) != n {
		return nil, fmt.Errorf("plotting.ImageGrid: %d images but %d captions", n, len(cfg.captions))
	}
	channels := 0
	for i, im := range images {
		c := 0
		switch len(im) {
		case height * width:
			c = 1
		case height * width * 3:
			c = 3
		default:
			return nil, fmt.Errorf("plotting.ImageGrid: image %d has %d values, want %d×%d (gray) or ×3 (RGB)", i, len(im), height, width)
		}
		if channels == 0 {
			channels = c
		} else if c != channels {
			return nil, fmt.Errorf("plotting.ImageGrid: image %d has %d channels, image 0 has %d", i, c, channels)
		}
		for j, v := range im {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				return nil, fmt.Errorf("plotting.ImageGrid: image %d value %d is %v", i, j, v)
			}
		}
	}
	cols := cfg.cols
	if cols <= 0 {
		cols = int(math.Ceil(math.Sqrt(float64(n))))
		if cols > 16 {
			cols = 16
		}
	}
	if cols > n {
		cols = n
	}
	rows := (n + cols - 1) / cols
	scale := cfg.scale
	if scale <= 0 {
		scale = max(1, 56/max(height, width))
	}
	const pad = 2
	th, tw := height*scale, width*scale
	out := image.NewRGBA(image.Rect(0, 0, cols*(tw+pad)+pad, rows*(th+pad)+pad))
	draw.Draw(out, out.Rect, &image.Uniform{color.RGBA{128, 128, 128, 255}}, image.Point{}, draw.Src)
	for i, im := range images {
		lo, hi := float32(0), float32(1)
		mn, mx := minMax32(im)
		if cfg.perImage || mn < 0 || mx > 1 {
			lo, hi = mn, mx
		}
		den := hi - lo
		if den == 0 {
			den = 1
		}
		ox, oy := pad+(i%cols)*(tw+pad), pad+(i/cols)*(th+pad)
		for y := 0; y < height; y++ {
			for x := 0; x < width; x++ {
				var c color.RGBA
				if channels == 1 {
					g := to8((im[y*width+x] - lo) / den)
					c = color.RGBA{g, g, g, 255}
				} else {
					k := (y*width + x) * 3
					c = color.RGBA{to8((im[k] - lo) / den), to8((im[k+1] - lo) / den), to8((im[k+2] - lo) / den), 255}
				}
				fillRect(out, image.Rect(ox+x*scale, oy+y*scale, ox+(x+1)*scale, oy+(y+1)*scale), c, 1)
			}
		}
		if cfg.captions != nil && cfg.captions[i] != "" {
			if _, err := drawText(out, ox+1, oy+1, cfg.captions[i], captionSize(th), color.RGBA{255, 255, 0, 255}, color.RGBA{0, 0, 0, 255}); err != nil {
				return nil, fmt.Errorf("plotting.ImageGrid: caption %d: %w", i, err)
			}
		}
	}
	return &Picture{Image: out, Alt: fmt.Sprintf("%d images", n)}, nil
}

// captionSize is the label size for tiles th pixels high: a fifth of the
// tile, 10 to 14 pixels (11 for MNIST digits at the default scale).
func captionSize(th int) float64 { return math.Min(14, math.Max(10, math.Floor(float64(th)/5))) }

// ImageGridFlat is [ImageGrid] for a flat [n, height, width, channels]
// buffer (channels 1 or 3), e.g. a GoMLX tensor's data:
//
//	flat, err := tensors.CopyFlatData[float32](images) // images: [n, 28, 28, 1]
//	pic, err := plotting.ImageGridFlat(flat, n, 28, 28, 1)
//
// For feature maps [n, h, w, c] with c > 3, pass one channel per image
// (transpose to [n*c, h, w, 1]) and add [PerImageRange].
func ImageGridFlat(data []float32, n, height, width, channels int, options ...PicOption) (*Picture, error) {
	size := height * width * channels
	if n <= 0 || size <= 0 || len(data) != n*size || (channels != 1 && channels != 3) {
		return nil, fmt.Errorf("plotting.ImageGridFlat: %d values do not form [%d, %d, %d, %d] (channels 1 or 3)", len(data), n, height, width, channels)
	}
	imgs := make([][]float32, n)
	for i := range imgs {
		imgs[i] = data[i*size : (i+1)*size]
	}
	return ImageGrid(imgs, height, width, options...)
}

func minMax32(v []float32) (lo, hi float32) {
	lo, hi = v[0], v[0]
	for _, x := range v {
		lo, hi = min(lo, x), max(hi, x)
	}
	return
}

func to8(v float32) uint8 {
	if v <= 0 {
		return 0
	}
	if v >= 1 {
		return 255
	}
	return uint8(v*255 + 0.5)
}

// GrayImage turns a row-major height×width slice of values in [0, 1]
// (clipped) into an image.
func GrayImage(pix []float32, height, width int) (*image.RGBA, error) {
	if len(pix) != height*width || height <= 0 {
		return nil, fmt.Errorf("plotting.GrayImage: %d values for %d×%d", len(pix), height, width)
	}
	img := image.NewRGBA(image.Rect(0, 0, width, height))
	for i, v := range pix {
		g := to8(v)
		img.SetRGBA(i%width, i/width, color.RGBA{g, g, g, 255})
	}
	return img, nil
}

// RGBImage turns a row-major height×width×3 slice (channels last) of values
// in [0, 1] (clipped) into an image.
func RGBImage(pix []float32, height, width int) (*image.RGBA, error) {
	if len(pix) != height*width*3 || height <= 0 {
		return nil, fmt.Errorf("plotting.RGBImage: %d values for %d×%d×3", len(pix), height, width)
	}
	img := image.NewRGBA(image.Rect(0, 0, width, height))
	for i := 0; i < height*width; i++ {
		img.SetRGBA(i%width, i/width, color.RGBA{to8(pix[3*i]), to8(pix[3*i+1]), to8(pix[3*i+2]), 255})
	}
	return img, nil
}

// scaled returns img enlarged s times (nearest neighbour) as RGBA.
func scaled(img image.Image, s int) *image.RGBA {
	b := img.Bounds()
	out := image.NewRGBA(image.Rect(0, 0, b.Dx()*s, b.Dy()*s))
	for y := 0; y < b.Dy()*s; y++ {
		for x := 0; x < b.Dx()*s; x++ {
			r, g, bb, _ := img.At(b.Min.X+x/s, b.Min.Y+y/s).RGBA()
			out.SetRGBA(x, y, color.RGBA{uint8(r >> 8), uint8(g >> 8), uint8(bb >> 8), 255})
		}
	}
	return out
}

func rgbaOf(hex string) color.RGBA {
	var r, g, b uint8
	_, _ = fmt.Sscanf(hex, "#%02x%02x%02x", &r, &g, &b)
	return color.RGBA{r, g, b, 255}
}

// Detection is one object on an image: a box in source-image pixels
// (X0,Y0 top-left, X1,Y1 bottom-right, exclusive), a label, a score (< 0:
// not shown), a class (its colour) and an optional mask (Mask[y*W+x] > 0.5
// inside the object; W×H of the source image).
type Detection struct {
	X0, Y0, X1, Y1 float64
	Label          string
	Score          float64
	Class          int
	Mask           []float32
}

// Detections draws boxes (2-pixel outlines in the class colour), "label
// 0.93" tags and translucent masks over img. The picture is enlarged so that
// its larger side is at least 256 pixels unless [PicScale] says otherwise.
//
//	pic, err := plotting.Detections(img, []plotting.Detection{{X0: 4, Y0: 6, X1: 30, Y1: 28, Label: "circle", Score: 0.93}})
func Detections(img image.Image, dets []Detection, options ...PicOption) (*Picture, error) {
	cfg := newPicConfig(options)
	if img == nil || img.Bounds().Empty() {
		return nil, fmt.Errorf("plotting.Detections: empty image")
	}
	b := img.Bounds()
	s := cfg.scale
	if s <= 0 {
		s = max(1, (256+max(b.Dx(), b.Dy())-1)/max(b.Dx(), b.Dy()))
	}
	alpha := cfg.alpha
	if alpha < 0 {
		alpha = 0.45
	}
	out := scaled(img, s)
	W, H := b.Dx(), b.Dy()
	for i, d := range dets {
		for _, v := range []float64{d.X0, d.Y0, d.X1, d.Y1, d.Score} {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("plotting.Detections: detection %d has a non-finite value %v", i, v)
			}
		}
		if d.X1 < d.X0 || d.Y1 < d.Y0 {
			return nil, fmt.Errorf("plotting.Detections: detection %d box (%v,%v)-(%v,%v) is inverted", i, d.X0, d.Y0, d.X1, d.Y1)
		}
		if d.Mask != nil && len(d.Mask) != W*H {
			return nil, fmt.Errorf("plotting.Detections: detection %d mask has %d values for a %d×%d image", i, len(d.Mask), W, H)
		}
		if d.Class < 0 {
			return nil, fmt.Errorf("plotting.Detections: detection %d has class %d < 0", i, d.Class)
		}
	}
	// Masks first, then boxes and tags on top.
	for _, d := range dets {
		if d.Mask == nil {
			continue
		}
		col := rgbaOf(Color(d.Class))
		for y := 0; y < H; y++ {
			for x := 0; x < W; x++ {
				if d.Mask[y*W+x] > 0.5 {
					fillRect(out, image.Rect(x*s, y*s, (x+1)*s, (y+1)*s), col, alpha)
				}
			}
		}
	}
	for _, d := range dets {
		col := rgbaOf(Color(d.Class))
		r := image.Rect(int(math.Round(d.X0*float64(s))), int(math.Round(d.Y0*float64(s))),
			int(math.Round(d.X1*float64(s))), int(math.Round(d.Y1*float64(s))))
		strokeRect(out, r, col, 2)
		tag := d.Label
		if d.Score >= 0 {
			if tag != "" {
				tag += " "
			}
			tag += fmt.Sprintf("%.2f", d.Score)
		}
		if tag != "" {
			_, h, err := textBox(tag, labelSize)
			if err != nil {
				return nil, fmt.Errorf("plotting.Detections: %w", err)
			}
			ty := r.Min.Y - h - 2 // above the box, or inside it at the top of the picture
			if ty < 0 {
				ty = r.Min.Y + 2
			}
			if _, err := drawText(out, r.Min.X, ty, tag, labelSize, color.RGBA{255, 255, 255, 255}, col); err != nil {
				return nil, fmt.Errorf("plotting.Detections: %w", err)
			}
		}
	}
	return &Picture{Image: out, Alt: fmt.Sprintf("%d detections", len(dets))}, nil
}

// strokeRect draws the outline of r, width px thick, inside r.
func strokeRect(img *image.RGBA, r image.Rectangle, c color.RGBA, width int) {
	fillRect(img, image.Rect(r.Min.X, r.Min.Y, r.Max.X, r.Min.Y+width), c, 1)
	fillRect(img, image.Rect(r.Min.X, r.Max.Y-width, r.Max.X, r.Max.Y), c, 1)
	fillRect(img, image.Rect(r.Min.X, r.Min.Y, r.Min.X+width, r.Max.Y), c, 1)
	fillRect(img, image.Rect(r.Max.X-width, r.Min.Y, r.Max.X, r.Max.Y), c, 1)
}

// GoBoard draws a size×size Go board. stones is row-major (row 0 at the top):
// 1 black, -1 white, 0 empty. probs (nil, size×size, or size×size+1 with the
// pass move last) paints each empty point red with opacity ∝ its probability
// (relative to the largest); the most likely move gets a ring and a pass
// probability is written under the board.
//
//	pic, err := plotting.GoBoard(5, board, policy)
func GoBoard(size int, stones []int, probs []float64, options ...PicOption) (*Picture, error) {
	cfg := newPicConfig(options)
	if size < 2 || size > 25 {
		return nil, fmt.Errorf("plotting.GoBoard: size %d outside 2..25", size)
	}
	if len(stones) != size*size {
		return nil, fmt.Errorf("plotting.GoBoard: %d stones for a %d×%d board", len(stones), size, size)
	}
	if probs != nil && len(probs) != size*size && len(probs) != size*size+1 {
		return nil, fmt.Errorf("plotting.GoBoard: %d probabilities for a %d×%d board (want %d or %d with pass)", len(probs), size, size, size*size, size*size+1)
	}
	best, pmax := -1, 0.0
	for i, p := range probs {
		if math.IsNaN(p) || math.IsInf(p, 0) || p < 0 {
			return nil, fmt.Errorf("plotting.GoBoard: probability %d is %v", i, p)
		}
		if p > pmax {
			best, pmax = i, p
		}
	}
	for i, s := range stones {
		if s < -1 || s > 1 {
			return nil, fmt.Errorf("plotting.GoBoard: stone %d is %d (want 1 black, -1 white, 0 empty)", i, s)
		}
	}
	cell := cfg.cell
	if cell <= 0 {
		cell = 32
	}
	margin := cell
	side := 2*margin + (size-1)*cell
	extra := 0
	if len(probs) == size*size+1 {
		extra = lineHeight(labelSize) + 4
	}
	out := image.NewRGBA(image.Rect(0, 0, side, side+extra))
	draw.Draw(out, out.Rect, &image.Uniform{color.RGBA{220, 179, 92, 255}}, image.Point{}, draw.Src)
	ink := color.RGBA{40, 30, 20, 255}
	for i := 0; i < size; i++ {
		p := margin + i*cell
		fillRect(out, image.Rect(margin, p, margin+(size-1)*cell+1, p+1), ink, 1)
		fillRect(out, image.Rect(p, margin, p+1, margin+(size-1)*cell+1), ink, 1)
	}
	// Coordinates as Go players write them: columns A, B, ... (no I) above,
	// rows numbered from the bottom on the left.
	for i := 0; i < size; i++ {
		p := margin + i*cell
		col := string(rune('A' + i + boolInt(i >= 8)))
		row := fmt.Sprint(size - i)
		for _, l := range []struct {
			text string
			x, y int // the label's centre
		}{{col, p, margin / 2}, {row, margin / 2, p}} {
			w, h, err := textBox(l.text, labelSize)
			if err != nil {
				return nil, fmt.Errorf("plotting.GoBoard: %w", err)
			}
			if _, err := drawText(out, l.x-w/2-2, l.y-h/2-1, l.text, labelSize, ink, color.RGBA{}); err != nil {
				return nil, fmt.Errorf("plotting.GoBoard: %w", err)
			}
		}
	}
	half := cell / 2
	for i := 0; i < size*size; i++ {
		cx, cy := margin+(i%size)*cell, margin+(i/size)*cell
		if stones[i] == 0 && probs != nil && pmax > 0 && probs[i] > 0 {
			fillRect(out, image.Rect(cx-half+2, cy-half+2, cx+half-1, cy+half-1), color.RGBA{230, 30, 30, 255}, 0.85*probs[i]/pmax)
		}
		if stones[i] != 0 {
			c := color.RGBA{10, 10, 10, 255}
			edge := color.RGBA{10, 10, 10, 255}
			if stones[i] < 0 {
				c = color.RGBA{245, 245, 245, 255}
			}
			fillDisc(out, cx, cy, float64(half)-1.5, edge)
			fillDisc(out, cx, cy, float64(half)-2.5, c)
		}
		if i == best && stones[i] == 0 {
			ring(out, cx, cy, float64(half)-4, color.RGBA{120, 0, 0, 255})
		}
	}
	if extra > 0 {
		if _, err := drawText(out, margin-2, side, fmt.Sprintf("pass %.1f%%", 100*probs[size*size]), labelSize, ink, color.RGBA{}); err != nil {
			return nil, fmt.Errorf("plotting.GoBoard: %w", err)
		}
	}
	return &Picture{Image: out, Alt: fmt.Sprintf("%d×%d Go board", size, size)}, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func fillDisc(img *image.RGBA, cx, cy int, r float64, c color.RGBA) {
	ri := int(math.Ceil(r))
	for y := -ri; y <= ri; y++ {
		for x := -ri; x <= ri; x++ {
			if float64(x*x+y*y) <= r*r {
				setPix(img, cx+x, cy+y, c)
			}
		}
	}
}

func ring(img *image.RGBA, cx, cy int, r float64, c color.RGBA) {
	ri := int(math.Ceil(r)) + 1
	for y := -ri; y <= ri; y++ {
		for x := -ri; x <= ri; x++ {
			d := math.Sqrt(float64(x*x + y*y))
			if d <= r && d > r-2 {
				setPix(img, cx+x, cy+y, c)
			}
		}
	}
}

// HeatOverlay blends a heat map (heat[row][col], any positive size, e.g. a
// 7×7 Grad-CAM) over img: the map is bilinearly resized to the image,
// rescaled from its min..max to a blue→red "jet" palette and drawn with
// opacity 0.5 ([PicAlpha]). NaN/Inf or ragged rows are errors.
//
//	pic, err := plotting.HeatOverlay(img, cam)
func HeatOverlay(img image.Image, heat [][]float64, options ...PicOption) (*Picture, error) {
	cfg := newPicConfig(options)
	if img == nil || img.Bounds().Empty() {
		return nil, fmt.Errorf("plotting.HeatOverlay: empty image")
	}
	hr := len(heat)
	if hr == 0 || len(heat[0]) == 0 {
		return nil, fmt.Errorf("plotting.HeatOverlay: empty heat map")
	}
	hc := len(heat[0])
	lo, hi := math.Inf(1), math.Inf(-1)
	for r, row := range heat {
		if len(row) != hc {
			return nil, fmt.Errorf("plotting.HeatOverlay: heat row %d has %d values, row 0 has %d", r, len(row), hc)
		}
		for c, v := range row {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("plotting.HeatOverlay: heat[%d][%d] is %v", r, c, v)
			}
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
	}
	den := hi - lo
	if den == 0 {
		den = 1
	}
	alpha := cfg.alpha
	if alpha < 0 {
		alpha = 0.5
	}
	b := img.Bounds()
	s := cfg.scale
	if s <= 0 {
		s = max(1, (256+max(b.Dx(), b.Dy())-1)/max(b.Dx(), b.Dy()))
	}
	out := scaled(img, s)
	W, H := out.Rect.Dx(), out.Rect.Dy()
	for y := 0; y < H; y++ {
		for x := 0; x < W; x++ {
			// Sample the heat map at the pixel centre, cell centres at (i+0.5).
			fy := (float64(y)+0.5)/float64(H)*float64(hr) - 0.5
			fx := (float64(x)+0.5)/float64(W)*float64(hc) - 0.5
			v := (bilinear(heat, fy, fx) - lo) / den
			blendPix(out, x, y, jet(v), alpha)
		}
	}
	return &Picture{Image: out, Alt: "heat map overlay"}, nil
}

func bilinear(m [][]float64, fy, fx float64) float64 {
	rows, cols := len(m), len(m[0])
	clamp := func(v, hi int) int { return min(max(v, 0), hi-1) }
	y0, x0 := int(math.Floor(fy)), int(math.Floor(fx))
	ty, tx := fy-float64(y0), fx-float64(x0)
	a := m[clamp(y0, rows)][clamp(x0, cols)]
	b := m[clamp(y0, rows)][clamp(x0+1, cols)]
	c := m[clamp(y0+1, rows)][clamp(x0, cols)]
	d := m[clamp(y0+1, rows)][clamp(x0+1, cols)]
	return (a*(1-tx)+b*tx)*(1-ty) + (c*(1-tx)+d*tx)*ty
}

// jet maps v in [0, 1] to the classic blue→cyan→yellow→red palette.
func jet(v float64) color.RGBA {
	v = math.Min(1, math.Max(0, v))
	f := func(x float64) uint8 { return uint8(255*math.Min(1, math.Max(0, x)) + 0.5) }
	return color.RGBA{f(1.5 - math.Abs(4*v-3)), f(1.5 - math.Abs(4*v-2)), f(1.5 - math.Abs(4*v-1)), 255}
}
