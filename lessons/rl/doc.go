// Package rl is lesson 01 of dl4go, reinforcement learning (強化学習): an agent acts in an
// environment according to a policy π(a|s), the environment answers with a new state and a
// reward, and the agent learns to choose actions that maximise the long-run sum of rewards.
//
// Where to start, in the order of the notebook (notebooks/01-rl.ipynb):
//
//   - loop.go: the agent–environment loop (Env), the action-value table Q(s,a) (QTable),
//     the ε-greedy policy π (QTable.Pi) and the state value V(s) = Σ_a π(a|s) Q(s,a).
//   - bandit.go: RunBandit, exploration versus exploitation on the 10-armed bandit.
//   - cliff.go: RunCliff, SARSA (on-policy) versus Q-learning (off-policy) versus Monte Carlo
//     control on the 4 × 12 cliff.
//   - cartpole.go: the cart-pole physics in Go; reinforce.go: RunCartPole, REINFORCE with a
//     learned baseline, a GoMLX policy network trained by the policy-gradient theorem
//     ∇J = E[∇ log π(a|s) Q(s,a)].
//   - Result: the lesson's RESULT line.
//
// Every experiment has a Default…Config whose size follows lessons.Quick (DL4GO_QUICK=1).
package rl

import "github.com/dl4go/dl4go/lessons"

func quick() bool { return lessons.Quick() }
