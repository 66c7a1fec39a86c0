package alphago

import (
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"

	"github.com/gomlx/gomlx/pkg/ml/context/checkpoints"

	"github.com/dl4go/dl4go/plotting"
)

// pretrained holds the checkpoint made by `go run ./lessons/alphago/cmd/train -save
// lessons/alphago/pretrained` (the full configuration) and its network configuration.
//
//go:embed pretrained
var pretrained embed.FS

// Pretrained loads the committed AlphaGo Zero network (see cmd/train for how it was made).
func Pretrained() (*Net, error) {
	data, err := pretrained.ReadFile("pretrained/net.json")
	if err != nil {
		return nil, fmt.Errorf("pretrained network: %w", err)
	}
	var cfg NetConfig
	if err := json.Unmarshal(data, &cfg); err != nil {
		return nil, fmt.Errorf("pretrained network: %w", err)
	}
	dir, err := os.MkdirTemp("", "dl4go-alphago-")
	if err != nil {
		return nil, fmt.Errorf("pretrained network: %w", err)
	}
	defer os.RemoveAll(dir)
	err = fs.WalkDir(pretrained, "pretrained", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := pretrained.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, d.Name()), b, 0o644)
	})
	if err != nil {
		return nil, fmt.Errorf("pretrained network: %w", err)
	}
	return LoadNet(cfg, dir)
}

// LoadNet builds a DualNet of configuration cfg and loads the latest checkpoint in dir.
func LoadNet(cfg NetConfig, dir string) (*Net, error) {
	net, err := NewZeroNet(cfg, 1, 1e-3)
	if err != nil {
		return nil, err
	}
	if _, err := checkpoints.Build(net.Ctx).Dir(dir).Immediate().Done(); err != nil {
		return nil, fmt.Errorf("load network from %s: %w", dir, err)
	}
	return net, nil
}

// SaveNet writes the network's variables as a GoMLX checkpoint in dir, with its configuration
// in net.json.
func SaveNet(net *Net, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("save network: %w", err)
	}
	h, err := checkpoints.Build(net.Ctx).Dir(dir).Keep(1).Done()
	if err != nil {
		return fmt.Errorf("save network to %s: %w", dir, err)
	}
	if err := h.Save(); err != nil {
		return fmt.Errorf("save network to %s: %w", dir, err)
	}
	data, err := json.Marshal(net.Cfg)
	if err != nil {
		return fmt.Errorf("save network: %w", err)
	}
	return os.WriteFile(filepath.Join(dir, "net.json"), data, 0o644)
}

// Game is a game between you and an agent, played from notebook cells with Play. Each
// notebook cell runs as its own program, so a Game lives in a file (GamePath): every Play
// loads it, plays, and saves it again.
type Game struct {
	Pos   Position
	Agent *MCTSPlayer
	You   int8     // your colour.
	Log   []string // moves so far, e.g. "B c3".
	Last  *Tree    // the agent's last search (its visits are the heat map).
	rng   *rand.Rand
	msg   string
}

// GamePath is where the current game against the pretrained agent is kept between cells.
func GamePath() string { return filepath.Join(os.TempDir(), "dl4go-alphago-game.json") }

type savedGame struct {
	You   int8
	Moves []string
}

func (g *Game) save() error {
	data, err := json.Marshal(savedGame{g.You, g.Log})
	if err != nil {
		return err
	}
	return os.WriteFile(GamePath(), data, 0o644)
}

// NewGameVsPretrained starts (and saves, replacing any earlier one) a game against the
// committed AlphaGo Zero network searching 64 simulations per move; you play black (first)
// if youBlack. It shows the board.
func NewGameVsPretrained(youBlack bool) (*Game, error) {
	agent, err := PretrainedPlayer(64)
	if err != nil {
		return nil, err
	}
	g, err := NewGame(agent, youBlack)
	if err != nil {
		return nil, err
	}
	if err := g.save(); err != nil {
		return nil, fmt.Errorf("save game: %w", err)
	}
	g.Show()
	return g, nil
}

// CurrentGame loads the game saved by NewGameVsPretrained and Play (a new game with you as
// black if there is none).
func CurrentGame() (*Game, error) {
	data, err := os.ReadFile(GamePath())
	if errors.Is(err, os.ErrNotExist) {
		return NewGameVsPretrained(true)
	}
	if err != nil {
		return nil, fmt.Errorf("load game: %w", err)
	}
	var sg savedGame
	if err := json.Unmarshal(data, &sg); err != nil {
		return nil, fmt.Errorf("load game %s: %w", GamePath(), err)
	}
	agent, err := PretrainedPlayer(64)
	if err != nil {
		return nil, err
	}
	g := &Game{Pos: NewPosition(5, 0.5), Agent: agent, You: sg.You, rng: rand.New(rand.NewPCG(1, 2))}
	for _, s := range sg.Moves {
		f := strings.Fields(s)
		if len(f) != 2 {
			return nil, fmt.Errorf("load game: bad move %q", s)
		}
		m, err := ParseMove(5, f[1])
		if err == nil {
			err = g.Pos.Play(m)
		}
		if err != nil {
			return nil, fmt.Errorf("load game: %w", err)
		}
		g.Log = append(g.Log, s)
	}
	return g, nil
}

