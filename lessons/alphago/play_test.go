package alphago

import (
	"strings"
	"testing"
)

func TestPlayAgainstPretrained(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	g, err := NewGameVsPretrained(true)
	if err != nil {
		t.Fatal(err)
	}
	g = Play(g, "c3")
	if len(g.Log) != 2 || g.Log[0] != "B c3" || !strings.HasPrefix(g.Log[1], "W ") {
		t.Fatalf("after c3: log %v, want your move and the agent's", g.Log)
	}
	g = Play(g, "c3") // occupied: nothing changes
	if len(g.Log) != 2 || !strings.Contains(g.Status(), "illegal") {
		t.Fatalf("illegal move changed the game: %v\n%s", g.Log, g.Status())
	}
	g = Play(g, "zz")
	if len(g.Log) != 2 {
		t.Fatalf("bad move text changed the game: %v", g.Log)
	}
	// The next cell loads the same game from its file.
	h, err := CurrentGame()
	if err != nil {
		t.Fatal(err)
	}
	if h.Pos.Stones != g.Pos.Stones || h.Pos.ToPlay != g.Pos.ToPlay || len(h.Log) != 2 {
		t.Fatalf("CurrentGame differs:\n%s\nwant\n%s", h.Pos.String(), g.Pos.String())
	}
}

func TestWatch(t *testing.T) {
	pos, visits, err := Watch(PureMCTS(16, 1), PureMCTS(16, 2), 1)
	if err != nil {
		t.Fatal(err)
	}
	last := pos[len(pos)-1]
	if !last.Over() || len(visits) != len(pos) || last.Moves != len(pos)-1 {
		t.Fatalf("Watch: %d positions, %d visit maps, last over=%v moves=%d", len(pos), len(visits), last.Over(), last.Moves)
	}
}
