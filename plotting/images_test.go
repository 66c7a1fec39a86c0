package plotting

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math"
	"strings"
	"testing"
)

func at(t *testing.T, p *Picture, x, y int) color.RGBA {
	t.Helper()
	r, g, b, a := p.Image.At(x, y).RGBA()
	return color.RGBA{uint8(r >> 8), uint8(g >> 8), uint8(b >> 8), uint8(a >> 8)}
}

func TestImageGridPixels(t *testing.T) {
	// Two 2×2 gray images, scale 3, 2 columns: tiles at x=2 and x=2+6+2=10.
	a := []float32{0, 1, 0.5, 0}
	b := []float32{-1, 1, 0, 0} // outside [0,1]: rescaled from its min..max
	p, err := ImageGrid([][]float32{a, b}, 2, 2, PicScale(3))
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Image.Bounds(); got != image.Rect(0, 0, 2*(6+2)+2, 6+2+2) {
		t.Fatalf("bounds %v", got)
	}
	gray := func(v uint8) color.RGBA { return color.RGBA{v, v, v, 255} }
	tests := []struct {
		x, y int
		want color.RGBA
	}{
		{0, 0, gray(128)},  // padding
		{2, 2, gray(0)},    // a[0,0]
		{4, 4, gray(0)},    // a[0,0], last pixel of the 3×3 block
		{5, 2, gray(255)},  // a[0,1]
		{2, 5, gray(128)},  // a[1,0] = 0.5 → 128
		{7, 7, gray(0)},    // a[1,1]
		{8, 2, gray(128)},  // padding between tiles
		{10, 2, gray(0)},   // b[0,0] = -1 → 0
		{13, 2, gray(255)}, // b[0,1] = 1 → 255
		{10, 5, gray(128)}, // b[1,0] = 0 → 127.5 → 128
		{17, 9, gray(128)}, // bottom-right padding
	}
	for _, tc := range tests {
		if got := at(t, p, tc.x, tc.y); got != tc.want {
			t.Errorf("pixel (%d,%d) = %v, want %v", tc.x, tc.y, got, tc.want)
		}
	}
}

func TestImageGridRGBAndCaption(t *testing.T) {
	img := make([]float32, 8*12*3)
	for i := 0; i < 8*12; i++ {
		img[3*i] = 1 // red
	}
	p, err := ImageGridFlat(img, 1, 8, 12, 3, PicScale(1), PicCaptions([]string{"7"}))
	if err != nil {
		t.Fatal(err)
	}
	if got := at(t, p, 2+11, 2+7); got != (color.RGBA{255, 0, 0, 255}) {
		t.Errorf("red pixel = %v", got)
	}
	// Caption "7": its black box starts at (3,3), one pixel into the tile.
	if got := at(t, p, 3, 3); got != (color.RGBA{0, 0, 0, 255}) {
		t.Errorf("caption box = %v", got)
	}
	requireAntialiasedInk(t, p, image.Rect(3, 3, 16, 14), color.RGBA{255, 255, 0, 255}, color.RGBA{0, 0, 0, 255})
}

// requireAntialiasedInk requires, inside r, pixels near the label colour ink
// and pixels part way from the background bg to it: text drawn anti-aliased
// with a real font, not a 1-bit bitmap.
func requireAntialiasedInk(t *testing.T, p *Picture, r image.Rectangle, ink, bg color.RGBA) {
	t.Helper()
	dist := func(a, b color.RGBA) float64 {
		d := func(x, y uint8) float64 { return float64(x) - float64(y) }
		return math.Sqrt(d(a.R, b.R)*d(a.R, b.R) + d(a.G, b.G)*d(a.G, b.G) + d(a.B, b.B)*d(a.B, b.B))
	}
	full, partial := 0, 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			switch f := dist(at(t, p, x, y), bg) / dist(ink, bg); {
			case f > 0.8:
				full++
			case f > 0.05:
				partial++
			}
		}
	}
	if full == 0 || partial == 0 {
		t.Errorf("label in %v: %d pixels of ink %v and %d anti-aliased ones; want both", r, full, ink, partial)
	}
}

// TestJapaneseCaption draws Japanese captions with the Japanese font: two
// characters give two different pictures, unlike the Go font's fallback box.
func TestJapaneseCaption(t *testing.T) {
	if _, err := loadJapaneseFont(); err != nil {
		requireAssetsOrSkip(t, err.Error())
	}
	tile := make([]float32, 28*28)
	caption := func(s string) []uint8 {
		p, err := ImageGrid([][]float32{tile}, 28, 28, PicCaptions([]string{s}))
		if err != nil {
			t.Fatal(err)
		}
		return p.Image.(*image.RGBA).Pix
	}
	cat, dog, box := caption("猫"), caption("犬"), caption("\uE000")
	if string(cat) == string(dog) || string(cat) == string(box) || string(dog) == string(box) {
		t.Error("the captions 猫, 犬 and a character no font has draw the same picture")
	}
	p, err := ImageGrid([][]float32{tile}, 28, 28, PicCaptions([]string{"猫 0.93"}))
	if err != nil {
		t.Fatal(err)
	}
	requireAntialiasedInk(t, p, image.Rect(2, 2, 40, 18), color.RGBA{255, 255, 0, 255}, color.RGBA{0, 0, 0, 255})
	if w, _, _ := textBox("猫", labelSize); w < labelSize-1 {
		t.Errorf("猫 is %d px wide at %d px: want a full-width glyph", w, labelSize)
	}
}

