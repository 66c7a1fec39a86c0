package plotting

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"math"
	"strings"
)

// Mark is a line segment from (X0, Y0) to (X1, Y1), or with Dot a dot at (X0, Y0), drawn over
// an image by [Marks], in source-image pixels (pixel x spans [x, x+1)); its colour is the
// palette's Color(Class) unless RGB is set ("#rrggbb"), its width (segments) or radius (dots)
// Width output pixels (≤ 0: 1 for segments, 2 for dots), and Label, if any, is written beside
// its start.
type Mark struct {
	X0, Y0, X1, Y1 float64
	Class          int
	RGB            string
	Width          int
	Dot            bool
	Label          string
}

// Marks draws segments and dots over img, enlarged like [Detections] (at least 256 pixels on
// the larger side unless [PicScale]): grids, bins and sample points on a picture.
//
//	pic, err := plotting.Marks(img, []plotting.Mark{{X0: 4, Y0: 0, X1: 4, Y1: 48}, {X0: 10.5, Y0: 7.25, Dot: true}}, plotting.PicScale(8))
func Marks(img image.Image, marks []Mark, options ...PicOption) (*Picture, error) {
	cfg := newPicConfig(options)
	if img == nil || img.Bounds().Empty() {
		return nil, fmt.Errorf("plotting.Marks: empty image")
	}
	b := img.Bounds()
	s := cfg.scale
	if s <= 0 {
		s = max(1, (256+max(b.Dx(), b.Dy())-1)/max(b.Dx(), b.Dy()))
	}
	out := scaled(img, s)
	for i, m := range marks {
		for _, v := range []float64{m.X0, m.Y0, m.X1, m.Y1} {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("plotting.Marks: mark %d has a non-finite coordinate %v", i, v)
			}
		}
		if m.Class < 0 {
			return nil, fmt.Errorf("plotting.Marks: mark %d has class %d < 0", i, m.Class)
		}
		col := rgbaOf(Color(m.Class))
		if m.RGB != "" {
			col = rgbaOf(m.RGB)
		}
		fs := float64(s)
		x0, y0 := int(math.Round(m.X0*fs)), int(math.Round(m.Y0*fs))
		if m.Dot {
			r := float64(m.Width)
			if r <= 0 {
				r = 2
			}
			fillDisc(out, x0, y0, r, col)
		} else {
			w := m.Width
			if w <= 0 {
				w = 1
			}
			segment(out, m.X0*fs, m.Y0*fs, m.X1*fs, m.Y1*fs, w, col)
		}
		if m.Label != "" {
			if _, err := drawText(out, x0+3, y0+3, m.Label, labelSize, color.RGBA{255, 255, 255, 255}, col); err != nil {
				return nil, fmt.Errorf("plotting.Marks: %w", err)
			}
		}
	}
	return &Picture{Image: out, Alt: fmt.Sprintf("%d marks", len(marks))}, nil
}

// segment draws a line w pixels wide from (x0, y0) to (x1, y1) (output pixels).
func segment(img *image.RGBA, x0, y0, x1, y1 float64, w int, c color.RGBA) {
	n := int(math.Ceil(math.Max(math.Abs(x1-x0), math.Abs(y1-y0)))) + 1
	lo := -(w - 1) / 2
	for i := 0; i <= n; i++ {
		t := float64(i) / float64(n)
		x, y := int(math.Floor(x0+t*(x1-x0))), int(math.Floor(y0+t*(y1-y0)))
		for dy := lo; dy < lo+w; dy++ {
			for dx := lo; dx < lo+w; dx++ {
				setPix(img, x+dx, y+dy, c)
			}
		}
	}
}

// DiagramRow is one row of a [Diagram]: a title on the left, then its steps as boxes joined by
// arrows. Classes, when given (one per step), colour the steps with the palette; steps without
// one are grey.
type DiagramRow struct {
	Title   string
	Steps   []string
	Classes []int
}