// PretrainedPlayer is the committed network with a sims-simulation MCTS.
func PretrainedPlayer(sims int) (*MCTSPlayer, error) {
	net, err := Pretrained()
	if err != nil {
		return nil, err
	}
	return &MCTSPlayer{Label: fmt.Sprintf("AlphaGo Zero (pretrained, %d sims)", sims), Eval: net, Search: SearchConfig{Sims: sims, CPuct: 1.5}}, nil
}

// NewGame starts a 5×5 game against agent; you play black (first) if youBlack, else the agent
// opens.
func NewGame(agent *MCTSPlayer, youBlack bool) (*Game, error) {
	g := &Game{Pos: NewPosition(5, 0.5), Agent: agent, You: Black, rng: rand.New(rand.NewPCG(1, 2))}
	if !youBlack {
		g.You = White
		if err := g.agentMove(); err != nil {
			return nil, err
		}
	}
	return g, nil
}

func colourName(c int8) string {
	if c == Black {
		return "B"
	}
	return "W"
}

func (g *Game) agentMove() error {
	if g.Pos.Over() {
		return nil
	}
	trees, err := Search(g.Agent.Eval, []Position{g.Pos}, g.Agent.Search, g.rng)
	if err != nil {
		return err
	}
	g.Last = trees[0]
	m := trees[0].BestMove()
	g.Log = append(g.Log, colourName(g.Pos.ToPlay)+" "+MoveString(g.Pos.N, m))
	g.Pos.play(m)
	return nil
}

// Play plays your move (e.g. "c3" or "pass") and the agent's answer, saves the game, shows
// the board with the agent's search visits as a heat map, and returns the game. An illegal
// move or a finished game leaves it unchanged and says why. In a notebook cell:
//
//	game, _ := alphago.CurrentGame()
//	game = alphago.Play(game, "c3")
func Play(g *Game, move string) *Game {
	if g == nil {
		fmt.Println("no game: start one with alphago.NewGameVsPretrained(true)")
		return g
	}
	defer func() {
		if err := g.save(); err != nil {
			fmt.Println("could not save the game:", err)
		}
	}()
	g.msg = ""
	m, err := ParseMove(g.Pos.N, move)
	switch {
	case g.Pos.Over():
		g.msg = "the game is over"
	case err != nil:
		g.msg = err.Error()
	case !g.Pos.Legal(m):
		g.msg = fmt.Sprintf("%s is illegal here (occupied, suicide or ko)", move)
	default:
		g.Log = append(g.Log, colourName(g.Pos.ToPlay)+" "+MoveString(g.Pos.N, m))
		g.Pos.play(m)
		if err := g.agentMove(); err != nil {
			g.msg = err.Error()
		}
	}
	g.Show()
	return g
}

// Status describes the game in one or two lines.
func (g *Game) Status() string {
	var b strings.Builder
	if g.msg != "" {
		fmt.Fprintf(&b, "%s\n", g.msg)
	}
	fmt.Fprintf(&b, "moves: %s\n", strings.Join(g.Log, ", "))
	if g.Pos.Over() {
		s := g.Pos.Score()
		winner := "black"
		if s < 0 {
			winner = "white"
		}
		you := "you lose"
		if g.Pos.Winner() == g.You {
			you = "you win"
		}
		fmt.Fprintf(&b, "game over: %s wins by %.1f (area scoring, komi %.1f): %s", winner, abs64(s), g.Pos.Komi, you)
	} else {
		fmt.Fprintf(&b, "%s to play (you are %s)", map[int8]string{Black: "black", White: "white"}[g.Pos.ToPlay], map[int8]string{Black: "black", White: "white"}[g.You])
		if g.Last != nil {
			fmt.Fprintf(&b, "; the agent thinks it wins with p ≈ %.0f%%", 50*(1+g.Last.Value()))
		}
	}
	return b.String()
}

func abs64(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

// Show displays the board (heat map: the agent's last search visits) and the status; like
// plotting.Show, it stops the cell if the board cannot be drawn.
func (g *Game) Show() {
	var probs []float32
	if g.Last != nil {
		probs = g.Last.Policy()
	}
	plotting.Show(BoardPicture(g.Pos, probs))
	fmt.Println(g.Status())
}

// Watch plays one game between black and white and returns every position with the mover's
// search visits (nil for players without search), for replaying it.
func Watch(black, white *MCTSPlayer, seed uint64) ([]Position, [][]float32, error) {
	rng := rand.New(rand.NewPCG(seed, 3))
	p := NewPosition(5, 0.5)
	positions := []Position{p}
	var visits [][]float32
	for !p.Over() {
		pl := black
		if p.ToPlay == White {
			pl = white
		}
		trees, err := Search(pl.Eval, []Position{p}, pl.Search, rng)
		if err != nil {
			return nil, nil, fmt.Errorf("watch: %w", err)
		}
		visits = append(visits, trees[0].Policy())
		p.play(trees[0].BestMove())
		positions = append(positions, p)
	}
	visits = append(visits, nil)
	return positions, visits, nil
}
