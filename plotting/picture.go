package plotting

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"html"
	"image"
	"image/draw"
	"image/png"
	"strings"
)

// Picture is a raster image shown inline as a PNG: in a cell through [Show]
// (image/png output), in a page through [Picture.HTML] (an <img> data URI).
type Picture struct {
	Image image.Image
	Alt   string // alt text of the <img>
}

// PNG encodes the picture.
func (p *Picture) PNG() ([]byte, error) {
	if p == nil || p.Image == nil {
		return nil, fmt.Errorf("plotting: empty picture")
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, p.Image); err != nil {
		return nil, fmt.Errorf("plotting: encode png: %w", err)
	}
	return buf.Bytes(), nil
}

// HTML returns an <img> element with the PNG as a data URI.
func (p *Picture) HTML() (string, error) {
	b, err := p.PNG()
	if err != nil {
		return "", err
	}
	r := p.Image.Bounds()
	return fmt.Sprintf(`<img class="dl4go-picture" width="%d" height="%d" alt="%s" style="image-rendering:pixelated" src="data:image/png;base64,%s">`,
		r.Dx(), r.Dy(), html.EscapeString(p.Alt), base64.StdEncoding.EncodeToString(b)), nil
}

// tileGap is the white gap, in pixels, between the pictures of [Tile].
const tileGap = 4

// Tile lays pictures out in rows (cells[r] is row r, left to right) on a white background with
// 4-pixel gaps, as one picture whose alt text joins theirs. Rows may differ in length and the
// pictures in size; nil pictures are skipped.
func Tile(cells [][]*Picture) *Picture {
	w, h := 0, 0
	for _, r := range cells {
		rw, rh := 0, 0
		for _, p := range r {
			if p == nil || p.Image == nil {
				continue
			}
			b := p.Image.Bounds()
			rw += b.Dx() + tileGap
			rh = max(rh, b.Dy())
		}
		w, h = max(w, rw), h+rh+tileGap
	}
	out := image.NewRGBA(image.Rect(0, 0, max(w-tileGap, 1), max(h-tileGap, 1)))
	draw.Draw(out, out.Bounds(), image.White, image.Point{}, draw.Src)
	y := 0
	var alts []string
	for _, r := range cells {
		x, rh := 0, 0
		for _, p := range r {
			if p == nil || p.Image == nil {
				continue
			}
			b := p.Image.Bounds()
			draw.Draw(out, image.Rect(x, y, x+b.Dx(), y+b.Dy()), p.Image, b.Min, draw.Src)
			x += b.Dx() + tileGap
			rh = max(rh, b.Dy())
			if p.Alt != "" {
				alts = append(alts, p.Alt)
			}
		}
		y += rh + tileGap
	}
	return &Picture{Image: out, Alt: strings.Join(alts, "; ")}
}
