// Package rl is lesson 01 of dl4go, reinforcement learning (強化学習): an agent acts in an
// environment according to a policy π(a|s), the environment answers with a new state and a
// reward, and the agent learns to choose actions that maximise the long-run sum of rewards.
//
// Where to start, in the order of the notebook (notebooks/01-rl.ipynb):
//
//   - lesson.go: the lesson kit's contract — Config (the three experiments and the threshold),
//     Full, Quick, Size, Run and Outcome.Result, the lesson's RESULT line.
//   - loop.go: the agent–environment loop (Env), the action-value table Q(s,a) (QTable),
//     the ε-greedy policy π (QTable.Pi) and the state value V(s) = Σ_a π(a|s) Q(s,a).
//   - bandit.go: RunBandit, exploration versus exploitation on the 10-armed bandit.
//   - cliff.go: RunCliff, SARSA (on-policy) versus Q-learning (off-policy) versus Monte Carlo
//     control on the 4 × 12 cliff.
//   - cartpole.go: the cart-pole physics in Go; reinforce.go: RunCartPole, REINFORCE with a
//     learned baseline, a GoMLX policy network trained by the policy-gradient theorem
//     ∇J = E[∇ log π(a|s) Q(s,a)], checkpointed and resumed through the lesson kit.
//
// Measured at full size on 2 cores (pure-Go engine): Q-learning's greedy return −13 in 100 of
// 100 runs, SARSA's greedy path off the edge in 92 of 100, CartPole's greedy policy 500 on
// every one of 100 evaluation episodes after 26 updates; about 3 s of experiments.
package rl
