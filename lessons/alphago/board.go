package alphago

import (
	"fmt"
	"strings"
)

// MaxSize is the largest board this lesson's rules support.
const MaxSize = 9

// Stone colours: the values stored on the board and in Position.ToPlay.
const (
	Empty int8 = 0
	Black int8 = 1
	White int8 = -1
)

// Position is a Go position on an N×N board (N ≤ MaxSize) under this lesson's rules:
//
//   - a move is a point index r·N+c (row 0 at the top) or Pass(N) = N·N;
//   - opponent groups left without liberties are captured; suicide is forbidden;
//   - simple ko: retaking a single stone that has just captured a single stone is forbidden
//     for one move;
//   - two passes in a row end the game, and so does reaching MaxMoves (3·N·N, which also stops
//     rare repetition cycles that simple ko allows);
//   - area scoring (stones plus empty regions bordered by one colour only) with komi for white.
//
// Position is a value: copy it to explore a variation.
type Position struct {
	N       int
	Stones  [MaxSize * MaxSize]int8
	ToPlay  int8
	Ko      int // point where the player to move may not play (simple ko), or -1.
	Passes  int // consecutive passes just played.
	Moves   int // moves played so far.
	Last    int // last move played, or -1.
	Komi    float64
	capture int // stones captured by the last move.
}

// NewPosition returns the empty n×n board, black to move, with the given komi.
func NewPosition(n int, komi float64) Position {
	if n < 2 || n > MaxSize {
		panic(fmt.Sprintf("alphago: board size %d out of [2, %d]", n, MaxSize))
	}
	return Position{N: n, ToPlay: Black, Ko: -1, Last: -1, Komi: komi}
}

// Pass returns the pass move of an n×n board: n·n.
func Pass(n int) int { return n * n }

// MaxMoves is the game length after which a game is scored as it stands.
func (p *Position) MaxMoves() int { return 3 * p.N * p.N }

// Over reports whether the game has ended (two passes, or MaxMoves moves).
func (p *Position) Over() bool { return p.Passes >= 2 || p.Moves >= p.MaxMoves() }

// neighbours appends the points next to pt to buf.
func (p *Position) neighbours(pt int, buf *[4]int) []int {
	n := p.N
	r, c := pt/n, pt%n
	out := buf[:0]
	if r > 0 {
		out = append(out, pt-n)
	}
	if r < n-1 {
		out = append(out, pt+n)
	}
	if c > 0 {
		out = append(out, pt-1)
	}
	if c < n-1 {
		out = append(out, pt+1)
	}
	return out
}

// group returns the points of the group at pt (in stack, reused) and its number of liberties.
func (p *Position) group(pt int, stack []int) ([]int, int) {
	color := p.Stones[pt]
	var seen [MaxSize * MaxSize]bool
	var libSeen [MaxSize * MaxSize]bool
	stack = append(stack[:0], pt)
	seen[pt] = true
	libs := 0
	var nb [4]int
	for i := 0; i < len(stack); i++ {
		for _, q := range p.neighbours(stack[i], &nb) {
			switch s := p.Stones[q]; {
			case s == Empty && !libSeen[q]:
				libSeen[q] = true
				libs++
			case s == color && !seen[q]:
				seen[q] = true
				stack = append(stack, q)
			}
		}
	}
	return stack, libs
}

// Liberties returns the number of liberties of the group at pt (0 for an empty point).
func (p *Position) Liberties(pt int) int {
	if p.Stones[pt] == Empty {
		return 0
	}
	_, l := p.group(pt, make([]int, 0, p.N*p.N))
	return l
}

// Legal reports whether the player to move may play move m.
func (p *Position) Legal(m int) bool {
	if p.Over() {
		return false
	}
	if m == Pass(p.N) {
		return true
	}
	if m < 0 || m >= p.N*p.N || p.Stones[m] != Empty || m == p.Ko {
		return false
	}
	// Legal unless suicide: an empty neighbour, a friendly neighbour group with another
	// liberty, or an opponent neighbour group in atari (captured) makes it legal.
	var nb [4]int
	var stack [MaxSize * MaxSize]int
	for _, q := range p.neighbours(m, &nb) {
		switch p.Stones[q] {
		case Empty:
			return true
		case p.ToPlay:
			if _, l := p.group(q, stack[:0]); l > 1 {
				return true
			}
		default:
			if _, l := p.group(q, stack[:0]); l == 1 {
				return true
			}
		}
	}
	return false
}

// Play plays move m for the player to move; it returns an error if m is illegal.
func (p *Position) Play(m int) error {
	if !p.Legal(m) {
		return fmt.Errorf("alphago: illegal move %s", MoveString(p.N, m))
	}
	p.play(m)
	return nil
}

// play plays a legal move.
func (p *Position) play(m int) {
	p.Moves++
	p.Last = m
	p.capture = 0
	if m == Pass(p.N) {
		p.Passes++
		p.Ko = -1
		p.ToPlay = -p.ToPlay
		return
	}
	p.Passes = 0
	p.Stones[m] = p.ToPlay
	var nb [4]int
	var stack [MaxSize * MaxSize]int
	captured, capturedAt := 0, -1
	for _, q := range p.neighbours(m, &nb) {
		if p.Stones[q] != -p.ToPlay {
			continue
		}
		g, l := p.group(q, stack[:0])
		if l == 0 {
			for _, s := range g {
				p.Stones[s] = Empty
			}
			captured += len(g)
			capturedAt = q
		}
	}
	p.Ko = -1
	if captured == 1 {
		if g, l := p.group(m, stack[:0]); len(g) == 1 && l == 1 {
			p.Ko = capturedAt
		}
	}
	p.capture = captured
	p.ToPlay = -p.ToPlay
}