// Diagram draws a block diagram: one row per pipeline, each a title and its steps in boxes
// joined left to right by arrows, the boxes of all rows aligned in columns. A step's text may
// hold "\n" for a second line.
//
//	pic, err := plotting.Diagram([]plotting.DiagramRow{{Title: "R-CNN", Steps: []string{"selective search", "CNN per region", "SVM"}}})
func Diagram(rows []DiagramRow, options ...PicOption) (*Picture, error) {
	if len(rows) == 0 {
		return nil, fmt.Errorf("plotting.Diagram: no rows")
	}
	const pad, gap, arrow, size = 8, 10, 26, 13.0
	lines := func(s string) []string {
		var out []string
		start := 0
		for i := 0; i < len(s); i++ {
			if s[i] == '\n' {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
		return append(out, s[start:])
	}
	lh := lineHeight(size)
	titleW, cols := 0, 0
	var colW []int
	rowH := make([]int, len(rows))
	for r, row := range rows {
		if len(row.Steps) == 0 {
			return nil, fmt.Errorf("plotting.Diagram: row %d (%q) has no steps", r, row.Title)
		}
		if row.Classes != nil && len(row.Classes) != len(row.Steps) {
			return nil, fmt.Errorf("plotting.Diagram: row %d has %d classes for %d steps", r, len(row.Classes), len(row.Steps))
		}
		w, _, err := textBox(row.Title, size)
		if err != nil {
			return nil, fmt.Errorf("plotting.Diagram: %w", err)
		}
		titleW = max(titleW, w)
		cols = max(cols, len(row.Steps))
		for len(colW) < cols {
			colW = append(colW, 0)
		}
		rowH[r] = lh + 2*pad
		for i, st := range row.Steps {
			ls := lines(st)
			for _, l := range ls {
				w, _, err := textBox(l, size)
				if err != nil {
					return nil, fmt.Errorf("plotting.Diagram: %w", err)
				}
				colW[i] = max(colW[i], w+2*pad)
			}
			rowH[r] = max(rowH[r], len(ls)*lh+2*pad)
		}
	}
	width := pad + titleW + gap
	for _, w := range colW {
		width += w + arrow
	}
	width += pad - arrow
	height := pad
	for _, h := range rowH {
		height += h + gap
	}
	out := image.NewRGBA(image.Rect(0, 0, width, height))
	draw.Draw(out, out.Rect, &image.Uniform{color.RGBA{255, 255, 255, 255}}, image.Point{}, draw.Src)
	ink := color.RGBA{60, 60, 60, 255}
	y := pad
	for r, row := range rows {
		h := rowH[r]
		if _, err := drawText(out, pad, y+(h-lh)/2, row.Title, size, ink, color.RGBA{}); err != nil {
			return nil, fmt.Errorf("plotting.Diagram: %w", err)
		}
		x := pad + titleW + gap
		for i, st := range row.Steps {
			col := color.RGBA{120, 120, 120, 255}
			if row.Classes != nil {
				col = rgbaOf(Color(row.Classes[i]))
			}
			box := image.Rect(x, y, x+colW[i], y+h)
			fillRect(out, box, col, 0.18)
			strokeRect(out, box, col, 2)
			ls := lines(st)
			ty := y + (h-len(ls)*lh)/2
			for _, l := range ls {
				w, _, _ := textBox(l, size)
				if _, err := drawText(out, x+(colW[i]-w)/2, ty, l, size, ink, color.RGBA{}); err != nil {
					return nil, fmt.Errorf("plotting.Diagram: %w", err)
				}
				ty += lh
			}
			x += colW[i]
			if i < len(row.Steps)-1 { // an arrow to the next step
				my := float64(y + h/2)
				segment(out, float64(x+3), my, float64(x+arrow-4), my, 2, ink)
				for k := 0; k < 6; k++ {
					segment(out, float64(x+arrow-4-k), my-float64(k), float64(x+arrow-4-k), my+float64(k), 1, ink)
				}
			}
			x += arrow
		}
		y += h + gap
	}
	alt := ""
	for i, row := range rows {
		if i > 0 {
			alt += "; "
		}
		alt += row.Title + ":"
		for k, st := range row.Steps {
			if k > 0 {
				alt += " →"
			}
			alt += " " + strings.ReplaceAll(st, "\n", " ")
		}
	}
	return &Picture{Image: out, Alt: alt}, nil
}