func TestDetectionsPixels(t *testing.T) {
	src, _ := GrayImage(make([]float32, 20*20), 20, 20) // black 20×20
	mask := make([]float32, 20*20)
	for y := 12; y < 16; y++ {
		for x := 12; x < 16; x++ {
			mask[y*20+x] = 1
		}
	}
	p, err := Detections(src, []Detection{
		{X0: 2, Y0: 10, X1: 9, Y1: 18, Label: "a", Score: 0.5, Class: 3},
		{X0: 10, Y0: 10, X1: 18, Y1: 18, Score: -1, Class: 0, Mask: mask},
	}, PicScale(2), PicAlpha(0.5))
	if err != nil {
		t.Fatal(err)
	}
	red := rgbaOf(Color(3))
	blue := rgbaOf(Color(0))
	black := color.RGBA{0, 0, 0, 255}
	half := func(c color.RGBA) color.RGBA { // 50% over black, rounded
		h := func(v uint8) uint8 { return uint8(float64(v)*0.5 + 0.5) }
		return color.RGBA{h(c.R), h(c.G), h(c.B), 255}
	}
	tests := []struct {
		x, y int
		want color.RGBA
		what string
	}{
		{4, 20, red, "box 1 top-left corner (scaled ×2)"},
		{5, 21, red, "box 1 second pixel of a 2 px outline"},
		{6, 22, black, "box 1 inside"},
		{17, 35, red, "box 1 bottom-right corner (exclusive edge 18,36)"},
		{18, 36, black, "outside box 1"},
		{26, 26, half(blue), "mask pixel, 50% blue over black"},
		{31, 31, half(blue), "last mask pixel"},
		{32, 32, black, "inside box 2, outside mask"},
		{22, 22, black, "inside box 2, outside mask"},
		{20, 20, blue, "box 2 outline"},
		{35, 35, blue, "box 2 outline"},
		{4, 10, red, "tag background above box 1 (it ends 2 px above the box at y = 20)"},
		{5, 0, black, "above the tag"},
	}
	for _, tc := range tests {
		if got := at(t, p, tc.x, tc.y); got != tc.want {
			t.Errorf("%s: pixel (%d,%d) = %v, want %v", tc.what, tc.x, tc.y, got, tc.want)
		}
	}
	requireAntialiasedInk(t, p, image.Rect(4, 1, 40, 18), color.RGBA{255, 255, 255, 255}, red)
}

func TestGoBoardPixels(t *testing.T) {
	stones := []int{
		1, 0, 0,
		0, -1, 0,
		0, 0, 0,
	}
	probs := []float64{0, 0.1, 0, 0, 0, 0, 0, 0, 0.6, 0.3}
	p, err := GoBoard(3, stones, probs)
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Image.Bounds(); got != image.Rect(0, 0, 2*32+2*32, 2*32+2*32+lineHeight(labelSize)+4) {
		t.Fatalf("bounds %v", got)
	}
	wood := color.RGBA{220, 179, 92, 255}
	center := func(i int) (int, int) { return 32 + (i%3)*32, 32 + (i/3)*32 }
	x, y := center(0)
	if got := at(t, p, x, y); got != (color.RGBA{10, 10, 10, 255}) {
		t.Errorf("black stone = %v", got)
	}
	x, y = center(4)
	if got := at(t, p, x, y); got != (color.RGBA{245, 245, 245, 255}) {
		t.Errorf("white stone = %v", got)
	}
	if got := at(t, p, x+14, y); got != (color.RGBA{10, 10, 10, 255}) {
		t.Errorf("white stone edge = %v", got)
	}
	// Best move (index 8, p=0.6): full 85% red over the point, lines excluded.
	x, y = center(8)
	a := 0.85
	mix := func(w, r float64) uint8 { return uint8(w*(1-a) + r*a + 0.5) }
	red85 := color.RGBA{mix(220, 230), mix(179, 30), mix(92, 30), 255}
	if got := at(t, p, x+3, y+3); got != red85 {
		t.Errorf("best move heat = %v, want %v", got, red85)
	}
	x, y = center(2)
	if got := at(t, p, x+3, y+3); got != wood {
		t.Errorf("zero-probability point = %v, want wood %v", got, wood)
	}
	x, y = center(1) // p=0.1 → opacity 0.85/6
	if got := at(t, p, x+3, y+3); got == wood || got == red85 {
		t.Errorf("low-probability point = %v, want a light red", got)
	}
	if got := at(t, p, 48, 32); got != (color.RGBA{40, 30, 20, 255}) {
		t.Errorf("grid line = %v", got)
	}
	// Coordinates: A above the first column, 3 left of the top row, the pass probability below.
	for _, r := range []image.Rectangle{image.Rect(24, 4, 40, 28), image.Rect(4, 24, 28, 40), image.Rect(28, 128, 100, 147)} {
		dark := 0
		for y := r.Min.Y; y < r.Max.Y; y++ {
			for x := r.Min.X; x < r.Max.X; x++ {
				if c := at(t, p, x, y); c != wood && c.R < 150 {
					dark++
				}
			}
		}
		if dark < 5 {
			t.Errorf("no label ink in %v (%d dark pixels)", r, dark)
		}
	}
}