// LegalMoves returns the legal moves of the player to move (pass last, always legal until
// the game is over).
func (p *Position) LegalMoves() []int {
	var out []int
	if p.Over() {
		return out
	}
	for m := range p.N * p.N {
		if p.Legal(m) {
			out = append(out, m)
		}
	}
	return append(out, Pass(p.N))
}

// IsEye reports whether the empty point pt is an eye of colour c: every neighbour is c and
// at most one diagonal (none on the edge) is the opponent's. Random playouts never fill
// their own eyes, or no group would ever live.
func (p *Position) IsEye(pt int, c int8) bool {
	if p.Stones[pt] != Empty {
		return false
	}
	var nb [4]int
	for _, q := range p.neighbours(pt, &nb) {
		if p.Stones[q] != c {
			return false
		}
	}
	n := p.N
	r, col := pt/n, pt%n
	bad, edge := 0, false
	for _, d := range [4][2]int{{-1, -1}, {-1, 1}, {1, -1}, {1, 1}} {
		rr, cc := r+d[0], col+d[1]
		if rr < 0 || rr >= n || cc < 0 || cc >= n {
			edge = true
			continue
		}
		if p.Stones[rr*n+cc] == -c {
			bad++
		}
	}
	if edge {
		return bad == 0
	}
	return bad <= 1
}

// Area returns the area score of black and white: stones plus empty regions that touch
// stones of one colour only.
func (p *Position) Area() (black, white int) {
	n := p.N
	var seen [MaxSize * MaxSize]bool
	var nb [4]int
	stack := make([]int, 0, n*n)
	for pt := range n * n {
		switch p.Stones[pt] {
		case Black:
			black++
			continue
		case White:
			white++
			continue
		}
		if seen[pt] {
			continue
		}
		// Flood the empty region and note which colours border it.
		stack = append(stack[:0], pt)
		seen[pt] = true
		touchB, touchW := false, false
		for i := 0; i < len(stack); i++ {
			for _, q := range p.neighbours(stack[i], &nb) {
				switch p.Stones[q] {
				case Black:
					touchB = true
				case White:
					touchW = true
				default:
					if !seen[q] {
						seen[q] = true
						stack = append(stack, q)
					}
				}
			}
		}
		if touchB && !touchW {
			black += len(stack)
		} else if touchW && !touchB {
			white += len(stack)
		}
	}
	return black, white
}

// Score returns black's area minus white's area minus komi: > 0 means black wins.
func (p *Position) Score() float64 {
	b, w := p.Area()
	return float64(b-w) - p.Komi
}

// Winner returns Black or White by area scoring (Empty on an exact tie, impossible with a
// half-point komi).
func (p *Position) Winner() int8 {
	switch s := p.Score(); {
	case s > 0:
		return Black
	case s < 0:
		return White
	}
	return Empty
}

const columns = "abcdefghjklmnopqrst" // Go skips the letter i.

// MoveString writes move m of an n×n board as "c3" (column letter, row number counted from
// the bottom) or "pass".
func MoveString(n, m int) string {
	if m == Pass(n) {
		return "pass"
	}
	if m < 0 || m > n*n {
		return fmt.Sprintf("?%d", m)
	}
	return fmt.Sprintf("%c%d", columns[m%n], n-m/n)
}

// ParseMove reads "c3" or "pass" (any case) for an n×n board.
func ParseMove(n int, s string) (int, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "pass" {
		return Pass(n), nil
	}
	if len(s) < 2 {
		return 0, fmt.Errorf("alphago: move %q: want a column letter and a row number, e.g. c3", s)
	}
	c := strings.IndexByte(columns[:n], s[0])
	var row int
	if _, err := fmt.Sscanf(s[1:], "%d", &row); err != nil || c < 0 || row < 1 || row > n {
		return 0, fmt.Errorf("alphago: move %q is not on the %d×%d board", s, n, n)
	}
	return (n-row)*n + c, nil
}

// String draws the board as text: X black, O white, . empty, rows numbered from the bottom.
func (p *Position) String() string {
	var lines []string
	for r := range p.N {
		cells := []string{fmt.Sprint(p.N - r)}
		for c := range p.N {
			switch p.Stones[r*p.N+c] {
			case Black:
				cells = append(cells, "X")
			case White:
				cells = append(cells, "O")
			default:
				cells = append(cells, ".")
			}
		}
		lines = append(lines, strings.Join(cells, " "))
	}
	cols := []string{" "}
	for c := range p.N {
		cols = append(cols, string(columns[c]))
	}
	return strings.Join(append(lines, strings.Join(cols, " ")), "\n")
}

// Setup returns a position from rows of text ("X" black, "O" white, "." empty; row 0 at the
// top), with toPlay to move: hand-made test positions.
func Setup(rows []string, toPlay int8, komi float64) (Position, error) {
	n := len(rows)
	if n < 2 || n > MaxSize {
		return Position{}, fmt.Errorf("alphago: setup: %d rows", n)
	}
	p := NewPosition(n, komi)
	for r, row := range rows {
		row = strings.ReplaceAll(row, " ", "")
		if len(row) != n {
			return Position{}, fmt.Errorf("alphago: setup: row %d %q has %d points, want %d", r, row, len(row), n)
		}
		for c, ch := range row {
			switch ch {
			case 'X', 'x':
				p.Stones[r*n+c] = Black
			case 'O', 'o':
				p.Stones[r*n+c] = White
			case '.':
			default:
				return Position{}, fmt.Errorf("alphago: setup: bad character %q", ch)
			}
		}
	}
	p.ToPlay = toPlay
	return p, nil
}
