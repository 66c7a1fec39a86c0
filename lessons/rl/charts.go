package rl

import (
	"fmt"
	"math"

	"github.com/dl4go/dl4go/plotting"
	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
)

// RewardChart draws the average reward per step of every bandit method.
func (o BanditOutcome) RewardChart() (*plotting.Chart, error) {
	return plotting.Line(fmt.Sprintf("%d-armed bandit: average reward (%d runs)", o.Config.Arms, o.Config.Runs),
		steps1(o.Config.Steps), o.series(o.AvgReward), plotting.WithAxisNames("step", "average reward"))
}

// OptimalChart draws the % of runs that pulled the best arm, per step, for every bandit method.
func (o BanditOutcome) OptimalChart() (*plotting.Chart, error) {
	return plotting.Line(fmt.Sprintf("%d-armed bandit: %% optimal action (%d runs)", o.Config.Arms, o.Config.Runs),
		steps1(o.Config.Steps), o.series(o.PctOptimal), plotting.WithAxisNames("step", "% optimal action"))
}

func (o BanditOutcome) series(curves [][]float64) []plotting.Series {
	s := make([]plotting.Series, len(curves))
	for m, c := range curves {
		s[m] = plotting.Series{Name: o.Config.Methods[m].Name, Y: c}
	}
	return s
}

func steps1(n int) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = float64(i + 1)
	}
	return x
}

// blockMeans averages y over consecutive blocks of n points (the last block may be shorter) and
// returns each block's last episode (1-based) as x, a whole number for the episode axis: fewer
// points for long, noisy curves.
func blockMeans(y []float64, n int) (x, means []float64) {
	for i := 0; i < len(y); i += n {
		j := min(i+n, len(y))
		var s float64
		for _, v := range y[i:j] {
			s += v
		}
		x = append(x, float64(j))
		means = append(means, s/float64(j-i))
	}
	return x, means
}

// yFloor starts a Line's y axis at lo, so that the first episodes' huge losses do not flatten the curves.
func yFloor(lo float64) plotting.Option {
	return plotting.WithEcharts(charts.WithYAxisOpts(opts.YAxis{Type: "value", Name: "return per episode",
		NameLocation: "middle", NameGap: 40, Min: lo}))
}

// ReturnsChart draws the online return per episode (averaged over runs and over blocks of 10
// episodes, with a moving average) of SARSA and Q-learning: what each agent collects while it
// explores with ε = 0.1.
func (o CliffOutcome) ReturnsChart() (*plotting.Chart, error) {
	x, sarsa := blockMeans(o.OnlineReturn[SARSA], 10)
	_, qlearn := blockMeans(o.OnlineReturn[QLearning], 10)
	return plotting.Line(fmt.Sprintf("Cliff walking: return per episode while learning (ε=%g, %d runs)", o.Config.Epsilon, o.Config.Runs),
		x, []plotting.Series{{Name: "SARSA", Y: sarsa}, {Name: "Q-learning", Y: qlearn}},
		plotting.WithAxisNames("episode", "return per episode"), plotting.WithSmoothing(5), yFloor(-100))
}

// MonteCarloChart draws the online return of Monte Carlo control over its (longer) training,
// beside the TD methods' curves (averaged over runs and over blocks of 50 episodes).
func (o CliffOutcome) MonteCarloChart() (*plotting.Chart, error) {
	const block = 50
	x, mc := blockMeans(o.OnlineReturn[MonteCarlo], block)
	pad := func(y []float64) []float64 {
		_, m := blockMeans(y, block)
		p := make([]float64, len(x))
		for i := range p {
			p[i] = math.NaN()
		}
		copy(p, m)
		return p
	}
	return plotting.Line(fmt.Sprintf("Cliff walking: Monte Carlo control vs TD (ε=%g, %d runs)", o.Config.Epsilon, o.Config.Runs),
		x, []plotting.Series{{Name: "Monte Carlo", Y: mc},
			{Name: "SARSA", Y: pad(o.OnlineReturn[SARSA])}, {Name: "Q-learning", Y: pad(o.OnlineReturn[QLearning])}},
		plotting.WithAxisNames("episode", "return per episode (mean of 50)"), yFloor(-300))
}

