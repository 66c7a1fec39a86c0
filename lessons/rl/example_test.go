package rl_test

import (
	"fmt"

	"github.com/janpfeifer/must"

	"github.com/dl4go/dl4go/lessons/rl"
)

// The cliff-walking result: Q-learning learns the shortest path along the edge, SARSA a safer one.
func ExampleRunCliff() {
	out, err := rl.RunCliff(rl.Quick().Cliff)
	if err != nil {
		panic(err)
	}
	fmt.Println("Q-learning greedy return:", out.QLearningReturn())
	fmt.Println("SARSA keeps off the edge:", out.SARSASafe())
	fmt.Print(out.Env.DrawPath(out.Path[rl.QLearning]))
	// Output:
	// Q-learning greedy return: -13
	// SARSA keeps off the edge: true
	// ............
	// ............
	// ************
	// SCCCCCCCCCCG
}

// Exploration pays: ε = 0.1 finds the best arm far more often than the greedy agent.
func ExampleRunBandit() {
	out, err := rl.RunBandit(rl.Quick().Bandit)
	if err != nil {
		panic(err)
	}
	fmt.Println("ε=0.1 beats greedy on % optimal action:", out.FinalPctOptimal(2) > out.FinalPctOptimal(0))
	// Output:
	// ε=0.1 beats greedy on % optimal action: true
}

// Pushing always to the right tips the pole over to the left within a second.
func ExampleCartPole() {
	var c rl.CartPole
	for !c.Done {
		c.Step(1)
	}
	fmt.Printf("fell after %d steps, θ = %.3f rad\n", c.Steps, c.State[2])
	// Output:
	// fell after 9 steps, θ = -0.215 rad
}

// A notebook's last cell: the whole lesson at its quick size (CartPole trains, or resumes, or
// restores its finished run) and its RESULT line.
func ExampleRun() {
	cfg := rl.Quick()
	cfg.Quiet = true // no live chart here; a notebook leaves it on
	out := must.M1(rl.Run(cfg))
	fmt.Println("Q-learning greedy return:", out.Cliff.QLearningReturn())
	fmt.Println("CartPole mean return over", len(out.CartPole.EvalReturns), "episodes ≥ 100:", out.CartPole.MeanReturn >= 100)
	fmt.Println(out.Result().Metric, out.Result().OK())
	// Output:
	// Q-learning greedy return: -13
	// CartPole mean return over 100 episodes ≥ 100: true
	// cartpole_mean_return_cliff_ok true
}
