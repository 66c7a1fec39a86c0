package plotting

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"html"
	"image"
	"image/png"
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
