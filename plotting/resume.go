package plotting

import "fmt"

// Resumed tells the view that the run resumes from a checkpoint at step: the title says so. It
// makes *Live a gomlxext.Resumer, which gomlxext.Fit calls before the first Update.
func (l *Live) Resumed(step int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if step > 0 && !l.updated {
		l.title += fmt.Sprintf(" (resumed at step %d)", step)
	}
}
