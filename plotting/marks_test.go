package plotting

import (
	"image"
	"image/color"
	"math"
	"strings"
	"testing"
)

func TestMarksDrawsSegmentsAndDots(t *testing.T) {
	src := image.NewRGBA(image.Rect(0, 0, 10, 10)) // black
	p, err := Marks(src, []Mark{
		{X0: 2, Y0: 0, X1: 2, Y1: 10, RGB: "#ff0000"},           // a vertical line at x = 2 → output x = 8
		{X0: 6.5, Y0: 6.5, Dot: true, RGB: "#00ff00", Width: 3}, // a dot centred on pixel (6, 6)
	}, PicScale(4))
	if err != nil {
		t.Fatal(err)
	}
	if b := p.Image.Bounds(); b.Dx() != 40 || b.Dy() != 40 {
		t.Fatalf("bounds %v, want 40×40", b)
	}
	red, green, black := color.RGBA{255, 0, 0, 255}, color.RGBA{0, 255, 0, 255}, color.RGBA{0, 0, 0, 255}
	for _, tc := range []struct {
		x, y int
		want color.RGBA
	}{{8, 5, red}, {8, 35, red}, {12, 5, black}, {26, 26, green}, {28, 26, green}, {31, 26, black}} {
		if got := at(t, p, tc.x, tc.y); got != tc.want {
			t.Errorf("pixel (%d,%d) = %v, want %v", tc.x, tc.y, got, tc.want)
		}
	}
	if _, err := Marks(src, []Mark{{X0: math.NaN()}}); err == nil {
		t.Error("a NaN coordinate was accepted")
	}
	if _, err := Marks(nil, nil); err == nil {
		t.Error("a nil image was accepted")
	}
}

func TestDiagram(t *testing.T) {
	p, err := Diagram([]DiagramRow{
		{Title: "R-CNN", Steps: []string{"selective search", "CNN per region", "SVM"}},
		{Title: "Faster R-CNN", Steps: []string{"CNN once", "RPN\nproposals", "RoI Pool", "heads"}, Classes: []int{0, 1, 2, 3}},
	})
	if err != nil {
		t.Fatal(err)
	}
	b := p.Image.Bounds()
	if b.Dx() < 300 || b.Dy() < 60 {
		t.Errorf("diagram %v is too small for two rows of boxes", b)
	}
	// Each coloured box has its palette colour on its outline: count the colours present.
	seen := map[color.RGBA]bool{}
	for y := 0; y < b.Dy(); y++ {
		for x := 0; x < b.Dx(); x++ {
			seen[at(t, p, x, y)] = true
		}
	}
	for c := range 4 {
		if !seen[rgbaOf(Color(c))] {
			t.Errorf("no box in colour %d (%s)", c, Color(c))
		}
	}
	if !strings.Contains(p.Alt, "RPN proposals →") {
		t.Errorf("alt text %q", p.Alt)
	}
	for _, rows := range [][]DiagramRow{nil, {{Title: "empty"}}, {{Title: "x", Steps: []string{"a"}, Classes: []int{1, 2}}}} {
		if _, err := Diagram(rows); err == nil {
			t.Errorf("rows %v accepted", rows)
		}
	}
}
