package alphago

import "testing"

func mustSetup(t *testing.T, rows []string, toPlay int8) Position {
	t.Helper()
	p, err := Setup(rows, toPlay, 0.5)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func mv(t *testing.T, n int, s string) int {
	t.Helper()
	m, err := ParseMove(n, s)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestRules(t *testing.T) {
	tests := []struct {
		name   string
		rows   []string
		toPlay int8
		move   string
		legal  bool
		after  []string // expected board after the move (nil: not checked)
	}{
		{"capture one stone", []string{
			".X...",
			"XO...",
			".X...",
			".....",
			"....."}, Black, "c4", true, []string{
			".X...",
			"X.X..",
			".X...",
			".....",
			"....."}},
		{"capture in the corner", []string{
			"OX...",
			".....",
			".....",
			".....",
			"....."}, Black, "a4", true, []string{
			".X...",
			"X....",
			".....",
			".....",
			"....."}},
		{"capture a group of two", []string{
			"XOOX.",
			".XX..",
			".....",
			".....",
			"....."}, Black, "e5", true, nil},
		{"suicide forbidden", []string{
			".X...",
			"X....",
			".....",
			".....",
			"....."}, White, "a5", false, nil},
		{"suicide of a group forbidden", []string{
			"O.X..",
			"XX...",
			".....",
			".....",
			"....."}, White, "b5", false, nil},
		{"point held by the opponent", []string{
			"OX...",
			"X....",
			".....",
			".....",
			"....."}, White, "b5", false, nil},
		{"capturing instead of suicide is legal", []string{
			".XO..",
			"XO...",
			"O....",
			".....",
			"....."}, White, "a5", true, []string{
			"O.O..",
			".O...",
			"O....",
			".....",
			"....."}},
		{"occupied point", []string{
			"X....",
			".....",
			".....",
			".....",
			"....."}, White, "a5", false, nil},
		{"pass is legal", []string{
			".....",
			".....",
			".....",
			".....",
			"....."}, Black, "pass", true, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := mustSetup(t, tt.rows, tt.toPlay)
			m := mv(t, 5, tt.move)
			if got := p.Legal(m); got != tt.legal {
				t.Fatalf("Legal(%s) = %v, want %v\n%s", tt.move, got, tt.legal, p.String())
			}
			if !tt.legal {
				if err := p.Play(m); err == nil {
					t.Fatalf("Play(%s) accepted an illegal move", tt.move)
				}
				return
			}
			if err := p.Play(m); err != nil {
				t.Fatal(err)
			}
			if p.ToPlay != -tt.toPlay {
				t.Errorf("ToPlay = %d after the move", p.ToPlay)
			}
			if tt.after != nil {
				want := mustSetup(t, tt.after, p.ToPlay)
				if want.Stones != p.Stones {
					t.Errorf("after %s:\n%s\nwant\n%s", tt.move, p.String(), want.String())
				}
			}
		})
	}
}

func TestGroupCapture(t *testing.T) {
	p := mustSetup(t, []string{
		"XOOX.",
		".XX..",
		".....",
		".....",
		"....."}, Black)
	// The two white stones b5-c5 have no liberty left after... they already have none? No:
	// they touch nothing empty, so the position is illegal as given; check Liberties sees it.
	if l := p.Liberties(mv(t, 5, "b5")); l != 0 {
		t.Fatalf("liberties of b5 = %d, want 0", l)
	}
	q := mustSetup(t, []string{
		"XOO..",
		".XX..",
		".....",
		".....",
		"....."}, Black)
	if l := q.Liberties(mv(t, 5, "b5")); l != 1 {
		t.Fatalf("liberties of b5 = %d, want 1", l)
	}
	if err := q.Play(mv(t, 5, "d5")); err != nil {
		t.Fatal(err)
	}
	if q.Stones[mv(t, 5, "b5")] != Empty || q.Stones[mv(t, 5, "c5")] != Empty || q.capture != 2 {
		t.Fatalf("group of two not captured:\n%s", q.String())
	}
}

func TestKo(t *testing.T) {
	p := mustSetup(t, []string{
		".XO..",
		"XO.O.",
		".XO..",
		".....",
		"....."}, Black)
	// Black captures at c4, taking the white stone at b4.
	if err := p.Play(mv(t, 5, "c4")); err != nil {
		t.Fatal(err)
	}
	if p.Stones[mv(t, 5, "b4")] != Empty {
		t.Fatalf("b4 not captured:\n%s", p.String())
	}
	// White may not retake at b4 at once (ko)...
	if p.Legal(mv(t, 5, "b4")) {
		t.Fatalf("immediate ko recapture allowed:\n%s", p.String())
	}
	// ...but may after a move elsewhere (a ko threat) and black's answer.
	for _, s := range []string{"e1", "e2"} {
		if err := p.Play(mv(t, 5, s)); err != nil {
			t.Fatal(err)
		}
	}
	if !p.Legal(mv(t, 5, "b4")) {
		t.Fatalf("ko recapture still forbidden after an exchange:\n%s", p.String())
	}
}

func TestPassesAndScore(t *testing.T) {
	p := mustSetup(t, []string{
		".X.O.",
		".X.O.",
		".X.O.",
		".X.O.",
		".X.O."}, Black)
	b, w := p.Area()
	// Black: 5 stones + column a (5); white: 5 stones + column e (5); column c is dame.
	if b != 10 || w != 10 {
		t.Fatalf("Area = %d, %d; want 10, 10", b, w)
	}
	if s := p.Score(); s != -0.5 {
		t.Fatalf("Score = %v, want -0.5 (komi)", s)
	}
	if p.Winner() != White {
		t.Fatalf("winner = %d, want white on komi", p.Winner())
	}
	if err := p.Play(mv(t, 5, "c3")); err != nil {
		t.Fatal(err)
	}
	if p.Winner() != Black {
		t.Fatalf("winner after c3 = %d, want black", p.Winner())
	}
	for i, s := range []string{"pass", "pass"} {
		if p.Over() {
			t.Fatalf("over after %d passes", i)
		}
		if err := p.Play(mv(t, 5, s)); err != nil {
			t.Fatal(err)
		}
	}
	if !p.Over() || p.Legal(mv(t, 5, "a1")) {
		t.Fatal("two passes did not end the game")
	}
}

func TestEyeAndParse(t *testing.T) {
	p := mustSetup(t, []string{
		".X...",
		"XX...",
		".....",
		".....",
		"....."}, Black)
	if !p.IsEye(mv(t, 5, "a5"), Black) || p.IsEye(mv(t, 5, "a5"), White) || p.IsEye(mv(t, 5, "c3"), Black) {
		t.Fatal("IsEye wrong")
	}
	for _, s := range []string{"a5", "e1", "c3", "pass"} {
		m := mv(t, 5, s)
		if got := MoveString(5, m); got != s {
			t.Errorf("MoveString(ParseMove(%q)) = %q", s, got)
		}
	}
	for _, s := range []string{"z1", "a6", "a0", "", "c"} {
		if _, err := ParseMove(5, s); err == nil {
			t.Errorf("ParseMove(%q) accepted", s)
		}
	}
}