// PathsPicture draws the grid with the greedy paths of run 0 as lines through the cells: SARSA
// blue, Q-learning red and, if withMC, Monte Carlo green (each slightly offset, so that shared
// cells show all of them). The cliff is black, the edge cells above it orange, start and goal yellow.
func (o CliffOutcome) PathsPicture(withMC bool) (*plotting.Picture, error) {
	const cell, top = 40, 16 // pixels per cell; a blank band on top for the caption
	c := o.Env
	h, w := top+c.Rows*cell, c.Cols*cell
	pix := make([]float32, h*w*3)
	put := func(x, y int, rgb [3]float32) {
		if x >= 0 && x < w && y >= 0 && y < h {
			copy(pix[(y*w+x)*3:], rgb[:])
		}
	}
	for y := range h {
		for x := range w {
			put(x, y, [3]float32{1, 1, 1})
		}
	}
	for s := range c.NumStates() {
		rgb := [3]float32{0.95, 0.95, 0.95}
		switch {
		case c.IsCliff(s):
			rgb = [3]float32{0.15, 0.15, 0.15}
		case s == c.Start() || s == c.Goal():
			rgb = [3]float32{0.98, 0.85, 0.3}
		case c.IsEdge(s):
			rgb = [3]float32{1, 0.88, 0.75}
		}
		r, col := s/c.Cols, s%c.Cols
		for y := 1; y < cell; y++ { // 1-pixel grid lines stay white
			for x := 1; x < cell; x++ {
				put(col*cell+x, top+r*cell+y, rgb)
			}
		}
	}
	draw := func(path []int, offset int, rgb [3]float32) {
		centre := func(s int) (int, int) {
			return (s%c.Cols)*cell + cell/2 + offset, top + (s/c.Cols)*cell + cell/2 + offset
		}
		for i := 1; i < len(path); i++ {
			x0, y0 := centre(path[i-1])
			x1, y1 := centre(path[i])
			n := max(abs(x1-x0), abs(y1-y0), 1)
			for k := 0; k <= n; k++ {
				x, y := x0+(x1-x0)*k/n, y0+(y1-y0)*k/n
				for d := -1; d <= 1; d++ {
					put(x+d, y, rgb)
					put(x, y+d, rgb)
				}
			}
		}
	}
	caption := "greedy paths: SARSA blue, Q-learning red"
	if withMC {
		draw(o.Path[MonteCarlo], 0, [3]float32{0.1, 0.6, 0.2})
		caption += ", Monte Carlo green"
	}
	draw(o.Path[QLearning], 6, [3]float32{0.85, 0.1, 0.1})
	draw(o.Path[SARSA], -6, [3]float32{0.1, 0.3, 0.9})
	return plotting.ImageGrid([][]float32{pix}, h, w, plotting.PicScale(1),
		plotting.PicCaptions([]string{caption}))
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// QChart draws method m's learned values max_a Q(s,a) on the grid, each cell labelled with its
// greedy action's arrow and the value.
func (o CliffOutcome) QChart(m int) (*plotting.Chart, error) {
	c := o.Env
	z := c.ValueGrid(o.Q[m])
	for s := range c.NumStates() {
		if c.IsCliff(s) || s == c.Goal() {
			z[s/c.Cols][s%c.Cols] = math.NaN()
		}
	}
	return plotting.Heatmap(fmt.Sprintf("%s: max_a Q(s,a) and greedy action", CliffMethodNames[m]),
		z, nil, nil, plotting.WithCellText(c.ArrowGrid(o.Q[m])), plotting.WithSize("900px", "330px"))
}

// TrainingChart draws the return of every training episode of the CartPole run (sampled actions),
// with a moving average over 50 episodes; 500 is the cap.
func (o CartPoleOutcome) TrainingChart() (*plotting.Chart, error) {
	if len(o.EpisodeReturns) == 0 {
		return nil, fmt.Errorf("cartpole: no training episodes to draw")
	}
	return plotting.Line(fmt.Sprintf("CartPole, REINFORCE with baseline: return per training episode (%d per update)", o.Config.Envs),
		steps1(len(o.EpisodeReturns)), []plotting.Series{{Name: "return", Y: o.EpisodeReturns}},
		plotting.WithAxisNames("episode", "return"), plotting.WithSmoothing(50))
}

// EvalChart draws the histogram of the evaluation returns.
func (o CartPoleOutcome) EvalChart() (*plotting.Chart, error) {
	return plotting.Histogram(fmt.Sprintf("CartPole: returns of %d greedy evaluation episodes (mean %.1f)", len(o.EvalReturns), o.MeanReturn),
		o.EvalReturns, 10, plotting.WithAxisNames("return", "episodes"))
}

// FramesPicture draws n frames, evenly spaced in time, of the first evaluation episode: the
// trained policy balancing the pole.
func (o CartPoleOutcome) FramesPicture(n int) (*plotting.Picture, error) {
	traj := o.Trajectory
	if len(traj) == 0 || n < 1 {
		return nil, fmt.Errorf("cartpole: no trajectory to draw")
	}
	n = min(n, len(traj))
	var frames [][]float32
	var captions []string
	for i := range n {
		t := i * (len(traj) - 1) / max(n-1, 1)
		frames = append(frames, RenderCartPole(traj[t]))
		captions = append(captions, fmt.Sprintf("t=%d", t))
	}
	return plotting.ImageGrid(frames, FrameHeight, FrameWidth, plotting.PicCaptions(captions),
		plotting.GridCols(min(n, 5)), plotting.PicScale(1))
}

// Frame size of RenderCartPole, in pixels.
const (
	FrameHeight = 100
	FrameWidth  = 240
)

// RenderCartPole draws state [x, ẋ, θ, θ̇] as a FrameHeight × FrameWidth × 3 RGB image (values in
// [0, 1]): the track, the cart (x = ±2.4 m at the edges) and the pole (1 m long).
func RenderCartPole(state [4]float64) []float32 {
	const scale = FrameWidth / (2 * CartPoleXLimit) // pixels per metre
	const trackY = 80
	pix := make([]float32, FrameHeight*FrameWidth*3)
	for i := range pix {
		pix[i] = 1
	}
	put := func(x, y int, r, g, b float32) {
		if x >= 0 && x < FrameWidth && y >= 0 && y < FrameHeight {
			k := (y*FrameWidth + x) * 3
			pix[k], pix[k+1], pix[k+2] = r, g, b
		}
	}
	for x := range FrameWidth {
		put(x, trackY, 0, 0, 0)
	}
	cx := int(math.Round(FrameWidth/2 + state[0]*scale))
	for y := trackY - 12; y < trackY; y++ {
		for x := cx - 12; x <= cx+12; x++ {
			put(x, y, 0.2, 0.2, 0.2)
		}
	}
	// The pole: from the top of the cart, 2·0.5 m long, leaning by θ (positive: to the right).
	px, py := float64(cx), float64(trackY-12)
	length := 2 * cpLength * scale
	for i := 0; i <= int(length)*2; i++ {
		d := float64(i) / 2
		x := px + d*math.Sin(state[2])
		y := py - d*math.Cos(state[2])
		for dx := -2; dx <= 2; dx++ {
			put(int(math.Round(x))+dx, int(math.Round(y)), 0.8, 0.6, 0.4)
		}
	}
	for dy := -2; dy <= 2; dy++ {
		for dx := -2; dx <= 2; dx++ {
			put(cx+dx, trackY-12+dy, 0.5, 0.5, 0.8)
		}
	}
	return pix
}
