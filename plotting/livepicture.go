package plotting

import (
	"fmt"
	"html"

	"github.com/janpfeifer/gonb/gonbui"
)

// LivePicture is a picture that is replaced in place in a notebook cell each
// time Update is called, e.g. a GAN's samples from fixed noise after every
// epoch. Outside a notebook it only keeps the last picture.
type LivePicture struct {
	title     string
	displayID string
	last      *Picture
}

// NewLivePicture returns a live picture whose updates are headed by title.
func NewLivePicture(title string) *LivePicture {
	l := &LivePicture{title: title}
	if gonbui.IsNotebook {
		l.displayID = "dl4go_picture_" + gonbui.UniqueId()
	}
	return l
}

// Update shows pic, headed by the title and caption (e.g. "iteration 400").
func (l *LivePicture) Update(pic *Picture, caption string) error {
	l.last = pic
	if l.displayID == "" {
		return nil
	}
	h, err := pic.HTML()
	if err != nil {
		return fmt.Errorf("plotting.LivePicture %q: %w", l.title, err)
	}
	gonbui.UpdateHTML(l.displayID, fmt.Sprintf(`<div style="font-family:monospace;font-size:13px">%s — %s</div>%s`,
		html.EscapeString(l.title), html.EscapeString(caption), h))
	return nil
}

// Picture returns the last picture shown (nil before the first Update).
func (l *LivePicture) Picture() *Picture { return l.last }