func TestHeatOverlayPixels(t *testing.T) {
	src, _ := GrayImage([]float32{0, 0, 0, 0}, 2, 2)
	p, err := HeatOverlay(src, [][]float64{{0, 1}, {0, 1}}, PicScale(2), PicAlpha(1))
	if err != nil {
		t.Fatal(err)
	}
	if got := at(t, p, 0, 0); got != jet(0) {
		t.Errorf("cold corner = %v, want %v", got, jet(0))
	}
	if got := at(t, p, 3, 3); got != jet(1) {
		t.Errorf("hot corner = %v, want %v", got, jet(1))
	}
	if jet(0) != (color.RGBA{0, 0, 128, 255}) || jet(1) != (color.RGBA{128, 0, 0, 255}) || jet(0.5) != (color.RGBA{128, 255, 128, 255}) {
		t.Errorf("jet palette: %v %v %v", jet(0), jet(0.5), jet(1))
	}
}

func TestPictureHTMLAndPNG(t *testing.T) {
	p, err := ImageGrid([][]float32{{0, 1, 1, 0}}, 2, 2, PicScale(1))
	if err != nil {
		t.Fatal(err)
	}
	b, err := p.PNG()
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if img.Bounds() != p.Image.Bounds() {
		t.Errorf("decoded bounds %v", img.Bounds())
	}
	h, err := p.HTML()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, `<img class="dl4go-picture" width="6" height="6"`) || !strings.Contains(h, "data:image/png;base64,iVBORw0KGgo") {
		t.Errorf("html = %.120s", h)
	}
}

func TestWAV(t *testing.T) {
	s, err := Audio([]float32{0, 1, -1, 0.5, 2}, 8000)
	if err != nil {
		t.Fatal(err)
	}
	w := s.WAV()
	if len(w) != 44+10 {
		t.Fatalf("len %d", len(w))
	}
	le16 := func(o int) uint16 { return binary.LittleEndian.Uint16(w[o:]) }
	le32 := func(o int) uint32 { return binary.LittleEndian.Uint32(w[o:]) }
	if string(w[0:4]) != "RIFF" || le32(4) != 46 || string(w[8:16]) != "WAVEfmt " || le32(16) != 16 ||
		le16(20) != 1 || le16(22) != 1 || le32(24) != 8000 || le32(28) != 16000 || le16(32) != 2 || le16(34) != 16 ||
		string(w[36:40]) != "data" || le32(40) != 10 {
		t.Errorf("bad header % x", w[:44])
	}
	want := []int16{0, 32767, -32767, 16384, 32767}
	for i, v := range want {
		if got := int16(le16(44 + 2*i)); got != v {
			t.Errorf("sample %d = %d, want %d", i, got, v)
		}
	}
	h, err := s.HTML()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(h, `<audio controls preload="auto" src="data:audio/wav;base64,UklGR`) {
		t.Errorf("html = %.100s", h)
	}
}

// TestTile checks the layout of Tile: sizes, gaps, pixel placement and alt text.
func TestTile(t *testing.T) {
	solid := func(w, h int, c color.RGBA, alt string) *Picture {
		img := image.NewRGBA(image.Rect(0, 0, w, h))
		draw.Draw(img, img.Bounds(), &image.Uniform{c}, image.Point{}, draw.Src)
		return &Picture{Image: img, Alt: alt}
	}
	red, blue := color.RGBA{255, 0, 0, 255}, color.RGBA{0, 0, 255, 255}
	p := Tile([][]*Picture{{solid(10, 5, red, "a"), nil, solid(3, 8, blue, "b")}, {solid(6, 6, blue, "c")}})
	// Width: 10 + 4 + 3; height: 8 + 4 + 6.
	if b := p.Image.Bounds(); b.Dx() != 17 || b.Dy() != 18 {
		t.Fatalf("bounds %v, want 17×18", b)
	}
	for _, c := range []struct {
		x, y int
		want color.RGBA
	}{{0, 0, red}, {9, 4, red}, {12, 0, color.RGBA{255, 255, 255, 255}}, {14, 7, blue}, {0, 12, blue}, {5, 17, blue}, {7, 13, color.RGBA{255, 255, 255, 255}}} {
		if got := at(t, p, c.x, c.y); got != c.want {
			t.Errorf("pixel (%d,%d) = %v, want %v", c.x, c.y, got, c.want)
		}
	}
	if p.Alt != "a; b; c" {
		t.Errorf("alt %q, want %q", p.Alt, "a; b; c")
	}
}
