package plotting

import (
	"context"
	"fmt"
	"image"
	"image/color"
	"math"
	"sync"
	"time"

	tdfont "github.com/tdewolff/font"
	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"

	"github.com/dl4go/dl4go/assets"
)

// Labels in pictures (captions, detection tags, Go board coordinates) are
// drawn anti-aliased with the Go font (golang.org/x/image/font/gofont)
// through opentype; a character the Go font lacks, such as Japanese, comes
// from Noto Sans JP, the font exported pages embed (package assets fetches
// it once, like echarts).

// labelSize is the default label height in pixels, readable beside a page's 16 px text.
const labelSize = 12

var (
	goFontOnce sync.Once
	goFont     *opentype.Font
	goFontErr  error

	jaFontOnce sync.Once
	jaFont     *opentype.Font
	jaFontErr  error

	facesMu sync.Mutex
	faces   = map[faceKey]font.Face{}
)

type faceKey struct {
	ja   bool
	size float64
}

func loadGoFont() (*opentype.Font, error) {
	goFontOnce.Do(func() { goFont, goFontErr = opentype.Parse(goregular.TTF) })
	return goFont, goFontErr
}

// loadJapaneseFont reads Noto Sans JP from the offline assets, fetching it
// (pinned and checksummed) the first time.
func loadJapaneseFont() (*opentype.Font, error) {
	jaFontOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		if _, err := assets.Ensure(ctx, "noto-sans-jp"); err != nil {
			jaFontErr = fmt.Errorf("the Japanese font is not available offline (run `go run ./cmd/dl4go install` once online): %w", err)
			return
		}
		woff2, err := assets.Read("noto-sans-jp", "files/noto-sans-jp-japanese-400-normal.woff2")
		if err != nil {
			jaFontErr = err
			return
		}
		sfnt, err := tdfont.ParseWOFF2(woff2)
		if err != nil {
			jaFontErr = fmt.Errorf("read the Japanese font: %w", err)
			return
		}
		if jaFont, err = opentype.Parse(sfnt); err != nil {
			jaFontErr = fmt.Errorf("read the Japanese font: %w", err)
		}
	})
	return jaFont, jaFontErr
}

// face returns the Go font (ja: Noto Sans JP) at size pixels, anti-aliased.
func face(ja bool, size float64) (font.Face, error) {
	facesMu.Lock()
	defer facesMu.Unlock()
	k := faceKey{ja, size}
	if f, ok := faces[k]; ok {
		return f, nil
	}
	load := loadGoFont
	if ja {
		load = loadJapaneseFont
	}
	fnt, err := load()
	if err != nil {
		return nil, err
	}
	f, err := opentype.NewFace(fnt, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingFull})
	if err != nil {
		return nil, err
	}
	faces[k] = f
	return f, nil
}

// textRun is a piece of a label drawn with one face.
type textRun struct {
	face font.Face
	text string
}

// layoutText splits s into runs of the Go font and of the Japanese font
// (for the characters the Go font lacks), at size pixels.
func layoutText(s string, size float64) ([]textRun, error) {
	latin, err := face(false, size)
	if err != nil {
		return nil, fmt.Errorf("plotting: label font: %w", err)
	}
	var runs []textRun
	for _, r := range s {
		f := latin
		if _, ok := latin.GlyphAdvance(r); !ok && r > 0x7f {
			ja, err := face(true, size)
			if err != nil {
				return nil, fmt.Errorf("plotting: label %q: %w", s, err)
			}
			if _, ok := ja.GlyphAdvance(r); ok {
				f = ja
			}
		}
		if n := len(runs); n > 0 && runs[n-1].face == f {
			runs[n-1].text += string(r)
		} else {
			runs = append(runs, textRun{f, string(r)})
		}
	}
	return runs, nil
}

// labelPad is the margin, in pixels, between a label's text and its box.
const labelPad = 2

// textBox is the size of the box drawText draws for s at size pixels.
func textBox(s string, size float64) (w, h int, err error) {
	runs, err := layoutText(s, size)
	if err != nil {
		return 0, 0, err
	}
	var adv fixed.Int26_6
	for _, r := range runs {
		adv += font.MeasureString(r.face, r.text)
	}
	ascent, descent := extents(runs)
	return adv.Ceil() + 2*labelPad, (ascent + descent).Ceil() + 2*labelPad, nil
}

// extents are the height above and below the baseline that runs need: the
// capital height for Latin text (a compact box), the font's ascent when a
// run is Japanese (ideographs rise above capitals).
func extents(runs []textRun) (ascent, descent fixed.Int26_6) {
	for _, r := range runs {
		m := r.face.Metrics()
		a := m.CapHeight
		if _, isJa := r.face.GlyphAdvance('あ'); isJa || a <= 0 {
			a = m.Ascent
		}
		ascent, descent = max(ascent, a), max(descent, m.Descent)
	}
	return ascent, descent
}

// lineHeight is the height of a label's box at size pixels (Latin text).
func lineHeight(size float64) int {
	_, h, err := textBox("Ag", size)
	if err != nil {
		return int(math.Ceil(size*1.25)) + 2*labelPad
	}
	return h
}

// drawText draws s at size pixels with its box's top-left corner at (x, y),
// on a filled box of colour bg (labelPad pixels around the text; a zero
// bg.A draws no box). It returns the box.
func drawText(img *image.RGBA, x, y int, s string, size float64, fg, bg color.RGBA) (image.Rectangle, error) {
	runs, err := layoutText(s, size)
	if err != nil {
		return image.Rectangle{}, err
	}
	w, h, _ := textBox(s, size)
	box := image.Rect(x, y, x+w, y+h)
	if bg.A != 0 {
		fillRect(img, box, bg, 1)
	}
	ascent, _ := extents(runs)
	dot := fixed.P(x+labelPad, y+labelPad)
	dot.Y += ascent
	for _, r := range runs {
		d := font.Drawer{Dst: img, Src: image.NewUniform(fg), Face: r.face, Dot: dot}
		d.DrawString(r.text)
		dot = d.Dot
	}
	return box, nil
}

func setPix(img *image.RGBA, x, y int, c color.RGBA) {
	if (image.Point{x, y}).In(img.Rect) {
		img.SetRGBA(x, y, c)
	}
}

// fillRect blends colour c with opacity alpha (0..1) over r ∩ img.
func fillRect(img *image.RGBA, r image.Rectangle, c color.RGBA, alpha float64) {
	r = r.Intersect(img.Rect)
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			blendPix(img, x, y, c, alpha)
		}
	}
}

func blendPix(img *image.RGBA, x, y int, c color.RGBA, alpha float64) {
	if !(image.Point{x, y}).In(img.Rect) {
		return
	}
	if alpha >= 1 {
		img.SetRGBA(x, y, color.RGBA{c.R, c.G, c.B, 255})
		return
	}
	o := img.RGBAAt(x, y)
	mix := func(a, b uint8) uint8 { return uint8(float64(a)*(1-alpha) + float64(b)*alpha + 0.5) }
	img.SetRGBA(x, y, color.RGBA{mix(o.R, c.R), mix(o.G, c.G), mix(o.B, c.B), 255})
}
