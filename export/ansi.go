package export

import (
	"fmt"
	"html"
	"strconv"
	"strings"
)

// Stream output and tracebacks carry terminal escapes (colours, "\r"
// progress lines). They are turned into HTML here rather than with a library:
// the well-kept one, github.com/buildkite/terminal-to-html (v3.17.3, checked
// 2026-12), turns iTerm2 image and OSC 8 link escapes in the text into <img>
// and <a> elements with the URLs the output names — a page would then load
// from the network, and a cell's text would become markup, against this
// package's trust model (stream output is shown as text) — it emits classes
// ("term-fg31") for a stylesheet its Go module does not ship, wraps lines at
// 160 columns, and its latest release needs Go 1.26.10 (the project's Go is
// 1.26.8). What pages need is small: SGR colours and styles, "\r" and
// erase-line for progress lines, every other escape dropped, all text escaped.

// ansiPalette holds the 16 standard terminal colours (normal then bright),
// as Jupyter shows them.
var ansiPalette = [16]string{
	"#3e424d", "#e75c58", "#00a250", "#ddb62b", "#208ffb", "#d160c4", "#60c6c8", "#c5c1b4",
	"#282c36", "#b22b31", "#007427", "#b27d12", "#0065ca", "#a03196", "#258f8f", "#a1a6b2",
}

// color256 returns the CSS colour of xterm colour n (0–255).
func color256(n int) string {
	switch {
	case n < 16:
		return ansiPalette[n]
	case n < 232:
		n -= 16
		level := func(v int) int {
			if v == 0 {
				return 0
			}
			return 55 + 40*v
		}
		return fmt.Sprintf("#%02x%02x%02x", level(n/36), level(n/6%6), level(n%6))
	default:
		g := 8 + 10*(n-232)
		return fmt.Sprintf("#%02x%02x%02x", g, g, g)
	}
}

type ansiState struct {
	fg, bg               string
	bold, italic, underl bool
}

func (s ansiState) style() string {
	var parts []string
	if s.fg != "" {
		parts = append(parts, "color:"+s.fg)
	}
	if s.bg != "" {
		parts = append(parts, "background-color:"+s.bg)
	}
	if s.bold {
		parts = append(parts, "font-weight:bold")
	}
	if s.italic {
		parts = append(parts, "font-style:italic")
	}
	if s.underl {
		parts = append(parts, "text-decoration:underline")
	}
	return strings.Join(parts, ";")
}

// ansiToHTML escapes terminal text for HTML and turns ANSI SGR colour codes
// into styled spans. Other escape sequences are dropped, and a carriage
// return overwrites its line as a terminal would (progress bars show their
// last state).
func ansiToHTML(text string) string {
	text = applyCarriageReturns(text)
	var b strings.Builder
	var st ansiState
	open := false
	flush := func(seg string) {
		if seg == "" {
			return
		}
		b.WriteString(html.EscapeString(seg))
	}
	for {
		i := strings.IndexByte(text, 0x1b)
		if i < 0 {
			flush(text)
			break
		}
		flush(text[:i])
		text = text[i+1:]
		if !strings.HasPrefix(text, "[") {
			// A lone ESC or a non-CSI sequence: drop ESC and its next byte.
			if text != "" {
				text = text[1:]
			}
			continue
		}
		// CSI: parameters and intermediates up to a final byte in 0x40–0x7e.
		j := 1
		for j < len(text) && (text[j] < 0x40 || text[j] > 0x7e) {
			j++
		}
		if j >= len(text) {
			break // truncated sequence
		}
		params, final := text[1:j], text[j]
		text = text[j+1:]
		if final != 'm' {
			continue
		}
		st = applySGR(st, params)
		if open {
			b.WriteString("</span>")
			open = false
		}
		if s := st.style(); s != "" {
			b.WriteString(`<span style="` + s + `">`)
			open = true
		}
	}
	if open {
		b.WriteString("</span>")
	}
	return b.String()
}

func applySGR(st ansiState, params string) ansiState {
	if params == "" {
		return ansiState{}
	}
	codes := strings.Split(strings.ReplaceAll(params, ":", ";"), ";")
	num := func(i int) int {
		if i >= len(codes) {
			return -1
		}
		n, err := strconv.Atoi(codes[i])
		if err != nil {
			return -1
		}
		return n
	}
	for i := 0; i < len(codes); i++ {
		c := num(i)
		switch {
		case c == 0 || codes[i] == "":
			st = ansiState{}
		case c == 1:
			st.bold = true
		case c == 3:
			st.italic = true
		case c == 4:
			st.underl = true
		case c == 22:
			st.bold = false
		case c == 23:
			st.italic = false
		case c == 24:
			st.underl = false
		case c >= 30 && c <= 37:
			st.fg = ansiPalette[c-30]
		case c >= 90 && c <= 97:
			st.fg = ansiPalette[c-90+8]
		case c == 39:
			st.fg = ""
		case c >= 40 && c <= 47:
			st.bg = ansiPalette[c-40]
		case c >= 100 && c <= 107:
			st.bg = ansiPalette[c-100+8]
		case c == 49:
			st.bg = ""
		case c == 38 || c == 48:
			var col string
			switch num(i + 1) {
			case 5:
				if n := num(i + 2); n >= 0 && n < 256 {
					col = color256(n)
				}
				i += 2
			case 2:
				r, g, bl := num(i+2), num(i+3), num(i+4)
				if r >= 0 && g >= 0 && bl >= 0 && r < 256 && g < 256 && bl < 256 {
					col = fmt.Sprintf("#%02x%02x%02x", r, g, bl)
				}
				i += 4
			}
			if col != "" {
				if c == 38 {
					st.fg = col
				} else {
					st.bg = col
				}
			}
		}
	}
	return st
}

// applyCarriageReturns keeps, on each line, only what follows the last
// carriage return that has text after it ("\r\n" is a plain newline).
func applyCarriageReturns(text string) string {
	if !strings.Contains(text, "\r") {
		return text
	}
	text = strings.ReplaceAll(text, "\r\n", "\n")
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		if k := strings.LastIndexByte(strings.TrimRight(l, "\r"), '\r'); k >= 0 {
			l = l[k+1:]
		}
		lines[i] = strings.TrimRight(l, "\r")
	}
	return strings.Join(lines, "\n")
}
