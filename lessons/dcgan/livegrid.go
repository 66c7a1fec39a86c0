package dcgan

// This file holds LiveGrid, a picture that updates in place in a notebook cell. It belongs in
// package plotting (next to Live, the live chart); it is kept self-contained here so that it can be
// moved there as is.

import (
	"fmt"
	"html"

	"github.com/dl4go/dl4go/plotting"
	"github.com/janpfeifer/gonb/gonbui"
)

// LiveGrid shows a grid of gray images [n, 28, 28] that is replaced in place each time Update is
// called (in a GoNB cell; outside a notebook it does nothing but keep the last grid).
type LiveGrid struct {
	title     string
	cols      int
	displayID string
	last      *plotting.Picture
}

// NewLiveGrid returns a live grid with the given title and number of columns.
func NewLiveGrid(title string, cols int) *LiveGrid {
	l := &LiveGrid{title: title, cols: cols}
	if gonbui.IsNotebook {
		l.displayID = "dl4go_grid_" + gonbui.UniqueId()
	}
	return l
}

// Update draws images (flat [n, 28, 28] in [0, 1]) captioned with the training step.
func (l *LiveGrid) Update(images []float32, step int) {
	pic, err := plotting.ImageGridFlat(images, len(images)/(28*28), 28, 28, 1, plotting.GridCols(l.cols))
	if err != nil {
		return
	}
	l.last = pic
	if l.displayID == "" {
		return
	}
	h, err := pic.HTML()
	if err != nil {
		return
	}
	gonbui.UpdateHTML(l.displayID, fmt.Sprintf(`<div style="font-family:monospace;font-size:13px">%s — iteration %d</div>%s`,
		html.EscapeString(l.title), step, h))
}

// Picture returns the last grid drawn (nil before the first Update).
func (l *LiveGrid) Picture() *plotting.Picture { return l.last }
