package rl_test

import (
	"fmt"

	"github.com/dl4go/dl4go/lessons/rl"
)

// The cliff-walking result: Q-learning learns the shortest path along the edge, SARSA a safer one.
func ExampleRunCliff() {
	out, err := rl.RunCliff(rl.CliffConfigFor(true))
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
	out, err := rl.RunBandit(rl.BanditConfigFor(true))
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

// REINFORCE with a baseline balances the pole: the quick size already beats the quick threshold.
func ExampleRunCartPole() {
	cfg := rl.CartPoleConfigFor(true)
	cfg.CheckpointDir = "" // always train from scratch here
	out, err := rl.RunCartPole(cfg)
	if err != nil {
		panic(err)
	}
	fmt.Println("mean return over", len(out.EvalReturns), "episodes ≥ 100:", out.MeanReturn >= rl.CartPoleThresholdQuick)
	// Output:
	// mean return over 100 episodes ≥ 100: true
}
